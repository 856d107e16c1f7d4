package io.github.s3recon.dashboard;

import io.github.s3recon.ObjectEntry;
import io.github.s3recon.TransferAction;
import io.github.s3recon.event.ObjectCopied;
import io.github.s3recon.event.ObjectDeleted;
import io.github.s3recon.event.ObjectFailed;
import io.github.s3recon.event.TransferRetried;
import io.github.s3recon.spi.TransferContext;
import io.github.s3recon.spi.TransferOutcomes;
import io.github.s3recon.spi.TransferScheduler;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A transfer scheduler that counts the bytes of the copies handed to another one and not yet ended
 * (copied, failed or dropped with their session) into a gauge's value. The events a listener gets
 * say when a copy ends but not when it starts, so the start is seen here, where the engine hands
 * each copy over. Thread-safe; everything else goes to the wrapped scheduler unchanged.
 */
final class InFlightScheduler implements TransferScheduler {

    private final TransferScheduler delegate;
    private final AtomicLong inFlight;

    InFlightScheduler(TransferScheduler delegate, AtomicLong inFlight) {
        this.delegate = delegate;
        this.inFlight = inFlight;
    }

    @Override
    public TransferSession open(TransferContext context) {
        Session session = new Session(inFlight);
        TransferContext counted = new TransferContext(context.source(), context.destination(),
                context.checksumAlgorithm(), session.outcomes(context.outcomes()), context.clock(), context.uploads());
        session.delegate = delegate.open(counted);
        return session;
    }

    @Override
    public Lanes lanes() {
        return delegate.lanes();
    }

    @Override
    public void close() {
        delegate.close();
    }

    @Override
    public String toString() {
        return "InFlightScheduler(" + delegate + ")";
    }

    /** One session: the sizes of its copies in flight by key (a key is copied at most once at a time). */
    private static final class Session implements TransferSession {
        private final AtomicLong total;
        private final Map<String, Long> sizes = new ConcurrentHashMap<>();
        private TransferSession delegate;

        Session(AtomicLong total) {
            this.total = total;
        }

        private void started(ObjectEntry source) {
            Long before = sizes.put(source.key(), source.size());
            total.addAndGet(source.size() - (before == null ? 0 : before));
        }

        private void ended(String key) {
            Long size = sizes.remove(key);
            if (size != null) {
                total.addAndGet(-size);
            }
        }

        TransferOutcomes outcomes(TransferOutcomes next) {
            return new TransferOutcomes() {
                @Override
                public void copied(ObjectCopied event) {
                    ended(event.key());
                    next.copied(event);
                }

                @Override
                public void deleted(ObjectDeleted event) {
                    next.deleted(event);
                }

                @Override
                public void failed(ObjectFailed event) {
                    ended(event.key());
                    next.failed(event);
                }

                @Override
                public void retried(TransferRetried event) {
                    next.retried(event);
                }
            };
        }

        @Override
        public void copy(ObjectEntry source) {
            copy(source, TransferAction.COPY);
        }

        @Override
        public void copy(ObjectEntry source, TransferAction action) {
            started(source);
            try {
                delegate.copy(source, action);
            } catch (RuntimeException e) {
                ended(source.key()); // refused: never in flight
                throw e;
            }
        }

        @Override
        public void delete(ObjectEntry destination) {
            delegate.delete(destination);
        }

        @Override
        public TransferTotals awaitCompletion() {
            return delegate.awaitCompletion();
        }

        @Override
        public void cancel() {
            delegate.cancel();
        }

        @Override
        public void close() {
            try {
                delegate.close();
            } finally {
                // What never reported an end is not in flight once its session is gone.
                sizes.keySet().forEach(this::ended);
            }
        }
    }
}
