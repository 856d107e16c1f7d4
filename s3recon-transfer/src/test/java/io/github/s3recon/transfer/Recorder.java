package io.github.s3recon.transfer;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.s3recon.event.MigrationEvent;
import io.github.s3recon.event.MigrationListener;
import io.github.s3recon.event.ObjectCopied;
import io.github.s3recon.event.ObjectDeleted;
import io.github.s3recon.event.ObjectFailed;
import io.github.s3recon.event.TransferRetried;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/** A listener that records every event in arrival order. Thread-safe. */
final class Recorder implements MigrationListener {

    private final List<MigrationEvent> events = new ArrayList<>();

    @Override
    public synchronized void onObjectCopied(ObjectCopied event) {
        events.add(event);
    }

    @Override
    public synchronized void onObjectDeleted(ObjectDeleted event) {
        events.add(event);
    }

    @Override
    public synchronized void onObjectFailed(ObjectFailed event) {
        events.add(event);
    }

    @Override
    public synchronized void onRetry(TransferRetried event) {
        events.add(event);
    }

    synchronized List<MigrationEvent> events() {
        return List.copyOf(events);
    }

    <T extends MigrationEvent> List<T> of(Class<T> type) {
        return events().stream().filter(type::isInstance).map(type::cast).toList();
    }

    Map<String, ObjectCopied> copied() {
        return of(ObjectCopied.class).stream().collect(Collectors.toMap(ObjectCopied::key, e -> e));
    }

    Map<String, ObjectFailed> failed() {
        return of(ObjectFailed.class).stream().collect(Collectors.toMap(ObjectFailed::key, e -> e));
    }

    /**
     * Asserts the event contract: exactly one outcome per submitted key, and every retry of a key
     * before its outcome.
     */
    void assertOneOutcomeEach(Collection<String> submitted) {
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
}
