package io.github.s3recon;

/**
 * What went wrong, as a stable code that callers can switch on; carried by every
 * {@link S3ReconException}.
 */
public enum ErrorCode {
    /**
     * A builder, factory or configuration record was given a value it cannot use (null, out of
     * range, or inconsistent with another setting), or a closed component was used again. The
     * message names the setting, the rejected value (never a secret) and what it must be. Thrown
     * at once by the setter or factory, or by {@code build()} for settings checked against each other.
     */
    INVALID_CONFIGURATION,
    /** A bucket does not exist at the endpoint the client points to. */
    BUCKET_NOT_FOUND,
    /** The credentials were rejected (unknown key, bad signature, expired token). */
    INVALID_CREDENTIALS,
    /** The credentials are valid but lack a permission the operation needs. */
    ACCESS_DENIED,
    /** Nothing listens at the endpoint's host and port (connection refused, or no route to it). */
    ENDPOINT_UNREACHABLE,
    /** The endpoint's host name does not resolve (a typo in the endpoint URL, or no DNS). */
    UNKNOWN_HOST,
    /** The endpoint accepted the connection (or not) but did not answer within the client's timeout. */
    TIMED_OUT,
    /** A listing failed for another reason the server gave. */
    LISTING_FAILED,
    /** A listing was not in ascending UTF-8 byte order where it had to be. */
    UNSORTED_INPUT,
    /** The inventory or checkpoint store (the work directory's database) could not be read or written. */
    STORE_FAILED,
    /** A report could not be written or read. */
    REPORT_FAILED,
    /** The work directory cannot be created, locked or written. */
    WORK_DIRECTORY_UNUSABLE,
    /** The calling thread was interrupted; the run stopped. */
    INTERRUPTED,
    /** A required implementation (lister, store, scheduler) was not found on the class path. */
    MISSING_PROVIDER,
    /** An object could not be copied (read, written or completed); a result of the run, not its end. */
    COPY_FAILED,
    /** An extraneous object could not be deleted. */
    DELETE_FAILED,
    /**
     * More deletions were planned than {@code maxDeletes} allows, or a larger share of the destination
     * than {@code maxDeletePercent}; nothing was written.
     */
    TOO_MANY_DELETES,
    /**
     * The source listing was empty while deletions were on: deleting everything under the destination
     * needs {@code allowEmptySource(true)}; nothing was written.
     */
    EMPTY_SOURCE,
    /**
     * The source and destination overlap (the same endpoint and bucket, one prefix inside the other):
     * a copy would write into what it reads, or delete what it copies.
     */
    LOCATIONS_OVERLAP,
    /** The run was cancelled ({@code Migration.cancel()}); its checkpoint is saved and it can be resumed. */
    CANCELLED,
    /**
     * The work directory holds an unfinished run with another configuration; resume it with the same
     * options, or ask for a new run ({@code Migration.Builder.newRun(true)}).
     */
    RESUME_CONFLICT
}
