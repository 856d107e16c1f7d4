package io.github.s3recon.event;

/**
 * Receives the events of a run. Every method has a no-op default; implement what you need.
 *
 * <p>Threading: methods are called from the engine's threads, possibly several at once for
 * different events; implementations must be thread-safe, must return quickly and must not block
 * (hand slow work to a queue of your own). Listeners only observe: the engine keeps its own
 * checkpoint and task journal, so nothing a listener does or fails to do changes what a run does or
 * how it resumes. A listener that throws is isolated: its first exception in a run is logged (a
 * WARN with the exception's class and message), later ones are only counted, and neither the run
 * nor the other listeners are affected.
 *
 * <p>Order: a run starts with a {@link StateChanged} into {@code INITIALIZING}; every further
 * phase is announced by a {@link StateChanged}; {@link ProgressSnapshot}s and
 * {@link DifferenceFound}s come between them; the terminal state is announced by exactly one
 * {@link RunFinished}, which comes last. A reconcile run goes INITIALIZING, LISTING (with
 * progress), COMPARING (with the differences, in key order), REPORTING, then RunFinished. A
 * migration run goes INITIALIZING, LISTING, COMPARING, TRANSFERRING (with an
 * {@link ObjectCopied}, {@link ObjectDeleted} or {@link ObjectFailed} per object, in completion
 * order, and {@link TransferRetried}s), VERIFYING (a second listing, with the differences that
 * remain), REPORTING, then RunFinished.
 */
public interface MigrationListener {

    /** A listener that ignores every event. */
    MigrationListener NONE = new MigrationListener() {
    };

    /**
     * Returns a listener that logs state changes, a resume, throttled progress, the end of each
     * phase, differences and objects (at DEBUG), failed objects (WARN) and the end of the run (INFO;
     * WARN for a cancel, ERROR for a failure) through SLF4J, under the logger
     * {@code io.github.s3recon.Migration}. Keys and messages are redacted as by
     * {@link io.github.s3recon.Redact}.
     *
     * @return the logging listener
     */
    static MigrationListener logging() {
        return LoggingListener.INSTANCE;
    }

    /**
     * The run entered a new state.
     *
     * @param event the transition; never null
     */
    default void onStateChanged(StateChanged event) {
    }

    /**
     * A throttled progress snapshot.
     *
     * @param event the snapshot; never null
     */
    default void onProgress(ProgressSnapshot event) {
    }

    /**
     * A difference was found.
     *
     * @param event the difference; never null
     */
    default void onDifference(DifferenceFound event) {
    }

    /**
     * An object was copied.
     *
     * @param event the copy; never null
     */
    default void onObjectCopied(ObjectCopied event) {
    }

    /**
     * An extraneous object was deleted from the destination.
     *
     * @param event the deletion; never null
     */
    default void onObjectDeleted(ObjectDeleted event) {
    }

    /**
     * A copy or delete failed for good; the run goes on.
     *
     * @param event the failure; never null
     */
    default void onObjectFailed(ObjectFailed event) {
    }

    /**
     * A transfer request failed with a transient error and will be retried.
     *
     * @param event the retry; never null
     */
    default void onRetry(TransferRetried event) {
    }

    /**
     * The run goes on from the checkpoint of an unfinished run. At most once, right after the
     * StateChanged into INITIALIZING.
     *
     * @param event the resume; never null
     */
    default void onResumed(RunResumed event) {
    }

    /**
     * A phase began.
     *
     * @param event the phase; never null
     */
    default void onPhaseStarted(PhaseStarted event) {
    }

    /**
     * A phase ended normally, with its counts and duration.
     *
     * @param event the phase's end; never null
     */
    default void onPhaseFinished(PhaseFinished event) {
    }

    /**
     * The run ended. Called exactly once, last.
     *
     * @param event the outcome; never null
     */
    default void onFinished(RunFinished event) {
    }
}
