package io.github.s3recon;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * What {@code Migration.validate()} found: one {@link Check} per permission or setting a migration
 * depends on, in the order they ran, each with what was seen and, where it did not pass, what to do.
 *
 * <p>The checks, by {@linkplain Check#name() name} (constants of this class): for the source,
 * {@value #SOURCE_BUCKET} (credentials and bucket: HeadBucket), {@value #SOURCE_LIST} (ListObjectsV2
 * under the prefix), {@value #SOURCE_READ} (HeadObject and a 1-byte GetObject of the first object
 * listed), {@value #SOURCE_VERSIONING}, {@value #SOURCE_OBJECT_LOCK}; for the destination,
 * {@value #DESTINATION_BUCKET}, {@value #DESTINATION_WRITE} (PutObject of a probe object),
 * {@value #DESTINATION_READ} (GetObject of the probe), {@value #DESTINATION_DELETE} (DeleteObject of
 * the probe), {@value #DESTINATION_VERSIONING}, {@value #DESTINATION_OBJECT_LOCK}; then
 * {@value #DELETIONS} (what a run with {@code deleteExtraneous} would delete, against the guards).
 *
 * <p>No secret appears in a report: not the secret key, the session token, the access key id nor
 * any request signature; only bucket names, prefixes, endpoints, keys of the probe and the first
 * source object, and the servers' error codes and messages.
 *
 * <p>Immutable and thread-safe. No component is null.
 *
 * @param source the source location, as {@code s3://bucket/prefix}; not null
 * @param destination the destination location, as {@code s3://bucket/prefix}; not null
 * @param startedAt when the first check started; not null
 * @param finishedAt when the last check ended; not null
 * @param checks the checks in the order they ran; not null (copied)
 */
public record ValidationReport(String source, String destination, Instant startedAt, Instant finishedAt,
        List<Check> checks) {

    /** Source: the credentials are accepted and the bucket exists (HeadBucket). */
    public static final String SOURCE_BUCKET = "source.bucket";
    /** Source: the keys under the prefix can be listed (ListObjectsV2). */
    public static final String SOURCE_LIST = "source.list";
    /** Source: an object can be read (HeadObject, GetObject). */
    public static final String SOURCE_READ = "source.read";
    /** Source: whether versioning is on (GetBucketVersioning). */
    public static final String SOURCE_VERSIONING = "source.versioning";
    /** Source: whether object lock is on (GetObjectLockConfiguration). */
    public static final String SOURCE_OBJECT_LOCK = "source.objectLock";
    /** Destination: the credentials are accepted and the bucket exists (HeadBucket). */
    public static final String DESTINATION_BUCKET = "destination.bucket";
    /** Destination: an object can be written under the prefix (PutObject of the probe). */
    public static final String DESTINATION_WRITE = "destination.write";
    /** Destination: the probe object reads back with the bytes written (GetObject). */
    public static final String DESTINATION_READ = "destination.read";
    /** Destination: an object can be deleted under the prefix (DeleteObject of the probe). */
    public static final String DESTINATION_DELETE = "destination.delete";
    /** Destination: whether versioning is on (GetBucketVersioning). */
    public static final String DESTINATION_VERSIONING = "destination.versioning";
    /** Destination: whether object lock is on (GetObjectLockConfiguration). */
    public static final String DESTINATION_OBJECT_LOCK = "destination.objectLock";
    /**
     * Deletions: with {@code deleteExtraneous} on, whether a run would trip a deletion guard (an empty
     * source; more deletions than {@code maxDeletes} or a larger share than {@code maxDeletePercent}),
     * judged from the first 1,000 keys of each side; a warning, never a failure. Passes when deletions
     * are off; skipped when either side has more keys than one page.
     */
    public static final String DELETIONS = "deletions";

    private static final JsonFactory JSON = new JsonFactory();

    /** Checks for null and copies the list. */
    public ValidationReport {
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(destination, "destination");
        Objects.requireNonNull(startedAt, "startedAt");
        Objects.requireNonNull(finishedAt, "finishedAt");
        checks = List.copyOf(Objects.requireNonNull(checks, "checks"));
    }

    /** The outcome of one check. */
    public enum Status {
        /** The permission is there, or the setting needs no attention. */
        PASS,
        /** A migration would fail, or fail for some objects, as things are. */
        FAIL,
        /** A migration would work, but something deserves a look (cost, retention, a check denied). */
        WARN,
        /** Not run, because a check it depends on failed; its detail says which. */
        SKIPPED
    }

    /**
     * One check.
     *
     * @param name what was checked, one of the constants of {@link ValidationReport}; not null
     * @param status the outcome; not null
     * @param detail what was done and seen, e.g. {@code "PutObject of .s3recon-probe/… : 403 AccessDenied"};
     *     not null
     * @param hint what to do about it, e.g. the permission to grant; empty when there is nothing to do;
     *     not null
     */
    public record Check(String name, Status status, String detail, String hint) {

        /** Checks for null. */
        public Check {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(status, "status");
            Objects.requireNonNull(detail, "detail");
            Objects.requireNonNull(hint, "hint");
        }
    }

    /**
     * Returns whether no check failed (warnings and skipped checks allowed; a check is skipped only
     * because another failed).
     *
     * @return true if no check has status {@link Status#FAIL}
     */
    public boolean passed() {
        return failures().isEmpty();
    }

    /**
     * Returns the checks that failed.
     *
     * @return the failed checks, in order; empty if none
     */
    public List<Check> failures() {
        return withStatus(Status.FAIL);
    }

    /**
     * Returns the checks that passed with a warning.
     *
     * @return the checks with status {@link Status#WARN}, in order
     */
    public List<Check> warnings() {
        return withStatus(Status.WARN);
    }

    /**
     * Returns a check by name.
     *
     * @param name one of the constants of this class, e.g. {@link #DESTINATION_WRITE}; not null
     * @return the check, or empty if the report has none of that name
     */
    public Optional<Check> check(String name) {
        Objects.requireNonNull(name, "name");
        return checks.stream().filter(c -> c.name().equals(name)).findFirst();
    }

    private List<Check> withStatus(Status status) {
        return checks.stream().filter(c -> c.status() == status).toList();
    }

    /**
     * Returns the report as a table for people: one line per check (status, name, detail), the
     * hint on the next line where there is one, then a verdict.
     *
     * @return the table, lines separated by {@code \n}
     */
    public String describe() {
        int width = checks.stream().mapToInt(c -> c.name().length()).max().orElse(0);
        StringBuilder out = new StringBuilder();
        out.append("Validation of ").append(source).append(" -> ").append(destination).append('\n');
        for (Check c : checks) {
            out.append(String.format("  %-7s %-" + width + "s  %s%n", c.status(), c.name(), c.detail()));
            if (!c.hint().isEmpty()) {
                out.append(" ".repeat(10 + width)).append("hint: ").append(c.hint()).append('\n');
            }
        }
        long warnings = warnings().size();
        out.append(passed() ? "PASSED" : "FAILED: " + failures().size() + " check(s) failed")
                .append(warnings == 0 ? "" : ", " + warnings + " warning(s)").append('\n');
        return out.toString().replace(System.lineSeparator(), "\n");
    }

    /**
     * Returns {@link #describe()}.
     *
     * @return the readable table
     */
    @Override
    public String toString() {
        return describe();
    }

    /**
     * Writes the report as one JSON object ({@code source}, {@code destination}, {@code startedAt},
     * {@code finishedAt}, {@code passed}, {@code checks}: name, status, detail, hint) to a file,
     * replacing it atomically where the file system allows; parent directories are created.
     *
     * @param file the file, e.g. {@code validation.json}; not null
     * @throws S3ReconException with {@link ErrorCode#REPORT_FAILED} if the file cannot be written
     */
    public void writeJson(Path file) {
        Objects.requireNonNull(file, "file");
        Path absolute = file.toAbsolutePath();
        Path temporary = absolute.resolveSibling(absolute.getFileName() + ".tmp");
        try {
            if (absolute.getParent() != null) {
                Files.createDirectories(absolute.getParent());
            }
            try (JsonGenerator json = JSON.createGenerator(Files.newOutputStream(temporary), JsonEncoding.UTF8)) {
                json.useDefaultPrettyPrinter();
                json.writeStartObject();
                json.writeStringField("source", source);
                json.writeStringField("destination", destination);
                json.writeStringField("startedAt", startedAt.toString());
                json.writeStringField("finishedAt", finishedAt.toString());
                json.writeBooleanField("passed", passed());
                json.writeArrayFieldStart("checks");
                for (Check c : checks) {
                    json.writeStartObject();
                    json.writeStringField("name", c.name());
                    json.writeStringField("status", c.status().name());
                    json.writeStringField("detail", c.detail());
                    json.writeStringField("hint", c.hint());
                    json.writeEndObject();
                }
                json.writeEndArray();
                json.writeEndObject();
            }
            try {
                Files.move(temporary, absolute, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            } catch (java.nio.file.AtomicMoveNotSupportedException e) {
                Files.move(temporary, absolute, StandardCopyOption.REPLACE_EXISTING);
            }
        } catch (IOException e) {
            throw new S3ReconException(ErrorCode.REPORT_FAILED, "cannot write the validation report to " + file
                    + ": " + e + " (choose a writable path)", e);
        }
    }
}
