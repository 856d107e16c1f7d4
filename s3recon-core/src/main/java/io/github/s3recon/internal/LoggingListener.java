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
import java.util.Locale;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The SLF4J listener behind {@link MigrationListener#logging()}. */
public final class LoggingListener implements MigrationListener {

    /** The one instance; it holds no state. */
    public static final LoggingListener INSTANCE = new LoggingListener();

    private static final Logger LOG = LoggerFactory.getLogger("io.github.s3recon.Migration");

    private LoggingListener() {
    }

    @Override
    public void onStateChanged(StateChanged event) {
        LOG.info("state {}", event.to());
    }

    @Override
    public void onProgress(ProgressSnapshot e) {
        LOG.info(e.describe());
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
            LOG.debug("copied {} ({}, {}, {} attempt(s))", Redact.key(event.key()), Bytes.format(event.bytes()), event.mode(),
                    event.attempts());
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
        if (event.failure() != null) {
            LOG.error("run {} after {}: {}", event.state(), event.duration(), Redact.text(event.failure().getMessage()));
        } else {
            LOG.info("run {} after {}", event.state(), event.duration());
        }
    }
}
