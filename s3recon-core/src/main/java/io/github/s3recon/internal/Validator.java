package io.github.s3recon.internal;

import io.github.s3recon.S3Errors;
import io.github.s3recon.ErrorCode;
import io.github.s3recon.S3Location;
import io.github.s3recon.S3ReconException;
import io.github.s3recon.ValidationReport;
import io.github.s3recon.ValidationReport.Check;
import io.github.s3recon.ValidationReport.Status;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.nio.channels.UnresolvedAddressException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;
import java.util.regex.Pattern;
import javax.net.ssl.SSLException;
import software.amazon.awssdk.core.async.AsyncRequestBody;
import software.amazon.awssdk.core.async.AsyncResponseTransformer;
import software.amazon.awssdk.core.exception.ApiCallAttemptTimeoutException;
import software.amazon.awssdk.core.exception.ApiCallTimeoutException;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.services.s3.model.BucketVersioningStatus;
import software.amazon.awssdk.services.s3.model.DefaultRetention;
import software.amazon.awssdk.services.s3.model.DeleteObjectResponse;
import software.amazon.awssdk.services.s3.model.GetBucketVersioningResponse;
import software.amazon.awssdk.services.s3.model.GetObjectLockConfigurationResponse;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Response;
import software.amazon.awssdk.services.s3.model.NoSuchBucketException;
import software.amazon.awssdk.services.s3.model.ObjectLockConfiguration;
import software.amazon.awssdk.services.s3.model.ObjectLockEnabled;
import software.amazon.awssdk.services.s3.model.PutObjectResponse;
import software.amazon.awssdk.services.s3.model.S3Exception;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * Checks, before a migration, that its credentials, buckets and permissions work and which bucket
 * settings deserve attention; the engine of {@code Migration.validate()}.
 *
 * <p>Every check runs on its own: one that fails does not stop the others, except those it makes
 * meaningless (a missing bucket, rejected credentials, an unreachable or silent endpoint skip the other
 * checks of that side). The destination check writes one small probe object under
 * {@code <destination prefix><probe prefix><random UUID>} and always tries to delete it again,
 * including its versions on a versioned bucket.
 *
 * <p>Messages quote only bucket names, prefixes, keys, the endpoint and the server's error code
 * and message (with anything that looks like a credential or signature removed): never the secret
 * key, session token, access key id or a request signature.
 *
 * <p>Immutable and thread-safe; {@link #validate()} may run several times, also at once (each run
 * has its own probe key). Blocks the calling thread while the requests run, one at a time.
 */
public final class Validator {

    /** The probe prefix, under the destination prefix, unless another is given. */
    public static final String DEFAULT_PROBE_PREFIX = ".s3recon-probe/";

    private static final int MAX_KEY_IN_MESSAGE = 200;
    /** Anything that looks like a credential, a signature or a token, as they appear in headers and URLs. */

    private final S3Location source;
    private final S3Location destination;
    private final String probePrefix;
    private final Clock clock;
    private final boolean deletes;
    private final Guards guards;

    /**
     * Creates a validator.
     *
     * @param source the location a migration reads; not null
     * @param destination the location a migration writes; not null
     * @param probePrefix where, under the destination prefix, the probe object is written, e.g.
     *     {@value #DEFAULT_PROBE_PREFIX}; not null, may be empty
     * @param clock stamps the report; not null
     * @param deletes whether the job deletes extraneous objects: if not, a denied delete is a warning
     * @throws S3ReconException with {@link ErrorCode#INVALID_CONFIGURATION} if an argument is null or
     *     the probe key would be longer than S3 allows
     */
    public Validator(S3Location source, S3Location destination, String probePrefix, Clock clock, boolean deletes) {
        this(source, destination, probePrefix, clock, new Guards(deletes, Long.MAX_VALUE, 100, true, KeyFilter.ALL));
    }

    /**
     * The deletion settings of the job being validated.
     *
     * @param deletes whether the job deletes extraneous objects
     * @param maxDeletes the most deletions a run may plan
     * @param maxDeletePercent the largest share of the destination a run may delete
     * @param allowEmptySource whether an empty source may delete
     * @param filter the job's include and exclude globs
     */
    public record Guards(boolean deletes, long maxDeletes, int maxDeletePercent, boolean allowEmptySource,
            KeyFilter filter) {
    }

    /**
     * Creates a validator that also judges the deletion guards.
     *
     * @param source the location a migration reads; not null
     * @param destination the location a migration writes; not null
     * @param probePrefix where, under the destination prefix, the probe object is written
     * @param clock stamps the report; not null
     * @param guards the job's deletion settings; not null
     * @throws S3ReconException with {@link ErrorCode#INVALID_CONFIGURATION} as the other constructor
     */
    public Validator(S3Location source, S3Location destination, String probePrefix, Clock clock, Guards guards) {
        this.guards = requireNonNull(guards, "guards");
        this.deletes = guards.deletes();
        this.source = requireNonNull(source, "source");
        this.destination = requireNonNull(destination, "destination");
        this.probePrefix = checkProbePrefix(requireNonNull(probePrefix, "probePrefix"));
        this.clock = requireNonNull(clock, "clock");
        if (destination.prefix().length() + probePrefix.length() + 36 > 1024) {
            throw new S3ReconException(ErrorCode.INVALID_CONFIGURATION, "the probe key under " + destination
                    + " with probe prefix '" + probePrefix + "' would exceed 1024 characters: use a shorter probe prefix");
        }
    }

    /**
     * Checks a probe prefix.
     *
     * @param probePrefix the prefix
     * @return the prefix
     * @throws S3ReconException with {@link ErrorCode#INVALID_CONFIGURATION} if it is null, longer
     *     than 512 characters or starts with {@code /}
     */
    public static String checkProbePrefix(String probePrefix) {
        if (probePrefix == null) {
            throw new S3ReconException(ErrorCode.INVALID_CONFIGURATION,
                    "validation probe prefix (validationProbePrefix) must not be null; the default is " + DEFAULT_PROBE_PREFIX);
        }
        if (probePrefix.length() > 512) {
            throw new S3ReconException(ErrorCode.INVALID_CONFIGURATION, "validation probe prefix (validationProbePrefix) must be at most "
                    + "512 characters, was " + probePrefix.length());
        }
        if (probePrefix.startsWith("/")) {
            throw new S3ReconException(ErrorCode.INVALID_CONFIGURATION, "validation probe prefix (validationProbePrefix) must not start "
                    + "with '/', was '" + probePrefix + "': it is appended to the destination prefix as it is");
        }
        return probePrefix;
    }

    /**
     * Runs every check, in the order of {@link ValidationReport}'s constants, and reports.
     *
     * @return the report; {@link ValidationReport#passed()} tells whether a migration can run
     */
    public ValidationReport validate() {
        Instant started = clock.instant();
        List<Check> checks = new ArrayList<>();
        checkSource(checks);
        checkDestination(checks);
        checks.add(deletions(checks));
        return new ValidationReport(source.toString(), destination.toString(), started, clock.instant(), checks);
    }

    // ---------------------------------------------------------------------------------------------
    // Source

    private void checkSource(List<Check> checks) {
        S3Location at = source;
        Outcome<?> head = call(() -> at.client().headBucket(b -> b.bucket(at.bucket())));
        Outcome<ListObjectsV2Response> list = head.failed() && !isAmbiguousDenial(head.failure)
                && classify(head.failure).fatal() ? null : listOne(at);
        Problem fatal = bucketCheck(checks, ValidationReport.SOURCE_BUCKET, at, head, list);
        String skipped = fatal == null ? null : "skipped: " + ValidationReport.SOURCE_BUCKET + " failed";

        if (skipped != null) {
            checks.add(skip(ValidationReport.SOURCE_LIST, skipped));
            checks.add(skip(ValidationReport.SOURCE_READ, skipped));
        } else {
            String listed = "ListObjectsV2 of " + at + " (max-keys 1)";
            if (list.failed()) {
                Problem p = classify(list.failure);
                checks.add(fail(ValidationReport.SOURCE_LIST, listed + ": " + p.said,
                        hint(p, at, "s3:ListBucket", bucketArn(at) + listCondition(at))));
                checks.add(skip(ValidationReport.SOURCE_READ, "skipped: the listing failed, so no object is known"));
            } else {
                List<S3Object> contents = list.value.contents();
                checks.add(pass(ValidationReport.SOURCE_LIST, listed + ": " + (contents.isEmpty()
                        ? "allowed; no objects under the prefix" : "allowed")));
                if (contents.isEmpty()) {
                    checks.add(new Check(ValidationReport.SOURCE_READ, Status.SKIPPED,
                            "skipped: no objects under " + at + " to read",
                            "if objects are expected there, check the source prefix '" + at.prefix() + "'"));
                } else {
                    checks.add(sourceRead(at, contents.get(0)));
                }
            }
        }
        checks.add(versioning(ValidationReport.SOURCE_VERSIONING, at, false, skipped));
        checks.add(objectLock(ValidationReport.SOURCE_OBJECT_LOCK, at, false, skipped));
    }

    /** One page of keys per side: enough to warn about a wrong source before a run, never a listing of a bucket. */
    private static final int DELETION_SAMPLE = 1000;

    private Check deletions(List<Check> checks) {
        if (!deletes) {
            return pass(ValidationReport.DELETIONS, "deleteExtraneous is off: a run deletes nothing");
        }
        for (Check c : checks) {
            if ((c.name().equals(ValidationReport.SOURCE_LIST) || c.name().equals(ValidationReport.DESTINATION_BUCKET))
                    && c.status() != Status.PASS) {
                return skip(ValidationReport.DELETIONS, "skipped: " + c.name() + " did not pass");
            }
        }
        Outcome<ListObjectsV2Response> src = listPage(source);
        Outcome<ListObjectsV2Response> dst = listPage(destination);
        if (src.failed() || dst.failed()) {
            return skip(ValidationReport.DELETIONS, "skipped: a listing failed ("
                    + classify(src.failed() ? src.failure : dst.failure).said + ")");
        }
        java.util.Set<String> sourceKeys = new java.util.HashSet<>();
        for (S3Object o : src.value.contents()) {
            String key = o.key().substring(source.prefix().length());
            if (guards.filter().test(key)) {
                sourceKeys.add(key);
            }
        }
        long destinationObjects = 0;
        long extra = 0;
        for (S3Object o : dst.value.contents()) {
            String key = o.key().substring(destination.prefix().length());
            if (guards.filter().test(key) && !key.startsWith(probePrefix.isEmpty() ? "\0" : probePrefix)) {
                destinationObjects++;
                if (!sourceKeys.contains(key)) {
                    extra++;
                }
            }
        }
        boolean sourceWhole = !Boolean.TRUE.equals(src.value.isTruncated());
        boolean destinationWhole = !Boolean.TRUE.equals(dst.value.isTruncated());
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
            return skip(ValidationReport.DELETIONS, "skipped: more than " + DELETION_SAMPLE + " keys on a side; a run "
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
        return pass(ValidationReport.DELETIONS, what + ": " + seen + ", within maxDeletes (" + guards.maxDeletes()
                + ") and maxDeletePercent (" + guards.maxDeletePercent() + "%)");
    }

    private static Outcome<ListObjectsV2Response> listPage(S3Location at) {
        return call(() -> at.client().listObjectsV2(b -> b.bucket(at.bucket())
                .prefix(at.prefix().isEmpty() ? null : at.prefix()).maxKeys(DELETION_SAMPLE)));
    }

    private static Outcome<ListObjectsV2Response> listOne(S3Location at) {
        return call(() -> at.client().listObjectsV2(b -> b.bucket(at.bucket())
                .prefix(at.prefix().isEmpty() ? null : at.prefix()).maxKeys(1)));
    }

    private Check sourceRead(S3Location at, S3Object first) {
        String key = first.key();
        String what = "HeadObject and a 1-byte GetObject of '" + shorten(key) + "' (" + first.size() + " bytes)";
        Outcome<?> head = call(() -> at.client().headObject(b -> b.bucket(at.bucket()).key(key)));
        // A range of an empty object is not satisfiable (416): read it whole, which is nothing.
        boolean empty = first.size() != null && first.size() == 0;
        Outcome<?> get = call(() -> at.client().getObject(b -> b.bucket(at.bucket()).key(key)
                .range(empty ? null : "bytes=0-0"), AsyncResponseTransformer.toBytes()));
        // The GET's error carries a code (a HEAD's has no body), so it explains a failure better.
        Outcome<?> failed = get.failed() ? get : head.failed() ? head : null;
        if (failed == null) {
            return pass(ValidationReport.SOURCE_READ, what + ": allowed");
        }
        Problem p = classify(failed.failure);
        return fail(ValidationReport.SOURCE_READ, what + ": " + (failed == get ? "GetObject" : "HeadObject") + " "
                + p.said, hint(p, at, "s3:GetObject", objectArn(at)));
    }

    // ---------------------------------------------------------------------------------------------
    // Destination

    private void checkDestination(List<Check> checks) {
        S3Location at = destination;
        Outcome<?> head = call(() -> at.client().headBucket(b -> b.bucket(at.bucket())));
        // Only to tell rejected credentials from a missing permission: a HEAD's 403 has no code.
        Outcome<ListObjectsV2Response> list = head.failed() && isAmbiguousDenial(head.failure) ? listOne(at) : null;
        Problem fatal = bucketCheck(checks, ValidationReport.DESTINATION_BUCKET, at, head, list);
        String skipped = fatal == null ? null : "skipped: " + ValidationReport.DESTINATION_BUCKET + " failed";
        if (skipped != null) {
            checks.add(skip(ValidationReport.DESTINATION_WRITE, skipped));
            checks.add(skip(ValidationReport.DESTINATION_READ, skipped));
            checks.add(skip(ValidationReport.DESTINATION_DELETE, skipped));
        } else {
            probe(checks, at);
        }
        checks.add(versioning(ValidationReport.DESTINATION_VERSIONING, at, true, skipped));
        checks.add(objectLock(ValidationReport.DESTINATION_OBJECT_LOCK, at, true, skipped));
    }

    /** Writes, reads back and deletes the probe; the delete is tried whatever happened before. */
    private void probe(List<Check> checks, S3Location at) {
        String key = at.prefix() + probePrefix + UUID.randomUUID();
        String shown = "s3://" + at.bucket() + "/" + shorten(key);
        byte[] body = ("s3recon validation probe, safe to delete\n" + key + "\n").getBytes(StandardCharsets.UTF_8);
        Outcome<PutObjectResponse> put = call(() -> at.client().putObject(b -> b.bucket(at.bucket()).key(key)
                .contentType("text/plain; charset=utf-8"), AsyncRequestBody.fromBytes(body)));
        if (put.failed()) {
            Problem p = classify(put.failure);
            checks.add(fail(ValidationReport.DESTINATION_WRITE, "PutObject of " + shown + ": " + p.said,
                    hint(p, at, "s3:PutObject", objectArn(at))));
            checks.add(skip(ValidationReport.DESTINATION_READ, "skipped: no probe object was written"));
        } else {
            checks.add(pass(ValidationReport.DESTINATION_WRITE, "PutObject of " + shown + " (" + body.length
                    + " bytes): allowed"));
            Outcome<byte[]> read = call(() -> at.client().getObject(b -> b.bucket(at.bucket()).key(key),
                    AsyncResponseTransformer.toBytes()).thenApply(r -> r.asByteArray()));
            if (read.failed()) {
                Problem p = classify(read.failure);
                checks.add(fail(ValidationReport.DESTINATION_READ, "GetObject of the probe: " + p.said,
                        hint(p, at, "s3:GetObject", objectArn(at))));
            } else if (!Arrays.equals(read.value, body)) {
                checks.add(fail(ValidationReport.DESTINATION_READ, "GetObject of the probe returned " + read.value.length
                        + " bytes that differ from the " + body.length + " written",
                        "the destination does not return what was written to it: check the server (or a proxy in "
                                + "front of it) before migrating"));
            } else {
                checks.add(pass(ValidationReport.DESTINATION_READ, "GetObject of the probe: the bytes written"));
            }
        }
        checks.add(deleteProbe(at, key, shown, put));
    }

    private Check deleteProbe(S3Location at, String key, String shown, Outcome<PutObjectResponse> put) {
        boolean written = !put.failed();
        Outcome<DeleteObjectResponse> delete = call(() -> at.client().deleteObject(b -> b.bucket(at.bucket())
                .key(key)));
        String what = "DeleteObject of " + (written ? "the probe" : shown + " (not written)");
        List<String> leftBehind = new ArrayList<>();
        // On a versioned bucket, a delete only adds a delete marker: remove the probe's version and
        // the marker by version id, so that validating leaves nothing behind.
        String version = written ? versionId(put.value.versionId()) : null;
        String marker = delete.failed() ? null : versionId(delete.value.versionId());
        for (String v : new String[] {version, marker}) {
            if (v != null) {
                Outcome<?> removed = call(() -> at.client().deleteObject(b -> b.bucket(at.bucket()).key(key)
                        .versionId(v)));
                if (removed.failed()) {
                    leftBehind.add("version " + v + " (" + classify(removed.failure).said + ")");
                }
            }
        }
        if (delete.failed()) {
            Problem p = classify(delete.failure);
            String hint = hint(p, at, "s3:DeleteObject", objectArn(at));
            String leftProbe = written ? "; then remove the probe " + shown + " by hand" : "";
            if (p.kind == Kind.ACCESS_DENIED && !deletes) {
                // Nothing this job does needs the permission; only the probe may be left behind.
                return new Check(ValidationReport.DESTINATION_DELETE, Status.WARN, what + ": " + p.said
                        + "; this job deletes nothing (deleteExtraneous is off)",
                        hint + " before turning deleteExtraneous on" + leftProbe);
            }
            return fail(ValidationReport.DESTINATION_DELETE, what + ": " + p.said,
                    hint + (p.kind == Kind.ACCESS_DENIED ? " (needed to delete extraneous objects)" : "") + leftProbe);
        }
        if (!leftBehind.isEmpty()) {
            return new Check(ValidationReport.DESTINATION_DELETE, Status.WARN, what + ": allowed; the bucket is "
                    + "versioned and the probe's " + String.join(", ", leftBehind) + " could not be removed",
                    "grant s3:DeleteObjectVersion on " + objectArn(at) + " or remove the versions of " + shown
                            + " by hand");
        }
        return pass(ValidationReport.DESTINATION_DELETE, what + ": allowed"
                + (version != null || marker != null ? "; the probe's versions were removed" : ""));
    }

    private static String versionId(String id) {
        return id == null || id.isEmpty() || "null".equals(id) ? null : id;
    }

    // ---------------------------------------------------------------------------------------------
    // Checks of both sides

    /**
     * Adds the bucket check and returns the problem that makes the side's other checks meaningless,
     * or null.
     */
    private Problem bucketCheck(List<Check> checks, String name, S3Location at, Outcome<?> head,
            Outcome<ListObjectsV2Response> list) {
        String what = "HeadBucket of '" + at.bucket() + "'" + endpoint(at).map(e -> " at " + e).orElse("");
        if (!head.failed()) {
            checks.add(pass(name, what + ": the credentials are accepted and the bucket exists"));
            return null;
        }
        Problem p = classify(head.failure);
        if (isAmbiguousDenial(head.failure) && list != null && list.failed()) {
            Problem refined = classify(list.failure);
            if (refined.kind == Kind.BAD_CREDENTIALS || refined.kind == Kind.ACCESS_DENIED
                    || refined.kind == Kind.NO_BUCKET) {
                p = new Problem(refined.kind, p.said + "; ListObjectsV2: " + refined.said, refined.region);
            }
        }
        checks.add(fail(name, what + ": " + p.said, hint(p, at, "s3:ListBucket", bucketArn(at))));
        return p.fatal() ? p : null;
    }

    private Check versioning(String name, S3Location at, boolean isDestination, String skipped) {
        if (skipped != null) {
            return skip(name, skipped);
        }
        String what = "GetBucketVersioning of '" + at.bucket() + "'";
        Outcome<GetBucketVersioningResponse> got = call(() -> at.client().getBucketVersioning(b -> b.bucket(
                at.bucket())));
        if (got.failed()) {
            return unknownSetting(name, what, at, got.failure, "s3:GetBucketVersioning");
        }
        BucketVersioningStatus status = got.value.status();
        if (status == null || status == BucketVersioningStatus.UNKNOWN_TO_SDK_VERSION) {
            String raw = got.value.statusAsString();
            return pass(name, what + ": " + (raw == null || raw.isEmpty() ? "never enabled" : raw));
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

    private Check objectLock(String name, S3Location at, boolean isDestination, String skipped) {
        if (skipped != null) {
            return skip(name, skipped);
        }
        String what = "GetObjectLockConfiguration of '" + at.bucket() + "'";
        Outcome<GetObjectLockConfigurationResponse> got = call(() -> at.client().getObjectLockConfiguration(
                b -> b.bucket(at.bucket())));
        if (got.failed()) {
            Throwable t = S3Errors.unwrap(got.failure);
            if (t instanceof S3Exception e && isNoObjectLock(e)) {
                return pass(name, what + ": not enabled");
            }
            return unknownSetting(name, what, at, got.failure, "s3:GetBucketObjectLockConfiguration");
        }
        ObjectLockConfiguration config = got.value.objectLockConfiguration();
        if (config == null || config.objectLockEnabled() != ObjectLockEnabled.ENABLED) {
            return pass(name, what + ": not enabled");
        }
        DefaultRetention retention = config.rule() == null ? null : config.rule().defaultRetention();
        String rule = retention == null ? "no default retention"
                : "default retention " + retention.modeAsString() + " for "
                        + (retention.days() != null ? retention.days() + " day(s)" : retention.years() + " year(s)");
        if (!isDestination) {
            return pass(name, what + ": enabled, " + rule + " (reading is not affected)");
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
        if ("ObjectLockConfigurationNotFoundError".equals(code(e))) {
            return true;
        }
        String message = e.awsErrorDetails() == null ? null : e.awsErrorDetails().errorMessage();
        String lower = message == null ? "" : message.toLowerCase(java.util.Locale.ROOT);
        return (e.statusCode() == 400 || e.statusCode() == 404) && lower.contains("object lock")
                && (lower.contains("missing") || lower.contains("does not exist") || lower.contains("not found"));
    }

    /** A setting that could not be read: a warning, not a failure; the migration does not need to read it. */
    private Check unknownSetting(String name, String what, S3Location at, Throwable failure, String permission) {
        Problem p = classify(failure);
        if (p.kind == Kind.NOT_IMPLEMENTED) {
            return pass(name, what + ": not supported by the server (" + p.said + ")");
        }
        return new Check(name, Status.WARN, what + ": " + p.said + "; the setting is unknown",
                hint(p, at, permission, bucketArn(at)));
    }

    // ---------------------------------------------------------------------------------------------
    // Failures and hints

    private enum Kind {
        NO_BUCKET, BAD_CREDENTIALS, NO_CREDENTIALS, ACCESS_DENIED, WRONG_REGION, UNREACHABLE, TIMEOUT, NOT_IMPLEMENTED,
        OTHER
    }

    /** A classified failure: its kind, what the server or the client said (no secrets), a region if named. */
    private record Problem(Kind kind, String said, String region) {
        boolean fatal() {
            return kind == Kind.NO_BUCKET || kind == Kind.BAD_CREDENTIALS || kind == Kind.NO_CREDENTIALS
                    || kind == Kind.WRONG_REGION || kind == Kind.UNREACHABLE || kind == Kind.TIMEOUT;
        }
    }

    private static Problem classify(Throwable failure) {
        Throwable t = S3Errors.unwrap(failure);
        if (t instanceof S3Exception e) {
            String code = code(e);
            String message = e.awsErrorDetails() == null ? null : e.awsErrorDetails().errorMessage();
            String said = e.statusCode() + (code == null ? "" : " " + code)
                    + (message == null || message.isBlank() ? "" : ": " + clean(message));
            String region = e.awsErrorDetails() == null || e.awsErrorDetails().sdkHttpResponse() == null ? null
                    : e.awsErrorDetails().sdkHttpResponse().firstMatchingHeader("x-amz-bucket-region").orElse(null);
            if (e instanceof NoSuchBucketException || "NoSuchBucket".equals(code)) {
                return new Problem(Kind.NO_BUCKET, said, region);
            }
            if (e.statusCode() == 301 || "PermanentRedirect".equals(code) || "AuthorizationHeaderMalformed".equals(code)
                    || "IllegalLocationConstraintException".equals(code)) {
                return new Problem(Kind.WRONG_REGION, said, region);
            }
            if (S3Errors.rejectsCredentials(code) || e.statusCode() == 401) {
                return new Problem(Kind.BAD_CREDENTIALS, said, region);
            }
            if (e.statusCode() == 403) {
                return new Problem(Kind.ACCESS_DENIED, said, region);
            }
            if (e.statusCode() == 501 || "NotImplemented".equals(code)) {
                return new Problem(Kind.NOT_IMPLEMENTED, said, region);
            }
            return new Problem(Kind.OTHER, said, region);
        }
        if (hasCause(t, ConnectException.class) || hasCause(t, UnknownHostException.class)
                || hasCause(t, NoRouteToHostException.class) || hasCause(t, UnresolvedAddressException.class)) {
            return new Problem(Kind.UNREACHABLE, describe(t), null);
        }
        if (hasCause(t, SSLException.class)) {
            return new Problem(Kind.UNREACHABLE, describe(t) + " (TLS)", null);
        }
        if (t instanceof SdkClientException && t.getMessage() != null
                && t.getMessage().contains("Unable to load credentials")) {
            return new Problem(Kind.NO_CREDENTIALS, "the client found no credentials", null);
        }
        if (hasCause(t, SocketTimeoutException.class) || hasCause(t, TimeoutException.class)
                || hasCause(t, ApiCallTimeoutException.class) || hasCause(t, ApiCallAttemptTimeoutException.class)) {
            return new Problem(Kind.TIMEOUT, "no answer in time: " + describe(t), null);
        }
        return new Problem(Kind.OTHER, describe(t), null);
    }

    private static String hint(Problem p, S3Location at, String permission, String resource) {
        String endpoint = endpoint(at).map(e -> "the endpoint " + e).orElse("the client's AWS endpoint");
        return switch (p.kind) {
            case NO_BUCKET -> "check the bucket name '" + at.bucket() + "' and the client's region and endpoint ("
                    + endpoint + "); create the bucket if it should exist";
            case BAD_CREDENTIALS -> "the credentials were rejected: check the access key id and secret key (and "
                    + "session token, if any) that the client uses for " + endpoint
                    + ", and that the client's clock is right";
            case NO_CREDENTIALS -> "give the client credentials for " + endpoint
                    + " (a credentials provider, or the AWS environment variables, profile or instance role)";
            case ACCESS_DENIED -> "the credentials are valid but lack a permission: grant " + permission + " on "
                    + resource;
            case WRONG_REGION -> p.region != null
                    ? "the bucket '" + at.bucket() + "' is in region " + p.region + ": build the client with that region"
                    : "check the client's region for the bucket '" + at.bucket() + "' (the server redirected or "
                            + "refused the region)";
            case UNREACHABLE -> "check the endpoint URL (" + endpoint + ": scheme, host and port) and that the "
                    + "server is running and reachable from here";
            case TIMEOUT -> "the endpoint did not answer in time: check the endpoint URL (" + endpoint
                    + ") and that the network lets the connection through, then retry";
            case NOT_IMPLEMENTED -> "the server does not support this request";
            case OTHER -> "the server answered " + p.said + ": retry later, or check the server and " + endpoint;
        };
    }

    /** Whether a failure is a 403 without an S3 error code, as the answers to HEAD requests are. */
    private static boolean isAmbiguousDenial(Throwable failure) {
        Throwable t = S3Errors.unwrap(failure);
        if (!(t instanceof S3Exception e) || e.statusCode() != 403) {
            return false;
        }
        String code = code(e);
        return code == null || !(S3Errors.rejectsCredentials(code) || "AccessDenied".equals(code));
    }

    private static String code(S3Exception e) {
        String code = e.awsErrorDetails() == null ? null : e.awsErrorDetails().errorCode();
        return code == null || code.isBlank() ? null : code;
    }

    private static String describe(Throwable t) {
        Throwable root = t;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String message = root.getMessage() == null ? "" : ": " + root.getMessage();
        return clean(root.getClass().getSimpleName() + message);
    }

    /** Removes what looks like a credential or signature, and shortens: server messages are quoted, not trusted. */
    static String clean(String text) {
        return Redact.serverMessage(text);
    }

    private static String shorten(String key) {
        return key.length() <= MAX_KEY_IN_MESSAGE ? key : key.substring(0, MAX_KEY_IN_MESSAGE) + "…";
    }

    private static boolean hasCause(Throwable t, Class<? extends Throwable> type) {
        for (Throwable c = t; c != null; c = c.getCause() == c ? null : c.getCause()) {
            if (type.isInstance(c)) {
                return true;
            }
        }
        return false;
    }

    private static java.util.Optional<String> endpoint(S3Location at) {
        return S3Errors.endpoint(at).map(Object::toString);
    }

    private static String bucketArn(S3Location at) {
        return "arn:aws:s3:::" + at.bucket();
    }

    private static String objectArn(S3Location at) {
        return "arn:aws:s3:::" + at.bucket() + "/" + at.prefix() + "*";
    }

    private static String listCondition(S3Location at) {
        return at.prefix().isEmpty() ? "" : " (for the prefix '" + at.prefix() + "')";
    }

    private static Check pass(String name, String detail) {
        return new Check(name, Status.PASS, detail, "");
    }

    private static Check fail(String name, String detail, String hint) {
        return new Check(name, Status.FAIL, detail, hint);
    }

    private static Check skip(String name, String why) {
        return new Check(name, Status.SKIPPED, why, "");
    }

    /** The value or the failure of one request. */
    private record Outcome<T>(T value, Throwable failure) {
        boolean failed() {
            return failure != null;
        }
    }

    private static <T> Outcome<T> call(Supplier<CompletableFuture<T>> request) {
        try {
            return new Outcome<>(request.get().join(), null);
        } catch (RuntimeException e) {
            Throwable t = S3Errors.unwrap(e);
            if (t instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            return new Outcome<>(null, t);
        }
    }

    private static <T> T requireNonNull(T value, String name) {
        if (value == null) {
            throw new S3ReconException(ErrorCode.INVALID_CONFIGURATION, name + " must not be null");
        }
        return value;
    }
}
