package io.github.s3recon.dashboard.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.s3recon.MigrationHistory;
import io.github.s3recon.MigrationState;
import io.github.s3recon.Redact;
import io.github.s3recon.spi.CheckpointStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * The runs of every known work directory (the jobs' and those the host named), read from each
 * directory's history, as rows the API filters, sorts and pages on the server: a browser gets one
 * page of a thousand runs, never all of them. Thread-safe; each directory's runs are cached until its
 * database changes.
 */
public final class RunIndex {

    /** One run and where it lives. */
    public record Run(CheckpointStore.RunRecord record, Path workDirectory, String migration, JsonNode summary) {

        long durationMillis() {
            Instant end = record.endedAt() != null ? record.endedAt() : record.updatedAt();
            return Duration.between(record.startedAt(), end).toMillis();
        }

        long bytesCopied() {
            return summary == null ? 0 : summary.path("transfer").path("bytesCopied").asLong(0);
        }

        long differences() {
            if (summary == null) {
                return -1;
            }
            JsonNode c = summary.path("counts");
            return c.path("missingInDestination").asLong() + c.path("extraInDestination").asLong()
                    + c.path("sizeMismatch").asLong() + c.path("contentMismatch").asLong()
                    + c.path("stale").asLong() + c.path("unverified").asLong();
        }

        String source() {
            return location("source");
        }

        String destination() {
            return location("destination");
        }

        private String location(String side) {
            JsonNode s = summary != null ? summary.path(side) : Json.parse(record.configuration()) == null
                    ? null : Json.parse(record.configuration()).path(side);
            if (s == null || s.isMissingNode() || !s.has("bucket")) {
                return "";
            }
            return s.path("bucket").asText() + "/" + s.path("prefix").asText("");
        }
    }

    private final Supplier<Map<Path, String>> directories;
    private final Map<Path, Cached> cache = new java.util.concurrent.ConcurrentHashMap<>();

    /**
     * @param directories the known work directories, each with the id of its job (or null)
     */
    public RunIndex(Supplier<Map<Path, String>> directories) {
        this.directories = directories;
    }

    /** @return every run of every known work directory */
    public List<Run> all() {
        List<Run> out = new ArrayList<>();
        for (Map.Entry<Path, String> d : directories.get().entrySet()) {
            out.addAll(runsOf(d.getKey(), d.getValue()));
        }
        return out;
    }

    /**
     * A directory's runs, read again only when its database changed: a history of a thousand work
     * directories then costs a few file stats per request, not a thousand database opens. A
     * directory with an unfinished run, or written to within a second of the read, is read again at
     * most once a second even when its files look unchanged (a file time's resolution can hide a write).
     */
    private List<Run> runsOf(Path dir, String migration) {
        Path db = dir.resolve("s3recon.db");
        if (!Files.isRegularFile(db)) {
            return List.of(); // never create a database just to read it
        }
        List<Object> stamp = List.of(stamp(db), stamp(dir.resolve("s3recon.db-wal")));
        long now = System.nanoTime();
        Cached cached = cache.get(dir);
        if (cached != null && cached.stamp().equals(stamp)
                && (cached.settled() || now - cached.readAt() < 1_000_000_000L)) {
            return cached.runs();
        }
        long quietMillis = System.currentTimeMillis() - Math.max(modified(db), modified(dir.resolve("s3recon.db-wal")));
        List<Run> runs = new ArrayList<>();
        try (MigrationHistory h = MigrationHistory.open(dir)) {
            for (CheckpointStore.RunRecord r : h.runs()) {
                runs.add(new Run(r, dir, migration, r.summary() == null ? null : Json.parse(r.summary())));
            }
        }
        // Trusted until the files change only if every run had ended and the files had been quiet for a
        // second when read: a write in the same tick of the file clock as the read would not change the stamp.
        boolean settled = !runs.isEmpty() && runs.stream().allMatch(r -> r.record().state().isTerminal())
                && quietMillis > 1_000;
        cache.put(dir, new Cached(stamp, List.copyOf(runs), settled, now));
        return runs;
    }

    private static long modified(Path file) {
        try {
            return Files.exists(file) ? Files.getLastModifiedTime(file).toMillis() : 0;
        } catch (java.io.IOException e) {
            return System.currentTimeMillis();
        }
    }

    private static String stamp(Path file) {
        try {
            return Files.exists(file) ? Files.getLastModifiedTime(file).toMillis() + ":" + Files.size(file) : "-";
        } catch (java.io.IOException e) {
            return "?" + System.nanoTime(); // unreadable now: never equal, so read again
        }
    }

    private record Cached(List<Object> stamp, List<Run> runs, boolean settled, long readAt) {
    }

    /**
     * Finds one run.
     *
     * @param runId its id
     * @return the run
     * @throws ApiException 404 if no known work directory has it
     */
    public Run find(String runId) {
        for (Map.Entry<Path, String> d : directories.get().entrySet()) {
            for (Run r : runsOf(d.getKey(), d.getValue())) {
                if (r.record().runId().equals(runId)) {
                    return r;
                }
            }
        }
        throw ApiException.notFound("there is no run \"" + runId + "\" in any known work directory");
    }

    /**
     * One page of runs.
     *
     * @param q the query parameters: {@code state}, {@code kind}, {@code migration}, {@code q} (text in
     *     the id, buckets or error), {@code sort} (startedAt, endedAt, state, kind, durationMillis,
     *     bytesCopied, differences), {@code order} (asc, desc), {@code offset}, {@code limit}
     * @return {@code {"total", "offset", "limit", "items": [...]}}
     */
    public ObjectNode page(Map<String, String> q) {
        MigrationState state = Query.enumValue(q, "state", MigrationState.class);
        CheckpointStore.RunKind kind = Query.enumValue(q, "kind", CheckpointStore.RunKind.class);
        String migration = q.get("migration");
        String text = Optional.ofNullable(q.get("q")).map(s -> s.toLowerCase(Locale.ROOT).strip()).orElse("");
        String sort = q.getOrDefault("sort", "startedAt");
        Map<String, Comparator<Run>> sorts = new LinkedHashMap<>();
        sorts.put("startedAt", Comparator.comparing(r -> r.record().startedAt()));
        sorts.put("endedAt", Comparator.comparing(r -> r.record().endedAt() == null ? Instant.MAX : r.record().endedAt()));
        sorts.put("state", Comparator.comparing(r -> r.record().state().name()));
        sorts.put("kind", Comparator.comparing(r -> r.record().kind().name()));
        sorts.put("durationMillis", Comparator.comparingLong(Run::durationMillis));
        sorts.put("bytesCopied", Comparator.comparingLong(Run::bytesCopied));
        sorts.put("differences", Comparator.comparingLong(Run::differences));
        Comparator<Run> comparator = sorts.get(sort);
        if (comparator == null) {
            throw ApiException.badRequest("sort", "sort must be one of " + sorts.keySet() + ", was \"" + sort + "\"");
        }
        String order = q.getOrDefault("order", "desc");
        if (!order.equals("asc") && !order.equals("desc")) {
            throw ApiException.badRequest("order", "order must be asc or desc, was \"" + order + "\"");
        }
        if (order.equals("desc")) {
            comparator = comparator.reversed();
        }
        int offset = Query.integer(q, "offset", 0, 0, Integer.MAX_VALUE);
        int limit = Query.integer(q, "limit", 50, 1, 500);
        List<Run> rows = all().stream()
                .filter(r -> state == null || r.record().state() == state)
                .filter(r -> kind == null || r.record().kind() == kind)
                .filter(r -> migration == null || migration.isBlank() || migration.equals(r.migration()))
                .filter(r -> text.isEmpty() || matches(r, text))
                .sorted(comparator.thenComparing(r -> r.record().runId()))
                .toList();
        ObjectNode n = Json.object();
        n.put("total", rows.size());
        n.put("offset", offset);
        n.put("limit", limit);
        ArrayNode items = n.putArray("items");
        rows.stream().skip(offset).limit(limit).forEach(r -> items.add(row(r)));
        return n;
    }

    private static boolean matches(Run r, String text) {
        return r.record().runId().toLowerCase(Locale.ROOT).contains(text)
                || r.source().toLowerCase(Locale.ROOT).contains(text)
                || r.destination().toLowerCase(Locale.ROOT).contains(text)
                || (r.migration() != null && r.migration().toLowerCase(Locale.ROOT).contains(text))
                || (r.record().error() != null && r.record().error().toLowerCase(Locale.ROOT).contains(text));
    }

    /** @param r a run @return the row the history shows */
    public static ObjectNode row(Run r) {
        CheckpointStore.RunRecord rec = r.record();
        ObjectNode n = Json.object();
        n.put("runId", rec.runId());
        n.put("migration", r.migration());
        n.put("workDirectory", r.workDirectory().toString());
        n.put("kind", rec.kind().name());
        n.put("state", rec.state().name());
        n.put("startedAt", rec.startedAt().toString());
        n.put("updatedAt", rec.updatedAt().toString());
        n.put("endedAt", rec.endedAt() == null ? null : rec.endedAt().toString());
        n.put("durationMillis", r.durationMillis());
        n.put("attempts", rec.attempts());
        n.put("source", r.source());
        n.put("destination", r.destination());
        n.put("bytesCopied", r.bytesCopied());
        n.put("objectsCopied", r.summary() == null ? 0 : r.summary().path("transfer").path("objectsCopied").asLong());
        n.put("differences", r.differences());
        n.put("error", rec.error() == null ? null : Redact.text(rec.error()));
        return n;
    }

    /**
     * Statistics across every run: counts by state, success rate, bytes and objects copied, average
     * speed (bytes copied over the time of the runs that copied), and per run its end and speed for
     * the throughput chart (the newest 200).
     *
     * @return the statistics
     */
    public ObjectNode stats() {
        List<Run> runs = all();
        ObjectNode n = Json.object();
        ObjectNode byState = n.putObject("byState");
        long finished = 0;
        long succeeded = 0;
        long bytes = 0;
        long objects = 0;
        long copyMillis = 0;
        for (Run r : runs) {
            MigrationState s = r.record().state();
            byState.put(s.name(), byState.path(s.name()).asLong() + 1);
            if (s.isTerminal()) {
                finished++;
                if (s == MigrationState.COMPLETED || s == MigrationState.COMPLETED_WITH_DIFFERENCES) {
                    succeeded++;
                }
            }
            if (r.bytesCopied() > 0) {
                bytes += r.bytesCopied();
                objects += r.summary().path("transfer").path("objectsCopied").asLong();
                copyMillis += Math.max(1, r.durationMillis());
            }
        }
        n.put("runs", runs.size());
        n.put("finished", finished);
        n.put("successRate", finished == 0 ? null : (double) succeeded / finished);
        n.put("bytesCopied", bytes);
        n.put("objectsCopied", objects);
        n.put("averageBytesPerSecond", copyMillis == 0 ? 0 : bytes * 1000.0 / copyMillis);
        ArrayNode series = n.putArray("throughput");
        List<Run> copied = runs.stream().filter(r -> r.record().endedAt() != null && r.bytesCopied() > 0)
                .sorted(Comparator.comparing(r -> r.record().endedAt())).toList();
        copied.subList(Math.max(0, copied.size() - 200), copied.size())
                .forEach(r -> series.addObject().put("at", r.record().endedAt().toString())
                        .put("runId", r.record().runId())
                        .put("bytesPerSecond", r.bytesCopied() * 1000.0 / Math.max(1, r.durationMillis())));
        return n;
    }
}
