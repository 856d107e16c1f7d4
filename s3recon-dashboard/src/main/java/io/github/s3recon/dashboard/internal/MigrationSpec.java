package io.github.s3recon.dashboard.internal;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.s3recon.ChecksumAlgorithm;
import io.github.s3recon.Migration;
import io.github.s3recon.OverwritePolicy;
import io.github.s3recon.S3Location;
import io.github.s3recon.Verification;
import io.github.s3recon.event.MigrationListener;
import io.github.s3recon.dashboard.MigrationMetrics;
import io.github.s3recon.spi.TransferScheduler;
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
 * @param maxDeletePercent the largest share of the destination a run may delete
 * @param allowEmptySource whether an empty source may delete the destination's objects
 * @param trialPrefix where a trial writes under the destination prefix, null for the default
 * @param validationProbePrefix where validation probes write, null for the default
 * @param transfer the copy engine's options (retries, tags, limits, sizes, concurrency)
 */
public record MigrationSpec(String name, Side source, Side destination, Verification verification,
        ChecksumAlgorithm checksumAlgorithm, OverwritePolicy overwrite, boolean deleteExtraneous, long maxDeletes,
        List<String> include, List<String> exclude, Integer listingRanges, int maxDeletePercent,
        boolean allowEmptySource, String trialPrefix, String validationProbePrefix, TransferOptions transfer) {

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
        Long maxDeletes = Json.integer(o, "maxDeletes", "options.maxDeletes", 0, Long.MAX_VALUE);
        Long percent = Json.integer(o, "maxDeletePercent", "options.maxDeletePercent", 0, 100);
        String trialPrefix = Json.text(o, "trialPrefix", "options.trialPrefix", false);
        String probePrefix = Json.text(o, "validationProbePrefix", "options.validationProbePrefix", false);
        List<String> include = globs(o, "include");
        List<String> exclude = globs(o, "exclude");
        // The library's own checks of what it alone knows the rules of, answered under the field's name.
        library("options.trialPrefix", () -> {
            if (trialPrefix != null) {
                Migration.builder().trialPrefix(trialPrefix);
            }
        });
        library("options.validationProbePrefix", () -> {
            if (probePrefix != null) {
                Migration.builder().validationProbePrefix(probePrefix);
            }
        });
        library("options.include", () -> include.forEach(g -> Migration.builder().include(g)));
        library("options.exclude", () -> exclude.forEach(g -> Migration.builder().exclude(g)));
        return new MigrationSpec(name, source, destination,
                Json.enumValue(o, "verification", "options.verification", Verification.class, Verification.CHECKSUM),
                Json.enumValue(o, "checksumAlgorithm", "options.checksumAlgorithm", ChecksumAlgorithm.class, null),
                Json.enumValue(o, "overwrite", "options.overwrite", OverwritePolicy.class, OverwritePolicy.IF_DIFFERENT),
                Json.bool(o, "deleteExtraneous", "options.deleteExtraneous", false),
                maxDeletes == null ? Migration.DEFAULT_MAX_DELETES : maxDeletes,
                include, exclude, ranges == null ? null : ranges.intValue(),
                percent == null ? Migration.DEFAULT_MAX_DELETE_PERCENT : percent.intValue(),
                Json.bool(o, "allowEmptySource", "options.allowEmptySource", false), trialPrefix, probePrefix,
                TransferOptions.parse(o));
    }

    private static void library(String field, Runnable check) {
        try {
            check.run();
        } catch (io.github.s3recon.S3ReconException e) {
            throw ApiException.badRequest(field, field + ": " + io.github.s3recon.Redact.text(e.getMessage()));
        }
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
     * @param metrics the metrics whose in-flight gauge counts the copies, or null
     * @return a migration; the caller closes it
     */
    public Migration build(EndpointRegistry endpoints, Path workDirectory, List<MigrationListener> listeners,
            boolean newRun, MigrationMetrics metrics) {
        TransferScheduler scheduler = transfer.scheduler();
        Migration.Builder b = Migration.builder()
                .source(S3Location.of(endpoints.get(source.endpoint(), "source.endpoint").client(), source.bucket(),
                        source.prefix()))
                .destination(S3Location.of(endpoints.get(destination.endpoint(), "destination.endpoint").client(),
                        destination.bucket(), destination.prefix()))
                .workDirectory(workDirectory).verification(verification).overwrite(overwrite)
                .deleteExtraneous(deleteExtraneous).maxDeletes(maxDeletes).maxDeletePercent(maxDeletePercent)
                .allowEmptySource(allowEmptySource)
                .transferScheduler(metrics == null ? scheduler : metrics.instrument(scheduler))
                .newRun(newRun);
        if (trialPrefix != null) {
            b.trialPrefix(trialPrefix);
        }
        if (validationProbePrefix != null) {
            b.validationProbePrefix(validationProbePrefix);
        }
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
        o.put("maxDeletePercent", maxDeletePercent);
        o.put("allowEmptySource", allowEmptySource);
        o.put("trialPrefix", trialPrefix);
        o.put("validationProbePrefix", validationProbePrefix);
        transfer.addTo(o);
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
