package io.github.s3recon.cli;

import io.github.s3recon.ErrorCode;
import io.github.s3recon.Redact;
import io.github.s3recon.S3ReconException;
import java.io.PrintStream;

/**
 * Prints a failure as one line that names the fix (the library's messages do), with the stack
 * trace only under {@code --debug}, and returns the exit status. Stateless.
 */
final class Failures {

    private Failures() {
    }

    /**
     * Prints a failure and returns its status.
     *
     * @param e the failure; not null
     * @param err where to print; not null
     * @param debug whether to print the stack trace too
     * @return the exit status ({@link ExitCodes})
     */
    static int print(Throwable e, PrintStream err, boolean debug) {
        if (debug) {
            e.printStackTrace(err);
        }
        if (e instanceof S3ReconException s) {
            if (s.code() == ErrorCode.CANCELLED) {
                err.println("s3recon: cancelled; the checkpoint is saved: run the same command again to resume");
            } else {
                err.println("s3recon: " + s.code() + ": " + oneLine(s.getMessage()));
            }
            return ExitCodes.of(s.code());
        }
        err.println("s3recon: unexpected error: " + oneLine(String.valueOf(e))
                + (debug ? "" : " (run with --debug for the stack trace)"));
        return ExitCodes.FAILED;
    }

    private static String oneLine(String message) {
        return Redact.text(message == null ? "" : message).replaceAll("\\s*[\\r\\n]+\\s*", " ");
    }
}
