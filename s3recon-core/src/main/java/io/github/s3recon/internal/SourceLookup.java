package io.github.s3recon.internal;

import io.github.s3recon.Checksum;
import io.github.s3recon.Fingerprint;
import io.github.s3recon.MergeDiff;
import io.github.s3recon.ObjectEntry;
import io.github.s3recon.S3Errors;
import io.github.s3recon.S3Location;
import io.github.s3recon.S3ReconException;
import io.github.s3recon.spi.ObjectSource;
import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;
import software.amazon.awssdk.core.async.AsyncResponseTransformer;
import software.amazon.awssdk.services.s3.model.S3Exception;

/**
 * The {@link MergeDiff.DetailsLookup} of a migration whose source is not an S3 bucket (a manifest
 * of URLs): the destination's questions (checksum, first part, recorded fingerprint) are the
 * {@link HeadLookup}'s; the source has no stored checksum nor parts to ask about, and a deep
 * comparison reads the source through {@link ObjectSource#open} and the destination with a GET.
 *
 * <p>Confined to one diffing thread, like the {@link HeadLookup} it wraps.
 */
public final class SourceLookup implements MergeDiff.DetailsLookup {

    private final ObjectSource source;
    private final HeadLookup destinationLookup;
    private final S3Location destination;

    /**
     * Creates the lookup.
     *
     * @param source the source, read for deep comparisons; not null
     * @param destinationLookup answers the destination's questions; not null
     * @param destination the destination, read for deep comparisons; not null
     */
    public SourceLookup(ObjectSource source, HeadLookup destinationLookup, S3Location destination) {
        this.source = source;
        this.destinationLookup = destinationLookup;
        this.destination = destination;
    }

    /** Returns null for the source (it stores no checksum); the destination's from a HEAD. */
    @Override
    public Checksum checksum(MergeDiff.Side side, ObjectEntry entry) {
        return side == MergeDiff.Side.SOURCE ? null : destinationLookup.checksum(side, entry);
    }

    /** Returns 0 for the source (it has no parts); the destination's from a HEAD. */
    @Override
    public long firstPartSize(MergeDiff.Side side, ObjectEntry entry) {
        return side == MergeDiff.Side.SOURCE ? 0 : destinationLookup.firstPartSize(side, entry);
    }

    @Override
    public Fingerprint recordedFingerprint(ObjectEntry destinationEntry) {
        return destinationLookup.recordedFingerprint(destinationEntry);
    }

    /**
     * Reads both objects whole and compares them byte for byte.
     *
     * @return whether equal, or null when either cannot be read now (gone, a reset, a timeout)
     */
    @Override
    public Boolean sameContent(ObjectEntry sourceEntry, ObjectEntry destinationEntry) {
        String key = destination.fullKey(destinationEntry.key());
        try (InputStream a = SourceReads.open(source, sourceEntry, 0, -1);
                InputStream b = destination.client().getObject(r -> r.bucket(destination.bucket()).key(key),
                        AsyncResponseTransformer.toBlockingInputStream()).join()) {
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
        } catch (IOException | S3ReconException e) {
            return null; // unreadable now: undecided, reported unverified
        } catch (RuntimeException e) {
            Throwable t = S3Errors.unwrap(e);
            if (t instanceof S3Exception s && HeadLookup.cannotAnswer(s)) {
                return null;
            }
            throw S3Errors.translate(t, destination, "GetObject of '" + key + "'");
        }
    }
}
