package io.github.s3recon.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.github.s3recon.MigrationHistory;
import io.github.s3recon.Redact;
import io.github.s3recon.S3ReconException;
import io.github.s3recon.spi.CheckpointStore;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

/** {@code s3recon history [SRC DST] [RUN_ID]}: the runs of a work directory, or one run's report and log. */
@Command(name = "history", mixinStandardHelpOptions = true, sortOptions = false,
        header = "List the runs of a work directory, or show one run's report and log.",
        description = {"List the runs of a work directory (state, attempts, summary), or show one run's report",
            "(summary.json) and log. The work directory is --work-dir, or the default one of SRC and DST."},
        footer = {"%nExamples:",
            "  s3recon history s3://photos s3://photos-backup/",
            "  s3recon history --work-dir /var/lib/s3recon/a-to-b",
            "  s3recon history --work-dir /var/lib/s3recon/a-to-b 2f6c1e0a-...   # one run: report and log",
            "%nExit status: 0 done, 2 bad usage (no such run), 3 failed."})
final class HistoryCommand implements Callable<Integer> {

    @Parameters(arity = "0..3", paramLabel = "[SRC DST] [RUN_ID]",
            description = "the pair whose default work directory to read, and/or a run id")
    List<String> arguments = new ArrayList<>();

    @Mixin
    CommonOptions common;

    @Mixin
    ConnectionOptions connection;

    @Override
    public Integer call() throws Exception {
        PrintStream out = System.out;
        Map<String, String> env = System.getenv();
        List<String> locations = arguments.stream().filter(a -> a.startsWith("s3://")).toList();
        List<String> others = arguments.stream().filter(a -> !a.startsWith("s3://")).toList();
        if (!(locations.isEmpty() || locations.size() == 2) || others.size() > 1) {
            throw S3ReconException.invalidConfiguration("history arguments", String.join(" ", arguments),
                    "must be [SRC DST] [RUN_ID], e.g. s3://a s3://b, or --work-dir DIR RUN_ID");
        }
        Path work;
        if (common.workDir != null) {
            work = common.workDir;
        } else if (locations.size() == 2) {
            S3Url s = S3Url.parse(locations.get(0), "SRC");
            S3Url d = S3Url.parse(locations.get(1), "DST");
            work = WorkDirectories.of(connection.serverIdentity(ConnectionOptions.Side.SOURCE, env), s,
                    connection.serverIdentity(ConnectionOptions.Side.DESTINATION, env), d, env);
        } else {
            throw S3ReconException.invalidConfiguration("--work-dir", null,
                    "is needed without SRC and DST: pass --work-dir DIR or the pair, e.g. s3recon history s3://a s3://b");
        }
        ObjectMapper json = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
        try (MigrationHistory h = MigrationHistory.open(work)) {
            if (others.isEmpty()) {
                List<Map<String, Object>> rows = new ArrayList<>();
                for (CheckpointStore.RunRecord r : h.runs()) {
                    if (common.json) {
                        rows.add(row(r));
                    } else {
                        out.println(r.runId() + "  " + r.kind() + "  " + r.state() + "  " + r.startedAt() + "  "
                                + r.attempts() + " attempt(s)" + (r.summary() != null ? "  " + Redact.text(r.summary()) : "")
                                + (r.error() != null ? "  error: " + Redact.text(r.error()) : ""));
                    }
                }
                if (common.json) {
                    out.println(json.writeValueAsString(rows));
                }
                return ExitCodes.IN_SYNC;
            }
            String runId = others.get(0);
            Optional<CheckpointStore.RunRecord> run = h.run(runId);
            if (run.isEmpty()) {
                throw S3ReconException.invalidConfiguration("RUN_ID", runId,
                        "is not a run of " + work + ": list them with s3recon history --work-dir " + work);
            }
            Optional<String> report = h.report(runId);
            if (common.json) {
                Map<String, Object> m = row(run.get());
                m.put("report", report.map(text -> {
                    try {
                        return json.readTree(text);
                    } catch (Exception e) {
                        return text;
                    }
                }).orElse(null));
                List<Map<String, Object>> log = new ArrayList<>();
                for (CheckpointStore.LogLine l : h.log(runId)) {
                    Map<String, Object> line = new LinkedHashMap<>();
                    line.put("at", l.at().toString());
                    line.put("level", l.level());
                    line.put("message", Redact.text(l.message()));
                    log.add(line);
                }
                m.put("log", log);
                out.println(json.writeValueAsString(m));
                return ExitCodes.IN_SYNC;
            }
            CheckpointStore.RunRecord r = run.get();
            out.println("run " + r.runId() + " (" + r.kind() + "): " + r.state() + ", " + r.attempts() + " attempt(s), started "
                    + r.startedAt() + (r.endedAt() != null ? ", ended " + r.endedAt() : ""));
            out.println("report:");
            out.println(report.orElse("(none: the run has not finished)"));
            out.println("log:");
            for (CheckpointStore.LogLine l : h.log(runId)) {
                out.println(l.at() + " " + l.level() + " " + Redact.text(l.message()));
            }
            out.println("files: " + h.runDirectory(runId));
            return ExitCodes.IN_SYNC;
        }
    }

    private static Map<String, Object> row(CheckpointStore.RunRecord r) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("runId", r.runId());
        m.put("kind", r.kind().name());
        m.put("state", r.state().name());
        m.put("startedAt", r.startedAt().toString());
        m.put("endedAt", r.endedAt() == null ? null : r.endedAt().toString());
        m.put("attempts", r.attempts());
        m.put("summary", r.summary() == null ? null : Redact.text(r.summary()));
        m.put("error", r.error() == null ? null : Redact.text(r.error()));
        return m;
    }
}
