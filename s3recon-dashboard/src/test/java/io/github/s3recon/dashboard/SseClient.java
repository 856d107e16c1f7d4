package io.github.s3recon.dashboard;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.stream.Stream;

/** Reads a Server-Sent Events stream over real HTTP on a thread of its own, as a browser would. */
final class SseClient implements AutoCloseable {

    /** One event, or a comment (type ":" and the comment as data). */
    record Event(Long id, String type, String data) {
        JsonNode json() {
            try {
                return Http.JSON.readTree(data);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    private final BlockingQueue<Event> events = new LinkedBlockingQueue<>();
    private final Stream<String> lines;
    private final Thread reader;

    SseClient(URI uri, String lastEventId) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(uri).header("Accept", "text/event-stream");
        if (lastEventId != null) {
            b.header("Last-Event-ID", lastEventId);
        }
        HttpResponse<Stream<String>> r = Http.client().send(b.build(), HttpResponse.BodyHandlers.ofLines());
        if (r.statusCode() != 200) {
            throw new IllegalStateException("event stream answered " + r.statusCode());
        }
        lines = r.body();
        reader = new Thread(this::read, "sse-test-reader");
        reader.setDaemon(true);
        reader.start();
    }

    private void read() {
        Long id = null;
        String type = "message";
        StringBuilder data = new StringBuilder();
        try {
            for (String line : (Iterable<String>) lines::iterator) {
                if (line.isEmpty()) {
                    if (data.length() > 0) {
                        events.add(new Event(id, type, data.toString()));
                    }
                    id = null;
                    type = "message";
                    data.setLength(0);
                } else if (line.startsWith(":")) {
                    events.add(new Event(null, ":", line.substring(1).strip()));
                } else if (line.startsWith("id: ")) {
                    id = Long.parseLong(line.substring(4));
                } else if (line.startsWith("event: ")) {
                    type = line.substring(7);
                } else if (line.startsWith("data: ")) {
                    data.append(line.substring(6));
                }
            }
        } catch (RuntimeException closed) {
            // the test closed the stream
        }
    }

    /** @return the next event (not comment) within the timeout, or null */
    Event next(long millis) throws InterruptedException {
        long deadline = System.nanoTime() + millis * 1_000_000;
        while (true) {
            long left = (deadline - System.nanoTime()) / 1_000_000;
            Event e = left <= 0 ? null : events.poll(left, TimeUnit.MILLISECONDS);
            if (e == null || !e.type().equals(":")) {
                return e;
            }
        }
    }

    /** @return the next comment line within the timeout, or null */
    Event nextComment(long millis) throws InterruptedException {
        long deadline = System.nanoTime() + millis * 1_000_000;
        while (true) {
            long left = (deadline - System.nanoTime()) / 1_000_000;
            Event e = left <= 0 ? null : events.poll(left, TimeUnit.MILLISECONDS);
            if (e == null || e.type().equals(":")) {
                return e;
            }
        }
    }

    /** Collects events until one matches (included), failing after the timeout. */
    List<Event> until(Predicate<Event> last, long millis) throws InterruptedException {
        List<Event> out = new ArrayList<>();
        long deadline = System.nanoTime() + millis * 1_000_000;
        while (System.nanoTime() < deadline) {
            Event e = next(Math.max(1, (deadline - System.nanoTime()) / 1_000_000));
            if (e == null) {
                break;
            }
            out.add(e);
            if (last.test(e)) {
                return out;
            }
        }
        throw new AssertionError("no matching event within " + millis + " ms; got " + out.size() + " events, last: "
                + (out.isEmpty() ? "none" : out.get(out.size() - 1)));
    }

    @Override
    public void close() {
        lines.close();
        reader.interrupt();
    }
}
