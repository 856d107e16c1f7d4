package io.github.s3recon.internal.run;

import io.github.s3recon.Difference;
import io.github.s3recon.DifferenceCounts;
import io.github.s3recon.FixAction;
import io.github.s3recon.MatchRule;
import io.github.s3recon.ObjectEntry;
import io.github.s3recon.TransferAction;
import io.github.s3recon.internal.DifferencesJson;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * The counts of one range's diff: both sides' objects and bytes, the differences by type, the plan's
 * actions, the matches by rule. Only decided keys are counted, so a checkpoint's tally goes with its
 * last key. Written by the range's thread only; {@link ResumeCodec} encodes it for checkpoints.
 */
final class Tally {

    /** How many counts {@link #counts()} has, in its fixed order. */
    static final int COUNTS = 15;

    long sourceObjects;
    long sourceBytes;
    long destinationObjects;
    long destinationBytes;
    long missing;
    long extra;
    long sizeMismatch;
    long contentMismatch;
    long stale;
    long unverified;
    long copies;
    long recopies;
    long deletes;
    long bytesToCopy;
    long plannedFixes;
    // By rule ordinal: a map with boxed counts cost an allocation per matched key.
    final long[] matchedByRule = new long[MatchRule.values().length];

    void source(ObjectEntry e) {
        sourceObjects++;
        sourceBytes += e.size();
    }

    void destination(ObjectEntry e) {
        destinationObjects++;
        destinationBytes += e.size();
    }

    /** Writes a plan action and counts it. */
    void planned(FixAction a, DifferencesJson.Writer plan) {
        plan.write(a);
        switch (a.action()) {
            case COPY -> copies++;
            case RECOPY -> recopies++;
            case DELETE -> deletes++;
        }
        if (a.action() != TransferAction.DELETE) {
            bytesToCopy += a.source().size();
        }
        if (a.reason() != null) {
            plannedFixes++;
        }
    }

    void matched(MatchRule rule) {
        matchedByRule[rule.ordinal()]++;
    }

    void difference(Difference d) {
        switch (d.type()) {
            case MISSING_IN_DESTINATION -> missing++;
            case EXTRA_IN_DESTINATION -> extra++;
            case SIZE_MISMATCH -> sizeMismatch++;
            case CONTENT_MISMATCH -> contentMismatch++;
            case STALE -> stale++;
            case UNVERIFIED -> unverified++;
        }
    }

    /** The counts (not the matches) in a fixed order, the one {@link #of(long[])} reads. */
    long[] counts() {
        return new long[] {sourceObjects, sourceBytes, destinationObjects, destinationBytes, missing, extra,
            sizeMismatch, contentMismatch, stale, unverified, copies, recopies, deletes, bytesToCopy, plannedFixes};
    }

    /** A tally with the counts of {@link #counts()} and no matches. */
    static Tally of(long[] v) {
        Tally t = new Tally();
        t.sourceObjects = v[0];
        t.sourceBytes = v[1];
        t.destinationObjects = v[2];
        t.destinationBytes = v[3];
        t.missing = v[4];
        t.extra = v[5];
        t.sizeMismatch = v[6];
        t.contentMismatch = v[7];
        t.stale = v[8];
        t.unverified = v[9];
        t.copies = v[10];
        t.recopies = v[11];
        t.deletes = v[12];
        t.bytesToCopy = v[13];
        t.plannedFixes = v[14];
        return t;
    }

    static Tally sum(List<Tally> tallies) {
        long[] sum = new long[COUNTS];
        long[] rules = new long[MatchRule.values().length];
        for (Tally t : tallies) {
            long[] v = t.counts();
            for (int i = 0; i < COUNTS; i++) {
                sum[i] += v[i];
            }
            for (int i = 0; i < rules.length; i++) {
                rules[i] += t.matchedByRule[i];
            }
        }
        Tally total = of(sum);
        System.arraycopy(rules, 0, total.matchedByRule, 0, rules.length);
        return total;
    }

    /** The rules that matched at least once, with their counts. */
    Map<MatchRule, Long> matchedByRule() {
        Map<MatchRule, Long> byRule = new EnumMap<>(MatchRule.class);
        for (MatchRule rule : MatchRule.values()) {
            if (matchedByRule[rule.ordinal()] > 0) {
                byRule.put(rule, matchedByRule[rule.ordinal()]);
            }
        }
        return byRule;
    }

    DifferenceCounts differenceCounts() {
        long matched = Arrays.stream(matchedByRule).sum();
        return new DifferenceCounts(matched, missing, extra, sizeMismatch, contentMismatch, stale, unverified);
    }
}
