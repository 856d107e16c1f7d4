package io.github.s3recon.internal.run;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.util.MinimalPrettyPrinter;
import io.github.s3recon.ErrorCode;
import io.github.s3recon.S3ReconException;
import io.github.s3recon.internal.DifferencesJson;
import io.github.s3recon.event.ObjectCopied;
import io.github.s3recon.event.ObjectDeleted;
import io.github.s3recon.event.ObjectFailed;
import io.github.s3recon.event.TransferRetried;
import io.github.s3recon.spi.TransferOutcomes;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Passes a transfer's outcomes on to the next receiver (the engine's) and writes each failed object
 * as one JSON line ({@code key}, {@code action}, {@code code}, {@code message}, {@code attempts}),
 * so that failures cost no heap however many there are. Thread-safe: the scheduler's threads call
 * it. It does not throw on an outcome: a file that cannot be written is reported by {@link #close()}.
 */
final class FailureRecorder implements TransferOutcomes, AutoCloseable {

    private final TransferOutcomes next;
    private final Path file;
    private JsonGenerator json;
    private IOException broken;

    FailureRecorder(TransferOutcomes next, Path file) {
        this.next = next;
        this.file = file;
    }

    @Override
    public void copied(ObjectCopied event) {
        next.copied(event);
    }

    @Override
    public void deleted(ObjectDeleted event) {
        next.deleted(event);
    }

    @Override
    public void retried(TransferRetried event) {
        next.retried(event);
    }

    @Override
    public void failed(ObjectFailed event) {
        try {
            next.failed(event); // first: a file that cannot be written must not hide a failure
        } finally {
            write(event); // and a receiver that throws must not keep the failure out of the file
        }
    }

    /** Writes one line; after an I/O error it stops writing, and {@link #close()} reports it. */
    private synchronized void write(ObjectFailed e) {
        if (broken != null) {
            return;
        }
        try {
            if (json == null) {
                // Appended: the transfer stage starts the file afresh and may have written the listing's
                // sources not found to it (NotFoundLog).
                java.io.OutputStream out = Files.newOutputStream(file, java.nio.file.StandardOpenOption.CREATE,
                        java.nio.file.StandardOpenOption.APPEND);
                try {
                    json = DifferencesJson.FACTORY.createGenerator(out, JsonEncoding.UTF8);
                } catch (IOException x) {
                    out.close();
                    throw x;
                }
                json.setPrettyPrinter(new MinimalPrettyPrinter("\n"));
            }
            json.writeStartObject();
            json.writeStringField("key", e.key());
            json.writeStringField("action", e.action().name());
            json.writeStringField("code", e.error().code().name());
            json.writeStringField("message", e.error().getMessage());
            json.writeNumberField("attempts", e.attempts());
            json.writeEndObject();
        } catch (IOException x) {
            broken = x;
        }
    }

    @Override
    public synchronized void close() {
        if (broken != null) {
            try {
                if (json != null) {
                    json.close();
                }
            } catch (IOException ignored) {
                // the first error is the one to report
            }
            throw new S3ReconException(ErrorCode.REPORT_FAILED, "cannot write the failed objects to " + file + ": "
                    + broken + " (check free disk space in the work directory); the objects' failures were "
                    + "delivered to the listeners", broken);
        }
        if (json != null) {
            try {
                json.writeRaw('\n');
                json.close();
            } catch (IOException x) {
                throw new S3ReconException(ErrorCode.REPORT_FAILED, "cannot write " + file + ": " + x, x);
            }
        }
    }
}
