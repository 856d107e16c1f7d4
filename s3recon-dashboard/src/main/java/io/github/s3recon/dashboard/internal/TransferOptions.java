package io.github.s3recon.dashboard.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.s3recon.DataSize;
import io.github.s3recon.S3ReconException;
import io.github.s3recon.transfer.SizeTieredScheduler;
import java.time.Duration;

/**
 * The copy engine's options of the wizard: every setting of {@link SizeTieredScheduler.Builder},
 * each null (or absent) for the engine's default. Sizes are bytes, backoffs milliseconds. Parsed
 * from the request's {@code options} object; each value is checked by the scheduler's own builder,
 * whose message is answered under the field's name. Immutable.
 *
 * @param maxAttempts attempts per object (retries + 1)
 * @param copyTags whether tags are copied (true by default)
 * @param maxBytesPerSecond the bandwidth limit
 * @param maxRequestsPerSecond the request rate limit
 * @param smallObjectThreshold the size from which relayed objects are copied in parts
 * @param multipartCopyThreshold the size from which server-side copies are made in parts
 * @param partSize the preferred part size
 * @param maxInFlightBytes the in-flight byte budget
 * @param smallObjectConcurrency small objects copied at once
 * @param largeObjectConcurrency parts of large objects transferred at once
 * @param initialBackoffMillis the backoff before the first retry
 * @param maxBackoffMillis the longest backoff
 * @param serverSideCopy whether the server copies where it can (true by default)
 * @param plainUploads whether uploads are sent without checksums (false by default)
 * @param directRequests whether small relays may bypass the SDK (true by default)
 */
public record TransferOptions(Integer maxAttempts, boolean copyTags, Long maxBytesPerSecond, Double maxRequestsPerSecond,
        Long smallObjectThreshold, Long multipartCopyThreshold, Long partSize, Long maxInFlightBytes,
        Integer smallObjectConcurrency, Integer largeObjectConcurrency, Long initialBackoffMillis,
        Long maxBackoffMillis, boolean serverSideCopy, boolean plainUploads, boolean directRequests) {

    /**
     * Parses the transfer options out of a request's {@code options} object.
     *
     * @param o the options object
     * @return the options
     * @throws ApiException 400 naming the field ({@code options.partSize}...) at fault
     */
    static TransferOptions parse(ObjectNode o) {
        Long attempts = Json.integer(o, "maxAttempts", "options.maxAttempts", 1, 100);
        Long small = Json.integer(o, "smallObjectConcurrency", "options.smallObjectConcurrency", 1, 10_000);
        Long large = Json.integer(o, "largeObjectConcurrency", "options.largeObjectConcurrency", 1, 1_000);
        TransferOptions t = new TransferOptions(attempts == null ? null : attempts.intValue(),
                Json.bool(o, "copyTags", "options.copyTags", true),
                Json.integer(o, "maxBytesPerSecond", "options.maxBytesPerSecond", 1, Long.MAX_VALUE),
                decimal(o, "maxRequestsPerSecond"),
                Json.integer(o, "smallObjectThreshold", "options.smallObjectThreshold", 1, Long.MAX_VALUE),
                Json.integer(o, "multipartCopyThreshold", "options.multipartCopyThreshold", 1, Long.MAX_VALUE),
                Json.integer(o, "partSize", "options.partSize", 1, Long.MAX_VALUE),
                Json.integer(o, "maxInFlightBytes", "options.maxInFlightBytes", 1, Long.MAX_VALUE),
                small == null ? null : small.intValue(), large == null ? null : large.intValue(),
                Json.integer(o, "initialBackoffMillis", "options.initialBackoffMillis", 1, 3_600_000),
                Json.integer(o, "maxBackoffMillis", "options.maxBackoffMillis", 1, 3_600_000),
                Json.bool(o, "serverSideCopy", "options.serverSideCopy", true),
                Json.bool(o, "plainUploads", "options.plainUploads", false),
                Json.bool(o, "directRequests", "options.directRequests", true));
        t.scheduler(); // the builder's own checks (5 MiB <= part size <= 5 GiB...), answered as 400s
        return t;
    }

    private static Double decimal(ObjectNode o, String name) {
        JsonNode n = o.get(name);
        if (n == null || n.isNull() || (n.isTextual() && n.asText().isBlank())) {
            return null;
        }
        double v;
        if (n.isNumber()) {
            v = n.asDouble();
        } else if (n.isTextual() && n.asText().strip().matches("\\d{1,12}(\\.\\d{1,6})?")) {
            v = Double.parseDouble(n.asText().strip());
        } else {
            throw ApiException.badRequest("options." + name, "options." + name + " must be a number, was " + n);
        }
        if (!(v > 0) || Double.isInfinite(v)) {
            throw ApiException.badRequest("options." + name, "options." + name + " must be positive, was " + n);
        }
        return v;
    }

    /**
     * Builds the scheduler these options describe.
     *
     * @return a new scheduler
     * @throws ApiException 400 naming the option the scheduler's builder refused
     */
    SizeTieredScheduler scheduler() {
        SizeTieredScheduler.Builder b = SizeTieredScheduler.builder();
        set("copyTags", () -> b.copyTags(copyTags));
        set("serverSideCopy", () -> b.serverSideCopy(serverSideCopy));
        set("plainUploads", () -> b.plainUploads(plainUploads));
        set("directRequests", () -> b.directRequests(directRequests));
        if (maxAttempts != null) {
            set("maxAttempts", () -> b.maxAttempts(maxAttempts));
        }
        if (maxBytesPerSecond != null) {
            set("maxBytesPerSecond", () -> b.maxBytesPerSecond(DataSize.ofBytes(maxBytesPerSecond)));
        }
        if (maxRequestsPerSecond != null) {
            set("maxRequestsPerSecond", () -> b.maxRequestsPerSecond(maxRequestsPerSecond));
        }
        if (smallObjectThreshold != null) {
            set("smallObjectThreshold", () -> b.smallObjectThreshold(DataSize.ofBytes(smallObjectThreshold)));
        }
        if (multipartCopyThreshold != null) {
            set("multipartCopyThreshold", () -> b.multipartCopyThreshold(DataSize.ofBytes(multipartCopyThreshold)));
        }
        if (partSize != null) {
            set("partSize", () -> b.partSize(DataSize.ofBytes(partSize)));
        }
        if (maxInFlightBytes != null) {
            set("maxInFlightBytes", () -> b.maxInFlightBytes(DataSize.ofBytes(maxInFlightBytes)));
        }
        if (smallObjectConcurrency != null) {
            set("smallObjectConcurrency", () -> b.smallObjectConcurrency(smallObjectConcurrency));
        }
        if (largeObjectConcurrency != null) {
            set("largeObjectConcurrency", () -> b.largeObjectConcurrency(largeObjectConcurrency));
        }
        if (initialBackoffMillis != null) {
            set("initialBackoffMillis", () -> b.initialBackoff(Duration.ofMillis(initialBackoffMillis)));
        }
        if (maxBackoffMillis != null) {
            set("maxBackoffMillis", () -> b.maxBackoff(Duration.ofMillis(maxBackoffMillis)));
        }
        // build() checks the backoffs against each other; the initial one is the field it names
        SizeTieredScheduler[] built = new SizeTieredScheduler[1];
        set("initialBackoffMillis", () -> built[0] = b.build());
        return built[0];
    }

    /** Runs one setter of the scheduler's builder; its refusal becomes a 400 naming the option. */
    private static void set(String option, Runnable setter) {
        try {
            setter.run();
        } catch (S3ReconException e) {
            String field = "options." + option;
            throw ApiException.badRequest(field, field + ": " + e.getMessage());
        }
    }

    /** @param o the options object of a spec's JSON, to which these options are added */
    void addTo(ObjectNode o) {
        o.put("maxAttempts", maxAttempts);
        o.put("copyTags", copyTags);
        o.put("maxBytesPerSecond", maxBytesPerSecond);
        o.put("maxRequestsPerSecond", maxRequestsPerSecond);
        o.put("smallObjectThreshold", smallObjectThreshold);
        o.put("multipartCopyThreshold", multipartCopyThreshold);
        o.put("partSize", partSize);
        o.put("maxInFlightBytes", maxInFlightBytes);
        o.put("smallObjectConcurrency", smallObjectConcurrency);
        o.put("largeObjectConcurrency", largeObjectConcurrency);
        o.put("initialBackoffMillis", initialBackoffMillis);
        o.put("maxBackoffMillis", maxBackoffMillis);
        o.put("serverSideCopy", serverSideCopy);
        o.put("plainUploads", plainUploads);
        o.put("directRequests", directRequests);
    }
}
