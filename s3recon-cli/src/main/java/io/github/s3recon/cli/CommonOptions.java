package io.github.s3recon.cli;

import java.nio.file.Path;
import picocli.CommandLine.Option;

/** Flags every command has: where its state lives and how it prints. A picocli mixin. */
public final class CommonOptions {

    @Option(names = "--work-dir", paramLabel = "DIR",
            description = "checkpoint, history and reports (default: ~/.s3recon/<src>-to-<dst>-<hash>, "
                    + "under S3RECON_HOME if set)")
    Path workDir;

    @Option(names = "--json", description = "print the result as JSON on stdout (the report's summary.json)")
    boolean json;

    @Option(names = {"-q", "--quiet"}, description = "no progress on stderr")
    boolean quiet;

    @Option(names = "--debug", description = "log s3recon and the SDK's requests at DEBUG (never a secret) and print stack traces")
    boolean debug;
}
