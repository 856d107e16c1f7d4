package io.github.s3recon.inventory.internal;

import io.github.s3recon.ErrorCode;
import io.github.s3recon.S3ReconException;
import io.github.s3recon.Redact;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import software.amazon.awssdk.core.SdkPlugin;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.services.s3.S3ServiceClientConfiguration;
import software.amazon.awssdk.services.s3.model.CommonPrefix;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Request;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Response;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * Refuses a ListObjectsV2 page whose URL-encoded keys do not decode to valid UTF-8. The SDK decodes
 * {@code encoding-type=url} keys with {@link java.net.URLDecoder}, which silently turns such bytes
 * into U+FFFD: the engine would then copy, compare or delete another key than the one listed. The
 * check runs as a per-request plugin's interceptor, on the page as unmarshalled and before the SDK
 * decodes it (interceptors see responses in reverse order, and a request's own come last), and
 * fails the request with {@link ErrorCode#LISTING_FAILED} naming the raw, still encoded key.
 *
 * <p>Stateless and thread-safe.
 */
public final class RawKeyCheck {

    private static final ExecutionInterceptor INTERCEPTOR = new ExecutionInterceptor() {
        @Override
        public void afterUnmarshalling(Context.AfterUnmarshalling context, ExecutionAttributes attributes) {
            if (context.response() instanceof ListObjectsV2Response page && "url".equals(page.encodingTypeAsString())) {
                String bucket = context.request() instanceof ListObjectsV2Request r ? r.bucket() : "?";
                for (S3Object o : page.contents()) {
                    check(bucket, o.key());
                }
                for (CommonPrefix p : page.commonPrefixes()) {
                    check(bucket, p.prefix());
                }
            }
        }
    };

    private static final SdkPlugin PLUGIN = config -> {
        if (config instanceof S3ServiceClientConfiguration.Builder s3) {
            s3.overrideConfiguration(s3.overrideConfiguration().toBuilder().addExecutionInterceptor(INTERCEPTOR).build());
        }
    };

    private RawKeyCheck() {
    }

    /**
     * Returns the plugin to add to a ListObjectsV2 request (with {@code encoding-type=url}).
     *
     * @return the plugin; shared
     */
    public static SdkPlugin plugin() {
        return PLUGIN;
    }

    /**
     * Checks one URL-encoded value of a page.
     *
     * @param bucket the bucket listed, for the message
     * @param encoded the value as the server sent it; null is fine
     * @throws S3ReconException with {@link ErrorCode#LISTING_FAILED} when its bytes are not UTF-8
     */
    public static void check(String bucket, String encoded) {
        if (encoded == null || encoded.indexOf('%') < 0 || validUtf8(encoded)) {
            return;
        }
        throw new S3ReconException(ErrorCode.LISTING_FAILED, "the listing of bucket '" + bucket + "' holds the key '"
                + Redact.key(encoded) + "' (URL-encoded as the server sent it) whose bytes are not valid UTF-8: "
                + "it cannot be read, copied or deleted as itself, so the listing is refused; rename the object "
                + "on the server (or exclude it) and run again");
    }

    /** Whether the percent-decoded bytes are UTF-8; a malformed escape is left to the SDK's decoder. */
    private static boolean validUtf8(String encoded) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(encoded.length());
        byte[] utf8 = encoded.getBytes(StandardCharsets.UTF_8);
        for (int i = 0; i < utf8.length; i++) {
            int hi;
            int lo;
            if (utf8[i] == '%' && i + 2 < utf8.length && (hi = Character.digit(utf8[i + 1], 16)) >= 0
                    && (lo = Character.digit(utf8[i + 2], 16)) >= 0) {
                bytes.write(hi << 4 | lo);
                i += 2;
            } else {
                bytes.write(utf8[i]);
            }
        }
        try {
            StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes.toByteArray()));
            return true;
        } catch (CharacterCodingException e) {
            return false;
        }
    }
}
