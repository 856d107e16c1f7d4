package io.github.s3recon.spi;

import io.github.s3recon.ObjectEntry;

/**
 * The copy engine: opens a {@link TransferSession} per run, into which the migration feeds the
 * copies and deletions of its fix plan. The built-in one is {@code SizeTieredScheduler}
 * ({@code s3recon-transfer}), found through a {@link TransferSchedulerProvider} when the builder
 * is given none.
 *
 * <p>Implementations are thread-safe; one scheduler may serve several sessions, one after another
 * or at once. Failures of single objects are reported to the context's
 * {@link TransferContext#outcomes() outcomes} ({@link TransferOutcomes#failed}), never thrown.
 */
public interface TransferScheduler extends AutoCloseable {

    /**
     * Opens a session that copies from the context's source to its destination.
     *
     * @param context the run's locations, options and where outcomes go; not null
     * @return the session; the caller closes it
     */
    TransferSession open(TransferContext context);

    /**
     * Returns how this scheduler splits objects into size lanes and how many it moves at once in
     * each; {@code Migration.estimate()} projects durations with it. The default is
     * {@link Lanes#DEFAULTS}, the built-in engine's defaults.
     *
     * @return the lanes; not null
     */
    default Lanes lanes() {
        return Lanes.DEFAULTS;
    }

    /**
     * The size lanes of a scheduler: objects smaller than the threshold go to the small lane (one
     * request each, many at once), the others to the large lane (multipart, fewer at once).
     * Immutable.
     *
     * @param smallObjectThreshold the size in bytes from which an object is large; positive
     * @param smallObjectConcurrency how many small objects are copied at once; positive
     * @param largeObjectConcurrency how many large objects are copied at once; positive
     */
    record Lanes(long smallObjectThreshold, int smallObjectConcurrency, int largeObjectConcurrency) {

        /** The built-in engine's defaults: 16 MiB, 128 small and 8 large objects at once. */
        public static final Lanes DEFAULTS = new Lanes(16L << 20, 128, 8);

        /** Validates the components, with messages that carry the value. */
        public Lanes {
            if (smallObjectThreshold <= 0 || smallObjectConcurrency <= 0 || largeObjectConcurrency <= 0) {
                throw new io.github.s3recon.S3ReconException(io.github.s3recon.ErrorCode.INVALID_CONFIGURATION,
                        "lanes need a positive threshold and concurrencies, were " + smallObjectThreshold + ", "
                                + smallObjectConcurrency + ", " + largeObjectConcurrency);
            }
        }
    }

    /** Releases what the scheduler holds (threads, timers); the S3 clients stay the caller's. The default does nothing. */
    @Override
    default void close() {
    }

    /**
     * The copies and deletions of one run. {@link #copy} and {@link #delete} are called from one
     * thread, the migration's, and may block to keep the in-flight work within the scheduler's
     * budget (back-pressure); the work itself runs on the scheduler's threads, which report each
     * outcome to the context's {@link TransferOutcomes} exactly once per submitted object.
     */
    interface TransferSession extends AutoCloseable {

        /**
         * Submits the copy of a source object to the same key under the destination's prefix,
         * replacing what is there.
         *
         * @param source the source's entry, its key relative to the source's prefix; not null
         * @throws io.github.s3recon.S3ReconException with code {@code INTERRUPTED} if the thread is
         *     interrupted while waiting for room
         */
        void copy(ObjectEntry source);

        /**
         * Submits a copy, saying whether it is new ({@code COPY}) or replaces a differing object
         * ({@code RECOPY}), so that its {@link io.github.s3recon.event.ObjectFailed} event can say
         * so. The default ignores the action and calls {@link #copy(ObjectEntry)}.
         *
         * @param source the source's entry, its key relative to the source's prefix; not null
         * @param action {@code COPY} or {@code RECOPY}; not null
         * @throws io.github.s3recon.S3ReconException with code {@code INTERRUPTED} if the thread is
         *     interrupted while waiting for room
         */
        default void copy(ObjectEntry source, io.github.s3recon.TransferAction action) {
            copy(source);
        }

        /**
         * Submits the deletion of a destination object. The object is deleted only if it is still
         * the one given: the same ETag (else the same size and LastModified), checked with a HEAD and
         * sent as {@code If-Match} on the {@code DeleteObject} where the server honours it. One
         * rewritten or gone since it was listed is kept, counted in
         * {@link TransferTotals#deletionsKept()} and reported as a {@link TransferOutcomes#failed} that says so.
         *
         * @param destination the destination's entry, its key relative to the destination's prefix; not null
         */
        void delete(ObjectEntry destination);

        /**
         * Waits until every submitted copy and deletion has ended (copied, deleted or failed).
         *
         * @return what the session did
         * @throws io.github.s3recon.S3ReconException with code {@code INTERRUPTED} if interrupted; or,
         *     once every object has ended, the first exception the context's {@link TransferOutcomes}
         *     threw (see there)
         */
        TransferTotals awaitCompletion();

        /**
         * Stops: submitted work that has not started ends as failed with code {@code INTERRUPTED},
         * requests in flight are aborted, and multipart uploads in progress are aborted. Callable
         * from any thread.
         */
        void cancel();

        /** Cancels what is still running and releases the session. */
        @Override
        void close();
    }

    /**
     * What a session did, for the report. Immutable.
     *
     * @param objectsCopied objects copied
     * @param bytesCopied bytes of the copied objects
     * @param objectsServerSide of the copied objects, those copied by the server
     * @param bytesServerSide bytes of those
     * @param objectsRelayed of the copied objects, those relayed through the JVM
     * @param bytesRelayed bytes of those
     * @param objectsDeleted objects deleted
     * @param objectsFailed objects whose copy or deletion failed for good
     * @param retries requests retried after a transient error
     * @param deletionsKept planned deletions that were not done because the destination object was
     *     no longer the one the plan saw (rewritten or gone since the plan); each is also reported
     *     as an {@link io.github.s3recon.event.ObjectFailed}, and is not counted in {@code objectsFailed}
     * @param notes what the session learned about the servers that the run's history should say,
     *     e.g. a destination that stores uploads wrongly and was switched to plain uploads, once
     *     each; null means none; never null once built
     */
    record TransferTotals(long objectsCopied, long bytesCopied, long objectsServerSide, long bytesServerSide,
            long objectsRelayed, long bytesRelayed, long objectsDeleted, long objectsFailed, long retries,
            long deletionsKept, java.util.List<String> notes) {

        /** Nothing done. */
        public static final TransferTotals NONE = new TransferTotals(0, 0, 0, 0, 0, 0, 0, 0, 0);

        /** Copies the notes. */
        public TransferTotals {
            notes = notes == null ? java.util.List.of() : java.util.List.copyOf(notes);
        }

        /**
         * Totals without kept deletions and notes (the constructor of earlier versions).
         *
         * @param objectsCopied objects copied
         * @param bytesCopied bytes of the copied objects
         * @param objectsServerSide of the copied objects, those copied by the server
         * @param bytesServerSide bytes of those
         * @param objectsRelayed of the copied objects, those relayed through the JVM
         * @param bytesRelayed bytes of those
         * @param objectsDeleted objects deleted
         * @param objectsFailed objects whose copy or deletion failed for good
         * @param retries requests retried after a transient error
         */
        public TransferTotals(long objectsCopied, long bytesCopied, long objectsServerSide, long bytesServerSide,
                long objectsRelayed, long bytesRelayed, long objectsDeleted, long objectsFailed, long retries) {
            this(objectsCopied, bytesCopied, objectsServerSide, bytesServerSide, objectsRelayed, bytesRelayed,
                    objectsDeleted, objectsFailed, retries, 0, java.util.List.of());
        }
    }
}
