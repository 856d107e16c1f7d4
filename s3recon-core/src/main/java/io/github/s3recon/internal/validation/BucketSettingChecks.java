package io.github.s3recon.internal.validation;

import io.github.s3recon.S3Errors;
import io.github.s3recon.S3Location;
import io.github.s3recon.ValidationReport.Check;
import io.github.s3recon.ValidationReport.Status;
import java.util.Locale;
import software.amazon.awssdk.services.s3.model.BucketVersioningStatus;
import software.amazon.awssdk.services.s3.model.DefaultRetention;
import software.amazon.awssdk.services.s3.model.GetBucketVersioningResponse;
import software.amazon.awssdk.services.s3.model.GetObjectLockConfigurationResponse;
import software.amazon.awssdk.services.s3.model.ObjectLockConfiguration;
import software.amazon.awssdk.services.s3.model.ObjectLockEnabled;
import software.amazon.awssdk.services.s3.model.S3Exception;

/**
 * The checks of a bucket's settings that a migration does not need but a user should know about:
 * versioning (old versions cost storage; only current versions are migrated) and object lock
 * (retention may block deletes and overwrites). A setting that cannot be read is a warning.
 */
final class BucketSettingChecks {

    private BucketSettingChecks() {
    }

    static Check versioning(String name, S3Location at, boolean isDestination, String skipped) {
        if (skipped != null) {
            return Checks.skip(name, skipped);
        }
        String what = "GetBucketVersioning of '" + at.bucket() + "'";
        Outcome<GetBucketVersioningResponse> got = Outcome.call(() -> at.client().getBucketVersioning(b -> b.bucket(
                at.bucket())));
        if (got.failed()) {
            return unknownSetting(name, what, at, got.failure(), "s3:GetBucketVersioning");
        }
        BucketVersioningStatus status = got.value().status();
        if (status == null || status == BucketVersioningStatus.UNKNOWN_TO_SDK_VERSION) {
            String raw = got.value().statusAsString();
            return Checks.pass(name, what + ": " + (raw == null || raw.isEmpty() ? "never enabled" : raw));
        }
        String state = status == BucketVersioningStatus.ENABLED ? "enabled" : "suspended";
        String hint;
        if (isDestination) {
            hint = status == BucketVersioningStatus.ENABLED
                    ? "objects that a migration overwrites or deletes keep their old versions, which cost storage: "
                            + "add a lifecycle rule that expires noncurrent versions if they are not wanted"
                    : "versions made while versioning was enabled remain and cost storage: expire them with a "
                            + "lifecycle rule if they are not wanted";
        } else {
            hint = "only the current version of each object is migrated; noncurrent versions and delete markers "
                    + "stay behind in the source";
        }
        return new Check(name, Status.WARN, what + ": " + state, hint);
    }

    static Check objectLock(String name, S3Location at, boolean isDestination, String skipped) {
        if (skipped != null) {
            return Checks.skip(name, skipped);
        }
        String what = "GetObjectLockConfiguration of '" + at.bucket() + "'";
        Outcome<GetObjectLockConfigurationResponse> got = Outcome.call(() -> at.client().getObjectLockConfiguration(
                b -> b.bucket(at.bucket())));
        if (got.failed()) {
            Throwable t = S3Errors.unwrap(got.failure());
            if (t instanceof S3Exception e && isNoObjectLock(e)) {
                return Checks.pass(name, what + ": not enabled");
            }
            return unknownSetting(name, what, at, got.failure(), "s3:GetBucketObjectLockConfiguration");
        }
        ObjectLockConfiguration config = got.value().objectLockConfiguration();
        if (config == null || config.objectLockEnabled() != ObjectLockEnabled.ENABLED) {
            return Checks.pass(name, what + ": not enabled");
        }
        DefaultRetention retention = config.rule() == null ? null : config.rule().defaultRetention();
        String rule = retention == null ? "no default retention"
                : "default retention " + retention.modeAsString() + " for "
                        + (retention.days() != null ? retention.days() + " day(s)" : retention.years() + " year(s)");
        if (!isDestination) {
            return Checks.pass(name, what + ": enabled, " + rule + " (reading is not affected)");
        }
        return new Check(name, Status.WARN, what + ": enabled, " + rule,
                "retention may block deletes and overwrites: locked versions cannot be deleted before their "
                        + "retention ends, so deleteExtraneous and re-copies leave them in place"
                        + (retention == null ? "" : ", and every object copied is locked by the default retention"));
    }

    /**
     * S3 and MinIO answer 404 {@code ObjectLockConfigurationNotFoundError}; some S3-compatible servers
     * (S3Mock) 400 {@code InvalidRequest} "Bucket is missing Object Lock Configuration".
     */
    private static boolean isNoObjectLock(S3Exception e) {
        if ("ObjectLockConfigurationNotFoundError".equals(Problem.code(e))) {
            return true;
        }
        String message = e.awsErrorDetails() == null ? null : e.awsErrorDetails().errorMessage();
        String lower = message == null ? "" : message.toLowerCase(Locale.ROOT);
        return (e.statusCode() == 400 || e.statusCode() == 404) && lower.contains("object lock")
                && (lower.contains("missing") || lower.contains("does not exist") || lower.contains("not found"));
    }

    /** A setting that could not be read: a warning, not a failure; the migration does not need to read it. */
    private static Check unknownSetting(String name, String what, S3Location at, Throwable failure, String permission) {
        Problem p = Problem.classify(failure);
        if (p.kind() == Problem.Kind.NOT_IMPLEMENTED) {
            return Checks.pass(name, what + ": not supported by the server (" + p.said() + ")");
        }
        return new Check(name, Status.WARN, what + ": " + p.said() + "; the setting is unknown",
                p.hint(at, permission, Problem.bucketArn(at)));
    }
}
