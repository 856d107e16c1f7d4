package io.github.s3recon.internal.validation;

import io.github.s3recon.S3Location;
import io.github.s3recon.ValidationReport.Check;
import io.github.s3recon.ValidationReport.Status;
import io.github.s3recon.ValidationReport;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Response;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * The deletion check: with deleteExtraneous on, lists one page of keys per side and warns, before a
 * run, when the source looks wrong (empty while the destination is not) or when a run would delete
 * more than maxDeletes or maxDeletePercent allow. Never lists a whole bucket: a run checks its plan
 * against the guards anyway, before its first write.
 */
final class DeletionCheck {

    private final S3Location source;
    private final S3Location destination;
    private final String probePrefix;
    private final Validator.Guards guards;

    DeletionCheck(S3Location source, S3Location destination, String probePrefix, Validator.Guards guards) {
        this.source = source;
        this.destination = destination;
        this.probePrefix = probePrefix;
        this.guards = guards;
    }

    /** One page of keys per side: enough to warn about a wrong source before a run, never a listing of a bucket. */
    private static final int DELETION_SAMPLE = 1000;

    Check check(List<Check> checks) {
        if (!guards.deletes()) {
            return Checks.pass(ValidationReport.DELETIONS, "deleteExtraneous is off: a run deletes nothing");
        }
        for (Check c : checks) {
            if ((c.name().equals(ValidationReport.SOURCE_LIST) || c.name().equals(ValidationReport.DESTINATION_BUCKET))
                    && c.status() != Status.PASS) {
                return Checks.skip(ValidationReport.DELETIONS, "skipped: " + c.name() + " did not pass");
            }
        }
        Outcome<ListObjectsV2Response> src = listPage(source);
        Outcome<ListObjectsV2Response> dst = listPage(destination);
        if (src.failed() || dst.failed()) {
            return Checks.skip(ValidationReport.DELETIONS, "skipped: a listing failed ("
                    + Problem.classify(src.failed() ? src.failure() : dst.failure()).said() + ")");
        }
        Set<String> sourceKeys = new HashSet<>();
        for (S3Object o : src.value().contents()) {
            String key = o.key().substring(source.prefix().length());
            if (guards.filter().test(key)) {
                sourceKeys.add(key);
            }
        }
        long destinationObjects = 0;
        long extra = 0;
        for (S3Object o : dst.value().contents()) {
            String key = o.key().substring(destination.prefix().length());
            if (guards.filter().test(key) && !key.startsWith(probePrefix.isEmpty() ? "\0" : probePrefix)) {
                destinationObjects++;
                if (!sourceKeys.contains(key)) {
                    extra++;
                }
            }
        }
        boolean sourceWhole = !Boolean.TRUE.equals(src.value().isTruncated());
        boolean destinationWhole = !Boolean.TRUE.equals(dst.value().isTruncated());
        String what = "deleteExtraneous is on";
        if (sourceWhole && sourceKeys.isEmpty() && destinationObjects > 0) {
            String count = destinationWhole ? String.valueOf(destinationObjects) : "more than " + destinationObjects;
            return new Check(ValidationReport.DELETIONS, Status.WARN, what + " and the source " + source
                    + " lists no object in scope, so a run would delete all " + count + " objects under " + destination,
                    guards.allowEmptySource() ? "allowEmptySource is on: if the source is right, the run empties the "
                            + "destination (within maxDeletes and maxDeletePercent)"
                            : "a run refuses (EMPTY_SOURCE) unless built with allowEmptySource(true); check the source "
                                    + "bucket, prefix '" + source.prefix() + "', filters and credentials");
        }
        if (!sourceWhole || !destinationWhole) {
            return Checks.skip(ValidationReport.DELETIONS, "skipped: more than " + DELETION_SAMPLE + " keys on a side; a run "
                    + "checks maxDeletes (" + guards.maxDeletes() + ") and maxDeletePercent (" + guards.maxDeletePercent()
                    + "%) against its plan before its first write");
        }
        long percent = destinationObjects == 0 ? 0 : (extra * 100 + destinationObjects - 1) / destinationObjects;
        boolean overCount = extra > guards.maxDeletes();
        boolean overShare = guards.maxDeletePercent() < 100 && extra * 100 > guards.maxDeletePercent() * destinationObjects;
        String seen = "a run would delete " + extra + " of the " + destinationObjects + " objects under " + destination
                + " (" + percent + "%)";
        if (overCount || overShare) {
            return new Check(ValidationReport.DELETIONS, Status.WARN, what + ": " + seen,
                    "a run refuses (TOO_MANY_DELETES): more than " + (overCount ? "maxDeletes (" + guards.maxDeletes()
                            + ")" : "maxDeletePercent (" + guards.maxDeletePercent() + "%)") + "; check the source and "
                            + "filters, then raise " + (overCount ? "maxDeletes" : "maxDeletePercent") + " if this is "
                            + "what you want");
        }
        return Checks.pass(ValidationReport.DELETIONS, what + ": " + seen + ", within maxDeletes (" + guards.maxDeletes()
                + ") and maxDeletePercent (" + guards.maxDeletePercent() + "%)");
    }

    private static Outcome<ListObjectsV2Response> listPage(S3Location at) {
        return Outcome.call(() -> at.client().listObjectsV2(b -> b.bucket(at.bucket())
                .prefix(at.prefix().isEmpty() ? null : at.prefix()).maxKeys(DELETION_SAMPLE)));
    }
}
