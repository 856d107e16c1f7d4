package io.github.s3recon.spi;

import io.github.s3recon.KeyRange;
import io.github.s3recon.ObjectEntry;
import io.github.s3recon.S3Location;
import java.util.ServiceLoader;
import java.util.stream.Stream;

/**
 * Lists the objects of a location as a lazy stream, with memory bounded independently of the
 * object count.
 *
 * <p>Entries carry keys relative to the location's prefix, in the order the server lists them
 * (S3 lists in ascending UTF-8 byte order; some servers do not, and the engine checks). Failures
 * surface as {@link io.github.s3recon.S3ReconException}s from the stream, naming the bucket and
 * what to do. The caller closes the stream, which stops the listing.
 *
 * <p>Implementations are thread-safe: several listings may run at once. The built-in lister,
 * found through {@link ServiceLoader} from {@link ObjectListerProvider}, lives in
 * {@code s3recon-inventory}.
 */
public interface ObjectLister extends AutoCloseable {

    /**
     * Lists a location.
     *
     * @param location the location; not null
     * @return the entries; the caller closes the stream
     */
    Stream<ObjectEntry> list(S3Location location);

    /**
     * Lists the keys of a location that lie in a range. The default filters the whole listing;
     * listers that can start in the middle (ListObjectsV2's {@code StartAfter}) override it and stop
     * at the range's end.
     *
     * @param location the location; not null
     * @param range the keys to list, relative to the prefix; not null
     * @return the entries in the range; the caller closes the stream
     */
    default Stream<ObjectEntry> list(S3Location location, KeyRange range) {
        Stream<ObjectEntry> all = list(location);
        return range.isAll() ? all : all.filter(e -> range.contains(e.key()));
    }

    /**
     * Splits a location's key space into about {@code ranges} contiguous ranges that can be listed
     * in parallel, in key order, together covering every key exactly once. The default returns
     * {@link KeyRange#ALL}: listers that cannot start in the middle of a listing need not split.
     *
     * @param location the location; not null
     * @param ranges the wanted number of ranges; at least 1
     * @return the ranges in key order; never empty
     */
    default java.util.List<KeyRange> plan(S3Location location, int ranges) {
        return java.util.List.of(KeyRange.ALL);
    }

    /**
     * Returns whether this lister yields keys in ascending UTF-8 byte order, as S3 lists them.
     * When false (e.g. S3 Inventory files, which are unsorted), the engine sorts the listing
     * through the inventory store before diffing; when true, it diffs the listing as it streams
     * and still checks the order. The default is true.
     *
     * @return whether listings come sorted
     */
    default boolean listsInKeyOrder() {
        return true;
    }

    /** Releases what the lister holds; the default does nothing. */
    @Override
    default void close() {
    }
}
