package io.github.s3recon.dashboard.internal;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.s3recon.ChecksumAlgorithm;
import io.github.s3recon.DataSize;
import io.github.s3recon.Migration;
import io.github.s3recon.OverwritePolicy;
import io.github.s3recon.S3Location;
import io.github.s3recon.Verification;
import io.github.s3recon.event.MigrationListener;
import io.github.s3recon.transfer.SizeTieredScheduler;
import java.nio.file.Path;
import java.util.List;

/**
 * What a user asked to migrate: the two sides (by endpoint name, never by credentials) and the
 * options of the wizard. Parsed from JSON with an error naming the field at fault; shown as JSON.
 * Immutable.
 *
 * @param name a label for people
 * @param source the source side
 * @param destination the destination side
 * @param verification how copies are proved
 * @param checksumAlgorithm the checksum the destination is asked to store, null for the default
 * @param overwrite which existing destination objects are replaced
 * @param deleteExtraneous whether destination objects the source lacks are deleted
 * @param maxDeletes the deletion guard
 * @param include include globs
 * @param exclude exclude globs
 * @param listingRanges key ranges listed in parallel, null for automatic
 * @param maxAttempts attempts per object, null for the engine's default
 * @param copyTags whether object tags are copied (content headers and metadata always are)
 * @param maxBytesPerSecond the bandwidth limit, null for none
 */
public record MigrationSpec(String name, Side source, Side destination, Verification verification,
        ChecksumAlgorithm checksumAlgorithm, OverwritePolicy overwrite, boolean deleteExtraneous, long maxDeletes,
        List<String> include, List<String> exclude, Integer listingRanges, Integer maxAttempts, boolean copyTags,
        Long maxBytesPerSecond) {

    /** One side: an endpoint's name, a bucket and a prefix ("" for the whole bucket). */
    public record Side(String endpoint, String bucket, String prefix) {
    }

    /**
     * Parses a request body.
     *
     * @param body the JSON object
     * @param endpoints the known endpoints, to check the names; null not to check them (a spec read
     *     back from a work directory may name an endpoint that is added later)
     * @return the spec
     * @throws ApiException 400 naming the field at fault
     */
    public static MigrationSpec parse(ObjectNode body, EndpointRegistry endpoints) {
        Side source = side(body, "source", endpoints);
        Side destination = side(body, "destination", endpoints);
        ObjectNode o = body.has("options") ? Json.child(body, "options", "options") : Json.object();
        String name = Json.text(body, "name", "name", false);
        if (name == null) {
            name = source.bucket() + " -> " + destination.bucket();
        } else if (name.length() > 100) {
            throw ApiException.badRequest("name", "name must be at most 100 characters");
        }
        Long ranges = Json.integer(o, "listingRanges", "options.listingRanges", 1, 1024);
        Long attempts = Json.integer(o, "maxAttempts", "options.maxAttempts", 1, 100);
        Long maxDeletes = Json.integer(o, "maxDeletes", "options.maxDeletes", 0, Long.MAX_VALUE);
        return new MigrationSpec(name, source, destination,
                Json.enumValue(o, "verification", "options.verification", Verification.class, Verification.CHECKSUM),
                Json.enumValue(o, "checksumAlgorithm", "options.checksumAlgorithm", ChecksumAlgorithm.class, null),
                Json.enumValue(o, "overwrite", "options.overwrite", OverwritePolicy.class, OverwritePolicy.IF_DIFFERENT),
                Json.bool(o, "deleteExtraneous", "options.deleteExtraneous", false),
                maxDeletes == null ? Migration.DEFAULT_MAX_DELETES : maxDeletes,
                globs(o, "include"), globs(o, "exclude"),
                ranges == null ? null : ranges.intValue(), attempts == null ? null : attempts.intValue(),
                Json.bool(o, "copyTags", "options.copyTags", true),
                Json.integer(o, "maxBytesPerSecond", "options.maxBytesPerSecond", 1, Long.MAX_VALUE));
    }

    private static List<String> globs(ObjectNode o, String name) {
        List<String> globs = Json.strings(o, name, "options." + name);
        for (String g : globs) {
            if (g.length() > 1024) {
                throw ApiException.badRequest("options." + name, "options." + name + ": a glob is at most 1024 "
                        + "characters");
            }
        }
        return List.copyOf(globs);
    }

    private static Side side(ObjectNode body, String name, EndpointRegistry endpoints) {
        ObjectNode o = Json.child(body, name, name);
        String endpoint = Json.text(o, "endpoint", name + ".endpoint", true);
        if (endpoints != null) {
            endpoints.get(endpoint, name + ".endpoint");
        }
        String bucket = Json.text(o, "bucket", name + ".bucket", true);
        if (!bucket.matches("[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]")) {
            throw ApiException.badRequest(name + ".bucket", name + ".bucket must be a bucket name (3-63 lower-case "
                    + "letters, digits, '.' or '-'), was \"" + bucket + "\"");
        }
        String prefix = Json.text(o, "prefix", name + ".prefix", false);
        return new Side(endpoint, bucket, prefix == null ? "" : prefix);
    }

    /**
     * Builds the migration this spec describes.
     *
     * @param endpoints where the clients come from
     * @param workDirectory its work directory
     * @param listeners its listeners
     * @param newRun whether to abandon an unfinished run of the work directory instead of resuming it
     * @return a migration; the caller closes it
     */
    public Migration build(EndpointRegistry endpoints, Path workDirectory, List<MigrationListener> listeners,
            boolean newRun) {
        SizeTieredScheduler.Builder scheduler = SizeTieredScheduler.builder().copyTags(copyTags);
        if (maxAttempts != null) {
            scheduler.maxAttempts(maxAttempts);
        }
        if (maxBytesPerSecond != null) {
            scheduler.maxBytesPerSecond(DataSize.ofBytes(maxBytesPerSecond));
        }
        Migration.Builder b = Migration.builder()
                .source(S3Location.of(endpoints.get(source.endpoint(), "source.endpoint").client(), source.bucket(),
                        source.prefix()))
                .destination(S3Location.of(endpoints.get(destination.endpoint(), "destination.endpoint").client(),
                        destination.bucket(), destination.prefix()))
                .workDirectory(workDirectory).verification(verification).overwrite(overwrite)
                .deleteExtraneous(deleteExtraneous).maxDeletes(maxDeletes).transferScheduler(scheduler.build())
                .newRun(newRun);
        if (checksumAlgorithm != null) {
            b.checksumAlgorithm(checksumAlgorithm);
        }
        if (!include.isEmpty()) {
            b.include(include.toArray(String[]::new));
        }
        if (!exclude.isEmpty()) {
            b.exclude(exclude.toArray(String[]::new));
        }
        if (listingRanges != null) {
            b.listingRanges(listingRanges);
        }
        listeners.forEach(b::listener);
        return b.build();
    }

    /** @return this spec as JSON (endpoint names only; nothing secret exists here) */
    public ObjectNode toJson() {
        ObjectNode n = Json.object();
        n.put("name", name);
        n.set("source", side(source));
        n.set("destination", side(destination));
        ObjectNode o = n.putObject("options");
        o.put("verification", verification.name());
        o.put("checksumAlgorithm", checksumAlgorithm == null ? null : checksumAlgorithm.name());
        o.put("overwrite", overwrite.name());
        o.put("deleteExtraneous", deleteExtraneous);
        o.put("maxDeletes", maxDeletes);
        include.forEach(o.putArray("include")::add);
        exclude.forEach(o.putArray("exclude")::add);
        o.put("listingRanges", listingRanges);
        o.put("maxAttempts", maxAttempts);
        o.put("copyTags", copyTags);
        o.put("maxBytesPerSecond", maxBytesPerSecond);
        return n;
    }

    private static ObjectNode side(Side s) {
        ObjectNode n = Json.object();
        n.put("endpoint", s.endpoint());
        n.put("bucket", s.bucket());
        n.put("prefix", s.prefix());
        return n;
    }
}
