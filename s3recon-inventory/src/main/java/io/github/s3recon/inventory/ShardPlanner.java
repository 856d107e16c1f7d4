package io.github.s3recon.inventory;

import io.github.s3recon.ErrorCode;
import io.github.s3recon.KeyOrder;
import io.github.s3recon.KeyRange;
import io.github.s3recon.S3Location;
import io.github.s3recon.S3ReconException;
import io.github.s3recon.S3Errors;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import software.amazon.awssdk.services.s3.model.CommonPrefix;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Response;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * Splits a location's key space into contiguous {@link KeyRange}s for parallel listing, from the
 * shape of the bucket: the common prefixes under the location's prefix (delimiter {@code /}
 * fan-out), then, where there are too few of them, the prefixes one level below the widest ones,
 * listed concurrently. Boundaries are picked evenly among what was found.
 *
 * <p>Ranges always partition the key space, however the keys are spread; an uneven spread only
 * makes some ranges longer. Boundaries are cut before the first character at or above U+D800:
 * for such boundaries UTF-16 and UTF-8 order agree, so a range's {@code StartAfter} selects the
 * same keys on servers that sort keys by UTF-16 (as Java-based test servers do) as on S3.
 *
 * <p>Stateless and thread-safe.
 */
public final class ShardPlanner {

    /**
     * Pages of 1,000 entries read per fan-out listing: up to 20 while pages are mostly common
     * prefixes (each stands for many keys), 2 once they are mostly keys; planning must stay cheap.
     */
    private static final int MAX_PAGES_PER_LEVEL = 20;
    private static final int MAX_PAGES_OF_KEYS = 2;
    /** Characters that extend a common prefix when a level has more entries than were read. */
    private static final String ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
    /** Wider prefixes expanded one level down when the first level has too few boundaries. */
    private static final int MAX_EXPANSIONS = 64;

    private ShardPlanner() {
    }

    /**
     * Plans about {@code ranges} ranges for a location.
     *
     * @param location the location; not null
     * @param ranges the wanted number; at least 1
     * @return the ranges in key order; one ({@link KeyRange#ALL}) when the bucket offers no split
     * @throws S3ReconException with {@link ErrorCode#INVALID_CONFIGURATION} if {@code location} is
     *     null or {@code ranges} is less than 1
     */
    public static List<KeyRange> plan(S3Location location, int ranges) {
        S3ReconException.requireSetting(location, "location");
        if (ranges < 1) {
            throw new S3ReconException(ErrorCode.INVALID_CONFIGURATION, "ranges must be at least 1, was " + ranges);
        }
        if (ranges == 1) {
            return List.of(KeyRange.ALL);
        }
        TreeSet<String> candidates = new TreeSet<>(KeyOrder.UTF8);
        List<String> prefixes = new ArrayList<>();
        fanOut(location, location.prefix(), candidates, prefixes);
        if (candidates.size() < ranges * 4L && !prefixes.isEmpty()) {
            // Too few boundaries at the first level: look one page into the widest prefixes, all
            // requests in flight at once (the SDK's futures; no thread blocks per request).
            int relative = location.prefix().length();
            List<CompletableFuture<ListObjectsV2Response>> expansions = new ArrayList<>();
            for (String prefix : prefixes.subList(0, Math.min(prefixes.size(), MAX_EXPANSIONS))) {
                expansions.add(location.client().listObjectsV2(b -> b.bucket(location.bucket())
                        .prefix(location.prefix() + prefix).delimiter("/")));
            }
            for (CompletableFuture<ListObjectsV2Response> expansion : expansions) {
                ListObjectsV2Response response;
                try {
                    response = expansion.join();
                } catch (RuntimeException e) {
                    throw S3Errors.translate(e, location, "listing");
                }
                response.commonPrefixes().forEach(p -> candidates.add(p.prefix().substring(relative)));
                response.contents().forEach(o -> candidates.add(o.key().substring(relative)));
            }
        }
        return split(candidates, ranges);
    }

    /**
     * Picks evenly spaced boundaries among sorted candidates.
     *
     * @param candidates candidate boundaries, relative keys, in UTF-8 order
     * @param ranges the wanted number of ranges
     * @return the ranges
     */
    static List<KeyRange> split(TreeSet<String> candidates, int ranges) {
        TreeSet<String> safe = new TreeSet<>(KeyOrder.UTF8);
        for (String c : candidates) {
            String cut = cutAtSurrogatesAndAbove(c);
            if (!cut.isEmpty()) {
                safe.add(cut);
            }
        }
        List<String> all = new ArrayList<>(safe);
        int n = Math.min(ranges, all.size() + 1);
        if (n <= 1) {
            return List.of(KeyRange.ALL);
        }
        List<KeyRange> out = new ArrayList<>(n);
        String previous = null;
        for (int i = 1; i < n; i++) {
            String boundary = all.get((int) ((long) i * all.size() / n));
            if (previous == null || KeyOrder.compareKeys(previous, boundary) < 0) {
                out.add(new KeyRange(previous, boundary));
                previous = boundary;
            }
        }
        out.add(new KeyRange(previous, null));
        return List.copyOf(out);
    }

    static String cutAtSurrogatesAndAbove(String s) {
        for (int i = 0; i < s.length(); i++) {
            if (s.charAt(i) >= 0xD800) {
                return s.substring(0, i);
            }
        }
        return s;
    }

    /** Lists one level under a prefix with delimiter "/", adding relative boundaries. */
    private static void fanOut(S3Location location, String prefix, TreeSet<String> candidates, List<String> prefixes) {
        String token = null;
        int relative = location.prefix().length();
        int pagesOfKeys = 0;
        for (int page = 0; page < MAX_PAGES_PER_LEVEL && pagesOfKeys < MAX_PAGES_OF_KEYS; page++) {
            String continuation = token;
            ListObjectsV2Response response;
            try {
                response = location.client().listObjectsV2(b -> b.bucket(location.bucket())
                        .prefix(prefix.isEmpty() ? null : prefix).delimiter("/").continuationToken(continuation))
                        .join();
            } catch (RuntimeException e) {
                throw S3Errors.translate(e, location, "listing");
            }
            for (CommonPrefix p : response.commonPrefixes()) {
                String rel = p.prefix().substring(relative);
                candidates.add(rel);
                prefixes.add(rel);
            }
            for (S3Object o : response.contents()) {
                candidates.add(o.key().substring(relative));
            }
            if (response.contents().size() > response.commonPrefixes().size()) {
                pagesOfKeys++;
            }
            token = response.nextContinuationToken();
            if (!Boolean.TRUE.equals(response.isTruncated()) || token == null) {
                return;
            }
        }
        // More entries than planning may read: what was read covers only the start of the key
        // space, so add boundaries that spread over the rest, one per character after the prefix
        // that the entries read have in common.
        if (!candidates.isEmpty()) {
            String first = candidates.first();
            String last = candidates.last();
            int common = 0;
            while (common < Math.min(first.length(), last.length()) && first.charAt(common) == last.charAt(common)) {
                common++;
            }
            String stem = first.substring(0, common);
            for (int i = 0; i < ALPHABET.length(); i++) {
                String c = stem + ALPHABET.charAt(i);
                if (KeyOrder.compareKeys(c, last) > 0) {
                    candidates.add(c);
                }
            }
        }
    }
}
