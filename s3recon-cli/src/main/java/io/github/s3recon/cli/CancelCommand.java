package io.github.s3recon.cli;

import io.github.s3recon.S3ReconException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code s3recon cancel [SRC DST]}: asks the job running in a work directory to stop gracefully. */
@Command(name = "cancel", mixinStandardHelpOptions = true, sortOptions = false,
        header = "Stop the job running in a work directory gracefully (it resumes later).",
        description = {"Ask the s3recon job running in a work directory (another shell, a cron job) to stop",
            "gracefully: it saves its checkpoint and exits 130; the same command again resumes it."},
        footer = {"%nExamples:",
            "  s3recon cancel s3://photos s3://photos-backup/",
            "  s3recon cancel --work-dir /var/lib/s3recon/a-to-b",
            "%nExit status: 0 the job took the request, 2 bad usage, 3 no job took it within --wait."})
final class CancelCommand implements Callable<Integer> {

    @Parameters(arity = "0..2", paramLabel = "SRC DST", description = "the pair whose default work directory to use")
    List<String> arguments = new ArrayList<>();

    @Option(names = "--wait", paramLabel = "SECONDS", description = "how long to wait for the job (default: 10)")
    int waitSeconds = 10;

    @Mixin
    CommonOptions common;

    @Mixin
    ConnectionOptions connection;

    @Override
    public Integer call() throws IOException, InterruptedException {
        Map<String, String> env = System.getenv();
        Path work;
        if (common.workDir != null) {
            work = common.workDir;
        } else if (arguments.size() == 2) {
            work = WorkDirectories.of(connection.serverIdentity(ConnectionOptions.Side.SOURCE, env),
                    S3Url.parse(arguments.get(0), "SRC"), connection.serverIdentity(ConnectionOptions.Side.DESTINATION, env),
                    S3Url.parse(arguments.get(1), "DST"), env);
        } else {
            throw S3ReconException.invalidConfiguration("cancel arguments", String.join(" ", arguments),
                    "must be SRC DST, or --work-dir DIR");
        }
        if (!Files.isDirectory(work)) {
            System.err.println("s3recon: no work directory at " + work + ": nothing to cancel");
            return ExitCodes.FAILED;
        }
        Path request = work.resolve(SignalGuard.CANCEL_REQUEST);
        Files.writeString(request, "cancel\n");
        long deadline = System.nanoTime() + waitSeconds * 1_000_000_000L;
        while (System.nanoTime() < deadline) {
            if (!Files.exists(request)) {
                System.err.println("s3recon: the job in " + work + " is stopping and saving its checkpoint");
                return ExitCodes.IN_SYNC;
            }
            Thread.sleep(100);
        }
        Files.deleteIfExists(request);
        System.err.println("s3recon: no running job in " + work + " took the request within " + waitSeconds + " s");
        return ExitCodes.FAILED;
    }
}
