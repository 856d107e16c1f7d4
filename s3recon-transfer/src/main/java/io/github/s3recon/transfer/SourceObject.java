package io.github.s3recon.transfer;

import io.github.s3recon.Checksum;
import io.github.s3recon.ChecksumType;
import io.github.s3recon.Fingerprint;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import software.amazon.awssdk.services.s3.model.CopyObjectRequest;
import software.amazon.awssdk.services.s3.model.CreateMultipartUploadRequest;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;
import software.amazon.awssdk.services.s3.model.PutObjectRequest;

/**
 * What a GET or HEAD said about a source object and what a copy must carry over to the
 * destination: content headers, user metadata, the tag count and the stored checksum. Immutable.
 *
 * @param size the object's size
 * @param eTag the ETag without quotes; null if the server sent none
 * @param contentType may be null, as may every content header
 * @param contentEncoding the Content-Encoding
 * @param contentDisposition the Content-Disposition
 * @param contentLanguage the Content-Language
 * @param cacheControl the Cache-Control
 * @param expires the Expires date
 * @param metadata the user metadata, keys without {@code x-amz-meta-}; not null
 * @param tagCount the {@code x-amz-tagging-count}; null where the server does not send it
 * @param checksum the stored checksum; null without one
 * @param server the answer's {@code Server} header; null without one
 */
record SourceObject(long size, String eTag, String contentType, String contentEncoding, String contentDisposition,
        String contentLanguage, String cacheControl, Instant expires, Map<String, String> metadata, Integer tagCount,
        Checksum checksum, String server) {

    static SourceObject of(GetObjectResponse r) {
        return new SourceObject(r.contentLength() == null ? -1 : r.contentLength(), unquote(r.eTag()), r.contentType(),
                r.contentEncoding(), r.contentDisposition(), r.contentLanguage(), r.cacheControl(),
                expires(r.expiresString()), r.hasMetadata() ? r.metadata() : Map.of(), r.tagCount(),
                Checksums.stored(r, r.checksumTypeAsString()), server(r));
    }

    static SourceObject of(HeadObjectResponse r) {
        return new SourceObject(r.contentLength() == null ? -1 : r.contentLength(), unquote(r.eTag()), r.contentType(),
                r.contentEncoding(), r.contentDisposition(), r.contentLanguage(), r.cacheControl(),
                expires(r.expiresString()), r.hasMetadata() ? r.metadata() : Map.of(), r.tagCount(),
                Checksums.stored(r, r.checksumTypeAsString()), server(r));
    }

    private static String server(software.amazon.awssdk.core.SdkResponse r) {
        return r.sdkHttpResponse() == null ? null : r.sdkHttpResponse().firstMatchingHeader("Server").orElse(null);
    }

    /**
     * Whether this answer shows that its server sends {@code x-amz-tagging-count} whenever an object
     * has tags, so that a missing count means none: it carries a count, or it comes from MinIO, which
     * names itself in its {@code Server} header and sets the count on every GET and HEAD of a tagged
     * object. (S3 itself is known by its endpoint, {@link Endpoints#isAwsS3}.)
     */
    boolean showsTagCounts() {
        return tagCount != null
                || server != null && (server.equalsIgnoreCase("MinIO") || server.regionMatches(true, 0, "MinIO/", 0, 6));
    }

    /** Parses an Expires header; a date that is not one (HTTP allows "0") is not carried over. */
    private static Instant expires(String header) {
        if (header == null || header.isBlank()) {
            return null;
        }
        try {
            return ZonedDateTime.parse(header.trim(), DateTimeFormatter.RFC_1123_DATE_TIME).toInstant();
        } catch (DateTimeParseException e) {
            return null;
        }
    }

    static String unquote(String eTag) {
        if (eTag != null && eTag.length() >= 2 && eTag.startsWith("\"") && eTag.endsWith("\"")) {
            return eTag.substring(1, eTag.length() - 1);
        }
        return eTag;
    }

    /**
     * Returns the fingerprint to record: the source's ETag and size, and the source's full-object
     * checksum where it has one.
     *
     * @param listedETag the ETag the object was listed with, or null
     * @return the fingerprint
     */
    Fingerprint fingerprint(String listedETag) {
        return fingerprint(listedETag, null);
    }

    /**
     * Returns the fingerprint to record, with the checksum of the bytes as they are copied where
     * they are known before the write (a small relay, read whole first), else the source's own
     * full-object checksum where it has one.
     *
     * @param listedETag the ETag the object was listed with, or null
     * @param copied the full-object checksum of the bytes written, or null
     * @return the fingerprint
     */
    Fingerprint fingerprint(String listedETag, Checksum copied) {
        String sourceETag = listedETag != null ? listedETag : eTag != null ? eTag : "";
        Checksum full = copied != null ? copied
                : checksum != null && checksum.type() == ChecksumType.FULL_OBJECT ? checksum : null;
        return new Fingerprint(sourceETag, size, full);
    }

    /**
     * Returns the user metadata to write: the source's, without a fingerprint it may carry from an
     * earlier copy, and this copy's fingerprint.
     *
     * @param fingerprint the fingerprint; null to write the source's metadata only
     * @return a new map
     */
    Map<String, String> metadataWith(Fingerprint fingerprint) {
        Map<String, String> m = new LinkedHashMap<>();
        metadata.forEach((k, v) -> {
            if (!k.toLowerCase(Locale.ROOT).startsWith("s3recon-")) {
                m.put(k, v);
            }
        });
        if (fingerprint != null) {
            m.putAll(fingerprint.toMetadata());
        }
        return m;
    }

    void applyTo(PutObjectRequest.Builder b, Fingerprint fingerprint) {
        b.contentType(contentType).contentEncoding(contentEncoding).contentDisposition(contentDisposition)
                .contentLanguage(contentLanguage).cacheControl(cacheControl).expires(expires)
                .metadata(metadataWith(fingerprint));
    }

    void applyTo(CreateMultipartUploadRequest.Builder b, Fingerprint fingerprint) {
        b.contentType(contentType).contentEncoding(contentEncoding).contentDisposition(contentDisposition)
                .contentLanguage(contentLanguage).cacheControl(cacheControl).expires(expires)
                .metadata(metadataWith(fingerprint));
    }

    void applyTo(CopyObjectRequest.Builder b, Fingerprint fingerprint) {
        b.contentType(contentType).contentEncoding(contentEncoding).contentDisposition(contentDisposition)
                .contentLanguage(contentLanguage).cacheControl(cacheControl).expires(expires)
                .metadata(metadataWith(fingerprint));
    }

    /**
     * Checks that this answer describes the object as it was listed: the same ETag (where both are
     * known) and size (where the answer gives one).
     *
     * @param listedETag the ETag the listing (or an earlier answer) gave, or null
     * @param listedSize the size the listing gave
     * @return the ETag to go on with: the listed one, else this answer's
     * @throws StepException with a {@link SourceChangedException} if the object changed
     */
    String checkListed(Step step, String listedETag, long listedSize) {
        if (listedETag != null && eTag != null && !listedETag.equals(eTag)) {
            throw new StepException(step, new SourceChangedException("its ETag is now " + eTag
                    + ", it was listed with " + listedETag));
        }
        if (size >= 0 && size != listedSize) {
            throw new StepException(step, new SourceChangedException("it is now " + size
                    + " bytes, it was listed with " + listedSize));
        }
        return listedETag != null ? listedETag : eTag;
    }
}
