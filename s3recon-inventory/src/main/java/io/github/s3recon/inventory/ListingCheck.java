package io.github.s3recon.inventory;

import io.github.s3recon.ErrorCode;
import io.github.s3recon.KeyOrder;
import io.github.s3recon.KeyRange;
import io.github.s3recon.ObjectEntry;
import io.github.s3recon.S3Location;
import io.github.s3recon.S3ReconException;
import io.github.s3recon.Redact;
import io.github.s3recon.S3Errors;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Checks that a ListObjectsV2 listing is whole, page by page, for both S3 listers: a listing that
 * skips keys would make the engine delete destination objects that still exist in the source.
 * Refused, as {@link ErrorCode#LISTING_FAILED} naming bucket, range and the last key seen:
 * <ul>
 *   <li>a page that says {@code IsTruncated=true} but carries no {@code NextContinuationToken} (the
 *       SDK's paginator would silently stop there);
 *   <li>a continuation token that comes back again (the listing would loop or restart);
 *   <li>a key equal to or before the previous key, in UTF-8 byte order (AWS) and in UTF-16 order
 *       (S3Mock, S3Proxy) alike: a repeated page, or a page that goes backwards.
 * </ul>
 * A body that ends early or is not well-formed XML fails in the SDK; {@link #failure} adds the same
 * context to that failure.
 *
 * <p>Not thread-safe in itself, but its methods are synchronized: one listing's pages arrive on
 * SDK or fetcher threads one after another, and its failure is read on the consumer's thread.
 */
final class ListingCheck {

    private final S3Location location;
    private final KeyRange range;
    // The tokens since the last page that moved the keys forward: a loop has to repeat one of them
    // (a loop that returns keys fails the order check first), and the set stays small.
    private final Set<String> tokens = new HashSet<>();
    private String lastToken;
    private String lastKey;
    private long pages;

    ListingCheck(S3Location location, KeyRange range) {
        this.location = location;
        this.range = range;
    }

    /**
     * Checks one page, in listing order.
     *
     * @param truncated the page's IsTruncated
     * @param nextToken the page's NextContinuationToken; null or empty when absent
     * @param entries the page's entries, keys relative to the location's prefix
     * @throws S3ReconException with {@link ErrorCode#LISTING_FAILED} when the listing is not whole
     */
    synchronized void page(boolean truncated, String nextToken, List<ObjectEntry> entries) {
        pages++;
        boolean moved = false;
        for (ObjectEntry e : entries) {
            String key = e.key();
            if (lastKey != null && !after(key, lastKey)) {
                throw refused("page " + pages + " goes back to key '" + Redact.key(location.fullKey(key))
                        + "' (" + (key.equals(lastKey) ? "the same key again" : "before the previous key")
                        + "): the server repeated a page or returned keys out of order");
            }
            lastKey = key;
            moved = true;
        }
        boolean hasToken = nextToken != null && !nextToken.isEmpty();
        if (truncated && !hasToken) {
            throw refused("page " + pages + " says IsTruncated=true but carries no NextContinuationToken: "
                    + "the rest of the listing cannot be fetched");
        }
        if (hasToken) {
            if (moved) {
                tokens.clear();
            }
            if (nextToken.equals(lastToken) || !tokens.add(nextToken)) {
                throw refused("page " + pages + " repeats an earlier continuation token: the listing would loop");
            }
            lastToken = nextToken;
        }
    }

    /**
     * Translates a failure of the listing; a {@link ErrorCode#LISTING_FAILED} gets the range and the
     * last key seen added to its message. Other codes (credentials, unknown host, timeouts) stay as
     * they are: their fix does not depend on where the listing was.
     *
     * @param failure what the listing failed with
     * @return the exception to throw
     */
    synchronized S3ReconException failure(Throwable failure) {
        S3ReconException e = S3Errors.translate(failure, location, "listing");
        if (e.code() != ErrorCode.LISTING_FAILED || e.getMessage().contains(" last key seen: ")) {
            return e;
        }
        return new S3ReconException(ErrorCode.LISTING_FAILED, e.getMessage() + "; " + where(), e.getCause() == null ? e : e.getCause());
    }

    /** Whether a key comes after the previous one in either order a server may use. */
    private static boolean after(String key, String previous) {
        return KeyOrder.compareKeys(key, previous) > 0 || key.compareTo(previous) > 0;
    }

    private S3ReconException refused(String what) {
        return new S3ReconException(ErrorCode.LISTING_FAILED, "the listing of bucket '" + location.bucket()
                + "' is not whole: " + what + "; " + where()
                + ": check the server (or a proxy in front of it) and run again");
    }

    private String where() {
        return "prefix '" + Redact.key(location.prefix()) + "', range " + rangeText() + ", last key seen: "
                + (lastKey == null ? "none" : "'" + Redact.key(location.fullKey(lastKey)) + "'");
    }

    private String rangeText() {
        if (range.isAll()) {
            return "all keys";
        }
        return "after " + (range.startAfter() == null ? "the first key" : "'" + Redact.key(range.startAfter()) + "'")
                + " up to " + (range.endInclusive() == null ? "the last key" : "'" + Redact.key(range.endInclusive()) + "'");
    }
}
