package io.github.s3recon.internal;

import io.github.s3recon.S3Errors;
import io.github.s3recon.Checksum;
import io.github.s3recon.Fingerprint;
import io.github.s3recon.MergeDiff;
import io.github.s3recon.ObjectEntry;
import io.github.s3recon.S3Location;
import io.github.s3recon.source.HeadResponses;
import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;
import software.amazon.awssdk.core.async.AsyncResponseTransformer;
import software.amazon.awssdk.services.s3.model.ChecksumMode;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.S3Exception;

/**
 * Answers {@link MergeDiff.DetailsLookup} questions with HeadObject requests (and GetObject for a
 * deep comparison). Confined to one diffing thread: it remembers the last destination HEAD.
 *
 * <p>A question the server cannot answer leaves its rule undecided (null or 0), never fails the
 * run: S3-compatible servers answer what they do not implement with 501 NotImplemented (S3Proxy
 * to HeadObject with {@code partNumber}), 405, or 400 InvalidArgument; an object gone since it
 * was listed (404) is undecided too. Only failures that say nothing about the question (5xx other
 * than 501, network errors) are thrown.
 */
public final class HeadLookup implements MergeDiff.DetailsLookup {

    private final S3Location source;
    private final S3Location destination;
    private ObjectEntry lastEntry;
    private HeadObjectResponse lastHead;
    // Once a side's server said it cannot answer partNumber questions, asking again for every
    // multipart object would only cost a request each.
    private boolean sourcePartsUnsupported;
    private boolean destinationPartsUnsupported;

    /**
     * Creates a lookup on two locations.
     *
     * @param source the source
     * @param destination the destination
     */
    public HeadLookup(S3Location source, S3Location destination) {
        this.source = source;
        this.destination = destination;
    }

    @Override
    public Checksum checksum(MergeDiff.Side side, ObjectEntry entry) {
        HeadObjectResponse head = head(side, entry, null);
        return head == null ? null : HeadResponses.checksum(head);
    }

    @Override
    public Fingerprint recordedFingerprint(ObjectEntry destinationEntry) {
        HeadObjectResponse head = head(MergeDiff.Side.DESTINATION, destinationEntry, null);
        return head == null || !head.hasMetadata() ? null : Fingerprint.fromMetadata(head.metadata());
    }

    @Override
    public Boolean sameContent(ObjectEntry sourceEntry, ObjectEntry destinationEntry) {
        try (InputStream a = open(source, sourceEntry); InputStream b = open(destination, destinationEntry)) {
            if (a == null || b == null) {
                return null;
            }
            byte[] x = new byte[64 * 1024];
            byte[] y = new byte[x.length];
            while (true) {
                int n = a.readNBytes(x, 0, x.length);
                int m = b.readNBytes(y, 0, n == 0 ? 1 : n);
                if (n != m || !Arrays.equals(x, 0, n, y, 0, m)) {
                    return false;
                }
                if (n == 0) {
                    return true;
                }
            }
        } catch (IOException | software.amazon.awssdk.core.exception.SdkException e) {
            return null; // unreadable now (a reset, a timeout): undecided, reported unverified
        }
    }

    private InputStream open(S3Location location, ObjectEntry entry) {
        String key = location.fullKey(entry.key());
        try {
            String eTag = entry.eTag() == null || entry.eTag().startsWith("\"") ? entry.eTag() : '"' + entry.eTag() + '"';
            return location.client().getObject(b -> b.bucket(location.bucket()).key(key).ifMatch(eTag),
                    AsyncResponseTransformer.toBlockingInputStream()).join();
        } catch (RuntimeException e) {
            Throwable t = S3Errors.unwrap(e);
            if (t instanceof S3Exception s && cannotAnswer(s)) {
                return null; // gone or changed since listed, or a GET the server does not implement
            }
            throw S3Errors.translate(t, location, "GetObject of '" + key + "'");
        }
    }

    @Override
    public long firstPartSize(MergeDiff.Side side, ObjectEntry entry) {
        boolean source = side == MergeDiff.Side.SOURCE;
        if (source ? sourcePartsUnsupported : destinationPartsUnsupported) {
            return 0;
        }
        HeadObjectResponse head;
        try {
            head = head(side, entry, 1);
        } catch (PartsUnsupported e) {
            if (source) {
                sourcePartsUnsupported = true;
            } else {
                destinationPartsUnsupported = true;
            }
            return 0;
        }
        if (head == null || head.contentLength() == null) {
            return 0;
        }
        long length = head.contentLength();
        // Part 1 of an object of several parts is shorter than the object: a server that ignores
        // partNumber answers with the whole length, which would make every same-size pair "differ".
        if (entry.multipartPartCount() > 1 && length >= entry.size()) {
            return 0;
        }
        return length;
    }

    private HeadObjectResponse head(MergeDiff.Side side, ObjectEntry entry, Integer partNumber) {
        // One HEAD answers the checksum and the fingerprint questions of the same object.
        boolean cacheable = partNumber == null && side == MergeDiff.Side.DESTINATION;
        if (cacheable && entry == lastEntry) {
            return lastHead;
        }
        HeadObjectResponse head = fetch(side, entry, partNumber);
        if (cacheable) {
            lastEntry = entry;
            lastHead = head;
        }
        return head;
    }

    private HeadObjectResponse fetch(MergeDiff.Side side, ObjectEntry entry, Integer partNumber) {
        S3Location location = side == MergeDiff.Side.SOURCE ? source : destination;
        try {
            return location.client().headObject(b -> b.bucket(location.bucket()).key(location.fullKey(entry.key()))
                    .checksumMode(ChecksumMode.ENABLED).partNumber(partNumber)).join();
        } catch (RuntimeException e) {
            Throwable t = S3Errors.unwrap(e);
            if (t instanceof NoSuchKeyException) {
                return null; // gone since listed: undecided
            }
            if (t instanceof S3Exception s && cannotAnswer(s)) {
                if (partNumber != null && (s.statusCode() == 501 || s.statusCode() == 405)) {
                    throw new PartsUnsupported(); // the whole side, not this object (400 may be one object's)
                }
                return null; // the server does not support the question: undecided
            }
            throw S3Errors.translate(t, location, "HeadObject of '" + location.fullKey(entry.key()) + "'");
        }
    }

    /**
     * Tells whether an error answers "not this question, not this object" rather than "something
     * failed": any 4xx (as before: gone, changed, not allowed, invalid argument) and 501
     * NotImplemented. Other 5xx are failures the SDK already retried.
     */
    static boolean cannotAnswer(S3Exception e) {
        return e.statusCode() < 500 || e.statusCode() == 501;
    }

    /** A HeadObject with partNumber the server answered "not supported". */
    private static final class PartsUnsupported extends RuntimeException {
        PartsUnsupported() {
            super(null, null, false, false);
        }
    }
}
