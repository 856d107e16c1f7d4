package io.github.s3recon;

import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * Lets one run of a migration go at a time (a second caller waits) and lets {@link #cancel()}, from
 * any thread, reach the run in progress or one that is starting: a cancel that falls between a run's
 * start and its first step is kept and handed to that run before it does anything.
 *
 * @param <R> the run type
 */
final class RunGate<R> {

    private final ReentrantLock running = new ReentrantLock();
    private final Consumer<R> canceller;
    /** Guards current, starting and cancelStarting, so that a cancel cannot fall between a run's start and its run. */
    private final Object starts = new Object();
    private R current;
    private int starting;
    private boolean cancelStarting;

    /**
     * @param canceller cancels a run, from any thread, without waiting for it
     */
    RunGate(Consumer<R> canceller) {
        this.canceller = canceller;
    }

    /**
     * Creates a run, waits for the runs before it, and runs it; cancellable all the while.
     *
     * @param create creates the run (outside the lock: it may fail without taking it)
     * @param body what the run does
     * @param <T> the result type
     * @return what the body returns
     */
    <T> T run(Supplier<R> create, Function<R, T> body) {
        synchronized (starts) {
            starting++;
        }
        R r;
        try {
            r = create.get();
            running.lock();
        } catch (RuntimeException | Error e) {
            synchronized (starts) {
                starting--;
            }
            throw e;
        }
        try {
            synchronized (starts) {
                starting--;
                current = r; // after the lock: cancel() reaches the run in progress, not one waiting for it
                if (cancelStarting) {
                    cancelStarting = false;
                    canceller.accept(r); // asked while this run was starting: honoured before it lists anything
                }
            }
            return body.apply(r);
        } finally {
            synchronized (starts) {
                current = null;
            }
            running.unlock();
        }
    }

    /**
     * Runs something that is not a cancellable run (a validation, an estimate, closing) while no run
     * is in progress.
     *
     * @param body what to do
     * @param <T> the result type
     * @return what the body returns
     */
    <T> T exclusive(Supplier<T> body) {
        running.lock();
        try {
            return body.get();
        } finally {
            running.unlock();
        }
    }

    /** Cancels the run in progress or starting; does nothing when there is none. */
    void cancel() {
        R r;
        synchronized (starts) {
            r = current;
            if (r == null && starting > 0) {
                cancelStarting = true; // a run is on its way in: it takes this cancel when it gets there
                return;
            }
        }
        if (r != null) {
            canceller.accept(r);
        }
    }
}
