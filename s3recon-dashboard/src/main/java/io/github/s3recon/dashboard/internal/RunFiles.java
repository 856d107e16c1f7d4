package io.github.s3recon.dashboard.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.s3recon.DifferenceType;
import io.github.s3recon.FixPlan;
import io.github.s3recon.LocationSummary;
import io.github.s3recon.MigrationHistory;
import io.github.s3recon.Redact;
import io.github.s3recon.spi.CheckpointStore;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A run's files and log, read for the API: differences a page at a time straight from
 * {@code differences.jsonl} ({@link DifferencePages}; memory is one page, whatever the file's size), log lines
 * filtered by level and text, the fix plan as JSON Lines or a shell script. Stateless.
 */
public final class RunFiles {

    private static final DifferencePages PAGES = new DifferencePages();

    private RunFiles() {
    }

    /**
     * One page of a run's differences.
     *
     * @param run the run
     * @param q {@code type} (a {@link DifferenceType}, empty for all), {@code q} (text in the line: a
     *     key, an ETag),
     *     {@code offset}, {@code limit} (1-1000, default 100)
     * @return {@code {"offset","limit","items":[...],"more":bool}}; no file yet gives no items
     */
    public static ObjectNode differences(RunIndex.Run run, Map<String, String> q) {
        DifferenceType type = Query.enumValue(q, "type", DifferenceType.class);
        String text = q.getOrDefault("q", "").strip();
        int offset = Query.integer(q, "offset", 0, 0, Integer.MAX_VALUE);
        int limit = Query.integer(q, "limit", 100, 1, 1000);
        Path file = run.workDirectory().resolve("runs").resolve(run.record().runId()).resolve("differences.jsonl");
        ObjectNode n = Json.object();
        n.put("offset", offset);
        n.put("limit", limit);
        PAGES.read(file, type, text, offset, limit, n);
        n.set("counts", run.summary() == null ? Json.object() : run.summary().path("counts"));
        return n;
    }

    /**
     * A run's log lines.
     *
     * @param run the run
     * @param q {@code level} (the lowest shown: DEBUG, INFO, WARN, ERROR), {@code q} (text),
     *     {@code offset}, {@code limit} (1-5000, default 500)
     * @return the matching lines
     */
    public static ObjectNode log(RunIndex.Run run, Map<String, String> q) {
        int min = levelRank(q.get("level"));
        String text = q.getOrDefault("q", "").strip().toLowerCase(Locale.ROOT);
        int offset = Query.integer(q, "offset", 0, 0, Integer.MAX_VALUE);
        int limit = Query.integer(q, "limit", 500, 1, 5000);
        List<CheckpointStore.LogLine> lines = matching(run, min, text);
        ObjectNode n = Json.object();
        n.put("total", lines.size());
        n.put("offset", offset);
        n.put("limit", limit);
        ArrayNode items = n.putArray("items");
        lines.stream().skip(offset).limit(limit).forEach(l -> items.addObject().put("at", l.at().toString())
                .put("level", l.level()).put("message", Redact.text(l.message())));
        return n;
    }

    /**
     * A run's log lines as a text file, one line each.
     *
     * @param run the run
     * @param q as {@link #log}, without paging
     * @return the text
     */
    public static String logText(RunIndex.Run run, Map<String, String> q) {
        StringBuilder b = new StringBuilder();
        for (CheckpointStore.LogLine l : matching(run, levelRank(q.get("level")),
                q.getOrDefault("q", "").strip().toLowerCase(Locale.ROOT))) {
            b.append(l.at()).append(' ').append(l.level()).append(' ').append(Redact.text(l.message())
                    .replace('\n', ' ')).append('\n');
        }
        return b.toString();
    }

    private static List<CheckpointStore.LogLine> matching(RunIndex.Run run, int min, String text) {
        try (MigrationHistory h = MigrationHistory.open(run.workDirectory())) {
            return h.log(run.record().runId()).stream()
                    .filter(l -> levelRank(l.level()) >= min)
                    .filter(l -> text.isEmpty() || l.message().toLowerCase(Locale.ROOT).contains(text))
                    .toList();
        }
    }

    private static int levelRank(String level) {
        if (level == null || level.isBlank()) {
            return 0;
        }
        switch (level.strip().toUpperCase(Locale.ROOT)) {
            case "TRACE", "DEBUG":
                return 0;
            case "INFO":
                return 1;
            case "WARN", "WARNING":
                return 2;
            case "ERROR":
                return 3;
            default:
                throw ApiException.badRequest("level", "level must be one of DEBUG, INFO, WARN, ERROR, was \""
                        + level + "\"");
        }
    }

    /**
     * A run's fix plan ({@code planned.jsonl}) as a file to download.
     *
     * @param run the run
     * @param format {@code jsonl} or {@code sh}
     * @param temp a temporary file for the script
     * @return the file to send
     */
    public static Path fixPlan(RunIndex.Run run, String format, Path temp) {
        Path planned = run.workDirectory().resolve("runs").resolve(run.record().runId()).resolve("planned.jsonl");
        if (!Files.isRegularFile(planned)) {
            throw ApiException.notFound("run " + run.record().runId() + " has no fix plan (only run and plan write "
                    + "one, once they have diffed)");
        }
        if ("jsonl".equals(format)) {
            return planned;
        }
        if (!"sh".equals(format)) {
            throw ApiException.badRequest("format", "format must be jsonl or sh, was \"" + format + "\"");
        }
        JsonNode config = Json.parse(run.record().configuration());
        long[] counts = new long[4]; // copies, recopies, deletes, bytes: the script's header says them
        try (BufferedReader r = Files.newBufferedReader(planned, StandardCharsets.UTF_8)) {
            for (String line = r.readLine(); line != null; line = r.readLine()) {
                JsonNode a = Json.parse(line);
                if (a == null) {
                    continue;
                }
                switch (a.path("action").asText()) {
                    case "COPY" -> counts[0]++;
                    case "RECOPY" -> counts[1]++;
                    case "DELETE" -> counts[2]++;
                    default -> {
                        continue;
                    }
                }
                counts[3] += Math.max(0, a.path("source").path("size").asLong(0));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        FixPlan plan = new FixPlan(location(config, "source"), location(config, "destination"), planned, counts[0],
                counts[1], counts[2], counts[3]);
        plan.writeShellScript(temp);
        return temp;
    }

    private static LocationSummary location(JsonNode config, String side) {
        JsonNode s = config == null ? null : config.path(side);
        return new LocationSummary(s == null ? "unknown" : s.path("bucket").asText("unknown"),
                s == null ? "" : s.path("prefix").asText(""), 0, 0);
    }
}
