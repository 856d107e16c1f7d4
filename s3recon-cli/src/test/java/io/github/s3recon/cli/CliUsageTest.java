package io.github.s3recon.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.s3recon.MigrationState;
import io.github.s3recon.event.ProgressSnapshot;
import io.github.s3recon.event.StateChanged;
import io.github.s3recon.testkit.FaultInjectingProxy;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * What an operator sees besides results: help with examples for every command, the shell
 * completion script, stack traces only with {@code --debug}, and progress as a bar redrawn in
 * place on a terminal or as plain periodic lines otherwise.
 */
class CliUsageTest extends CliTestBase {

    @Test
    void everyCommandsHelpHasExamplesAndTheExitStatuses() {
        CommandLine cli = S3ReconCli.commandLine(false);
        assertThat(cli.getSubcommands().keySet()).containsExactlyInAnyOrder("reconcile", "plan", "run", "repair",
                "trial", "validate", "estimate", "history", "cancel", "generate-completion");
        for (Map.Entry<String, CommandLine> c : cli.getSubcommands().entrySet()) {
            String usage = c.getValue().getUsageMessage(CommandLine.Help.Ansi.OFF);
            assertThat(usage).as(c.getKey()).contains("Usage: s3recon " + c.getKey()).contains("Examples:")
                    .contains("  s3recon " + c.getKey() + " ").contains("Exit status");
        }

        // The same, as an operator asks for it.
        CliProcess.Result top = CliProcess.run(env(), "--help");
        assertThat(top.exit()).isZero();
        assertThat(top.out()).contains("Examples:").contains("Exit status:").contains("130  cancelled");
        for (String command : cli.getSubcommands().keySet()) {
            assertThat(top.out()).contains("  " + command + " ");
        }
        CliProcess.Result help = CliProcess.run(env(), "estimate", "--help");
        assertThat(help.exit()).isZero();
        assertThat(help.out()).contains("s3recon estimate --sample");
        CliProcess.Result version = CliProcess.run(env(), "--version");
        assertThat(version.exit()).isZero();
        assertThat(version.out()).startsWith("s3recon ");
    }

    @Test
    void theCompletionScriptCompletesCommandsAndFlags() throws Exception {
        CliProcess.Result completion = CliProcess.run(env(), "generate-completion");
        assertThat(completion.exit()).as(completion.err()).isZero();
        assertThat(completion.out()).contains("complete -F").contains("s3recon")
                .contains("reconcile").contains("generate-completion")
                .contains("--source-endpoint-url").contains("--destination-profile").contains("--engine")
                .contains("--format");
        // bash parses it (what `source <(s3recon generate-completion)` does first).
        Path script = home.resolve("s3recon_completion");
        Files.writeString(script, completion.out());
        Process bash = new ProcessBuilder("bash", "-n", script.toString()).redirectErrorStream(true).start();
        assertThat(bash.waitFor()).as(new String(bash.getInputStream().readAllBytes(), StandardCharsets.UTF_8))
                .isZero();
    }

    @Test
    void aStackTraceOnlyWithDebug() {
        s3.createBucket("usage-debug-dst");
        String[] failing = {"reconcile", "--endpoint-url", endpoint(), "--work-dir", home.resolve("w").toString(),
            "s3://usage-no-such-bucket", "s3://usage-debug-dst"};
        CliProcess.Result plain = CliProcess.run(env(), failing);
        assertThat(plain.exit()).isEqualTo(ExitCodes.FAILED);
        assertThat(plain.errLines()).singleElement().asString().startsWith("s3recon: ").contains("usage-no-such-bucket");
        assertThat(plain.err()).doesNotContain("\tat ").doesNotContain("Exception");

        String[] debug = new String[failing.length + 1];
        debug[0] = "reconcile";
        debug[1] = "--debug";
        System.arraycopy(failing, 1, debug, 2, failing.length - 1);
        CliProcess.Result traced = CliProcess.run(env(), debug);
        assertThat(traced.exit()).isEqualTo(ExitCodes.FAILED);
        assertThat(traced.err()).contains("io.github.s3recon.S3ReconException").contains("\tat io.github.s3recon.")
                .contains("[DEBUG] ");
        // The same one line is there, after the trace, among the DEBUG log.
        assertThat(traced.errLines()).contains(plain.errLines().get(0));

        // A usage error is one line with --debug too: there is no stack to show.
        CliProcess.Result usage = CliProcess.run(env(), "run", "--debug", "--bogus", "s3://a", "s3://b");
        assertThat(usage.exit()).isEqualTo(ExitCodes.USAGE);
        assertThat(usage.errLines()).singleElement().asString().contains("--bogus");
    }

    @Test
    void plainProgressLinesWhenStderrIsNotATerminal() throws Exception {
        seed("usage-prog-src", 24, "");
        s3.createBucket("usage-prog-dst");
        try (FaultInjectingProxy proxy = FaultInjectingProxy.start(s3.endpoint())) {
            proxy.inject(FaultInjectingProxy.Fault.delay(1.0, Duration.ofMillis(150)));
            CliProcess.Result run = CliProcess.run(env(), "run", "--endpoint-url", proxy.endpoint().toString(),
                    "--small-concurrency", "2", "--progress-interval", "1", "--work-dir", home.resolve("w").toString(),
                    "s3://usage-prog-src", "s3://usage-prog-dst");
            assertThat(run.exit()).as(run.err()).isZero();
            List<String> progress = run.err().lines()
                    .filter(l -> l.startsWith("s3recon: TRANSFERRING ") && l.contains(" objects, ")).toList();
            // One line every second or so of a run of several seconds, each a whole line, never redrawn.
            assertThat(progress).hasSizeGreaterThanOrEqualTo(2)
                    .allSatisfy(l -> assertThat(l).matches("s3recon: TRANSFERRING [\\d,]+/24 objects, .* objects/s, .*"));
            assertThat(progress).anySatisfy(l -> assertThat(l).containsPattern("ETA \\d+:\\d\\d:\\d\\d"));
            assertThat(run.err()).doesNotContain("\r").doesNotContain("\033[K").doesNotContain("[#");
            assertThat(run.err()).contains("s3recon: LISTING").contains("s3recon: VERIFYING");

            CliProcess.Result quiet = CliProcess.run(env(), "reconcile", "-q", "--endpoint-url",
                    proxy.endpoint().toString(), "--work-dir", home.resolve("w").toString(), "s3://usage-prog-src",
                    "s3://usage-prog-dst");
            assertThat(quiet.exit()).isZero();
            assertThat(quiet.err()).isEmpty();
        }
    }

    @Test
    void onATerminalTheProgressIsABarWithTheEta() throws Exception {
        Assumptions.assumeTrue(CliProcess.terminalAvailable(), "util-linux script is not installed: no pseudo-terminal");
        seed("usage-tty-src", 24, "");
        s3.createBucket("usage-tty-dst");
        try (FaultInjectingProxy proxy = FaultInjectingProxy.start(s3.endpoint())) {
            proxy.inject(FaultInjectingProxy.Fault.delay(1.0, Duration.ofMillis(150)));
            CliProcess.Result run = CliProcess.startOnTerminal(env(), "run", "--endpoint-url",
                    proxy.endpoint().toString(), "--small-concurrency", "2", "--work-dir", home.resolve("w").toString(),
                    "s3://usage-tty-src", "s3://usage-tty-dst").waitFor(180);
            assertThat(run.exit()).as(run.out()).isZero();
            assertThat(run.out()).containsPattern("\\r\\[[#.]{24}\\] +\\d+% TRANSFERRING [\\d,]+/24 objects, ")
                    .containsPattern("\\r\\[[#.]{24}\\] +\\d+% TRANSFERRING .*ETA \\d+:\\d\\d:\\d\\d\\033\\[K")
                    .contains("COMPLETED: 0 differences");
            // No plain progress lines on a terminal: phases only.
            assertThat(run.out()).doesNotContainPattern("s3recon: TRANSFERRING [\\d,]+/24 objects");
        }
    }

    @Test
    void onATerminalWithStandardErrorInAFileTheProgressIsPlainLines() throws Exception {
        Assumptions.assumeTrue(CliProcess.terminalAvailable(), "util-linux script is not installed: no pseudo-terminal");
        seed("usage-tty2-src", 12, "");
        s3.createBucket("usage-tty2-dst");
        Path log = home.resolve("stderr.log");
        try (FaultInjectingProxy proxy = FaultInjectingProxy.start(s3.endpoint())) {
            proxy.inject(FaultInjectingProxy.Fault.delay(1.0, Duration.ofMillis(150)));
            // Standard input and output are the terminal, standard error a file: no escape codes in the file.
            CliProcess.Result run = CliProcess.startOnTerminal(log, env(), "run", "--endpoint-url",
                    proxy.endpoint().toString(), "--small-concurrency", "1", "--progress-interval", "1",
                    "--work-dir", home.resolve("w2").toString(), "s3://usage-tty2-src", "s3://usage-tty2-dst").waitFor(180);
            String err = java.nio.file.Files.readString(log);
            assertThat(run.exit()).as(run.out() + err).isZero();
            assertThat(run.out()).contains("COMPLETED: 0 differences"); // the summary, on standard output
            assertThat(err).contains("s3recon: TRANSFERRING")
                    .doesNotContain("\r").doesNotContain("\033[K").doesNotContain("[#");
            assertThat(err.lines().filter(l -> l.startsWith("s3recon: TRANSFERRING ") && l.contains(" objects, ")))
                    .isNotEmpty();
        }
    }

    @Test
    void onATerminalOneBarWithTheEtaIsRedrawnInPlace() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        PrintStream err = new PrintStream(bytes, true, StandardCharsets.UTF_8);
        ProgressPrinter printer = new ProgressPrinter(err, true, Duration.ofSeconds(5), false);
        Instant t = Instant.parse("2026-12-07T10:00:00Z");
        printer.onStateChanged(new StateChanged(t, MigrationState.LISTING, MigrationState.TRANSFERRING));
        printer.onProgress(snapshot(t.plusSeconds(1), 250, Duration.ofSeconds(44)));
        printer.onProgress(snapshot(t.plusSeconds(2), 500, Duration.ofSeconds(30)));
        printer.onStateChanged(new StateChanged(t.plusSeconds(3), MigrationState.TRANSFERRING, MigrationState.VERIFYING));
        assertThat(bytes.toString(StandardCharsets.UTF_8)).isEqualTo("s3recon: TRANSFERRING\n"
                + "\r[######..................]  25% TRANSFERRING 250/1,000 objects, 250 B/1000 B, 125 objects/s, 125 B/s, "
                + "ETA 0:00:44\033[K"
                + "\r[############............]  50% TRANSFERRING 500/1,000 objects, 500 B/1000 B, 250 objects/s, 250 B/s, "
                + "ETA 0:00:30\033[K"
                + "\ns3recon: VERIFYING\n");
    }

    private static ProgressSnapshot snapshot(Instant at, long done, Duration eta) {
        return new ProgressSnapshot(at, MigrationState.TRANSFERRING, done, 1000, done, 1000, done / 2.0, done / 2.0,
                eta, 1000, 1000, 0, 0, Duration.ofSeconds(2));
    }
}
