package io.github.s3recon.internal;

import io.github.s3recon.event.DifferenceFound;
import io.github.s3recon.event.MigrationListener;
import io.github.s3recon.event.ObjectCopied;
import io.github.s3recon.event.ObjectDeleted;
import io.github.s3recon.event.ObjectFailed;
import io.github.s3recon.event.ProgressSnapshot;
import io.github.s3recon.event.RunFinished;
import io.github.s3recon.event.StateChanged;
import io.github.s3recon.event.TransferRetried;
import java.util.List;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Delivers each event to every listener, isolating one that throws: its exception is logged and
 * the run and the other listeners go on.
 */
public final class Listeners implements MigrationListener {

    private static final Logger LOG = LoggerFactory.getLogger(Listeners.class);

    private final List<MigrationListener> listeners;

    /**
     * Creates the composite.
     *
     * @param listeners the listeners, in delivery order
     */
    public Listeners(List<MigrationListener> listeners) {
        this.listeners = List.copyOf(listeners);
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
    public void onFinished(RunFinished event) {
        deliver(l -> l.onFinished(event), event);
    }

    private void deliver(Consumer<MigrationListener> call, Object event) {
        for (MigrationListener listener : listeners) {
            try {
                call.accept(listener);
            } catch (RuntimeException | Error e) {
                if (e instanceof VirtualMachineError) {
                    throw (Error) e;
                }
                LOG.warn("listener {} threw on {}; ignored, the run goes on", listener.getClass().getName(),
                        event.getClass().getSimpleName(), e);
            }
        }
    }
}
