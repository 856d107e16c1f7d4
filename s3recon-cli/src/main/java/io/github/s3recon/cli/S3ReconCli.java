package io.github.s3recon.cli;

import java.util.Arrays;
import picocli.AutoComplete;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The {@code s3recon} command line: the library's operations from a shell, the way operators run
 * rclone or {@code aws s3 sync}.
 *
 * <pre>
 * java -jar s3recon.jar reconcile s3://a s3://b
 * java -jar s3recon.jar run --endpoint-url http://localhost:9000 s3://a s3://b/backup/
 * </pre>
 *
 * <p>Exit status: 0 in sync, 1 differences remain, 2 bad usage or configuration, 3 failed, 130
 * cancelled. Errors are one line naming the fix; {@code --debug} adds the stack trace.
 */
@Command(name = "s3recon", mixinStandardHelpOptions = true, versionProvider = S3ReconCli.Version.class,
        description = {"Migrate the objects of one S3-compatible bucket to another and prove that nothing was",
            "lost or changed. Locations are s3://bucket[/prefix]; credentials and regions come from the",
            "AWS_* variables and ~/.aws files as for the AWS CLI (--profile, --endpoint-url, per side too).",
            "State (checkpoint, history, reports) lives in a work directory per pair under ~/.s3recon/."},
        subcommands = {ReconcileCommand.class, PlanCommand.class, RunCommand.class, RepairCommand.class, TrialCommand.class,
            ValidateCommand.class,
            EstimateCommand.class, HistoryCommand.class, CancelCommand.class,
            AutoComplete.GenerateCompletion.class},
        footer = {"%nExamples:",
            "  s3recon reconcile s3://photos s3://photos-backup/",
            "  s3recon run --endpoint-url http://localhost:9000 s3://a s3://b     # Ctrl+C, then again: resumes",
            "  s3recon plan --format sh s3://a s3://b > fix.sh",
            "  s3recon repair ~/.s3recon/a-to-b-1f2e3d/report                   # apply a report, verify",
            "  s3recon history s3://a s3://b",
            "  source <(s3recon generate-completion)                              # bash/zsh completion",
            ExitCodes.HELP})
public final class S3ReconCli {

    private S3ReconCli() {
    }

    /**
     * Runs a command and exits with its status.
     *
     * @param args the command line
     */
    public static void main(String[] args) {
        System.exit(execute(args));
    }

    /**
     * Runs a command and returns its status, without exiting (for embedding and tests; note that a
     * command that runs a migration installs a shutdown hook while it runs).
     *
     * @param args the command line
     * @return the exit status
     */
    public static int execute(String... args) {
        boolean debug = Arrays.asList(args).contains("--debug");
        configureLogging(debug);
        CommandLine cli = commandLine(debug);
        return cli.execute(args);
    }

    static CommandLine commandLine(boolean debug) {
        CommandLine cli = new CommandLine(new S3ReconCli());
        cli.setCaseInsensitiveEnumValuesAllowed(true);
        cli.setUsageHelpWidth(120);
        cli.setParameterExceptionHandler((e, args) -> {
            CommandLine c = e.getCommandLine();
            c.getErr().println("s3recon: " + oneLine(e.getMessage()) + " (see '" + c.getCommandSpec().qualifiedName()
                    + " --help')");
            return ExitCodes.USAGE;
        });
        cli.setExecutionExceptionHandler((e, c, parsed) -> Failures.print(e, System.err, debug));
        // picocli's own command: shown in the list, with examples like every other command.
        cli.getSubcommands().get("generate-completion").getCommandSpec().usageMessage().hidden(false)
                .footer("%nExamples:",
                        "  source <(s3recon generate-completion)                   # this shell (bash or zsh)",
                        "  s3recon generate-completion > /etc/bash_completion.d/s3recon",
                        "%nExit status: 0 done, 2 bad usage.");
        return cli;
    }

    private static String oneLine(String message) {
        return io.github.s3recon.Redact.text(message == null ? "" : message).replaceAll("\\s*[\\r\\n]+\\s*", " ");
    }

    /**
     * slf4j-simple: warnings and errors to stderr; with --debug, DEBUG for s3recon and the SDK's
     * request log (method, path, header names), INFO for the rest. Not DEBUG everywhere: the SDK's
     * signer logs each canonical request and Netty's wire log each request's headers, both with
     * the session token (X-Amz-Security-Token) in clear. Set before the first logger.
     */
    private static void configureLogging(boolean debug) {
        setDefault("org.slf4j.simpleLogger.logFile", "System.err");
        setDefault("org.slf4j.simpleLogger.defaultLogLevel", debug ? "info" : "warn");
        if (debug) {
            setDefault("org.slf4j.simpleLogger.log.io.github.s3recon", "debug");
            setDefault("org.slf4j.simpleLogger.log.software.amazon.awssdk.request", "debug");
            setDefault("org.slf4j.simpleLogger.log.software.amazon.awssdk.requestId", "debug");
        }
        setDefault("org.slf4j.simpleLogger.showThreadName", "false");
        setDefault("org.slf4j.simpleLogger.showShortLogName", "true");
        setDefault("org.slf4j.simpleLogger.levelInBrackets", "true");
    }

    private static void setDefault(String key, String value) {
        if (System.getProperty(key) == null) {
            System.setProperty(key, value);
        }
    }

    /** The version from the jar's manifest. */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String v = S3ReconCli.class.getPackage().getImplementationVersion();
            return new String[] {"s3recon " + (v != null ? v : "0.1.0-SNAPSHOT")};
        }
    }
}
