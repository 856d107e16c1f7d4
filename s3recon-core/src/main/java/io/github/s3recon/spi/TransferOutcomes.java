package io.github.s3recon.spi;

import io.github.s3recon.S3ReconException;
import io.github.s3recon.event.MigrationListener;
import io.github.s3recon.event.ObjectCopied;
import io.github.s3recon.event.ObjectDeleted;
import io.github.s3recon.event.ObjectFailed;
import io.github.s3recon.event.TransferRetried;

/**
 * Where a {@link TransferScheduler.TransferSession} reports what became of each submitted object:
 * exactly one of {@link #copied}, {@link #deleted} or {@link #failed} per submitted copy or
 * deletion, and {@link #retried} for each retry on the way. Given to the session by
 * {@link TransferContext#outcomes()}. The migration's engine receives them here to record each
 * outcome in its task journal before it tells the user's {@link MigrationListener}s; this is the
 * transfer's own channel, separate from the listeners, which only observe. The event records are
 * the payloads: they are data.
 *
 * <p>Threading: the methods are called from the session's threads and from the S3 client's
 * completion threads, several at once for different objects, and never while the session holds a
 * lock; implementations are thread-safe and return quickly.
 *
 * <p>Exceptions: implementations must not throw. If one throws anyway, the session is not broken
 * by it: the object still ends once and is counted in the totals, the other objects go on and are
 * reported, and the retry goes ahead; the first such exception is logged (WARN) and
 * {@link TransferScheduler.TransferSession#awaitCompletion()} throws it once every object has
 * ended, so that a broken receiver is not hidden (an {@link S3ReconException} as it is, anything
 * else wrapped in one with code {@code COPY_FAILED}); later ones are not logged.
 */
public interface TransferOutcomes {

    /** Ignores every outcome: for a caller that only wants the session's totals. */
    TransferOutcomes NONE = new TransferOutcomes() {
        @Override
        public void copied(ObjectCopied event) {
        }

        @Override
        public void deleted(ObjectDeleted event) {
        }

        @Override
        public void failed(ObjectFailed event) {
        }

        @Override
        public void retried(TransferRetried event) {
        }

        @Override
        public String toString() {
            return "TransferOutcomes.NONE";
        }
    };

    /**
     * Returns outcomes that are passed on to a listener as its events ({@code onObjectCopied},
     * {@code onObjectDeleted}, {@code onObjectFailed}, {@code onRetry}): for a caller that drives a
     * scheduler directly and just wants the events. What the listener throws reaches the session,
     * which handles it as this interface says (it is not isolated as a migration isolates its
     * listeners).
     *
     * @param listener receives the events; not null
     * @return the outcomes; thread-safe if the listener is
     * @throws S3ReconException with code {@code INVALID_CONFIGURATION} if {@code listener} is null
     */
    static TransferOutcomes notifying(MigrationListener listener) {
        MigrationListener l = S3ReconException.requireSetting(listener, "listener");
        return new TransferOutcomes() {
            @Override
            public void copied(ObjectCopied event) {
                l.onObjectCopied(event);
            }

            @Override
            public void deleted(ObjectDeleted event) {
                l.onObjectDeleted(event);
            }

            @Override
            public void failed(ObjectFailed event) {
                l.onObjectFailed(event);
            }

            @Override
            public void retried(TransferRetried event) {
                l.onRetry(event);
            }

            @Override
            public String toString() {
                return "TransferOutcomes.notifying(" + l + ")";
            }
        };
    }

    /**
     * An object was copied (server-side or relayed, verified as the session verifies copies).
     *
     * @param event the object, its size, mode, attempts and checksum; not null
     */
    void copied(ObjectCopied event);

    /**
     * An object was deleted from the destination.
     *
     * @param event the object and the attempts; not null
     */
    void deleted(ObjectDeleted event);

    /**
     * An object's copy or deletion failed for good, was cancelled (code {@code INTERRUPTED}), or
     * a deletion was not done because the object changed since it was planned (code
     * {@code DELETE_FAILED}, counted in {@link TransferScheduler.TransferTotals#deletionsKept()}).
     *
     * @param event the object, the action, the error and the attempts; not null
     */
    void failed(ObjectFailed event);

    /**
     * A request failed with a transient error and will be sent again after a backoff. Not an
     * outcome: the object's outcome comes later.
     *
     * @param event the object, the failed attempt, the reason and the backoff; not null
     */
    void retried(TransferRetried event);
}
