package io.github.s3recon.internal.run;

import io.github.s3recon.DifferenceCounts;
import io.github.s3recon.FixPlan;
import io.github.s3recon.LocationSummary;
import io.github.s3recon.MatchRule;
import java.nio.file.Path;
import java.util.Map;

/**
 * What the diff stage produced: both sides' totals, the counts, the differences file and, when the
 * pass plans, the fix plan.
 *
 * @param source the source's objects and bytes in scope
 * @param destination the destination's objects and bytes in scope
 * @param counts the differences by type, and the matches
 * @param matchedByRule the matches by the rule that proved them
 * @param differencesFile the differences, one JSON line each, in key order
 * @param plan the fix plan, or null for a pass that does not plan
 * @param plannedFixes how many plan actions fix a difference (not forced re-copies)
 */
record Comparison(LocationSummary source, LocationSummary destination, DifferenceCounts counts,
        Map<MatchRule, Long> matchedByRule, Path differencesFile, FixPlan plan, long plannedFixes) {
}
