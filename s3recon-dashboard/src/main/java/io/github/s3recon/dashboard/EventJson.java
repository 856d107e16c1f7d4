package io.github.s3recon.dashboard;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.s3recon.Checksum;
import io.github.s3recon.Difference;
import io.github.s3recon.ObjectEntry;
import io.github.s3recon.Redact;
import io.github.s3recon.S3ReconException;
import io.github.s3recon.event.DifferenceFound;
import io.github.s3recon.event.MigrationEvent;
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
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;

/**
 * The one stable JSON form of every {@link MigrationEvent}, as the dashboard sends it in its event
 * stream; usable by any other consumer (a queue, a log shipper, a test).
 *
 * <p>Every form is an object with {@code "type"} (the names below) and {@code "at"} (ISO-8601
 * instant); durations are whole milliseconds ({@code ...Millis}); an absent value is {@code null}.
 * Fields are only ever added, never renamed or removed.
 *
 * <table>
 * <caption>Event forms</caption>
 * <tr><th>type</th><th>event</th><th>fields besides type and at</th></tr>
 * <tr><td>{@code stateChanged}</td><td>{@link StateChanged}</td><td>{@code from}, {@code to}</td></tr>
 * <tr><td>{@code phaseStarted}</td><td>{@link PhaseStarted}</td><td>{@code phase}</td></tr>
 * <tr><td>{@code phaseFinished}</td><td>{@link PhaseFinished}</td><td>{@code phase}, {@code objects},
 *     {@code bytes}, {@code durationMillis}</td></tr>
 * <tr><td>{@code progress}</td><td>{@link ProgressSnapshot}</td><td>{@code phase}, {@code objectsDone},
 *     {@code objectsTotal} (-1 unknown), {@code bytesDone}, {@code bytesTotal} (-1 unknown),
 *     {@code objectsPerSecond}, {@code bytesPerSecond}, {@code etaMillis} (null unknown),
 *     {@code fractionDone} (-1 unknown), {@code sourceObjects}, {@code sourceBytes},
 *     {@code destinationObjects}, {@code destinationBytes}, {@code elapsedMillis}, {@code resumed}</td></tr>
 * <tr><td>{@code difference}</td><td>{@link DifferenceFound}</td><td>{@code difference}: the form of a
 *     line of {@code differences.jsonl} ({@code type}, {@code key}, {@code source},
 *     {@code destination}, each side {@code size}, {@code eTag}, {@code lastModified},
 *     {@code storageClass}, {@code checksum} or null)</td></tr>
 * <tr><td>{@code objectCopied}</td><td>{@link ObjectCopied}</td><td>{@code key}, {@code bytes},
 *     {@code mode}, {@code attempts}, {@code checksum} ({@code algorithm}, {@code type},
 *     {@code value}) or null</td></tr>
 * <tr><td>{@code objectDeleted}</td><td>{@link ObjectDeleted}</td><td>{@code key}, {@code attempts}</td></tr>
 * <tr><td>{@code objectFailed}</td><td>{@link ObjectFailed}</td><td>{@code key}, {@code action},
 *     {@code attempts}, {@code error} ({@code code}, {@code message})</td></tr>
 * <tr><td>{@code retry}</td><td>{@link TransferRetried}</td><td>{@code key}, {@code attempt},
 *     {@code reason}, {@code backoffMillis}</td></tr>
 * <tr><td>{@code resumed}</td><td>{@link RunResumed}</td><td>{@code runId}, {@code phase},
 *     {@code attempt}</td></tr>
 * <tr><td>{@code finished}</td><td>{@link RunFinished}</td><td>{@code state}, {@code durationMillis},
 *     {@code error} ({@code code} or null, {@code message}) or null</td></tr>
 * </table>
 *
 * <p>Messages pass {@link Redact#text(String)}: no credential or signature reaches the JSON. Keys are
 * written as they are (JSON escapes control characters). Stateless and thread-safe.
 */
public final class EventJson {

    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    private EventJson() {
    }

    /**
     * Returns the {@code type} name of an event's JSON form.
     *
     * @param event the event; not null
     * @return one of the names in the class's table
     */
    public static String type(MigrationEvent event) {
        Objects.requireNonNull(event, "event");
        if (event instanceof StateChanged) {
            return "stateChanged";
        } else if (event instanceof PhaseStarted) {
            return "phaseStarted";
        } else if (event instanceof PhaseFinished) {
            return "phaseFinished";
        } else if (event instanceof ProgressSnapshot) {
            return "progress";
        } else if (event instanceof DifferenceFound) {
            return "difference";
        } else if (event instanceof ObjectCopied) {
            return "objectCopied";
        } else if (event instanceof ObjectDeleted) {
            return "objectDeleted";
        } else if (event instanceof ObjectFailed) {
            return "objectFailed";
        } else if (event instanceof TransferRetried) {
            return "retry";
        } else if (event instanceof RunResumed) {
            return "resumed";
        }
        return "finished"; // the sealed family's last member, RunFinished
    }

    /**
     * Returns an event's JSON form as a tree, e.g. to add fields of one's own.
     *
     * @param event the event; not null
     * @return a new object node
     */
    public static ObjectNode toTree(MigrationEvent event) {
        ObjectNode n = NODES.objectNode();
        n.put("type", type(event));
        n.put("at", event.at().toString());
        if (event instanceof StateChanged e) {
            n.put("from", e.from() == null ? null : e.from().name());
            n.put("to", e.to().name());
        } else if (event instanceof PhaseStarted e) {
            n.put("phase", e.phase().name());
        } else if (event instanceof PhaseFinished e) {
            n.put("phase", e.phase().name());
            n.put("objects", e.objects());
            n.put("bytes", e.bytes());
            n.put("durationMillis", e.duration().toMillis());
        } else if (event instanceof ProgressSnapshot e) {
            progress(n, e);
        } else if (event instanceof DifferenceFound e) {
            n.set("difference", difference(e.difference()));
        } else if (event instanceof ObjectCopied e) {
            n.put("key", e.key());
            n.put("bytes", e.bytes());
            n.put("mode", e.mode().name());
            n.put("attempts", e.attempts());
            n.set("checksum", checksum(e.checksum()));
        } else if (event instanceof ObjectDeleted e) {
            n.put("key", e.key());
            n.put("attempts", e.attempts());
        } else if (event instanceof ObjectFailed e) {
            n.put("key", e.key());
            n.put("action", e.action().name());
            n.put("attempts", e.attempts());
            n.set("error", error(e.error()));
        } else if (event instanceof TransferRetried e) {
            n.put("key", e.key());
            n.put("attempt", e.attempt());
            n.put("reason", Redact.text(e.reason()));
            n.put("backoffMillis", e.backoff().toMillis());
        } else if (event instanceof RunResumed e) {
            n.put("runId", e.runId());
            n.put("phase", e.phase().name());
            n.put("attempt", e.attempt());
        } else if (event instanceof RunFinished e) {
            n.put("state", e.state().name());
            n.put("durationMillis", e.duration().toMillis());
            n.set("error", e.failure() == null ? NODES.nullNode() : error(e.failure()));
        }
        return n;
    }

    /**
     * Returns an event's JSON form as one line of text (no line breaks).
     *
     * @param event the event; not null
     * @return compact JSON
     */
    public static String toJson(MigrationEvent event) {
        try {
            return MAPPER.writeValueAsString(toTree(event));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a JSON tree of strings and numbers always serializes", e);
        }
    }

    /**
     * Returns the JSON form of a difference, the same as a line of {@code differences.jsonl}.
     *
     * @param d the difference; not null
     * @return a new object node
     */
    public static ObjectNode difference(Difference d) {
        ObjectNode n = NODES.objectNode();
        n.put("type", d.type().name());
        n.put("key", d.key());
        n.set("source", entry(d.source()));
        n.set("destination", entry(d.destination()));
        return n;
    }

    private static void progress(ObjectNode n, ProgressSnapshot e) {
        n.put("phase", e.phase().name());
        n.put("objectsDone", e.objectsDone());
        n.put("objectsTotal", e.objectsTotal());
        n.put("bytesDone", e.bytesDone());
        n.put("bytesTotal", e.bytesTotal());
        n.put("objectsPerSecond", e.objectsPerSecond());
        n.put("bytesPerSecond", e.bytesPerSecond());
        n.put("etaMillis", millis(e.eta()));
        n.put("fractionDone", e.fractionDone());
        n.put("sourceObjects", e.sourceObjects());
        n.put("sourceBytes", e.sourceBytes());
        n.put("destinationObjects", e.destinationObjects());
        n.put("destinationBytes", e.destinationBytes());
        n.put("elapsedMillis", e.elapsed().toMillis());
        n.put("resumed", e.resumed());
    }

    private static ObjectNode entry(ObjectEntry e) {
        if (e == null) {
            return null;
        }
        ObjectNode n = NODES.objectNode();
        n.put("size", e.size());
        n.put("eTag", e.eTag());
        n.put("lastModified", instant(e.lastModified()));
        n.put("storageClass", e.storageClass());
        n.set("checksum", checksum(e.checksum()));
        return n;
    }

    private static com.fasterxml.jackson.databind.JsonNode checksum(Checksum c) {
        if (c == null) {
            return NODES.nullNode();
        }
        ObjectNode n = NODES.objectNode();
        n.put("algorithm", c.algorithm() == null ? null : c.algorithm().name());
        n.put("type", c.type() == null ? null : c.type().name());
        n.put("value", c.value());
        return n;
    }

    private static ObjectNode error(Throwable t) {
        ObjectNode n = NODES.objectNode();
        n.put("code", t instanceof S3ReconException s ? s.code().name() : null);
        n.put("message", Redact.text(String.valueOf(t.getMessage())));
        return n;
    }

    private static Long millis(Duration d) {
        return d == null ? null : d.toMillis();
    }

    private static String instant(Instant i) {
        return i == null ? null : i.toString();
    }
}
