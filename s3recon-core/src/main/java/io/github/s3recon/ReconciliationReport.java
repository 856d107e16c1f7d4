package io.github.s3recon;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import io.github.s3recon.internal.DifferencesJson;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.Instant;
import java.util.Collections;
import java.util.EnumMap;
import java.util.Map;
import java.util.Objects;
import java.util.stream.Stream;

/**
 * The outcome of comparing a source with a destination: counts per class, what each side held,
 * and the differences themselves, which stay on disk in the work directory and are streamed on
 * demand (ten million differences cost no heap).
 *
 * <p>Immutable and thread-safe; {@link #differences()} may be called any number of times.
 *
 * @param state the run's terminal state; not null
 * @param source what the source held; not null
 * @param destination what the destination held; not null
 * @param counts the number of keys per class; not null
 * @param matchedByRule how many matched keys each rule proved equal; not null (copied)
 * @param startedAt when the run started; not null
 * @param finishedAt when the run finished; not null
 * @param differencesFile the JSON Lines file that holds the differences; not null (it may not exist
 *     when there are none)
 * @param verification how the counts were obtained: {@link Verification#CHECKSUM} for a reconcile,
 *     the migration's setting for a run (whose counts then describe the destination after copying,
 *     except with {@link Verification#NONE}); not null
 * @param transfer what the run copied and deleted, or null for a reconcile
 */
public record ReconciliationReport(MigrationState state, LocationSummary source, LocationSummary destination,
        DifferenceCounts counts, Map<MatchRule, Long> matchedByRule, Instant startedAt, Instant finishedAt,
        Path differencesFile, Verification verification, TransferSummary transfer) {

    private static final JsonFactory JSON = new JsonFactory();

    /** Checks for null and copies the map. */
    public ReconciliationReport {
        Objects.requireNonNull(state, "state");
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(destination, "destination");
        Objects.requireNonNull(counts, "counts");
        Objects.requireNonNull(startedAt, "startedAt");
        Objects.requireNonNull(finishedAt, "finishedAt");
        Objects.requireNonNull(differencesFile, "differencesFile");
        Objects.requireNonNull(verification, "verification");
        EnumMap<MatchRule, Long> copy = new EnumMap<>(MatchRule.class);
        copy.putAll(Objects.requireNonNull(matchedByRule, "matchedByRule"));
        matchedByRule = Collections.unmodifiableMap(copy);
    }

    /**
     * A reconcile's report: no transfer, counts by the content rules.
     *
     * @param state the terminal state; not null
     * @param source what the source held; not null
     * @param destination what the destination held; not null
     * @param counts the number of keys per class; not null
     * @param matchedByRule how many matched keys each rule proved equal; not null
     * @param startedAt when the run started; not null
     * @param finishedAt when the run finished; not null
     * @param differencesFile the JSON Lines file of the differences; not null
     */
    public ReconciliationReport(MigrationState state, LocationSummary source, LocationSummary destination,
            DifferenceCounts counts, Map<MatchRule, Long> matchedByRule, Instant startedAt, Instant finishedAt,
            Path differencesFile) {
        this(state, source, destination, counts, matchedByRule, startedAt, finishedAt, differencesFile,
                Verification.CHECKSUM, null);
    }

    /**
     * Reads a report that {@link #writeJson(Path)} wrote, e.g. to {@link Migration#repair repair}
     * from it in another process: the comparison from {@code summary.json}, the differences streamed
     * from {@code differences.jsonl} where they lie (the directory must stay until the report is
     * used). The transfer section is not read back: the report's {@link #transfer()} is null.
     *
     * @param directory the report's directory; not null
     * @return the report
     * @throws S3ReconException with {@link ErrorCode#INVALID_CONFIGURATION} if a file is missing or a
     *     field is missing or malformed; the message names the file and the field
     */
    public static ReconciliationReport read(Path directory) {
        return io.github.s3recon.internal.SummaryReader.read(Objects.requireNonNull(directory, "directory"));
    }

    /**
     * Returns the number of keys proved equal by a rule other than {@link MatchRule#SIZE}.
     *
     * @return the count of verified keys
     */
    public long verified() {
        long n = 0;
        for (Map.Entry<MatchRule, Long> e : matchedByRule.entrySet()) {
            if (e.getKey() != MatchRule.SIZE) {
                n += e.getValue();
            }
        }
        return n;
    }

    /**
     * Returns how long the run took.
     *
     * @return finishedAt - startedAt
     */
    public Duration duration() {
        return Duration.between(startedAt, finishedAt);
    }

    /**
     * Streams the differences in key order, from disk. The caller closes the stream.
     *
     * @return the differences
     */
    public Stream<Difference> differences() {
        return DifferencesJson.read(differencesFile);
    }

    /**
     * Writes {@code summary.json} and {@code differences.jsonl} (and, after a run in which objects
     * failed, {@code failures.jsonl}) into a directory, created if needed;
     * existing files of those names are replaced. Streams the differences: constant memory.
     *
     * @param directory the directory; not null
     * @throws S3ReconException with {@link ErrorCode#REPORT_FAILED} if the files cannot be written
     */
    public void writeJson(Path directory) {
        Objects.requireNonNull(directory, "directory");
        Path differences = directory.resolve("differences.jsonl");
        try {
            Files.createDirectories(directory);
            if (Files.exists(differencesFile)) {
                Files.copy(differencesFile, differences, StandardCopyOption.REPLACE_EXISTING);
            } else {
                Files.write(differences, new byte[0]);
            }
            Path failures = directory.resolve("failures.jsonl");
            if (transfer != null && Files.exists(transfer.failuresFile())) {
                Files.copy(transfer.failuresFile(), failures, StandardCopyOption.REPLACE_EXISTING);
            } else {
                Files.deleteIfExists(failures); // an earlier run's failures must not pass for this one's
            }
            writeSummary(directory.resolve("summary.json"));
        } catch (IOException e) {
            throw new S3ReconException(ErrorCode.REPORT_FAILED, "cannot write the report into " + directory + ": "
                    + e + " (check that the path is a writable directory with free space)", e);
        }
    }

    /**
     * Returns what {@link #writeJson(Path)} writes to {@code summary.json}: the state, locations,
     * counts, verification and transfer sections, without the differences.
     *
     * @return pretty-printed JSON
     */
    public String summaryJson() {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        try {
            writeSummary(out);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e); // no I/O happens in memory
        }
        return out.toString(java.nio.charset.StandardCharsets.UTF_8);
    }

    private void writeSummary(Path file) throws IOException {
        writeSummary(Files.newOutputStream(file));
    }

    private void writeSummary(java.io.OutputStream out) throws IOException {
        try (JsonGenerator json = JSON.createGenerator(out, JsonEncoding.UTF8)) {
            json.useDefaultPrettyPrinter();
            json.writeStartObject();
            json.writeStringField("state", state.name());
            writeLocation(json, "source", source);
            writeLocation(json, "destination", destination);
            json.writeObjectFieldStart("counts");
            json.writeNumberField("matched", counts.matched());
            json.writeNumberField("missingInDestination", counts.missingInDestination());
            json.writeNumberField("extraInDestination", counts.extraInDestination());
            json.writeNumberField("sizeMismatch", counts.sizeMismatch());
            json.writeNumberField("contentMismatch", counts.contentMismatch());
            json.writeNumberField("stale", counts.stale());
            json.writeNumberField("unverified", counts.unverified());
            json.writeEndObject();
            json.writeObjectFieldStart("verification");
            json.writeStringField("mode", verification.name());
            json.writeNumberField("verified", verified());
            json.writeObjectFieldStart("matchedByRule");
            for (MatchRule rule : MatchRule.values()) {
                json.writeNumberField(rule.name(), matchedByRule.getOrDefault(rule, 0L));
            }
            json.writeEndObject();
            json.writeNumberField("unverified", counts.unverified());
            json.writeEndObject();
            if (transfer != null) {
                json.writeObjectFieldStart("transfer");
                json.writeNumberField("objectsCopied", transfer.objectsCopied());
                json.writeNumberField("bytesCopied", transfer.bytesCopied());
                json.writeNumberField("objectsSkipped", transfer.objectsSkipped());
                json.writeNumberField("objectsDeleted", transfer.objectsDeleted());
                json.writeNumberField("objectsFailed", transfer.objectsFailed());
                json.writeNumberField("retries", transfer.retries());
                json.writeObjectFieldStart("serverSide");
                json.writeNumberField("objects", transfer.objectsServerSide());
                json.writeNumberField("bytes", transfer.bytesServerSide());
                json.writeEndObject();
                json.writeObjectFieldStart("relayed");
                json.writeNumberField("objects", transfer.objectsRelayed());
                json.writeNumberField("bytes", transfer.bytesRelayed());
                json.writeEndObject();
                json.writeNumberField("deletionsKept", transfer.deletionsKept());
                json.writeArrayFieldStart("notes");
                for (String note : transfer.notes()) {
                    json.writeString(note);
                }
                json.writeEndArray();
                // A resumed run: how much of the copying its earlier attempts did (the rest is this attempt's).
                json.writeObjectFieldStart("earlierAttempts");
                json.writeNumberField("objectsCopied", transfer.objectsCopiedEarlier());
                json.writeNumberField("bytesCopied", transfer.bytesCopiedEarlier());
                json.writeEndObject();
                json.writeEndObject();
            }
            json.writeStringField("startedAt", startedAt.toString());
            json.writeStringField("finishedAt", finishedAt.toString());
            json.writeNumberField("durationMillis", duration().toMillis());
            json.writeEndObject();
            json.writeRaw('\n');
        }
    }

    private static void writeLocation(JsonGenerator json, String name, LocationSummary location) throws IOException {
        json.writeObjectFieldStart(name);
        json.writeStringField("bucket", location.bucket());
        json.writeStringField("prefix", location.prefix());
        json.writeNumberField("objects", location.objects());
        json.writeNumberField("bytes", location.bytes());
        json.writeEndObject();
    }
}
