package io.github.s3recon.dashboard.internal;

import io.github.s3recon.dashboard.EventJson;
import io.github.s3recon.event.MigrationEvent;
import java.util.ArrayList;
import java.util.List;

/**
 * The last N events of every migration, numbered from 1, for the event stream: a subscriber asks
 * for what came after the last id it saw (a reconnecting browser's {@code Last-Event-ID}) and waits
 * for more. Memory is bounded by the capacity; events older than it are gone, which
 * {@link Batch#missed()} tells. Thread-safe: publishers are the engine's threads.
 */
public final class EventHub {

    /** One buffered event: its id, the migration it belongs to, its type and its JSON form (with "migration"). */
    public record Entry(long id, String migration, String type, String json) {
    }

    /** What a subscriber gets: the entries, and how many it asked for that have left the buffer. */
    public record Batch(List<Entry> entries, long missed) {
    }

    private final Entry[] ring;
    private long nextId = 1;
    private boolean closed;

    /**
     * @param capacity how many events are kept; at least 1
     */
    public EventHub(int capacity) {
        if (capacity < 1) {
            throw new IllegalArgumentException("the event buffer must hold at least 1 event, was " + capacity);
        }
        ring = new Entry[capacity];
    }

    /**
     * Numbers, buffers and hands an event to every waiting subscriber.
     *
     * @param migration the migration's id
     * @param event the event
     */
    public void publish(String migration, MigrationEvent event) {
        var tree = EventJson.toTree(event);
        tree.put("migration", migration);
        String type = EventJson.type(event);
        String json = tree.toString(); // Jackson's compact form, one line
        synchronized (this) {
            long id = nextId++;
            ring[(int) (id % ring.length)] = new Entry(id, migration, type, json);
            notifyAll();
        }
    }

    /** @return the id of the newest event, 0 when none */
    public synchronized long lastId() {
        return nextId - 1;
    }

    /**
     * Returns the events after {@code lastId}, waiting up to {@code waitMillis} when there are none.
     *
     * @param lastId the last id seen; 0 for all that is buffered
     * @param max how many at most
     * @param waitMillis how long to wait for a first event
     * @return the batch; empty entries after the wait, or when closed
     * @throws InterruptedException if the thread is interrupted while waiting
     */
    public synchronized Batch after(long lastId, int max, long waitMillis) throws InterruptedException {
        long deadline = System.nanoTime() + waitMillis * 1_000_000;
        while (!closed && nextId - 1 <= lastId) {
            long left = (deadline - System.nanoTime()) / 1_000_000;
            if (left <= 0) {
                return new Batch(List.of(), 0);
            }
            wait(left);
        }
        long oldest = Math.max(1, nextId - ring.length);
        long from = Math.max(lastId + 1, oldest);
        long missed = from - (lastId + 1);
        List<Entry> out = new ArrayList<>();
        for (long id = from; id < nextId && out.size() < max; id++) {
            out.add(ring[(int) (id % ring.length)]);
        }
        return new Batch(out, missed);
    }

    /** Wakes every waiting subscriber for good. */
    public synchronized void close() {
        closed = true;
        notifyAll();
    }

    /** @return whether {@link #close()} was called */
    public synchronized boolean isClosed() {
        return closed;
    }
}
