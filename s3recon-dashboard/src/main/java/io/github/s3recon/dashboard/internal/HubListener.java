package io.github.s3recon.dashboard.internal;

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

/** Sends every event of one migration to the {@link EventHub}. Thread-safe, quick, never blocks for long. */
final class HubListener implements MigrationListener {

    private final EventHub hub;
    private final String migration;

    HubListener(EventHub hub, String migration) {
        this.hub = hub;
        this.migration = migration;
    }

    @Override
    public void onStateChanged(StateChanged event) {
        hub.publish(migration, event);
    }

    @Override
    public void onProgress(ProgressSnapshot event) {
        hub.publish(migration, event);
    }

    @Override
    public void onDifference(DifferenceFound event) {
        hub.publish(migration, event);
    }

    @Override
    public void onObjectCopied(ObjectCopied event) {
        hub.publish(migration, event);
    }

    @Override
    public void onObjectDeleted(ObjectDeleted event) {
        hub.publish(migration, event);
    }

    @Override
    public void onObjectFailed(ObjectFailed event) {
        hub.publish(migration, event);
    }

    @Override
    public void onRetry(TransferRetried event) {
        hub.publish(migration, event);
    }

    @Override
    public void onResumed(RunResumed event) {
        hub.publish(migration, event);
    }

    @Override
    public void onPhaseStarted(PhaseStarted event) {
        hub.publish(migration, event);
    }

    @Override
    public void onPhaseFinished(PhaseFinished event) {
        hub.publish(migration, event);
    }

    @Override
    public void onFinished(RunFinished event) {
        hub.publish(migration, event);
    }
}
