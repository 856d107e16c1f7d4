package io.github.s3recon.spi;

import io.github.s3recon.KeyRange;
import io.github.s3recon.ObjectEntry;
import io.github.s3recon.S3Location;
import java.io.InputStream;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * Where a migration's objects come from: everything the engine needs from a source, whatever it
 * is. The S3 bucket ({@code S3BucketSource}) is the first implementation; a manifest of URLs, a
 * file tree or another store implements the same contract.
 *
 * <ul>
 *   <li><b>Listing</b>: entries with keys relative to the source, either in ascending UTF-8 byte
 *       order ({@link #listsInKeyOrder()} true; the engine diffs them as they stream and still
 *       checks the order) or in any order (the engine sorts them through the inventory store, in
 *       bounded memory). Sources that can start a listing in the middle split their key space
 *       with {@link #plan(int)} for parallel ranges.
 *   <li><b>Reading</b>: an object's current attributes ({@link #attributes(String)}) and body
 *       ({@link #open(String, long, long)}), for copies that relay bytes and for verification.
 *   <li><b>Identity</b>: {@link #describe()} names the source in logs, reports and errors;
 *       {@link #location()} is its S3 location when it has one, which allows server-side copies
 *       and the check that source and destination do not overlap.
 * </ul>
 *
 * <p>Keys are the objects' names relative to the source (for a bucket, to its prefix); any
 * Unicode string S3 accepts as a key, spaces, {@code +}, {@code %} and characters outside ASCII
 * included, never normalized nor decoded by the source.
 *
 * <p>Implementations are thread-safe: several ranges are listed, and several objects read, at
 * once. Failures are {@link io.github.s3recon.S3ReconException}s naming the source and what to do.
 * A null argument throws {@link NullPointerException}; a number out of range (ranges below 1, a
 * negative offset, a length below -1) throws {@link io.github.s3recon.S3ReconException} with
 * {@link io.github.s3recon.ErrorCode#INVALID_CONFIGURATION} naming the parameter and the value.
 * The engine does not close a source it was given; the caller that made it does.
 *
 * <p>{@code io.github.s3recon.testkit.ObjectSourceContract} (in {@code s3recon-testkit}) is the
 * test every implementation should pass.
 */
public interface ObjectSource {

    /**
     * Names the source for logs, reports and error messages, e.g. {@code s3://bucket/prefix/} or a
     * manifest's path. Never holds a secret.
     *
     * @return the name; not null
     */
    String describe();

    /**
     * Returns the source's S3 location when it is an S3 bucket (or a prefix of one): the engine then
     * copies server-side where the endpoints allow, and refuses a destination that overlaps it.
     *
     * @return the location, or empty for a source that is not an S3 bucket
     */
    Optional<S3Location> location();

    /**
     * Whether {@link #list(KeyRange)} yields keys in ascending UTF-8 byte order.
     *
     * @return true for sorted listings (S3 ListObjectsV2), false for any order (S3 Inventory files,
     *     manifests)
     */
    boolean listsInKeyOrder();

    /**
     * Splits the key space into about {@code ranges} contiguous ranges in key order, together
     * covering every key exactly once, that can be listed in parallel. A source that cannot start
     * a listing in the middle returns {@link KeyRange#ALL}.
     *
     * @param ranges the wanted number of ranges; at least 1
     * @return the ranges in key order, the first starting at the first key ({@code startAfter}
     *     null), each next one after the previous one's end, the last without an end; never empty
     * @throws io.github.s3recon.S3ReconException with
     *     {@link io.github.s3recon.ErrorCode#INVALID_CONFIGURATION} if {@code ranges} is below 1
     */
    List<KeyRange> plan(int ranges);

    /**
     * Lists the objects whose keys lie in a range, lazily, in memory that does not grow with the
     * object count.
     *
     * @param range the keys to list; not null ({@link KeyRange#ALL} for all)
     * @return the entries, each key once, with its size (ETag, last modified and checksum where the
     *     listing has them); the caller closes the stream, which stops the listing. Failures surface
     *     from the stream.
     */
    Stream<ObjectEntry> list(KeyRange range);

    /**
     * Reads an object's current attributes (size, ETag, last modified, checksum where the source
     * has one).
     *
     * @param key the key relative to the source; not null
     * @return the attributes, with the key as given and the same size and ETag as a listing gives;
     *     empty if the object does not exist (any more)
     */
    Optional<ObjectEntry> attributes(String key);

    /**
     * Opens an object's body, or a byte range of it. A missing object fails here, when opened,
     * not on the first read.
     *
     * @param key the key relative to the source; not null
     * @param offset the first byte, from 0
     * @param length how many bytes, or -1 for all bytes from {@code offset} to the end
     * @return the bytes: fewer than {@code length} when the object ends first, none for
     *     {@code length} 0 or an {@code offset} at or past the end; the caller closes the stream
     */
    InputStream open(String key, long offset, long length);
}
