package io.github.s3recon.cli;

import io.github.s3recon.MigrationState;
import io.github.s3recon.event.MigrationListener;
import io.github.s3recon.event.ProgressSnapshot;
import io.github.s3recon.event.RunResumed;
import io.github.s3recon.event.StateChanged;
import java.io.PrintStream;
import java.time.Duration;

/**
 * Shows a run's progress on stderr: on a terminal one line redrawn in place (a bar, counts, rates
 * and ETA); otherwise a plain line per phase and one every few seconds. Prints nothing when quiet.
 * Thread-safe (events come from the engine's threads).
 */
final class ProgressPrinter implements MigrationListener {

    private static final int BAR = 24;

    private final PrintStream err;
    private final boolean terminal;
    private final long intervalNanos;
    private final boolean quiet;
    private long lastLine = Long.MIN_VALUE;
    private boolean drawn;

    ProgressPrinter(PrintStream err, boolean terminal, Duration lineInterval, boolean quiet) {
        this.err = err;
        this.terminal = terminal;
        this.intervalNanos = lineInterval.toNanos();
        this.quiet = quiet;
    }

    @Override
    public synchronized void onStateChanged(StateChanged event) {
        if (quiet || event.to() == MigrationState.INITIALIZING) {
            return;
        }
        endLine();
        err.println("s3recon: " + event.to());
        lastLine = System.nanoTime();
    }

    @Override
    public synchronized void onResumed(RunResumed event) {
        if (quiet) {
            return;
        }
        endLine();
        err.println("s3recon: resuming run " + event.runId() + " at " + event.phase() + " (attempt " + event.attempt() + ")");
    }

    @Override
    public synchronized void onProgress(ProgressSnapshot p) {
        if (quiet) {
            return;
        }
        if (terminal) {
            err.print("\r" + bar(p.fractionDone()) + p.describe() + "\033[K");
            err.flush();
            drawn = true;
            return;
        }
        long now = System.nanoTime();
        if (lastLine == Long.MIN_VALUE || now - lastLine >= intervalNanos) {
            err.println("s3recon: " + p.describe());
            lastLine = now;
        }
    }

    /** Ends a line redrawn in place, so that what follows starts on its own line. */
    synchronized void endLine() {
        if (drawn) {
            err.println();
            drawn = false;
        }
    }

    private static String bar(double fraction) {
        if (fraction < 0) {
            return "";
        }
        int filled = (int) Math.round(Math.min(1, fraction) * BAR);
        return "[" + "#".repeat(filled) + ".".repeat(BAR - filled) + "] "
                + String.format(java.util.Locale.ROOT, "%3d%% ", Math.round(fraction * 100));
    }
}
