package io.github.s3recon.dashboard;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.s3recon.MigrationState;
import io.github.s3recon.event.MigrationListener;
import io.github.s3recon.event.StateChanged;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The event stream over real HTTP: a client that reconnects with {@code Last-Event-ID} gets exactly
 * what it missed while that is buffered, is told how much it lost when it is not, and hears a
 * heartbeat when nothing happens. Events come from a host's own migration listener.
 */
class EventStreamTest {

    @TempDir
    Path work;

    @Test
    void reconnectingWithLastEventIdMissesNothingThatIsBuffered() throws Exception {
        try (Dashboard d = Dashboard.builder().port(0).workRoot(work).eventBuffer(10).heartbeat(Duration.ofMillis(200))
                .start()) {
            MigrationListener host = d.listener("nightly");
            try (SseClient first = new SseClient(d.uri().resolve("/api/events"), null)) {
                publish(host, 4);
                List<SseClient.Event> seen = first.until(e -> e.id() == 4, 5_000);
                assertThat(seen).extracting(SseClient.Event::id).containsExactly(1L, 2L, 3L, 4L);
                assertThat(seen.get(0).json().path("migration").asText()).isEqualTo("nightly");
                assertThat(seen.get(0).json().path("type").asText()).isEqualTo("stateChanged");
            }
            publish(host, 3); // 5, 6, 7 while disconnected
            try (SseClient again = new SseClient(d.uri().resolve("/api/events"), "4")) {
                List<SseClient.Event> missed = again.until(e -> e.id() == 7, 5_000);
                assertThat(missed).extracting(SseClient.Event::id).containsExactly(5L, 6L, 7L);
                publish(host, 1);
                assertThat(again.next(5_000).id()).isEqualTo(8L);
            }
            publish(host, 12); // 9..20; the buffer keeps 11..20
            try (SseClient late = new SseClient(d.uri().resolve("/api/events"), "8")) {
                SseClient.Event gap = late.next(5_000);
                assertThat(gap.type()).isEqualTo("gap");
                assertThat(gap.json().path("missed").asLong()).isEqualTo(2);
                assertThat(late.until(e -> e.id() != null && e.id() == 20, 5_000)).extracting(SseClient.Event::id)
                        .containsExactly(11L, 12L, 13L, 14L, 15L, 16L, 17L, 18L, 19L, 20L);
                assertThat(late.nextComment(2_000).data()).isEqualTo("heartbeat");
            }
            // a client filtering by type and migration sees only those
            try (SseClient filtered = new SseClient(d.uri().resolve("/api/events?migration=other&lastEventId=0"), null)) {
                d.listener("other").onStateChanged(new StateChanged(Instant.now(), null, MigrationState.LISTING));
                SseClient.Event only = filtered.next(5_000);
                assertThat(only.json().path("migration").asText()).isEqualTo("other");
                assertThat(only.json().path("from").isNull()).isTrue();
            }
            Http.Answer bad = new Http(d.uri()).get("/api/events?lastEventId=abc");
            assertThat(bad.status()).isEqualTo(400);
            assertThat(bad.json().path("error").path("field").asText()).isEqualTo("lastEventId");
        }
    }

    private static void publish(MigrationListener l, int n) {
        for (int i = 0; i < n; i++) {
            l.onStateChanged(new StateChanged(Instant.now(), MigrationState.LISTING, MigrationState.COMPARING));
        }
    }
}
