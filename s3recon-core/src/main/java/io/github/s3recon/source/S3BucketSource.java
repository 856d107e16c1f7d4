package io.github.s3recon.source;

import io.github.s3recon.ErrorCode;
import io.github.s3recon.KeyRange;
import io.github.s3recon.ObjectEntry;
import io.github.s3recon.Redact;
import io.github.s3recon.S3Errors;
import io.github.s3recon.S3Location;
import io.github.s3recon.S3ReconException;
import io.github.s3recon.spi.ObjectLister;
import io.github.s3recon.spi.ObjectSource;
import java.io.InputStream;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.stream.Stream;
import software.amazon.awssdk.core.ResponseInputStream;
import software.amazon.awssdk.core.async.AsyncResponseTransformer;
import software.amazon.awssdk.services.s3.model.ChecksumMode;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.S3Exception;

/**
 * An S3 bucket, or the objects under a prefix of one, as an {@link ObjectSource}: listed by an
 * {@link ObjectLister} (ListObjectsV2, or S3 Inventory reports), read with HeadObject and GetObject
 * through the location's client.
 *
 * <pre>{@code
 * ObjectSource source = new S3BucketSource(S3Location.of(client, "photos", "2024/"), S3ObjectLister.create());
 * }</pre>
 *
 * <ul>
 *   <li>Keys are relative to the location's prefix, in listings and in {@link #attributes} and
 *       {@link #open}; {@code attributes("a.jpg")} reads {@code 2024/a.jpg}.
 *   <li>{@link #listsInKeyOrder()}, {@link #plan(int)} and {@link #list(KeyRange)} are the lister's
 *       ({@code lister.plan(location, ranges)}, {@code lister.list(location, range)}).
 *   <li>{@link #attributes(String)} asks HeadObject for the checksum too
 *       ({@code ChecksumMode.ENABLED}); a 404 is an empty answer. A HEAD carries no error body, so a
 *       bucket that does not exist also answers 404 here: the listing is what reports it.
 *   <li>{@link #open(String, long, long)} sends a {@code Range} header only for a part of an
 *       object. A range starting at or past the end (416) yields no bytes; a server that ignores
 *       {@code Range} (200 without {@code Content-Range}) still yields exactly the bytes asked for.
 *   <li>S3 failures are {@link S3ReconException}s from {@link S3Errors}, naming the bucket, the
 *       endpoint, the full key (control characters escaped, {@link Redact#key}) and the fix.
 *   <li>Null arguments throw {@link NullPointerException}; a number out of range (ranges below 1,
 *       a negative offset, a length below -1) throws {@link S3ReconException} with
 *       {@link ErrorCode#INVALID_CONFIGURATION} naming the parameter and the value.
 * </ul>
 *
 * <p>Immutable and thread-safe as long as the lister is (the built-in ones are). The client and the
 * lister are not owned: whoever made them closes them.
 */
public final class S3BucketSource implements ObjectSource {

    private final S3Location location;
    private final ObjectLister lister;

    /**
     * Creates the source of a location.
     *
     * @param location the bucket and prefix, with the client that reaches them; not null
     * @param lister lists the location; not null; not closed by this source
     * @throws S3ReconException with {@link ErrorCode#INVALID_CONFIGURATION} if an argument is null
     */
    public S3BucketSource(S3Location location, ObjectLister lister) {
        this.location = S3ReconException.requireSetting(location, "location");
        this.lister = S3ReconException.requireSetting(lister, "lister");
    }

    /**
     * Returns {@code s3://bucket/prefix}, with control characters of the prefix escaped; never the
     * endpoint's user-info nor the client's credentials.
     */
    @Override
    public String describe() {
        return "s3://" + location.bucket() + "/" + Redact.key(location.prefix());
    }

    /** Returns the location this source was made with. */
    @Override
    public Optional<S3Location> location() {
        return Optional.of(location);
    }

    /** Returns the lister's {@link ObjectLister#listsInKeyOrder()}. */
    @Override
    public boolean listsInKeyOrder() {
        return lister.listsInKeyOrder();
    }

    /**
     * Returns the lister's plan of the location.
     *
     * @throws S3ReconException with {@link ErrorCode#INVALID_CONFIGURATION} if {@code ranges} is below 1
     */
    @Override
    public List<KeyRange> plan(int ranges) {
        if (ranges < 1) {
            throw S3ReconException.invalidConfiguration("ranges", ranges, "must be at least 1");
        }
        return lister.plan(location, ranges);
    }

    /** Returns the lister's listing of the range of the location. */
    @Override
    public Stream<ObjectEntry> list(KeyRange range) {
        Objects.requireNonNull(range, "range");
        return lister.list(location, range);
    }

    /**
     * Reads an object's attributes with HeadObject, checksum included.
     *
     * @throws S3ReconException for failures other than 404, as {@link S3Errors#translate} words them
     */
    @Override
    public Optional<ObjectEntry> attributes(String key) {
        Objects.requireNonNull(key, "key");
        String fullKey = location.fullKey(key);
        HeadObjectResponse head;
        try {
            head = location.client().headObject(b -> b.bucket(location.bucket()).key(fullKey)
                    .checksumMode(ChecksumMode.ENABLED)).join();
        } catch (RuntimeException e) {
            Throwable t = S3Errors.unwrap(e);
            if (t instanceof NoSuchKeyException || (t instanceof S3Exception s && s.statusCode() == 404)) {
                return Optional.empty();
            }
            throw failure(t, "HeadObject", fullKey);
        }
        return Optional.of(HeadResponses.entry(key, head));
    }

    /**
     * Opens an object, or a byte range of it, with GetObject; the response's headers have arrived
     * when this returns, and the body streams as it is read.
     *
     * @return the bytes; empty for {@code length} 0 (without a request) and for an {@code offset}
     *     at or past the end; fewer than {@code length} when the object ends first
     * @throws S3ReconException with {@link ErrorCode#INVALID_CONFIGURATION} for a negative offset or
     *     a length below -1; for a missing object (404) or another failure, as
     *     {@link S3Errors#translate} words it
     */
    @Override
    public InputStream open(String key, long offset, long length) {
        Objects.requireNonNull(key, "key");
        if (offset < 0) {
            throw S3ReconException.invalidConfiguration("offset", offset, "must not be negative");
        }
        if (length < -1) {
            throw S3ReconException.invalidConfiguration("length", length, "must be -1 (to the end) or at least 0");
        }
        if (length == 0) {
            return InputStream.nullInputStream();
        }
        String fullKey = location.fullKey(key);
        boolean toEnd = length < 0 || offset > Long.MAX_VALUE - length;
        String range = offset == 0 && toEnd ? null : "bytes=" + offset + "-" + (toEnd ? "" : offset + length - 1);
        ResponseInputStream<GetObjectResponse> in;
        try {
            in = location.client().getObject(b -> b.bucket(location.bucket()).key(fullKey).range(range),
                    AsyncResponseTransformer.toBlockingInputStream()).join();
        } catch (RuntimeException e) {
            Throwable t = S3Errors.unwrap(e);
            if (t instanceof S3Exception s && s.statusCode() == 416) {
                return InputStream.nullInputStream(); // the range starts at or past the end
            }
            throw failure(t, "GetObject", fullKey);
        }
        if (range != null && in.response().contentRange() == null) {
            // A 200 with the whole body: the server ignored Range.
            return new RangeWindow(in, offset, toEnd ? -1 : length);
        }
        return in;
    }

    private S3ReconException failure(Throwable t, String operation, String fullKey) {
        return S3Errors.translate(t, location, operation + " of '" + Redact.key(fullKey) + "'");
    }

    /** Returns {@link #describe()}. */
    @Override
    public String toString() {
        return describe();
    }
}
