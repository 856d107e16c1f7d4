package io.github.s3recon.internal.validation;

import io.github.s3recon.ErrorCode;
import io.github.s3recon.S3Location;
import io.github.s3recon.S3ReconException;
import io.github.s3recon.ValidationReport.Check;
import io.github.s3recon.ValidationReport.Status;
import io.github.s3recon.ValidationReport;
import io.github.s3recon.internal.KeyFilter;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import software.amazon.awssdk.core.async.AsyncResponseTransformer;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Response;
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

    private final S3Location source;
    /** The source when it is not a bucket; {@link #source} is then null. */
    private final io.github.s3recon.spi.ObjectSource sourceObject;
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
        this(requireNonNull(source, "source"), null, destination, probePrefix, clock, guards);
    }

    /**
     * Creates a validator of a migration whose source is not an S3 bucket (a manifest of URLs): the
     * source checks list its first few objects and read each ({@code SourceChecks}); the
     * destination checks are a bucket's.
     *
     * @param source the source; not null
     * @param destination the location a migration writes; not null
     * @param probePrefix where, under the destination prefix, the probe object is written
     * @param clock stamps the report; not null
     * @param guards the job's deletion settings; not null
     * @throws S3ReconException with {@link ErrorCode#INVALID_CONFIGURATION} as the other constructors
     */
    public Validator(io.github.s3recon.spi.ObjectSource source, S3Location destination, String probePrefix,
            Clock clock, Guards guards) {
        this(null, requireNonNull(source, "source"), destination, probePrefix, clock, guards);
    }

    private Validator(S3Location source, io.github.s3recon.spi.ObjectSource sourceObject, S3Location destination,
            String probePrefix, Clock clock, Guards guards) {
        this.guards = requireNonNull(guards, "guards");
        this.deletes = guards.deletes();
        this.source = source;
        this.sourceObject = sourceObject;
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
        if (source == null) {
            SourceChecks.check(sourceObject, checks);
            checkDestination(checks);
            checks.add(guards.deletes() ? Checks.skip(ValidationReport.DELETIONS, "skipped: the deletion guards are "
                    + "judged by the run itself for a source that is not an S3 bucket (it lists in one piece)")
                    : Checks.pass(ValidationReport.DELETIONS, "deleteExtraneous is off: a run deletes nothing"));
            return new ValidationReport(sourceObject.describe(), destination.toString(), started, clock.instant(), checks);
        }
        checkSource(checks);
        checkDestination(checks);
        checks.add(new DeletionCheck(source, destination, probePrefix, guards).check(checks));
        return new ValidationReport(source.toString(), destination.toString(), started, clock.instant(), checks);
    }

    // ---------------------------------------------------------------------------------------------
    // Source

    private void checkSource(List<Check> checks) {
        S3Location at = source;
        Outcome<?> head = Outcome.call(() -> at.client().headBucket(b -> b.bucket(at.bucket())));
        Outcome<ListObjectsV2Response> list = head.failed() && !Problem.isAmbiguousDenial(head.failure())
                && Problem.classify(head.failure()).fatal() ? null : listOne(at);
        Problem fatal = bucketCheck(checks, ValidationReport.SOURCE_BUCKET, at, head, list);
        String skipped = fatal == null ? null : "skipped: " + ValidationReport.SOURCE_BUCKET + " failed";

        if (skipped != null) {
            checks.add(Checks.skip(ValidationReport.SOURCE_LIST, skipped));
            checks.add(Checks.skip(ValidationReport.SOURCE_READ, skipped));
        } else {
            String listed = "ListObjectsV2 of " + at + " (max-keys 1)";
            if (list.failed()) {
                Problem p = Problem.classify(list.failure());
                checks.add(Checks.fail(ValidationReport.SOURCE_LIST, listed + ": " + p.said(),
                        p.hint(at, "s3:ListBucket", Problem.bucketArn(at) + Problem.listCondition(at))));
                checks.add(Checks.skip(ValidationReport.SOURCE_READ, "skipped: the listing failed, so no object is known"));
            } else {
                List<S3Object> contents = list.value().contents();
                checks.add(Checks.pass(ValidationReport.SOURCE_LIST, listed + ": " + (contents.isEmpty()
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
        checks.add(BucketSettingChecks.versioning(ValidationReport.SOURCE_VERSIONING, at, false, skipped));
        checks.add(BucketSettingChecks.objectLock(ValidationReport.SOURCE_OBJECT_LOCK, at, false, skipped));
    }

    private static Outcome<ListObjectsV2Response> listOne(S3Location at) {
        return Outcome.call(() -> at.client().listObjectsV2(b -> b.bucket(at.bucket())
                .prefix(at.prefix().isEmpty() ? null : at.prefix()).maxKeys(1)));
    }

    private Check sourceRead(S3Location at, S3Object first) {
        String key = first.key();
        String what = "HeadObject and a 1-byte GetObject of '" + Checks.shorten(key) + "' (" + first.size() + " bytes)";
        Outcome<?> head = Outcome.call(() -> at.client().headObject(b -> b.bucket(at.bucket()).key(key)));
        // A range of an empty object is not satisfiable (416): read it whole, which is nothing.
        boolean empty = first.size() != null && first.size() == 0;
        Outcome<?> get = Outcome.call(() -> at.client().getObject(b -> b.bucket(at.bucket()).key(key)
                .range(empty ? null : "bytes=0-0"), AsyncResponseTransformer.toBytes()));
        // The GET's error carries a code (a HEAD's has no body), so it explains a failure better.
        Outcome<?> failed = get.failed() ? get : head.failed() ? head : null;
        if (failed == null) {
            return Checks.pass(ValidationReport.SOURCE_READ, what + ": allowed");
        }
        Problem p = Problem.classify(failed.failure());
        return Checks.fail(ValidationReport.SOURCE_READ, what + ": " + (failed == get ? "GetObject" : "HeadObject") + " "
                + p.said(), p.hint(at, "s3:GetObject", Problem.objectArn(at)));
    }

    // ---------------------------------------------------------------------------------------------
    // Destination

    private void checkDestination(List<Check> checks) {
        S3Location at = destination;
        Outcome<?> head = Outcome.call(() -> at.client().headBucket(b -> b.bucket(at.bucket())));
        // Only to tell rejected credentials from a missing permission: a HEAD's 403 has no code.
        Outcome<ListObjectsV2Response> list = head.failed() && Problem.isAmbiguousDenial(head.failure()) ? listOne(at) : null;
        Problem fatal = bucketCheck(checks, ValidationReport.DESTINATION_BUCKET, at, head, list);
        String skipped = fatal == null ? null : "skipped: " + ValidationReport.DESTINATION_BUCKET + " failed";
        if (skipped != null) {
            checks.add(Checks.skip(ValidationReport.DESTINATION_WRITE, skipped));
            checks.add(Checks.skip(ValidationReport.DESTINATION_READ, skipped));
            checks.add(Checks.skip(ValidationReport.DESTINATION_DELETE, skipped));
        } else {
            new DestinationProbe(at, probePrefix, deletes).probe(checks);
        }
        checks.add(BucketSettingChecks.versioning(ValidationReport.DESTINATION_VERSIONING, at, true, skipped));
        checks.add(BucketSettingChecks.objectLock(ValidationReport.DESTINATION_OBJECT_LOCK, at, true, skipped));
    }

    // ---------------------------------------------------------------------------------------------
    // Checks of both sides

    /**
     * Adds the bucket check and returns the problem that makes the side's other checks meaningless,
     * or null.
     */
    private Problem bucketCheck(List<Check> checks, String name, S3Location at, Outcome<?> head,
            Outcome<ListObjectsV2Response> list) {
        String what = "HeadBucket of '" + at.bucket() + "'" + Problem.endpoint(at).map(e -> " at " + e).orElse("");
        if (!head.failed()) {
            checks.add(Checks.pass(name, what + ": the credentials are accepted and the bucket exists"));
            return null;
        }
        Problem p = Problem.classify(head.failure());
        if (Problem.isAmbiguousDenial(head.failure()) && list != null && list.failed()) {
            Problem refined = Problem.classify(list.failure());
            if (refined.kind() == Problem.Kind.BAD_CREDENTIALS || refined.kind() == Problem.Kind.ACCESS_DENIED
                    || refined.kind() == Problem.Kind.NO_BUCKET) {
                p = new Problem(refined.kind(), p.said() + "; ListObjectsV2: " + refined.said(), refined.region());
            }
        }
        checks.add(Checks.fail(name, what + ": " + p.said(), p.hint(at, "s3:ListBucket", Problem.bucketArn(at))));
        return p.fatal() ? p : null;
    }

    private static <T> T requireNonNull(T value, String name) {
        if (value == null) {
            throw new S3ReconException(ErrorCode.INVALID_CONFIGURATION, name + " must not be null");
        }
        return value;
    }
}
