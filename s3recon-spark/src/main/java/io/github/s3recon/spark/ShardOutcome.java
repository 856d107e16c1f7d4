package io.github.s3recon.spark;

import io.github.s3recon.DifferenceCounts;
import io.github.s3recon.FixPlan;
import io.github.s3recon.MatchRule;
import io.github.s3recon.MigrationState;
import io.github.s3recon.ReconciliationReport;
import io.github.s3recon.S3ReconException;
import io.github.s3recon.ErrorCode;
import io.github.s3recon.TransferSummary;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.io.OutputStream;
import java.io.Serializable;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.EnumMap;
import java.util.Map;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;

/**
 * What one shard's task sends back to the driver: its report's numbers and its differences (and,
 * for a plan, its actions; for a run, its failures) as gzip-compressed JSON Lines in key order, so
 * that the driver merges the shards' files in shard order into one file in key order. Serializable,
 * immutable once made.
 */
final class ShardOutcome implements Serializable {

    private static final long serialVersionUID = 1L;

    final int index;
    final MigrationState state;
    final long sourceObjects;
    final long sourceBytes;
    final long destinationObjects;
    final long destinationBytes;
    /** {@link DifferenceCounts}' seven numbers, in its order. */
    final long[] counts;
    final EnumMap<MatchRule, Long> matchedByRule;
    final Instant startedAt;
    final Instant finishedAt;
    /** {@link TransferSummary}'s numbers for a run, else null (see {@link #transfer(Path)}). */
    final long[] transfer;
    /** copies, recopies, deletes, bytes to copy, for a plan (also the run's guard pass), else null. */
    final long[] plan;
    final byte[] differences;
    final byte[] failures;
    final byte[] actions;

    private ShardOutcome(int index, ReconciliationReport report, long[] plan, byte[] actions) {
        this.index = index;
        this.state = report.state();
        this.sourceObjects = report.source().objects();
        this.sourceBytes = report.source().bytes();
        this.destinationObjects = report.destination().objects();
        this.destinationBytes = report.destination().bytes();
        DifferenceCounts c = report.counts();
        this.counts = new long[] {c.matched(), c.missingInDestination(), c.extraInDestination(), c.sizeMismatch(),
            c.contentMismatch(), c.stale(), c.unverified()};
        this.matchedByRule = new EnumMap<>(MatchRule.class);
        this.matchedByRule.putAll(report.matchedByRule());
        this.startedAt = report.startedAt();
        this.finishedAt = report.finishedAt();
        TransferSummary t = report.transfer();
        this.transfer = t == null ? null : new long[] {t.objectsCopied(), t.bytesCopied(), t.objectsSkipped(),
            t.objectsDeleted(), t.objectsFailed(), t.retries(), t.objectsServerSide(), t.bytesServerSide(),
            t.objectsRelayed(), t.bytesRelayed(), t.deletionsKept(), t.objectsCopiedEarlier(), t.bytesCopiedEarlier()};
        this.plan = plan;
        this.differences = gzip(report.differencesFile());
        this.failures = t == null ? new byte[0] : gzip(t.failuresFile());
        this.actions = actions;
    }

    /** A reconcile's or a run's outcome. */
    static ShardOutcome of(int index, ReconciliationReport report) {
        return new ShardOutcome(index, report, null, new byte[0]);
    }

    /** A plan's outcome: the reconcile's, with the plan's counts and actions. */
    static ShardOutcome of(int index, ReconciliationReport report, FixPlan plan) {
        return new ShardOutcome(index, report, new long[] {plan.copies(), plan.recopies(), plan.deletes(),
            plan.bytesToCopy()}, gzip(plan.file()));
    }

    DifferenceCounts differenceCounts() {
        return new DifferenceCounts(counts[0], counts[1], counts[2], counts[3], counts[4], counts[5], counts[6]);
    }

    long plannedDeletes() {
        return plan == null ? 0 : plan[2];
    }

    /** Java serialization, for the ledger's column. */
    byte[] toBytes() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
            out.writeObject(this);
        } catch (IOException e) {
            throw new IllegalStateException("an outcome is always serializable", e);
        }
        return bytes.toByteArray();
    }

    static ShardOutcome fromBytes(byte[] bytes, String where) {
        try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(bytes))) {
            return (ShardOutcome) in.readObject();
        } catch (IOException | ClassNotFoundException | ClassCastException e) {
            throw new S3ReconException(ErrorCode.STORE_FAILED, "The outcome of a finished shard in " + where
                    + " cannot be read by this version (" + e + "): run the job with the version that started it,"
                    + " or under a new job id.", e);
        }
    }

    /** Appends gzip-compressed bytes, uncompressed, to a stream. */
    static void gunzipTo(byte[] compressed, OutputStream out) throws IOException {
        if (compressed.length == 0) {
            return;
        }
        try (InputStream in = new GZIPInputStream(new ByteArrayInputStream(compressed))) {
            in.transferTo(out);
        }
    }

    private static byte[] gzip(Path file) {
        if (file == null || !Files.exists(file)) {
            return new byte[0];
        }
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (OutputStream out = new GZIPOutputStream(bytes)) {
            Files.copy(file, out);
        } catch (IOException e) {
            throw new S3ReconException(ErrorCode.REPORT_FAILED, "cannot read the shard's file " + file + ": " + e, e);
        }
        return bytes.toByteArray();
    }

    static Map<MatchRule, Long> sum(Map<MatchRule, Long> into, Map<MatchRule, Long> more) {
        more.forEach((rule, n) -> into.merge(rule, n, Long::sum));
        return into;
    }
}
