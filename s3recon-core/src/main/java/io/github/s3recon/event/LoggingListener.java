package io.github.s3recon.event;

import io.github.s3recon.DataSize;
import io.github.s3recon.MigrationState;
import io.github.s3recon.Redact;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The SLF4J listener behind {@link MigrationListener#logging()}. In this package, not in
 * {@code internal}, so that the event package depends on nothing of the engine's.
 */
final class LoggingListener implements MigrationListener {

    /** The one instance; it holds no state. */
    static final LoggingListener INSTANCE = new LoggingListener();

    private static final Logger LOG = LoggerFactory.getLogger("io.github.s3recon.Migration");

    private LoggingListener() {
    }

    @Override
    public void onStateChanged(StateChanged event) {
        LOG.info("state {}", event.to());
    }

    @Override
    public void onResumed(RunResumed event) {
        LOG.info("resuming run {} in {} (attempt {}): what earlier attempts did is kept", Redact.key(event.runId()),
                event.phase(), event.attempt());
    }

    @Override
    public void onProgress(ProgressSnapshot e) {
        LOG.info(e.describe());
    }

    @Override
    public void onPhaseFinished(PhaseFinished e) {
        LOG.info("{} done: {} objects, {} in {}", e.phase(), String.format(java.util.Locale.ROOT, "%,d", e.objects()),
                DataSize.ofBytes(e.bytes()).approximate(), e.duration());
    }

    @Override
    public void onDifference(DifferenceFound event) {
        if (LOG.isDebugEnabled()) {
            LOG.debug("{} {}", event.difference().type(), Redact.key(event.difference().key()));
        }
    }

    @Override
    public void onObjectCopied(ObjectCopied event) {
        if (LOG.isDebugEnabled()) {
            LOG.debug("copied {} ({}, {}, {} attempt(s))", Redact.key(event.key()),
                    DataSize.ofBytes(event.bytes()).approximate(), event.mode(), event.attempts());
        }
    }

    @Override
    public void onObjectDeleted(ObjectDeleted event) {
        if (LOG.isDebugEnabled()) {
            LOG.debug("deleted {}", Redact.key(event.key()));
        }
    }

    @Override
    public void onObjectFailed(ObjectFailed event) {
        LOG.warn("{} of {} failed after {} attempt(s): {}", event.action(), Redact.key(event.key()), event.attempts(),
                Redact.text(event.error().getMessage()));
    }

    @Override
    public void onRetry(TransferRetried event) {
        if (LOG.isDebugEnabled()) {
            LOG.debug("retrying {} after attempt {} ({}), in {} ms", Redact.key(event.key()), event.attempt(),
                    Redact.text(event.reason()), event.backoff().toMillis());
        }
    }

    @Override
    public void onFinished(RunFinished event) {
        if (event.state() == MigrationState.CANCELLED) {
            // Asked for, not an error: the message says how to resume.
            LOG.warn("run {} after {}{}", event.state(), event.duration(),
                    event.failure() == null ? "" : ": " + Redact.text(event.failure().getMessage()));
        } else if (event.failure() != null) {
            LOG.error("run {} after {}: {}", event.state(), event.duration(), Redact.text(event.failure().getMessage()));
        } else {
            LOG.info("run {} after {}", event.state(), event.duration());
        }
    }
}
