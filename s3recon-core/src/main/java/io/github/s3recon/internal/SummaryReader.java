package io.github.s3recon.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.s3recon.DifferenceCounts;
import io.github.s3recon.ErrorCode;
import io.github.s3recon.LocationSummary;
import io.github.s3recon.MatchRule;
import io.github.s3recon.MigrationState;
import io.github.s3recon.ReconciliationReport;
import io.github.s3recon.S3ReconException;
import io.github.s3recon.Verification;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.EnumMap;
import java.util.Locale;
import java.util.Map;

/**
 * Reads a report directory written by {@link ReconciliationReport#writeJson(Path)} back: the
 * comparison in {@code summary.json}, with {@code differences.jsonl} left on disk and streamed on
 * demand. Every missing or malformed field is refused with the file and the field named, so that
 * a report edited by hand or cut short is never half-applied.
 */
public final class SummaryReader {

    private static final ObjectMapper JSON = new ObjectMapper();

    private SummaryReader() {
    }

    /**
     * Reads a report directory.
     *
     * @param directory the directory that holds {@code summary.json} and {@code differences.jsonl}
     * @return the report, without its transfer section
     * @throws S3ReconException with {@link ErrorCode#INVALID_CONFIGURATION} naming the file and field
     */
    public static ReconciliationReport read(Path directory) {
        Path summary = directory.resolve("summary.json");
        Path differences = directory.resolve("differences.jsonl");
        if (!Files.isRegularFile(summary)) {
            throw bad(summary, "no such file: give the directory a report was written to (it holds summary.json "
                    + "and differences.jsonl)");
        }
        if (!Files.isRegularFile(differences)) {
            throw bad(differences, "no such file: the report's differences are missing, so nothing can be repaired "
                    + "from it; reconcile again for a whole report");
        }
        JsonNode root;
        try {
            root = JSON.readTree(summary.toFile());
        } catch (IOException e) {
            throw bad(summary, "not readable as JSON (" + e.getMessage() + ")");
        }
        if (root == null || !root.isObject()) {
            throw bad(summary, "not a JSON object");
        }
        MigrationState state = enumOf(MigrationState.class, text(summary, root, "state"), summary, "state");
        LocationSummary source = location(summary, root, "source");
        LocationSummary destination = location(summary, root, "destination");
        JsonNode c = object(summary, root, "counts");
        DifferenceCounts counts = new DifferenceCounts(number(summary, c, "counts.matched", "matched"),
                number(summary, c, "counts.missingInDestination", "missingInDestination"),
                number(summary, c, "counts.extraInDestination", "extraInDestination"),
                number(summary, c, "counts.sizeMismatch", "sizeMismatch"),
                number(summary, c, "counts.contentMismatch", "contentMismatch"),
                number(summary, c, "counts.stale", "stale"),
                number(summary, c, "counts.unverified", "unverified"));
        JsonNode v = object(summary, root, "verification");
        Verification verification = enumOf(Verification.class, text(summary, v, "mode"), summary, "verification.mode");
        Map<MatchRule, Long> byRule = new EnumMap<>(MatchRule.class);
        JsonNode rules = object(summary, v, "matchedByRule");
        rules.fieldNames().forEachRemaining(name -> byRule.put(enumOf(MatchRule.class, name, summary,
                "verification.matchedByRule"), number(summary, rules, "verification.matchedByRule." + name, name)));
        Instant startedAt = instant(summary, root, "startedAt");
        Instant finishedAt = instant(summary, root, "finishedAt");
        try {
            return new ReconciliationReport(state, source, destination, counts, byRule, startedAt, finishedAt,
                    differences, verification, null);
        } catch (RuntimeException e) {
            throw bad(summary, "inconsistent: " + e.getMessage());
        }
    }

    private static LocationSummary location(Path file, JsonNode root, String name) {
        JsonNode l = object(file, root, name);
        try {
            return new LocationSummary(text(file, l, "bucket"), text(file, l, "prefix"),
                    number(file, l, name + ".objects", "objects"), number(file, l, name + ".bytes", "bytes"));
        } catch (S3ReconException e) {
            throw e;
        } catch (RuntimeException e) {
            throw bad(file, "field '" + name + "' is not a location: " + e.getMessage());
        }
    }

    private static JsonNode object(Path file, JsonNode parent, String name) {
        JsonNode n = parent.get(name);
        if (n == null || !n.isObject()) {
            throw bad(file, "field '" + name + "' is missing or not an object");
        }
        return n;
    }

    private static String text(Path file, JsonNode parent, String name) {
        JsonNode n = parent.get(name);
        if (n == null || !n.isTextual()) {
            throw bad(file, "field '" + name + "' is missing or not a string");
        }
        return n.asText();
    }

    private static long number(Path file, JsonNode parent, String path, String name) {
        JsonNode n = parent.get(name);
        if (n == null || !n.canConvertToLong() || !n.isIntegralNumber() || n.asLong() < 0) {
            throw bad(file, "field '" + path + "' is missing or not a count");
        }
        return n.asLong();
    }

    private static Instant instant(Path file, JsonNode root, String name) {
        String text = text(file, root, name);
        try {
            return Instant.parse(text);
        } catch (DateTimeParseException e) {
            throw bad(file, "field '" + name + "' is not an ISO-8601 instant: " + text);
        }
    }

    private static <E extends Enum<E>> E enumOf(Class<E> type, String value, Path file, String field) {
        try {
            return Enum.valueOf(type, value.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw bad(file, "field '" + field + "' is '" + value + "', not one of "
                    + java.util.Arrays.toString(type.getEnumConstants()));
        }
    }

    private static S3ReconException bad(Path file, String message) {
        return new S3ReconException(ErrorCode.INVALID_CONFIGURATION, "cannot read the report " + file + ": " + message);
    }
}
