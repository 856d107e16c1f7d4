package io.github.s3recon.internal;

import io.github.s3recon.Redact;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.s3recon.ErrorCode;
import io.github.s3recon.S3Location;
import io.github.s3recon.S3ReconException;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * A run's configuration as JSON, without secrets (endpoints, regions, buckets, prefixes and
 * options; never credentials), and the digest of the part that a resume must not change: what is
 * copied and how it is compared. Limits (maxDeletes, concurrency, rates) may change between
 * resumes.
 */
public final class RunConfiguration {

    private static final ObjectMapper JSON = new ObjectMapper();
    /** Guards a resume may change: they decide whether a run goes ahead, not what it copies. */
    private static final List<String> LIMITS = List.of("maxDeletes", "maxDeletePercent", "allowEmptySource");

    private final ObjectNode json;
    private final String hash;

    private RunConfiguration(ObjectNode json) {
        this.json = json;
        ObjectNode fixed = json.deepCopy();
        for (String limit : LIMITS) {
            fixed.remove(limit);
        }
        this.hash = sha256(fixed.toString());
    }

    /**
     * Describes a migration's settings.
     *
     * @param s the settings
     * @return the configuration
     */
    public static RunConfiguration of(RunSettings s) {
        ObjectNode root = JSON.createObjectNode();
        if (s.source() != null) {
            root.set("source", location(s.source()));
        } else {
            // A source that is not a bucket is what it describes itself as (a manifest's path).
            root.putObject("source").put("kind", s.sourceObject().getClass().getSimpleName())
                    .put("describe", s.sourceObject().describe());
        }
        root.set("destination", location(s.destination()));
        ArrayNode include = root.putArray("include");
        s.filter().includes().forEach(include::add);
        ArrayNode exclude = root.putArray("exclude");
        s.filter().excludes().forEach(exclude::add);
        root.put("overwrite", s.overwrite().name());
        root.put("deleteExtraneous", s.deleteExtraneous());
        root.put("verification", s.verification().name());
        root.put("checksumAlgorithm", s.checksumAlgorithm().name());
        root.put("listingRanges", s.listingRanges());
        root.put("maxDeletes", s.maxDeletes());
        root.put("maxDeletePercent", s.maxDeletePercent());
        root.put("allowEmptySource", s.allowEmptySource());
        return new RunConfiguration(root);
    }

    private static ObjectNode location(S3Location l) {
        ObjectNode node = JSON.createObjectNode();
        String endpoint = null;
        String region = null;
        try {
            var config = l.client().serviceClientConfiguration();
            endpoint = config.endpointOverride().map(RunConfiguration::withoutUserInfo).orElse(null);
            region = config.region() == null ? null : config.region().id();
        } catch (RuntimeException e) {
            // A client that cannot describe itself (a test double): compared by bucket and prefix only.
        }
        node.put("endpoint", endpoint);
        node.put("region", region);
        node.put("bucket", l.bucket());
        node.put("prefix", l.prefix());
        return node;
    }

    private static String withoutUserInfo(URI uri) {
        return Redact.endpoint(uri);
    }


    /**
     * Returns the configuration as JSON.
     *
     * @return compact JSON
     */
    public String json() {
        return json.toString();
    }

    /**
     * Returns the digest of what a resume must not change.
     *
     * @return hex SHA-256
     */
    public String hash() {
        return hash;
    }

    /**
     * Lists what differs between an earlier run's configuration and this one, for an error message.
     *
     * @param earlierJson the earlier run's configuration JSON
     * @return lines like {@code overwrite: IF_DIFFERENT -> ALWAYS}; empty if nothing that matters differs
     */
    public List<String> changesFrom(String earlierJson) {
        List<String> changes = new ArrayList<>();
        try {
            diff("", JSON.readTree(earlierJson), json, changes);
        } catch (IOException e) {
            changes.add("(the earlier configuration cannot be read: " + e.getMessage() + ")");
        }
        changes.removeIf(c -> LIMITS.stream().anyMatch(limit -> c.startsWith(limit + ":")));
        return changes;
    }

    private static void diff(String path, JsonNode before, JsonNode now, List<String> changes) {
        if (before != null && now != null && before.isObject() && now.isObject()) {
            List<String> names = new ArrayList<>();
            before.fieldNames().forEachRemaining(names::add);
            for (Iterator<Map.Entry<String, JsonNode>> it = now.fields(); it.hasNext();) {
                String n = it.next().getKey();
                if (!names.contains(n)) {
                    names.add(n);
                }
            }
            for (String n : names) {
                diff(path.isEmpty() ? n : path + "." + n, before.get(n), now.get(n), changes);
            }
        } else if (before == null ? now != null : !before.equals(now)) {
            changes.add(path + ": " + before + " -> " + now);
        }
    }

    /**
     * Reads a JSON field of an earlier configuration.
     *
     * @param configurationJson the configuration
     * @param side {@code source} or {@code destination}
     * @param field e.g. {@code bucket}
     * @return the value, or null
     */
    public static String field(String configurationJson, String side, String field) {
        try {
            JsonNode node = JSON.readTree(configurationJson).path(side).get(field);
            return node == null || node.isNull() ? null : node.asText();
        } catch (IOException e) {
            return null;
        }
    }

    private static String sha256(String text) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                    .digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new S3ReconException(ErrorCode.INVALID_CONFIGURATION, "SHA-256 is not available: " + e, e);
        }
    }
}
