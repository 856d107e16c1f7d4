package io.github.s3recon.internal.run;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.s3recon.DifferenceCounts;
import io.github.s3recon.FixPlan;
import io.github.s3recon.KeyRange;
import io.github.s3recon.LocationSummary;
import io.github.s3recon.MatchRule;
import io.github.s3recon.S3Location;
import io.github.s3recon.spi.TransferScheduler;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * The one codec of what the engine keeps in the checkpoint store and the store never interprets:
 * a run's {@link ResumeState} (JSON with named fields) and a range's {@link Tally} (a compact
 * binary form, written every thousand keys). Both carry a version; what this version cannot read
 * (an older or newer engine's, or damaged bytes) is {@link Unreadable}, and the run is refused
 * with a message naming {@code newRun(true)} rather than resumed on a guess.
 */
final class ResumeCodec {

    /** The format marker and version of resume states; a change of their meaning bumps the version. */
    static final String FORMAT = "s3recon-resume";
    static final int VERSION = 1;
    /** The first byte of an encoded tally. */
    private static final byte TALLY_VERSION = 1;
    private static final ObjectMapper JSON = new ObjectMapper();

    private ResumeCodec() {
    }

    /** Bytes this engine version cannot read: the caller names the run and what to do. */
    static final class Unreadable extends Exception {
        private static final long serialVersionUID = 1L;

        Unreadable(String message, Throwable cause) {
            super(message, cause);
        }
    }

    // ---- resume state -------------------------------------------------------------------------

    static byte[] encode(ResumeState s) {
        ObjectNode n = JSON.createObjectNode().put("format", FORMAT).put("version", VERSION)
                .put("stage", s.stage().name());
        if (s.ranges() != null) {
            ArrayNode ranges = n.putArray("ranges");
            for (KeyRange r : s.ranges()) {
                ranges.addArray().add(r.startAfter()).add(r.endInclusive());
            }
        }
        if (s.before() != null) {
            n.set("before", comparison(s.before()));
            n.put("planBytes", s.planBytes());
        }
        n.put("submitted", s.submitted());
        if (s.transfer() != null) {
            n.set("transfer", outcome(s.transfer()));
        }
        return n.toString().getBytes(StandardCharsets.UTF_8);
    }

    /**
     * Reads a resume state.
     *
     * @param runDirectory where the run's files are (the state names them relative to it)
     */
    static ResumeState decode(byte[] bytes, Path runDirectory, S3Location source, S3Location destination)
            throws Unreadable {
        return decode(bytes, runDirectory, (o, b) -> new LocationSummary(source.bucket(), source.prefix(), o, b),
                destination);
    }

    /** What a report says of the source, from its counts: a bucket's or another source's ({@code RunSettings.sourceSummary}). */
    interface SourceSummary {
        LocationSummary of(long objects, long bytes);
    }

    static ResumeState decode(byte[] bytes, Path runDirectory, SourceSummary source, S3Location destination)
            throws Unreadable {
        JsonNode n;
        try {
            n = JSON.readTree(bytes);
        } catch (IOException e) {
            throw new Unreadable("it is not a resume state of this version of s3recon (an older version wrote it)", e);
        }
        if (n == null || !n.isObject() || !FORMAT.equals(n.path("format").asText())) {
            throw new Unreadable("it is not a resume state of this version of s3recon (an older version wrote it)",
                    null);
        }
        int version = n.path("version").asInt(-1);
        if (version != VERSION) {
            throw new Unreadable("it is a resume state of version " + version + ", and this version of s3recon reads "
                    + "version " + VERSION + " only", null);
        }
        try {
            List<KeyRange> ranges = null;
            if (n.has("ranges")) {
                ranges = new ArrayList<>();
                for (JsonNode r : n.get("ranges")) {
                    ranges.add(new KeyRange(text(r.get(0)), text(r.get(1))));
                }
            }
            Comparison before = n.has("before") ? comparison(n.get("before"), runDirectory, source, destination) : null;
            TransferOutcome transfer = n.has("transfer") ? outcome(n.get("transfer"), runDirectory) : null;
            return new ResumeState(Stage.valueOf(n.get("stage").asText()), ranges, before,
                    n.path("planBytes").asLong(-1), n.path("submitted").asLong(-1), transfer);
        } catch (RuntimeException e) {
            throw new Unreadable("it is damaged (" + e + ")", e);
        }
    }

    private static String text(JsonNode n) {
        return n == null || n.isNull() ? null : n.asText();
    }

    private static ObjectNode comparison(Comparison c) {
        ObjectNode n = JSON.createObjectNode();
        n.putObject("source").put("objects", c.source().objects()).put("bytes", c.source().bytes());
        n.putObject("destination").put("objects", c.destination().objects()).put("bytes", c.destination().bytes());
        DifferenceCounts k = c.counts();
        n.putObject("counts").put("matched", k.matched()).put("missingInDestination", k.missingInDestination())
                .put("extraInDestination", k.extraInDestination()).put("sizeMismatch", k.sizeMismatch())
                .put("contentMismatch", k.contentMismatch()).put("stale", k.stale()).put("unverified", k.unverified());
        ObjectNode rules = n.putObject("matchedByRule");
        c.matchedByRule().forEach((rule, count) -> rules.put(rule.name(), count));
        n.put("differencesFile", c.differencesFile().getFileName().toString());
        if (c.plan() != null) {
            FixPlan p = c.plan();
            n.putObject("plan").put("file", p.file().getFileName().toString()).put("copies", p.copies())
                    .put("recopies", p.recopies()).put("deletes", p.deletes()).put("bytesToCopy", p.bytesToCopy());
        }
        n.put("plannedFixes", c.plannedFixes());
        return n;
    }

    private static Comparison comparison(JsonNode n, Path runDirectory, SourceSummary source,
            S3Location destination) {
        LocationSummary src = source.of(n.get("source").get("objects").asLong(),
                n.get("source").get("bytes").asLong());
        LocationSummary dst = new LocationSummary(destination.bucket(), destination.prefix(),
                n.get("destination").get("objects").asLong(), n.get("destination").get("bytes").asLong());
        JsonNode k = n.get("counts");
        DifferenceCounts counts = new DifferenceCounts(k.get("matched").asLong(), k.get("missingInDestination").asLong(),
                k.get("extraInDestination").asLong(), k.get("sizeMismatch").asLong(), k.get("contentMismatch").asLong(),
                k.get("stale").asLong(), k.get("unverified").asLong());
        Map<MatchRule, Long> rules = new EnumMap<>(MatchRule.class);
        n.get("matchedByRule").fields().forEachRemaining(e -> rules.put(MatchRule.valueOf(e.getKey()),
                e.getValue().asLong()));
        FixPlan plan = null;
        if (n.has("plan")) {
            JsonNode p = n.get("plan");
            plan = new FixPlan(src, dst, runDirectory.resolve(p.get("file").asText()), p.get("copies").asLong(),
                    p.get("recopies").asLong(), p.get("deletes").asLong(), p.get("bytesToCopy").asLong());
        }
        return new Comparison(src, dst, counts, rules, runDirectory.resolve(n.get("differencesFile").asText()), plan,
                n.get("plannedFixes").asLong());
    }

    private static ObjectNode outcome(TransferOutcome o) {
        TransferScheduler.TransferTotals t = o.totals();
        return JSON.createObjectNode().put("objectsCopied", t.objectsCopied()).put("bytesCopied", t.bytesCopied())
                .put("objectsServerSide", t.objectsServerSide()).put("bytesServerSide", t.bytesServerSide())
                .put("objectsRelayed", t.objectsRelayed()).put("bytesRelayed", t.bytesRelayed())
                .put("objectsDeleted", t.objectsDeleted()).put("objectsFailed", t.objectsFailed())
                .put("retries", t.retries()).put("deletionsKept", t.deletionsKept())
                .put("copiedEarlier", o.copiedEarlier()).put("bytesCopiedEarlier", o.bytesCopiedEarlier())
                .put("skipped", o.skipped()).put("failuresFile", o.failuresFile().getFileName().toString());
    }

    private static TransferOutcome outcome(JsonNode n, Path runDirectory) {
        TransferScheduler.TransferTotals t = new TransferScheduler.TransferTotals(n.get("objectsCopied").asLong(),
                n.get("bytesCopied").asLong(), n.get("objectsServerSide").asLong(), n.get("bytesServerSide").asLong(),
                n.get("objectsRelayed").asLong(), n.get("bytesRelayed").asLong(), n.get("objectsDeleted").asLong(),
                n.get("objectsFailed").asLong(), n.get("retries").asLong(), n.get("deletionsKept").asLong(), List.of());
        return new TransferOutcome(t, n.get("copiedEarlier").asLong(), n.get("bytesCopiedEarlier").asLong(),
                n.get("skipped").asLong(), runDirectory.resolve(n.get("failuresFile").asText()));
    }

    // ---- tallies ------------------------------------------------------------------------------

    /** A tally as bytes: the version, the counts in a fixed order, then the matches by rule name. */
    static byte[] encode(Tally t) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(200);
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeByte(TALLY_VERSION);
            for (long v : t.counts()) {
                out.writeLong(v);
            }
            MatchRule[] rules = MatchRule.values();
            out.writeShort(rules.length);
            for (MatchRule rule : rules) {
                out.writeUTF(rule.name()); // by name: a reordered enum still reads
                out.writeLong(t.matchedByRule[rule.ordinal()]);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e); // not on a byte array
        }
        return bytes.toByteArray();
    }

    static Tally decodeTally(byte[] bytes) throws Unreadable {
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(bytes))) {
            byte version = in.readByte();
            if (version != TALLY_VERSION) {
                throw new Unreadable("a range's tally is of version " + version + ", this version of s3recon reads "
                        + TALLY_VERSION, null);
            }
            long[] counts = new long[Tally.COUNTS];
            for (int i = 0; i < counts.length; i++) {
                counts[i] = in.readLong();
            }
            Tally t = Tally.of(counts);
            for (int i = in.readShort(); i > 0; i--) {
                String name = in.readUTF();
                t.matchedByRule[MatchRule.valueOf(name).ordinal()] = in.readLong();
            }
            return t;
        } catch (IOException | IllegalArgumentException e) {
            throw new Unreadable("a range's tally is damaged (" + e + ")", e);
        }
    }
}
