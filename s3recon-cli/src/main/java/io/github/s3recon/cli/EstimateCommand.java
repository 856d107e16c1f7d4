package io.github.s3recon.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.github.s3recon.Estimate;
import io.github.s3recon.Migration;
import io.github.s3recon.S3Location;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code s3recon estimate SRC}: objects, bytes, size histogram and a projected duration. */
@Command(name = "estimate", mixinStandardHelpOptions = true, sortOptions = false,
        header = "Count SRC's objects and bytes and project how long a run would take.",
        description = {"Count SRC's objects and bytes by size lane and project how long a run would take",
            "(rates measured by listing and reading a few objects; ignores throttling and DST's write speed)."},
        footer = {"%nExamples:",
            "  s3recon estimate s3://photos",
            "  s3recon estimate --sample 100000 --listing-ranges 32 --json s3://huge-bucket",
            "%nExit status: 0 done, 2 bad usage, 3 failed, 130 cancelled."})
final class EstimateCommand implements Callable<Integer> {

    /** Never read or written: a migration needs a destination, an estimate only reads the source. */
    private static final String UNUSED_DESTINATION = "s3recon-estimate-unused";

    @Parameters(index = "0", paramLabel = "SRC", description = "the source, s3://bucket[/prefix]")
    String source;

    @Option(names = "--sample", paramLabel = "N",
            description = "list about N objects in random key ranges and extrapolate (default: full listing)")
    Long sample;

    @Mixin
    CommonOptions common;

    @Mixin
    ConnectionOptions connection;

    @Mixin
    MigrationFlags flags;

    @Override
    public Integer call() {
        PrintStream out = System.out;
        Map<String, String> env = System.getenv();
        S3Url s = S3Url.parse(source, "SRC");
        Path work = common.workDir != null ? common.workDir
                : WorkDirectories.of(connection.serverIdentity(ConnectionOptions.Side.SOURCE, env), s, env);
        ProgressPrinter progress = new ProgressPrinter(System.err, Terminal.stderr(),
                flags.progressLineInterval(), common.quiet);
        try (var client = connection.openSource(env)) {
            Migration.Builder b = Migration.builder()
                    .source(S3Location.of(client, s.bucket(), s.prefix()))
                    .destination(S3Location.of(client, s.bucket().equals(UNUSED_DESTINATION) ? UNUSED_DESTINATION + "-2"
                            : UNUSED_DESTINATION))
                    .workDirectory(work).listener(progress);
            flags.apply(b, client, null);
            try (Migration m = b.build(); SignalGuard guard = SignalGuard.install(m, work, System.err)) {
                int code;
                try {
                    Estimate e = sample != null ? m.estimate(sample) : m.estimate();
                    progress.endLine();
                    if (common.json) {
                        out.println(new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT)
                                .writeValueAsString(json(e)));
                    } else {
                        out.println(e.describe());
                    }
                    code = ExitCodes.IN_SYNC;
                } catch (RuntimeException | com.fasterxml.jackson.core.JsonProcessingException e) {
                    progress.endLine();
                    code = Failures.print(e, System.err, common.debug);
                }
                guard.finish(code);
                return code;
            }
        } finally {
            flags.closeCreated();
        }
    }

    private static Map<String, Object> json(Estimate e) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("source", e.source());
        m.put("objects", e.objects());
        m.put("bytes", e.bytes());
        m.put("exact", e.isExact());
        m.put("basis", e.basis().name());
        m.put("keysListed", e.keysListed());
        m.put("smallObjects", e.objects(Estimate.SMALL));
        m.put("smallBytes", e.bytes(Estimate.SMALL));
        m.put("largeObjects", e.objects(Estimate.LARGE));
        m.put("largeBytes", e.bytes(Estimate.LARGE));
        m.put("listingSeconds", e.projection().listing().toMillis() / 1000.0);
        m.put("transferSeconds", e.projection().transfer().toMillis() / 1000.0);
        m.put("totalSeconds", e.projection().total().toMillis() / 1000.0);
        m.put("description", e.describe());
        return m;
    }
}
