package io.github.s3recon.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.s3recon.MigrationState;
import io.github.s3recon.event.DifferenceFound;
import io.github.s3recon.event.MigrationEvent;
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
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.Function;

/**
 * A {@link MigrationListener} for tests that records every event of every type, in the order it
 * arrives, and answers questions about them afterwards.
 *
 * <pre>{@code
 * RecordingListener events = new RecordingListener();
 * try (Migration m = Migration.builder()...listener(events).build()) {
 *     m.run();
 * }
 * assertThat(events.states()).contains(MigrationState.TRANSFERRING);
 * assertThat(events.failed()).isEmpty();
 * events.assertOneOutcomeEach(keys);
 * }</pre>
 *
 * <p>Threading: thread-safe. The engine calls it from several threads at once; every call is
 * recorded under one lock, so {@link #events()} is the order in which the calls took that lock
 * (for events of one thread, the order they were sent). The accessors may be called at any time,
 * also during a run, and return immutable snapshots that later events do not change.
 *
 * <p>One instance may be given to several runs; it then holds the events of all of them, one after
 * the other. The by-key maps ({@link #copied()}, {@link #deleted()}, {@link #failed()}) refuse a key
 * seen twice; use {@link #of(Class)} for the events of several runs. Nothing here returns null.
 */
public final class RecordingListener implements MigrationListener {

    private final List<MigrationEvent> events = new ArrayList<>();

    /** Creates a listener that has recorded nothing yet. */
    public RecordingListener() {
    }

    @Override
    public void onStateChanged(StateChanged event) {
        record(event);
    }

    @Override
    public void onProgress(ProgressSnapshot event) {
        record(event);
    }

    @Override
    public void onDifference(DifferenceFound event) {
        record(event);
    }

    @Override
    public void onObjectCopied(ObjectCopied event) {
        record(event);
    }

    @Override
    public void onObjectDeleted(ObjectDeleted event) {
        record(event);
    }

    @Override
    public void onObjectFailed(ObjectFailed event) {
        record(event);
    }

    @Override
    public void onRetry(TransferRetried event) {
        record(event);
    }

    @Override
    public void onResumed(RunResumed event) {
        record(event);
    }

    @Override
    public void onPhaseStarted(PhaseStarted event) {
        record(event);
    }

    @Override
    public void onPhaseFinished(PhaseFinished event) {
        record(event);
    }

    @Override
    public void onFinished(RunFinished event) {
        record(event);
    }

    private synchronized void record(MigrationEvent event) {
        events.add(Objects.requireNonNull(event, "event"));
    }

    /**
     * Returns every event recorded so far, in arrival order.
     *
     * @return an immutable snapshot; empty before the first event
     */
    public synchronized List<MigrationEvent> events() {
        return List.copyOf(events);
    }

    /**
     * Returns the recorded events of one type, in arrival order.
     *
     * @param type the event type, e.g. {@code ObjectCopied.class}; not null
     * @param <T> the event type
     * @return an immutable snapshot
     */
    public <T extends MigrationEvent> List<T> of(Class<T> type) {
        Objects.requireNonNull(type, "type");
        return events().stream().filter(type::isInstance).map(type::cast).toList();
    }

    /**
     * Returns the states the runs entered ({@link StateChanged#to()}), in order.
     *
     * @return an immutable snapshot
     */
    public List<MigrationState> states() {
        return of(StateChanged.class).stream().map(StateChanged::to).toList();
    }

    /**
     * Returns the progress snapshots of one phase, in order.
     *
     * @param phase the phase, e.g. {@code TRANSFERRING}; not null
     * @return an immutable snapshot
     */
    public List<ProgressSnapshot> progress(MigrationState phase) {
        Objects.requireNonNull(phase, "phase");
        return of(ProgressSnapshot.class).stream().filter(p -> p.phase() == phase).toList();
    }

    /**
     * Returns the differences found, in order.
     *
     * @return an immutable snapshot
     */
    public List<DifferenceFound> differences() {
        return of(DifferenceFound.class);
    }

    /**
     * Returns the retries, in order.
     *
     * @return an immutable snapshot
     */
    public List<TransferRetried> retries() {
        return of(TransferRetried.class);
    }

    /**
     * Returns the ends of the runs, in order: one per run that finished while this listener was
     * registered.
     *
     * @return an immutable snapshot; empty while no run has finished
     */
    public List<RunFinished> finished() {
        return of(RunFinished.class);
    }

    /**
     * Returns the resumes announced, in order: at most one per run.
     *
     * @return an immutable snapshot; empty while no run resumed
     */
    public List<RunResumed> resumed() {
        return of(RunResumed.class);
    }

    /**
     * Returns the phases that began, in order (also those of a validation or an estimate).
     *
     * @return an immutable snapshot
     */
    public List<PhaseStarted> phasesStarted() {
        return of(PhaseStarted.class);
    }

    /**
     * Returns the phases that ended normally, with their counts and durations, in order.
     *
     * @return an immutable snapshot
     */
    public List<PhaseFinished> phasesFinished() {
        return of(PhaseFinished.class);
    }

    /**
     * Returns the copies by key, in arrival order.
     *
     * @return an immutable snapshot
     * @throws IllegalStateException if a key was copied twice (several runs: use {@link #of(Class)})
     */
    public Map<String, ObjectCopied> copied() {
        return byKey(ObjectCopied.class, ObjectCopied::key);
    }

    /**
     * Returns the deletions by key, in arrival order.
     *
     * @return an immutable snapshot
     * @throws IllegalStateException if a key was deleted twice (several runs: use {@link #of(Class)})
     */
    public Map<String, ObjectDeleted> deleted() {
        return byKey(ObjectDeleted.class, ObjectDeleted::key);
    }

    /**
     * Returns the failures by key, in arrival order.
     *
     * @return an immutable snapshot
     * @throws IllegalStateException if a key failed twice (several runs: use {@link #of(Class)})
     */
    public Map<String, ObjectFailed> failed() {
        return byKey(ObjectFailed.class, ObjectFailed::key);
    }

    private <T extends MigrationEvent> Map<String, T> byKey(Class<T> type, Function<T, String> key) {
        Map<String, T> out = new LinkedHashMap<>();
        for (T event : of(type)) {
            if (out.putIfAbsent(key.apply(event), event) != null) {
                throw new IllegalStateException("two " + type.getSimpleName() + " events for key '"
                        + key.apply(event) + "'; this listener saw several runs or a broken event contract: "
                        + "use of(" + type.getSimpleName() + ".class) for every event");
            }
        }
        return Collections.unmodifiableMap(out);
    }

    /**
     * Returns the events as short lines, for {@code containsExactly} outlines: {@code "state LISTING"},
     * {@code "progress LISTING"}, {@code "MISSING_IN_DESTINATION key"}, {@code "copied key"},
     * {@code "deleted key"}, {@code "failed key"}, {@code "retry key"}, {@code "finished COMPLETED"}.
     * A run of equal {@code progress} lines is folded into one, since how many snapshots a phase
     * sends depends on timing. The phase and resume events are left out (they pair with the state
     * changes; see {@link #phaseTimeline()}), so that an outline of what a run does stays short.
     *
     * @return a new list
     */
    public List<String> timeline() {
        List<String> out = new ArrayList<>();
        for (MigrationEvent e : events()) {
            String s;
            if (e instanceof PhaseStarted || e instanceof PhaseFinished || e instanceof RunResumed) {
                continue;
            } else if (e instanceof StateChanged c) {
                s = "state " + c.to();
            } else if (e instanceof ProgressSnapshot p) {
                s = "progress " + p.phase();
            } else if (e instanceof DifferenceFound d) {
                s = d.difference().type() + " " + d.difference().key();
            } else if (e instanceof ObjectCopied c) {
                s = "copied " + c.key();
            } else if (e instanceof ObjectDeleted d) {
                s = "deleted " + d.key();
            } else if (e instanceof ObjectFailed f) {
                s = "failed " + f.key();
            } else if (e instanceof TransferRetried r) {
                s = "retry " + r.key();
            } else {
                s = "finished " + ((RunFinished) e).state();
            }
            if (!(s.startsWith("progress") && !out.isEmpty() && out.get(out.size() - 1).equals(s))) {
                out.add(s);
            }
        }
        return out;
    }

    /**
     * Returns the state changes, resumes and phase events as short lines, for timing outlines:
     * {@code "state LISTING"}, {@code "resumed TRANSFERRING 2"} (the phase and the attempt),
     * {@code "started LISTING"}, {@code "finished LISTING"}. Other events are left out.
     *
     * @return a new list
     */
    public List<String> phaseTimeline() {
        List<String> out = new ArrayList<>();
        for (MigrationEvent e : events()) {
            if (e instanceof StateChanged c) {
                out.add("state " + c.to());
            } else if (e instanceof RunResumed r) {
                out.add("resumed " + r.phase() + " " + r.attempt());
            } else if (e instanceof PhaseStarted p) {
                out.add("started " + p.phase());
            } else if (e instanceof PhaseFinished f) {
                out.add("finished " + f.phase());
            }
        }
        return out;
    }

    /**
     * Asserts the transfer's event contract: exactly one outcome ({@link ObjectCopied},
     * {@link ObjectDeleted} or {@link ObjectFailed}) per submitted key and none for other keys, and
     * every {@link TransferRetried} of a key before its outcome.
     *
     * @param submitted the keys handed to the transfer; not null
     * @throws AssertionError if the contract does not hold
     */
    public void assertOneOutcomeEach(Collection<String> submitted) {
        Objects.requireNonNull(submitted, "submitted");
        Map<String, Integer> outcomes = new HashMap<>();
        Map<String, Integer> outcomeIndex = new HashMap<>();
        List<MigrationEvent> all = events();
        for (int i = 0; i < all.size(); i++) {
            MigrationEvent event = all.get(i);
            String key = event instanceof ObjectCopied e ? e.key()
                    : event instanceof ObjectDeleted e ? e.key()
                    : event instanceof ObjectFailed e ? e.key() : null;
            if (key != null) {
                outcomes.merge(key, 1, Integer::sum);
                outcomeIndex.put(key, i);
            }
        }
        assertThat(outcomes.keySet()).containsExactlyInAnyOrderElementsOf(Set.copyOf(submitted));
        assertThat(outcomes).allSatisfy((key, count) -> assertThat(count).as(key).isOne());
        for (int i = 0; i < all.size(); i++) {
            if (all.get(i) instanceof TransferRetried r) {
                assertThat(outcomeIndex.get(r.key())).as("outcome of %s after its retry", r.key()).isGreaterThan(i);
            }
        }
    }

    @Override
    public synchronized String toString() {
        return "RecordingListener[" + events.size() + " events]";
    }
}
