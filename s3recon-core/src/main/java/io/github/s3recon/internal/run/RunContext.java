package io.github.s3recon.internal.run;

import io.github.s3recon.S3Location;
import io.github.s3recon.event.MigrationListener;
import io.github.s3recon.internal.RunSettings;
import io.github.s3recon.spi.CheckpointStore;
import io.github.s3recon.spi.InventoryStore;
import io.github.s3recon.spi.ObjectSource;
import java.time.Clock;

/**
 * What every stage of one run shares: the settings, both sides (as locations and as sources), the
 * stores, the listeners, the clock, and whether the run was cancelled or resumed.
 *
 * <p>Thread-safe: the flags are volatile; the rest is final.
 */
final class RunContext {

    final RunSettings settings;
    final S3Location source;
    final S3Location destination;
    /** The source as the engine reads it: listings and, for relayed copies, bodies. */
    final ObjectSource sourceSide;
    /** The destination, listed like a source to diff it. */
    final ObjectSource destinationSide;
    final InventoryStore store;
    final CheckpointStore checkpoints;
    /** The user's listeners, each isolated: a throwing one cannot stop the run. */
    final MigrationListener listener;
    final Clock clock;

    private volatile boolean cancelled;
    /** Whether this run goes on from an earlier attempt's checkpoint: its progress lines say so. */
    private volatile boolean resumed;

    RunContext(RunSettings settings, ObjectSource sourceSide, ObjectSource destinationSide) {
        this.settings = settings;
        this.source = settings.source();
        this.destination = settings.destination();
        this.sourceSide = sourceSide;
        this.destinationSide = destinationSide;
        this.store = settings.store();
        this.checkpoints = settings.checkpoints();
        this.listener = settings.listener();
        this.clock = settings.clock();
    }

    void cancel() {
        cancelled = true;
    }

    boolean cancelled() {
        return cancelled;
    }

    /** Throws {@link Cancelled} once the run was asked to stop; called between keys and actions. */
    void checkCancelled() {
        if (cancelled) {
            throw new Cancelled();
        }
    }

    void resumed(boolean value) {
        resumed = value;
    }

    boolean resumed() {
        return resumed;
    }

    /** Thrown inside a run when it sees that it was cancelled; the sequencer ends the run as CANCELLED. */
    static final class Cancelled extends RuntimeException {
        private static final long serialVersionUID = 1L;

        Cancelled() {
            super("cancelled", null, false, false);
        }
    }
}
