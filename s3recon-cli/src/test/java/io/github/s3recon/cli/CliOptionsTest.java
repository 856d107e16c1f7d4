package io.github.s3recon.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.s3recon.Migration;
import io.github.s3recon.spi.TransferScheduler;
import io.github.s3recon.transfer.SizeTieredScheduler;
import io.github.s3recon.transfer.TransferManagerScheduler;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;

/**
 * Every builder option of the library is a flag, with the library's defaults: the builders'
 * setters against the flags of {@code run}, the defaults the help states against the builders'
 * own, and flags that change the engine and the listers against a real server.
 */
class CliOptionsTest extends CliTestBase {

    /**
     * Each public setter of the builders, and the flag (or argument) that sets it, or why the
     * command line has none. A setter added to a builder fails the test until it is listed here.
     */
    private static final Map<String, String> MIGRATION = Map.ofEntries(
            Map.entry("transferScheduler", "--engine"),
            Map.entry("include", "--include"),
            Map.entry("exclude", "--exclude"),
            Map.entry("overwrite", "--overwrite"),
            Map.entry("deleteExtraneous", "--delete"),
            Map.entry("maxDeletes", "--max-deletes"),
            Map.entry("maxDeletePercent", "--max-delete-percent"),
            Map.entry("allowEmptySource", "--allow-empty-source"),
            Map.entry("verification", "--verification"),
            Map.entry("checksumAlgorithm", "--checksum-algorithm"),
            Map.entry("listingRanges", "--listing-ranges"),
            Map.entry("source", "SRC"),
            Map.entry("destination", "DST"),
            Map.entry("workDirectory", "--work-dir"),
            Map.entry("listener", "--progress-interval"),
            Map.entry("objectLister", "--lister"),
            Map.entry("sourceLister", "--source-inventory"),
            Map.entry("destinationLister", "--destination-inventory"),
            Map.entry("validationProbePrefix", "--validation-probe-prefix"),
            Map.entry("trialPrefix", "--trial-prefix"),
            Map.entry("newRun", "--new-run"),
            Map.entry("progressInterval", "--progress-interval"),
            Map.entry("reporter", "none: the report is always written to <work-dir>/report; reporters are Java code"),
            Map.entry("inventoryStore", "none: SQLite in the work directory is the only store"),
            Map.entry("checkpointStore", "none: the CLI keeps its history in the work directory (SQLite); "
                    + "PostgreSQL (s3recon-postgres) is for services and Spark"),
            Map.entry("clock", "none: tests only"));

    private static final Map<String, String> SIZE_TIERED = Map.ofEntries(
            Map.entry("smallObjectThreshold", "--small-object-threshold"),
            Map.entry("multipartCopyThreshold", "--multipart-copy-threshold"),
            Map.entry("partSize", "--part-size"),
            Map.entry("maxInFlightBytes", "--max-in-flight"),
            Map.entry("smallObjectConcurrency", "--small-concurrency"),
            Map.entry("largeObjectConcurrency", "--large-concurrency"),
            Map.entry("maxRequestsPerSecond", "--max-requests-per-second"),
            Map.entry("maxBytesPerSecond", "--max-bytes-per-second"),
            Map.entry("maxAttempts", "--max-attempts"),
            Map.entry("initialBackoff", "--initial-backoff"),
            Map.entry("maxBackoff", "--max-backoff"),
            Map.entry("copyTags", "--no-copy-tags"),
            Map.entry("serverSideCopy", "--no-server-side-copy"),
            Map.entry("plainUploads", "--plain-uploads"),
            Map.entry("directRequests", "--no-direct-requests"));

    private static final Map<String, String> TRANSFER_MANAGER = Map.ofEntries(
            Map.entry("clients", "--transfer-manager-clients"),
            Map.entry("maxConcurrency", "--max-concurrency"),
            Map.entry("partSize", "--part-size"),
            Map.entry("multipartThreshold", "--multipart-threshold"),
            Map.entry("targetThroughputGbps", "--target-throughput-gbps"),
            Map.entry("maxAttempts", "--max-attempts"),
            Map.entry("initialBackoff", "--initial-backoff"),
            Map.entry("maxBackoff", "--max-backoff"),
            Map.entry("copyTags", "--no-copy-tags"),
            Map.entry("serverSideCopy", "--no-server-side-copy"));

    private static CommandSpec run() {
        return S3ReconCli.commandLine(false).getSubcommands().get("run").getCommandSpec();
    }

    @Test
    void everySetterOfTheBuildersIsAFlagOfRun() {
        CommandSpec run = run();
        Map<Class<?>, Map<String, String>> builders = new LinkedHashMap<>();
        builders.put(Migration.Builder.class, MIGRATION);
        builders.put(SizeTieredScheduler.Builder.class, SIZE_TIERED);
        builders.put(TransferManagerScheduler.Builder.class, TRANSFER_MANAGER);
        for (Map.Entry<Class<?>, Map<String, String>> b : builders.entrySet()) {
            TreeSet<String> setters = new TreeSet<>();
            for (Method m : b.getKey().getDeclaredMethods()) {
                if (Modifier.isPublic(m.getModifiers()) && !m.getName().equals("build")) {
                    setters.add(m.getName());
                }
            }
            assertThat(setters).as("setters of " + b.getKey().getName() + " (list a new one in this test)")
                    .containsExactlyInAnyOrderElementsOf(b.getValue().keySet());
            for (Map.Entry<String, String> e : b.getValue().entrySet()) {
                String flag = e.getValue();
                if (flag.startsWith("--")) {
                    assertThat(run.findOption(flag)).as(e.getKey() + " -> " + flag).isNotNull();
                } else if (!flag.startsWith("none:")) {
                    assertThat(run.positionalParameters()).as(e.getKey() + " -> " + flag)
                            .anySatisfy(p -> assertThat(p.paramLabel()).isEqualTo(flag));
                }
            }
        }
    }

    @Test
    void theDefaultsTheHelpStatesAreTheBuildersOwn() throws Exception {
        CommandSpec run = run();
        // Each "(default: X)" of an engine flag, against the builder's default in its toString.
        String tiered = SizeTieredScheduler.builder().build().toString();
        Map<String, String> tieredKeys = Map.of("--small-object-threshold", "smallObjectThreshold",
                "--multipart-copy-threshold", "multipartCopyThreshold", "--part-size", "partSize",
                "--max-in-flight", "maxInFlightBytes", "--small-concurrency", "smallObjectConcurrency",
                "--large-concurrency", "largeObjectConcurrency", "--max-requests-per-second", "maxRequestsPerSecond",
                "--max-bytes-per-second", "maxBytesPerSecond", "--max-attempts", "maxAttempts");
        tieredKeys.forEach((flag, key) -> assertThat(tiered).as(flag).contains(key + "=" + stated(run, flag) + ","));
        String manager;
        try (TransferManagerScheduler t = TransferManagerScheduler.withDefaults()) {
            manager = t.toString();
        }
        assertThat(manager).contains("clients=" + stated(run, "--transfer-manager-clients") + ",")
                .contains("maxConcurrency=" + stated(run, "--max-concurrency") + ",")
                .contains("multipartThreshold=" + stated(run, "--multipart-threshold") + ",")
                .contains("targetThroughputGbps=" + Double.parseDouble(stated(run, "--target-throughput-gbps")) + ",");
        Durations d = new Durations();
        String backoff = "backoff=" + d.convert(stated(run, "--initial-backoff")) + ".."
                + d.convert(stated(run, "--max-backoff")) + ",";
        assertThat(tiered).contains(backoff);
        assertThat(manager).contains(backoff);
        assertThat(stated(run, "--max-deletes")).isEqualTo(String.valueOf(Migration.DEFAULT_MAX_DELETES));
        assertThat(stated(run, "--max-delete-percent")).isEqualTo(String.valueOf(Migration.DEFAULT_MAX_DELETE_PERCENT));
        assertThat(stated(run, "--trial-prefix")).isEqualTo(Migration.DEFAULT_TRIAL_PREFIX);

        // No engine flag: the library picks its engine; --engine alone: the builder's defaults, untouched.
        assertThat(engine("run", "s3://a", "s3://b")).isNull();
        try (TransferScheduler s = engine("run", "--engine", "size-tiered", "s3://a", "s3://b")) {
            assertThat(s).hasToString(tiered);
        }
        try (TransferScheduler s = engine("run", "--engine", "TRANSFER_MANAGER", "s3://a", "s3://b")) {
            assertThat(s).hasToString(manager);
        }
        // And every value reaches its setter.
        try (TransferScheduler s = engine("run", "--small-object-threshold", "8MiB", "--part-size", "5MiB",
                "--multipart-copy-threshold", "1GiB", "--max-in-flight", "64MiB", "--small-concurrency", "3",
                "--large-concurrency", "2", "--max-requests-per-second", "50", "--max-bytes-per-second", "1MiB",
                "--max-attempts", "4", "--initial-backoff", "250ms", "--max-backoff", "3s", "--no-copy-tags",
                "--no-server-side-copy", "--plain-uploads", "--no-direct-requests", "s3://a", "s3://b")) {
            assertThat(s.toString()).isEqualTo("SizeTieredScheduler{smallObjectThreshold=8MiB, "
                    + "multipartCopyThreshold=1GiB, partSize=5MiB, maxInFlightBytes=64MiB, smallObjectConcurrency=3, "
                    + "largeObjectConcurrency=2, maxRequestsPerSecond=50.0, maxBytesPerSecond=1MiB, maxAttempts=4, "
                    + "backoff=PT0.25S..PT3S, copyTags=false, serverSideCopy=false, plainUploads=true, "
                    + "directRequests=false}");
        }
        try (TransferScheduler s = engine("run", "--transfer-manager-clients", "multipart", "--max-concurrency", "5",
                "--part-size", "6MiB", "--multipart-threshold", "7MiB", "--target-throughput-gbps", "2.5",
                "--max-attempts", "3", "--initial-backoff", "1s", "--max-backoff", "1m", "--no-copy-tags",
                "--no-server-side-copy", "s3://a", "s3://b")) {
            assertThat(s.toString()).isEqualTo("TransferManagerScheduler{clients=MULTIPART, maxConcurrency=5, "
                    + "partSize=6MiB, multipartThreshold=7MiB, targetThroughputGbps=2.5, maxAttempts=3, "
                    + "backoff=PT1S..PT1M, copyTags=false, serverSideCopy=false}");
        }
    }

    /** The "(default: X)" at the end of a flag's description. */
    private static String stated(CommandSpec spec, String flag) {
        String description = String.join(" ", spec.findOption(flag).description());
        description = description.replace("${COMPLETION-CANDIDATES}", "");
        Matcher m = Pattern.compile("\\(default: ([^)]+)\\)$").matcher(description);
        assertThat(m.find()).as(flag + ": " + description).isTrue();
        return m.group(1);
    }

    private static TransferScheduler engine(String... args) {
        CommandLine cli = S3ReconCli.commandLine(false);
        CommandLine.ParseResult parsed = cli.parseArgs(args);
        RunCommand run = (RunCommand) parsed.subcommand().commandSpec().userObject();
        return run.flags.engine.create();
    }

    @Test
    void theTransferManagerEngineAndTheSdkListerRunAMigration() {
        seed("opt-tm-src", 5, "");
        s3.createBucket("opt-tm-dst");
        CliProcess.Result run = CliProcess.run(env(), "run", "--json", "-q", "--engine", "transfer-manager",
                "--max-concurrency", "2", "--max-attempts", "3", "--initial-backoff", "50ms", "--max-backoff", "1s",
                "--lister", "sdk", "--endpoint-url", endpoint(), "--work-dir", home.resolve("w").toString(),
                "s3://opt-tm-src", "s3://opt-tm-dst");
        assertThat(run.exit()).as(run.err()).isZero();
        JsonNode summary = readJson(run.out());
        assertThat(summary.get("state").asText()).isEqualTo("COMPLETED");
        assertThat(summary.get("transfer").get("objectsCopied").asLong()).isEqualTo(5);
        assertThat(s3.client().listObjectsV2(l -> l.bucket("opt-tm-dst")).contents()).hasSize(5);
    }

    @Test
    void flagsTheEngineOrTheLibraryRefuseAreOneLineWithStatus2() {
        // As an operator meets them: a separate process, status 2, one line naming the flag.
        String[][] cases = {
            {"--engine", "transfer-manager", "--small-concurrency", "4"},
            {"--initial-backoff", "soon"},
            {"--source-inventory", home.resolve("none/manifest.json").toString()}};
        String[] expected = {"--small-concurrency applies to --engine size-tiered only", "'soon' is not a duration",
            "--source-inventory names no file"};
        for (int i = 0; i < cases.length; i++) {
            List<String> args = new ArrayList<>(List.of("reconcile", "--endpoint-url", endpoint(), "--work-dir",
                    home.resolve("w" + i).toString()));
            args.addAll(List.of(cases[i]));
            args.addAll(List.of("s3://opt-any-src", "s3://opt-any-dst"));
            CliProcess.Result r = CliProcess.run(env(), args.toArray(String[]::new));
            assertThat(r.exit()).as(String.join(" ", cases[i]) + ": " + r.err()).isEqualTo(ExitCodes.USAGE);
            assertThat(r.errLines()).as(String.join(" ", cases[i])).singleElement().asString()
                    .startsWith("s3recon: ").contains(expected[i]).doesNotContain("Exception");
        }
        // The rest in this JVM: what the builders refuse reaches the operator as the same exception.
        assertThat(refusal("--max-concurrency", "4", "--plain-uploads"))
                .contains("--plain-uploads applies to --engine size-tiered only");
        assertThat(refusal("--initial-backoff", "30s")).contains("must not exceed max backoff");
        assertThat(refusal("--part-size", "1MiB")).contains("part size must be from 5MiB to 5GiB");
        assertThat(refusal("--engine", "transfer-manager", "--max-attempts", "0")).contains("max attempts");
        assertThat(ExitCodes.of(io.github.s3recon.ErrorCode.INVALID_CONFIGURATION)).isEqualTo(ExitCodes.USAGE);
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> engine("run", "--engine", "rsync", "s3://a", "s3://b"))
                .isInstanceOf(CommandLine.ParameterException.class)
                .hasMessageContaining("'rsync' is not an engine: size-tiered or transfer-manager");
    }

    /** The message of the INVALID_CONFIGURATION that the engine flags of {@code run} cause. */
    private static String refusal(String... flags) {
        List<String> args = new ArrayList<>(List.of("run"));
        args.addAll(List.of(flags));
        args.addAll(List.of("s3://a", "s3://b"));
        try (TransferScheduler s = engine(args.toArray(String[]::new))) {
            throw new AssertionError("accepted: " + args + " as " + s);
        } catch (io.github.s3recon.S3ReconException e) {
            assertThat(e.code()).isEqualTo(io.github.s3recon.ErrorCode.INVALID_CONFIGURATION);
            return e.getMessage();
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void aSourceInventoryReportListsTheSource() throws Exception {
        seed("opt-inv-src", 6, "");
        s3.createBucket("opt-inv-dst");
        // A report from before k3..k5 were written: it lists k0..k2 only.
        Path report = home.resolve("report");
        Files.createDirectories(report);
        StringBuilder csv = new StringBuilder();
        for (int i = 0; i < 3; i++) {
            byte[] body = ("content " + i).getBytes(StandardCharsets.UTF_8);
            csv.append("\"opt-inv-src\",\"k").append(i).append("\",\"").append(body.length).append("\",\"")
                    .append(HexFormat.of().formatHex(MessageDigest.getInstance("MD5").digest(body))).append("\"\n");
        }
        byte[] data = gzip(csv.toString().getBytes(StandardCharsets.UTF_8));
        Files.write(report.resolve("data.csv.gz"), data);
        String manifest = "{\"sourceBucket\":\"opt-inv-src\",\"destinationBucket\":\"arn:aws:s3:::reports\","
                + "\"version\":\"2016-11-30\",\"creationTimestamp\":\"1717203600000\",\"fileFormat\":\"CSV\","
                + "\"fileSchema\":\"Bucket, Key, Size, ETag\",\"files\":[{\"key\":\"inv/opt-inv-src/data/data.csv.gz\","
                + "\"size\":" + data.length + ",\"MD5checksum\":\"" + md5(data) + "\"}]}";
        Files.writeString(report.resolve("manifest.json"), manifest);
        Files.writeString(report.resolve("manifest.checksum"), md5(manifest.getBytes(StandardCharsets.UTF_8)));

        CliProcess.Result listed = CliProcess.run(env(), "reconcile", "--json", "-q", "--endpoint-url", endpoint(),
                "--work-dir", home.resolve("w1").toString(), "s3://opt-inv-src", "s3://opt-inv-dst");
        assertThat(readJson(listed.out()).get("source").get("objects").asLong()).isEqualTo(6);
        CliProcess.Result fromReport = CliProcess.run(env(), "reconcile", "--json", "-q", "--source-inventory",
                report.resolve("manifest.json").toString(), "--endpoint-url", endpoint(), "--work-dir",
                home.resolve("w2").toString(), "s3://opt-inv-src", "s3://opt-inv-dst");
        assertThat(fromReport.exit()).as(fromReport.err()).isEqualTo(ExitCodes.DIFFERENCES);
        JsonNode summary = readJson(fromReport.out());
        assertThat(summary.get("source").get("objects").asLong()).isEqualTo(3);
        assertThat(summary.get("counts").get("missingInDestination").asLong()).isEqualTo(3);
    }

    private static JsonNode readJson(String text) {
        try {
            return JSON.readTree(text);
        } catch (IOException e) {
            throw new AssertionError("not JSON: " + text, e);
        }
    }

    private static String md5(byte[] bytes) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("MD5").digest(bytes));
    }

    private static byte[] gzip(byte[] bytes) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
            gz.write(bytes);
        }
        return out.toByteArray();
    }
}
