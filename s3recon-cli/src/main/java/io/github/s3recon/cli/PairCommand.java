package io.github.s3recon.cli;

import io.github.s3recon.Migration;
import io.github.s3recon.S3Location;
import io.github.s3recon.source.UrlManifestSource;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

/**
 * A command on a source and a destination ({@code reconcile}, {@code plan}, {@code run},
 * {@code validate}): parses both locations, opens the clients, builds the migration with every
 * flag, installs the Ctrl+C guard, runs {@link #execute} and prints its failure as one line.
 */
abstract class PairCommand implements Callable<Integer> {

    @Parameters(index = "0", paramLabel = "SRC", description = "the source, s3://bucket[/prefix], or urls:PATH for a "
            + "manifest of URLs (text, CSV, JSON Lines)")
    String source;

    @Parameters(index = "1", paramLabel = "DST", description = "the destination, s3://bucket[/prefix]")
    String destination;

    @Mixin
    CommonOptions common;

    @Mixin
    ConnectionOptions connection;

    @Mixin
    MigrationFlags flags;

    final PrintStream out = System.out;
    final PrintStream err = System.err;
    final Map<String, String> env = System.getenv();

    @Override
    public final Integer call() {
        return run(Source.parse(source), S3Url.parse(destination, "DST"), common, connection, flags, env, out,
                err, this::execute);
    }

    /**
     * A command's source: a bucket location ({@code s3://bucket/prefix}) or a manifest of URLs
     * ({@code urls:PATH}); exactly one is set.
     */
    record Source(S3Url bucket, Path manifest) {
        static Source parse(String text) {
            if (text != null && text.startsWith("urls:")) {
                String path = text.substring("urls:".length());
                if (path.isBlank()) {
                    throw io.github.s3recon.S3ReconException.invalidConfiguration("SRC", text,
                            "must name a manifest file after urls:, e.g. urls:images.txt");
                }
                Path file = Path.of(path).toAbsolutePath().normalize();
                if (!java.nio.file.Files.isRegularFile(file)) {
                    throw io.github.s3recon.S3ReconException.invalidConfiguration("SRC", text,
                            "names no readable file (" + file + "): give a manifest of URLs, one per line, or CSV/JSON Lines");
                }
                return new Source(null, file);
            }
            return new Source(S3Url.parse(text, "SRC"), null);
        }
    }

    /** What a command does with its migration: its work and the exit status. */
    interface Work {
        int execute(Migration m, Path work);
    }

    /**
     * Builds the migration of a pair with every flag (work directory: {@code --work-dir}, else the
     * pair's default), installs the Ctrl+C guard, runs the work and prints a failure as one line.
     *
     * @return the exit status
     */
    static int run(Source s, S3Url d, CommonOptions common, ConnectionOptions connection, MigrationFlags flags,
            Map<String, String> env, PrintStream out, PrintStream err, Work work) {
        Path dir = common.workDir != null ? common.workDir
                : s.bucket() != null
                        ? WorkDirectories.of(connection.serverIdentity(ConnectionOptions.Side.SOURCE, env), s.bucket(),
                                connection.serverIdentity(ConnectionOptions.Side.DESTINATION, env), d, env)
                        : WorkDirectories.of(s.manifest(), connection.serverIdentity(ConnectionOptions.Side.DESTINATION,
                                env), d, env);
        ProgressPrinter progress = new ProgressPrinter(err, Terminal.stderr(), flags.progressLineInterval(),
                common.quiet);
        try (ConnectionOptions.Clients clients = connection.open(env)) {
            Migration.Builder b = Migration.builder();
            if (s.bucket() != null) {
                b.source(S3Location.of(clients.source(), s.bucket().bucket(), s.bucket().prefix()));
            } else {
                b.source(UrlManifestSource.of(s.manifest()));
            }
            b.destination(S3Location.of(clients.destination(), d.bucket(), d.prefix()))
                    .workDirectory(dir)
                    .listener(progress);
            flags.apply(b, s.bucket() != null ? clients.source() : null, clients.destination());
            try (Migration m = b.build(); SignalGuard guard = SignalGuard.install(m, dir, err)) {
                int code;
                try {
                    code = work.execute(m, dir);
                } catch (RuntimeException e) {
                    progress.endLine();
                    code = Failures.print(e, err, common.debug);
                }
                progress.endLine();
                out.flush();
                guard.finish(code);
                return code;
            }
        } finally {
            flags.closeCreated();
        }
    }

    /**
     * Does the command's work and prints its result.
     *
     * @param m the migration, built with every flag
     * @param work its work directory
     * @return the exit status
     */
    abstract int execute(Migration m, Path work);
}
