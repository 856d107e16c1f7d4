package io.github.s3recon;

import java.util.Iterator;
import java.util.Objects;

/**
 * Diffs two listings sorted by {@link KeyOrder#UTF8} by walking them in lock step, like the merge
 * step of merge sort: memory stays constant whatever the number of keys, because no entry is held
 * beyond the two current heads.
 *
 * <p>Each input is checked to ascend strictly; the first entry that does not (an out-of-order or
 * repeated key) stops the diff with an {@link S3ReconException} of code
 * {@link ErrorCode#UNSORTED_INPUT}, naming the side and the keys. Results delivered to the sink
 * before that are unreliable; the engine then sorts that side and diffs again.
 *
 * <p>Keys present on both sides are compared by the first rule that applies:
 * <ol>
 *   <li>sizes differ: {@link Difference.SizeMismatch};</li>
 *   <li>both empty: equal ({@link MatchRule#EMPTY});</li>
 *   <li>both carry a full-object checksum of the same algorithm: compare it;</li>
 *   <li>both ETags are plain MD5s: compare them;</li>
 *   <li>both are multipart ETags with the same part count: equal ETags prove equal content; unequal
 *       ones prove different content if the part sizes are equal too;</li>
 *   <li>the destination carries the fingerprint s3recon recorded when it copied this source
 *       version ({@link Fingerprint}): equal;</li>
 *   <li>otherwise {@link Difference.Unverified}, unless the diff is {@link #deep}: then both are read
 *       and their bytes compared.</li>
 * </ol>
 * A size or content difference where the destination was last modified before the source is
 * reported as {@link Difference.Stale} instead.
 *
 * <p>Listings say which checksum an object carries but not its value, and nothing of part sizes;
 * a {@link DetailsLookup} supplies them (e.g. with HeadObject) only for the keys whose ETags cannot
 * decide (rules 4 and 5 are tried before a lookup for rule 3, which gives the same outcome for any
 * honest server and saves two requests per key). Without a lookup, such keys are compared on what
 * the entries carry.
 *
 * <p>Instances are immutable and thread-safe; each {@link #diff} call runs on the calling thread.
 */
public final class MergeDiff {

    private static final MergeDiff WITHOUT_LOOKUP = new MergeDiff(null, false, false);
    private static final MergeDiff SIZES_ONLY = new MergeDiff(null, false, true);

    private final DetailsLookup lookup;
    private final boolean deep;
    private final boolean sizesOnly;

    private MergeDiff(DetailsLookup lookup, boolean deep, boolean sizesOnly) {
        this.lookup = lookup;
        this.deep = deep;
        this.sizesOnly = sizesOnly;
    }

    /**
     * Returns a diff that compares on what the entries carry.
     *
     * @return the diff
     */
    public static MergeDiff create() {
        return WITHOUT_LOOKUP;
    }

    /**
     * Returns a diff that asks {@code lookup} for checksum values and part sizes where the
     * entries do not carry them and they would decide a comparison.
     *
     * @param lookup the lookup; not null
     * @return the diff
     * @throws S3ReconException with {@link ErrorCode#INVALID_CONFIGURATION} if {@code lookup} is null
     */
    public static MergeDiff withLookup(DetailsLookup lookup) {
        return new MergeDiff(S3ReconException.requireSetting(lookup, "lookup"), false, false);
    }

    /**
     * Returns a diff like {@link #withLookup(DetailsLookup)} that, for keys no rule can decide,
     * asks the lookup to compare the two objects' bytes ({@link DetailsLookup#sameContent}) instead
     * of reporting them unverified.
     *
     * @param lookup the lookup; not null
     * @return the diff
     * @throws S3ReconException with {@link ErrorCode#INVALID_CONFIGURATION} if {@code lookup} is null
     */
    public static MergeDiff deep(DetailsLookup lookup) {
        return new MergeDiff(S3ReconException.requireSetting(lookup, "lookup"), true, false);
    }

    /**
     * Returns a diff that compares sizes only: keys of equal size are matched by
     * {@link MatchRule#SIZE}, which proves that nothing is missing but not the content.
     *
     * @return the diff
     */
    public static MergeDiff sizesOnly() {
        return SIZES_ONLY;
    }

    /**
     * Diffs two sorted listings, delivering every outcome to the sink in key order.
     *
     * @param source the source's entries, ascending by {@link KeyOrder#UTF8}; not null
     * @param destination the destination's entries, ascending by {@link KeyOrder#UTF8}; not null
     * @param sink receives each match and difference; not null
     * @throws S3ReconException with {@link ErrorCode#UNSORTED_INPUT} if an input does not ascend
     */
    public void diff(Iterator<ObjectEntry> source, Iterator<ObjectEntry> destination, Sink sink) {
        Objects.requireNonNull(sink, "sink");
        Input src = new Input(Side.SOURCE, source);
        Input dst = new Input(Side.DESTINATION, destination);
        ObjectEntry s = src.next();
        ObjectEntry d = dst.next();
        while (s != null && d != null) {
            // Most keys are on both sides: String.equals (vectorised) settles those at once.
            int c = s.key().equals(d.key()) ? 0 : KeyOrder.compareKeys(s.key(), d.key());
            if (c < 0) {
                sink.difference(new Difference.MissingInDestination(s));
                s = src.next();
            } else if (c > 0) {
                sink.difference(new Difference.ExtraInDestination(d));
                d = dst.next();
            } else {
                compare(s, d, sink);
                s = src.next();
                d = dst.next(s);
            }
        }
        for (; s != null; s = src.next()) {
            sink.difference(new Difference.MissingInDestination(s));
        }
        for (; d != null; d = dst.next()) {
            sink.difference(new Difference.ExtraInDestination(d));
        }
    }

    /**
     * Compares one key's two entries by the content rules and delivers the outcome.
     *
     * @param source the source entry; not null
     * @param destination the destination entry with the same key; not null
     * @param sink receives the outcome; not null
     */
    public void compare(ObjectEntry source, ObjectEntry destination, Sink sink) {
        if (source.size() != destination.size()) {
            sink.difference(staleOr(source, destination, new Difference.SizeMismatch(source, destination)));
            return;
        }
        if (source.size() == 0) {
            sink.matched(source, destination, MatchRule.EMPTY);
            return;
        }
        if (sizesOnly) {
            sink.matched(source, destination, MatchRule.SIZE);
            return;
        }
        Verdict v = byChecksum(source.checksum(), destination.checksum());
        if (v != Verdict.UNKNOWN) {
            deliver(v, MatchRule.FULL_OBJECT_CHECKSUM, source, destination, sink);
            return;
        }
        if (source.hasPlainMd5ETag()) {
            // S3 writes ETags in lower case, so equal ones are usually equal strings: then the
            // destination's is a plain MD5 too, with no second scan and no case-blind compare.
            if (source.eTag().equals(destination.eTag())) {
                sink.matched(source, destination, MatchRule.PLAIN_ETAG);
                return;
            }
            if (destination.hasPlainMd5ETag()) {
                deliver(source.eTag().equalsIgnoreCase(destination.eTag()) ? Verdict.EQUAL : Verdict.DIFFERENT,
                        MatchRule.PLAIN_ETAG, source, destination, sink);
                return;
            }
        }
        int parts = source.multipartPartCount();
        boolean sameLayoutCount = parts > 0 && parts == destination.multipartPartCount();
        if (sameLayoutCount && source.eTag().equalsIgnoreCase(destination.eTag())) {
            // The MD5 of the parts' MD5s: equal only for the same parts, so same content and layout.
            sink.matched(source, destination, MatchRule.MULTIPART_ETAG);
            return;
        }
        // The ETags cannot decide: only now is a lookup worth its requests.
        if (lookup != null && mayCompareChecksums(source.checksum(), destination.checksum())) {
            v = byChecksum(lookup.checksum(Side.SOURCE, source), lookup.checksum(Side.DESTINATION, destination));
            if (v != Verdict.UNKNOWN) {
                deliver(v, MatchRule.FULL_OBJECT_CHECKSUM, source, destination, sink);
                return;
            }
        }
        if (sameLayoutCount && lookup != null) {
            long sp = lookup.firstPartSize(Side.SOURCE, source);
            long dp = lookup.firstPartSize(Side.DESTINATION, destination);
            if (sp > 0 && sp == dp) {
                deliver(Verdict.DIFFERENT, MatchRule.MULTIPART_ETAG, source, destination, sink);
                return;
            }
        }
        if (lookup != null) {
            v = byFingerprint(source, destination);
            if (v != Verdict.UNKNOWN) {
                deliver(v, MatchRule.RECORDED_FINGERPRINT, source, destination, sink);
                return;
            }
            if (deep) {
                Boolean same = lookup.sameContent(source, destination);
                if (same != null) {
                    deliver(same ? Verdict.EQUAL : Verdict.DIFFERENT, MatchRule.DEEP, source, destination, sink);
                    return;
                }
            }
        }
        sink.difference(new Difference.Unverified(source, destination));
    }

    /**
     * Rule 5: the fingerprint s3recon recorded in the destination's metadata when it copied the
     * object. It proves the destination a copy of this very source version (same ETag and size);
     * if it also recorded a checksum and the destination stores one of that algorithm, they must
     * agree, so that a destination overwritten since the copy with its metadata kept is caught.
     */
    private Verdict byFingerprint(ObjectEntry source, ObjectEntry destination) {
        Fingerprint recorded = lookup.recordedFingerprint(destination);
        if (recorded == null || recorded.size() != source.size() || source.eTag() == null) {
            return Verdict.UNKNOWN;
        }
        if (!recorded.sourceETag().equalsIgnoreCase(source.eTag())) {
            return Verdict.DIFFERENT; // the source was rewritten since it was copied
        }
        Checksum copied = recorded.checksum();
        if (copied != null) {
            Checksum stored = destination.checksum() != null && destination.checksum().hasValue()
                    ? destination.checksum() : lookup.checksum(Side.DESTINATION, destination);
            Verdict v = byChecksum(copied, stored);
            if (v != Verdict.UNKNOWN) {
                return v;
            }
        }
        return Verdict.EQUAL;
    }

    private static void deliver(Verdict v, MatchRule rule, ObjectEntry s, ObjectEntry d, Sink sink) {
        if (v == Verdict.EQUAL) {
            sink.matched(s, d, rule);
        } else {
            sink.difference(staleOr(s, d, new Difference.ContentMismatch(s, d)));
        }
    }

    private static Difference staleOr(ObjectEntry s, ObjectEntry d, Difference difference) {
        if (s.lastModified() != null && d.lastModified() != null && d.lastModified().isBefore(s.lastModified())) {
            return new Difference.Stale(s, d);
        }
        return difference;
    }

    private static boolean mayCompareChecksums(Checksum a, Checksum b) {
        // Composite checksums are never compared, so fetching their values would be wasted requests.
        return a != null && b != null && a.algorithm() == b.algorithm() && (!a.hasValue() || !b.hasValue())
                && a.type() != ChecksumType.COMPOSITE && b.type() != ChecksumType.COMPOSITE;
    }

    private static Verdict byChecksum(Checksum a, Checksum b) {
        if (a == null || b == null || a.algorithm() != b.algorithm() || !a.hasValue() || !b.hasValue()
                || a.type() != ChecksumType.FULL_OBJECT || b.type() != ChecksumType.FULL_OBJECT) {
            return Verdict.UNKNOWN;
        }
        return a.value().equals(b.value()) ? Verdict.EQUAL : Verdict.DIFFERENT;
    }

    private enum Verdict { EQUAL, DIFFERENT, UNKNOWN }

    /** Which listing an entry comes from. */
    public enum Side {
        /** The source listing. */
        SOURCE,
        /** The destination listing. */
        DESTINATION
    }

    /**
     * Fetches what a listing does not say about an object and a HeadObject does. Called on the
     * diffing thread, for the few keys where it decides a comparison; may block. Must not throw for
     * an object that vanished since it was listed: return null or 0.
     */
    public interface DetailsLookup {
        /**
         * Returns an object's stored checksum with its value and type.
         *
         * @param side which listing the entry comes from; not null
         * @param entry the entry, its key relative to the location's prefix; not null
         * @return the checksum, or null if the object has none or is gone
         */
        Checksum checksum(Side side, ObjectEntry entry);

        /**
         * Returns the size of part 1 of a multipart object.
         *
         * @param side which listing the entry comes from; not null
         * @param entry the entry, its key relative to the location's prefix; not null
         * @return the size, or 0 when unknown
         */
        long firstPartSize(Side side, ObjectEntry entry);

        /**
         * Returns the fingerprint that s3recon recorded in a destination object's metadata when it
         * copied it. The default knows none.
         *
         * @param destination the destination's entry, its key relative to the prefix; not null
         * @return the fingerprint, or null if the object has none or is gone
         */
        default Fingerprint recordedFingerprint(ObjectEntry destination) {
            return null;
        }

        /**
         * Reads both objects and compares their bytes; asked only by a {@link MergeDiff#deep} diff,
         * for keys no other rule can decide. The default cannot.
         *
         * @param source the source's entry; not null
         * @param destination the destination's entry with the same key; not null
         * @return whether the contents are equal, or null when they cannot be read
         */
        default Boolean sameContent(ObjectEntry source, ObjectEntry destination) {
            return null;
        }
    }

    /**
     * Receives a diff's outcomes in key order, on the diffing thread.
     */
    public interface Sink {
        /**
         * A key whose two entries were proved equal. The default does nothing.
         *
         * @param source the source entry; not null
         * @param destination the destination entry; not null
         * @param rule the rule that proved it; not null
         */
        default void matched(ObjectEntry source, ObjectEntry destination, MatchRule rule) {
        }

        /**
         * A difference.
         *
         * @param difference the difference; not null
         */
        void difference(Difference difference);
    }

    /** One side's iterator, checked to ascend strictly. */
    private static final class Input {
        private final Side side;
        private final Iterator<ObjectEntry> entries;
        private String previous;

        Input(Side side, Iterator<ObjectEntry> entries) {
            this.side = side;
            this.entries = Objects.requireNonNull(entries, side.name().toLowerCase(java.util.Locale.ROOT));
        }

        ObjectEntry next() {
            return next(null);
        }

        /**
         * Returns the next entry, checked to ascend unless its key equals the peer's: right after
         * a match, both sides' previous keys are equal, and the peer's key was checked to ascend
         * past it, so an equal key does too. That saves one of the three key comparisons per key
         * present on both sides.
         */
        ObjectEntry next(ObjectEntry peer) {
            if (!entries.hasNext()) {
                return null;
            }
            ObjectEntry e = entries.next();
            String key = e.key();
            if (previous != null && (peer == null || !key.equals(peer.key()))
                    && KeyOrder.compareKeys(previous, key) >= 0) {
                throw new UnsortedInputException(side, previous, key);
            }
            previous = key;
            return e;
        }
    }

    /**
     * Thrown by {@link #diff} when an input does not ascend strictly in UTF-8 byte order.
     */
    public static final class UnsortedInputException extends S3ReconException {
        private static final long serialVersionUID = 1L;
        private final Side side;

        UnsortedInputException(Side side, String previous, String key) {
            super(ErrorCode.UNSORTED_INPUT, "the " + side.name().toLowerCase(java.util.Locale.ROOT)
                    + " listing is not in ascending UTF-8 byte order: key '" + key + "' came after '" + previous
                    + "'; sort it (e.g. through an InventoryStore) before diffing");
            this.side = side;
        }

        /**
         * Returns the side whose listing broke the order.
         *
         * @return the side; never null
         */
        public Side side() {
            return side;
        }
    }
}
