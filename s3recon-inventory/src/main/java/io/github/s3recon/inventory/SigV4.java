package io.github.s3recon.inventory;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import software.amazon.awssdk.http.SdkHttpRequest;
import software.amazon.awssdk.identity.spi.AwsCredentialsIdentity;
import software.amazon.awssdk.identity.spi.AwsSessionCredentialsIdentity;
import software.amazon.awssdk.utils.http.SdkHttpUtils;

/**
 * SigV4 header signing of a request whose payload hash is given (e.g. {@code UNSIGNED-PAYLOAD}):
 * the signature the SDK's {@code AwsV4HttpSigner} computes for the same request, time and
 * settings, byte for byte (same canonical request: header names lower-cased and sorted, values
 * trimmed with inner runs of white space made one space, {@code connection}, {@code user-agent},
 * {@code expect} and {@code x-amzn-trace-id} not signed; query names and values URI-encoded and
 * sorted; the encoded path, URI-encoded again only where asked). It exists for the direct requests'
 * cost: the SDK's signer built a request copy, a canonical-request object and a signing key per
 * request, a sixth of a small relay's CPU; here the signing key is derived once per day, region and
 * secret, and the digests are reused per thread.
 *
 * <p>Thread-safe. Holds the last derived signing key, and the credentials it was derived from to
 * tell when it no longer applies, in memory only.
 */
final class SigV4 {

    private static final String ALGORITHM = "AWS4-HMAC-SHA256";
    private static final Set<String> NOT_SIGNED = Set.of("connection", "x-amzn-trace-id", "user-agent", "expect");
    private static final DateTimeFormatter AMZ_DATE = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'", Locale.ROOT)
            .withZone(ZoneOffset.UTC);
    private static final ThreadLocal<MessageDigest> SHA256 = ThreadLocal.withInitial(() -> {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("the JVM has no SHA-256", e);
        }
    });
    private static final ThreadLocal<Mac> HMAC = ThreadLocal.withInitial(SigV4::newMac);
    /** Per thread, a MAC already keyed with the signing key it was last used with (keying costs a hash). */
    private static final ThreadLocal<KeyedMac> SIGNATURE = ThreadLocal.withInitial(() -> new KeyedMac(newMac()));

    private static final class KeyedMac {
        final Mac mac;
        byte[] key;

        KeyedMac(Mac mac) {
            this.mac = mac;
        }
    }

    /** The {@code X-Amz-Date} of the last second signed in: formatting a date costs more than the rest of a header. */
    private static volatile Stamp lastStamp = new Stamp(Long.MIN_VALUE, "");

    private record Stamp(long epochSecond, String amzDate) {
    }

    private final String region;
    private final String service;
    private final boolean doubleUrlEncode;
    private volatile SigningKey last;

    /** A derived signing key and what it was derived from; no {@code toString} that could print the secret. */
    private static final class SigningKey {
        final String accessKeyId;
        final String secret;
        final String date;
        final byte[] key;

        SigningKey(String accessKeyId, String secret, String date, byte[] key) {
            this.accessKeyId = accessKeyId;
            this.secret = secret;
            this.date = date;
            this.key = key;
        }
    }

    SigV4(String region, String service, boolean doubleUrlEncode) {
        this.region = region;
        this.service = service;
        this.doubleUrlEncode = doubleUrlEncode;
    }

    /**
     * Signs a request: adds {@code Host} (where absent), {@code X-Amz-Date},
     * {@code x-amz-content-sha256}, {@code X-Amz-Security-Token} (session credentials) and
     * {@code Authorization}.
     *
     * @param unsigned the request with every header it is sent with but those; not null
     * @param identity the credentials; not null
     * @param contentHash the payload's hash as sent in {@code x-amz-content-sha256}, e.g.
     *     {@code UNSIGNED-PAYLOAD}; not null
     * @param now the signing time
     * @return the signed request
     */
    SdkHttpRequest sign(SdkHttpRequest unsigned, AwsCredentialsIdentity identity, String contentHash, Instant now) {
        Stamp stamp = lastStamp;
        if (stamp.epochSecond() != now.getEpochSecond()) {
            stamp = new Stamp(now.getEpochSecond(), AMZ_DATE.format(now));
            lastStamp = stamp;
        }
        String amzDate = stamp.amzDate();
        String date = amzDate.substring(0, 8);
        SdkHttpRequest.Builder b = unsigned.toBuilder();
        if (unsigned.firstMatchingHeader("Host").isEmpty()) {
            b.putHeader("Host", SdkHttpUtils.isUsingStandardPort(unsigned.protocol(), unsigned.port())
                    ? unsigned.host() : unsigned.host() + ":" + unsigned.port());
        }
        b.putHeader("X-Amz-Date", amzDate);
        b.putHeader("x-amz-content-sha256", contentHash);
        if (identity instanceof AwsSessionCredentialsIdentity session) {
            b.putHeader("X-Amz-Security-Token", session.sessionToken());
        }

        // Canonical headers: lower-cased names, sorted; values trimmed, runs of white space one space.
        TreeMap<String, List<String>> headers = new TreeMap<>();
        b.forEachHeader((name, values) -> {
            String lower = name.toLowerCase(Locale.ROOT);
            if (!NOT_SIGNED.contains(lower)) {
                headers.computeIfAbsent(lower, k -> new ArrayList<>()).addAll(values);
            }
        });
        StringBuilder canonical = new StringBuilder(512);
        canonical.append(unsigned.method().name()).append('\n');
        canonical.append(canonicalUri(unsigned.encodedPath())).append('\n');
        canonicalQuery(canonical, unsigned.rawQueryParameters());
        canonical.append('\n');
        StringBuilder signedHeaders = new StringBuilder(128);
        for (Map.Entry<String, List<String>> h : headers.entrySet()) {
            canonical.append(h.getKey()).append(':');
            List<String> values = h.getValue();
            for (int i = 0; i < values.size(); i++) {
                if (i > 0) {
                    canonical.append(',');
                }
                addAndTrim(canonical, values.get(i));
            }
            canonical.append('\n');
            if (signedHeaders.length() > 0) {
                signedHeaders.append(';');
            }
            signedHeaders.append(h.getKey());
        }
        canonical.append('\n').append(signedHeaders).append('\n').append(contentHash);

        String scope = date + "/" + region + "/" + service + "/aws4_request";
        String stringToSign = ALGORITHM + "\n" + amzDate + "\n" + scope + "\n"
                + hex(SHA256.get().digest(canonical.toString().getBytes(StandardCharsets.UTF_8)));
        String signature = hex(signature(signingKey(identity, date), stringToSign));
        b.putHeader("Authorization", ALGORITHM + " Credential=" + identity.accessKeyId() + "/" + scope
                + ", SignedHeaders=" + signedHeaders + ", Signature=" + signature);
        return b.build();
    }

    private String canonicalUri(String encodedPath) {
        if (encodedPath == null || encodedPath.isEmpty()) {
            return "/";
        }
        String path = doubleUrlEncode ? SdkHttpUtils.urlEncodeIgnoreSlashes(encodedPath) : encodedPath;
        return path.startsWith("/") ? path : path + "/";
    }

    private static void canonicalQuery(StringBuilder out, Map<String, List<String>> raw) {
        if (raw.isEmpty()) {
            return;
        }
        TreeMap<String, List<String>> sorted = new TreeMap<>();
        raw.forEach((name, values) -> {
            if (name == null || name.isEmpty()) {
                return; // not signed
            }
            List<String> encoded = new ArrayList<>(values.size());
            for (String v : values) {
                String e = SdkHttpUtils.urlEncode(v);
                encoded.add(e == null ? "" : e); // "?tagging" is signed as "tagging="
            }
            Collections.sort(encoded);
            sorted.put(SdkHttpUtils.urlEncode(name), encoded);
        });
        boolean first = true;
        for (Map.Entry<String, List<String>> p : sorted.entrySet()) {
            for (String v : p.getValue()) {
                if (!first) {
                    out.append('&');
                }
                first = false;
                out.append(p.getKey()).append('=').append(v);
            }
        }
    }

    /** Appends a header value trimmed, with each run of white space inside made one space. */
    private static void addAndTrim(StringBuilder out, String value) {
        if (value == null) {
            return;
        }
        boolean space = false;
        boolean any = false;
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c == ' ' || c == '\t' || c == '\n' || c == '\u000b' || c == '\r' || c == '\f') {
                space = any;
            } else {
                if (space) {
                    out.append(' ');
                    space = false;
                }
                out.append(c);
                any = true;
            }
        }
    }

    private byte[] signingKey(AwsCredentialsIdentity identity, String date) {
        SigningKey k = last;
        if (k != null && k.date.equals(date) && k.accessKeyId.equals(identity.accessKeyId())
                && k.secret.equals(identity.secretAccessKey())) {
            return k.key;
        }
        byte[] key = hmac(("AWS4" + identity.secretAccessKey()).getBytes(StandardCharsets.UTF_8), date);
        key = hmac(key, region);
        key = hmac(key, service);
        key = hmac(key, "aws4_request");
        last = new SigningKey(identity.accessKeyId(), identity.secretAccessKey(), date, key);
        return key;
    }

    private static byte[] signature(byte[] signingKey, String stringToSign) {
        KeyedMac keyed = SIGNATURE.get();
        if (keyed.key != signingKey) {
            try {
                keyed.mac.init(new SecretKeySpec(signingKey, "HmacSHA256"));
            } catch (GeneralSecurityException e) {
                throw new IllegalStateException("HmacSHA256 refused its key", e);
            }
            keyed.key = signingKey;
        }
        return keyed.mac.doFinal(stringToSign.getBytes(StandardCharsets.UTF_8)); // doFinal leaves it keyed
    }

    private static Mac newMac() {
        try {
            return Mac.getInstance("HmacSHA256");
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("the JVM has no HmacSHA256", e);
        }
    }

    private static byte[] hmac(byte[] key, String data) {
        Mac mac = HMAC.get();
        try {
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 refused its key", e);
        }
        return mac.doFinal(data.getBytes(StandardCharsets.UTF_8));
    }

    private static String hex(byte[] bytes) {
        return java.util.HexFormat.of().formatHex(bytes);
    }
}
