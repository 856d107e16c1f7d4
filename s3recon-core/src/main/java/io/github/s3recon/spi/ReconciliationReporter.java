package io.github.s3recon.spi;

import io.github.s3recon.ReconciliationReport;
import java.nio.file.Path;
import java.util.Objects;

/**
 * Writes a finished reconciliation somewhere: files, a database table, a message queue. Add one
 * with {@code Migration.Builder.reporter(...)} and it is called once per run, in the REPORTING
 * phase, without any change to the engine.
 *
 * <p>{@link ReconciliationReport#differences()} streams the differences from the work directory,
 * so a reporter handles millions of them in constant memory. A reporter that throws fails the
 * run. Called from the thread that runs the migration.
 */
@FunctionalInterface
public interface ReconciliationReporter extends AutoCloseable {

    /**
     * Writes a report.
     *
     * @param report the finished report; not null
     */
    void report(ReconciliationReport report);

    /** Releases what the reporter holds; the default does nothing. */
    @Override
    default void close() {
    }

    /**
     * Returns the built-in reporter: {@code summary.json} and {@code differences.jsonl} in a
     * directory (created if needed), as {@link ReconciliationReport#writeJson(Path)} writes them.
     *
     * @param directory the directory; not null
     * @return the reporter
     */
    static ReconciliationReporter json(Path directory) {
        Objects.requireNonNull(directory, "directory");
        return report -> report.writeJson(directory);
    }
}
