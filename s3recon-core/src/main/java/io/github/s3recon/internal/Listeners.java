package io.github.s3recon.internal;

import io.github.s3recon.Redact;
import io.github.s3recon.event.DifferenceFound;
import io.github.s3recon.event.MigrationListener;
import io.github.s3recon.event.ObjectCopied;
import io.github.s3recon.event.ObjectDeleted;
import io.github.s3recon.event.ObjectFailed;
import io.github.s3recon.event.PhaseFinished;
import io.github.s3recon.event.PhaseStarted;
import io.github.s3recon.event.ProgressSnapshot;
import io.github.s3recon.event.RunFinished;
import io.github.s3recon.event.RunResumed;
import io.github.s3recon.event.StateChanged;
import io.github.s3recon.event.TransferRetried;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Delivers each event to every listener, isolating each one: a listener that throws is logged
 * once (a WARN with the exception's class and redacted message), its later throws are only
 * counted, and neither the run nor the other listeners notice. Listeners only observe: nothing
 * the engine must keep (the task journal, the checkpoints) goes through here. Thread-safe.
 */
public final class Listeners implements MigrationListener {

    private static final Logger LOG = LoggerFactory.getLogger(Listeners.class);

    private final List<Isolated> listeners;

    /**
     * Creates the composite.
     *
     * @param listeners the listeners, in delivery order
     */
    public Listeners(List<MigrationListener> listeners) {
        this.listeners = listeners.stream().map(Isolated::new).toList();
    }

    /** One listener and how often it threw. */
    private static final class Isolated {
        final MigrationListener listener;
        final AtomicLong throwsCount = new AtomicLong();

        Isolated(MigrationListener listener) {
            this.listener = listener;
        }
    }

    @Override
    public void onStateChanged(StateChanged event) {
        deliver(l -> l.onStateChanged(event), event);
    }

    @Override
    public void onProgress(ProgressSnapshot event) {
        deliver(l -> l.onProgress(event), event);
    }

    @Override
    public void onDifference(DifferenceFound event) {
        deliver(l -> l.onDifference(event), event);
    }

    @Override
    public void onObjectCopied(ObjectCopied event) {
        deliver(l -> l.onObjectCopied(event), event);
    }

    @Override
    public void onObjectDeleted(ObjectDeleted event) {
        deliver(l -> l.onObjectDeleted(event), event);
    }

    @Override
    public void onObjectFailed(ObjectFailed event) {
        deliver(l -> l.onObjectFailed(event), event);
    }

    @Override
    public void onRetry(TransferRetried event) {
        deliver(l -> l.onRetry(event), event);
    }

    @Override
    public void onResumed(RunResumed event) {
        deliver(l -> l.onResumed(event), event);
    }

    @Override
    public void onPhaseStarted(PhaseStarted event) {
        deliver(l -> l.onPhaseStarted(event), event);
    }

    @Override
    public void onPhaseFinished(PhaseFinished event) {
        deliver(l -> l.onPhaseFinished(event), event);
    }

    @Override
    public void onFinished(RunFinished event) {
        deliver(l -> l.onFinished(event), event);
        for (Isolated i : listeners) {
            long n = i.throwsCount.get();
            if (n > 1) {
                LOG.info("listener {} threw {} times in this run; only the first was logged",
                        i.listener.getClass().getName(), n);
            }
        }
    }

    private void deliver(Consumer<MigrationListener> call, Object event) {
        for (Isolated i : listeners) {
            try {
                call.accept(i.listener);
            } catch (RuntimeException | Error e) {
                if (e instanceof VirtualMachineError) {
                    throw (Error) e;
                }
                // Once per listener: a listener that throws on every event would otherwise flood the log.
                if (i.throwsCount.getAndIncrement() == 0) {
                    LOG.warn("listener {} threw {} on {}: {}; ignored, the run goes on (later throws of this "
                            + "listener are counted, not logged)", i.listener.getClass().getName(),
                            e.getClass().getName(), event.getClass().getSimpleName(), Redact.text(e.getMessage()));
                }
            }
        }
    }
}
