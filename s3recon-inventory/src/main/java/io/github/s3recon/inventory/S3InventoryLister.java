package io.github.s3recon.inventory;

import io.github.s3recon.ErrorCode;
import io.github.s3recon.ObjectEntry;
import io.github.s3recon.S3Location;
import io.github.s3recon.S3ReconException;
import io.github.s3recon.spi.ObjectLister;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Spliterator;
import java.util.Spliterators;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;
import software.amazon.awssdk.services.s3.S3AsyncClient;

/**
 * Lists a bucket from an Amazon S3 Inventory report in CSV format instead of listing it: no
 * ListObjectsV2 requests against the bucket (a few GETs of compressed files instead of one request
 * per 1,000 keys), and memory that does not grow with the object count.
 *
 * <pre>{@code
 * S3InventoryLister inventory = S3InventoryLister.fromManifest(client, "inventory-bucket",
 *         "inv/photos/daily/2024-06-01T01-00Z/manifest.json");
 * try (Migration m = Migration.builder()
 *         .source(S3Location.of(client, "photos"))          // the bucket the report lists
 *         .destination(S3Location.of(client, "photos-copy"))
 *         .sourceLister(inventory)
 *         .workDirectory(Path.of("/var/lib/s3recon/photos"))
 *         .build()) {
 *     MigrationResult r = m.reconcile();
 * }
 * }</pre>
 *
 * <p><b>What is read.</b> The {@code manifest.json} of one report, checked against the MD5 in the
 * {@code manifest.checksum} next to it (S3 writes that file last, so a report without it is
 * incomplete), then each gzip-compressed CSV data file it lists, streamed and checked against the
 * manifest's {@code MD5checksum} and {@code size} when its end is reached. ORC and Parquet reports
 * are refused. Columns are found by the manifest's {@code fileSchema}, in any order; the report
 * must have {@code Key} and {@code Size}. Used: {@code Key} (URL-decoded, {@code +} being a space
 * as S3 Inventory writes it), {@code Size}, {@code LastModifiedDate}, {@code ETag},
 * {@code StorageClass}, {@code ChecksumAlgorithm} (the algorithm only: S3 Inventory has no
 * checksum values; FULL_OBJECT for CRC64NVME and single-part uploads, COMPOSITE for multipart ones
 * by {@code IsMultipartUploaded}, else by the ETag), and {@code IsLatest} and
 * {@code IsDeleteMarker}: in a report of all versions only the latest version of each key is
 * listed, and not at all if it is a delete marker. Every other column is read past.
 *
 * <p><b>What a report cannot tell.</b> A report is a snapshot, eventually consistent, taken at
 * {@link #creationTime()}: objects written or deleted since then differ from the bucket. A report
 * configured with a prefix filter lists only that prefix: list a location under that prefix, or
 * the rest of the bucket seems empty. Rows come in no particular order, so
 * {@link #listsInKeyOrder()} is false and the engine sorts them on disk before diffing.
 *
 * <p><b>Errors</b> are {@link S3ReconException}s naming the file and the fix: a missing manifest or
 * data file, an MD5 or size mismatch, text that is not gzip, UTF-8 or CSV ({@code LISTING_FAILED});
 * a report that is not CSV or lacks Key or Size ({@code INVALID_CONFIGURATION}); missing buckets,
 * rejected credentials and denied access as for any S3 read. A mismatch at the end of a data file
 * surfaces after that file's entries were returned; it fails the listing, and so the run.
 *
 * <p><b>Threads.</b> Immutable and thread-safe once created: several listings may run at once,
 * each reading the report anew; one returned stream is consumed by one thread. The client is the
 * caller's, used for the report's files only; the location passed to {@link #list(S3Location)}
 * names the inventoried bucket, whose client is not used. {@link #close()} does nothing.
 */
public final class S3InventoryLister implements ObjectLister {

    private static final String MANIFEST_FILE = "manifest.json";

    private final S3InventorySource source;
    private final S3InventoryManifest manifest;

    private S3InventoryLister(S3InventorySource source, S3InventoryManifest manifest) {
        this.source = source;
        this.manifest = manifest;
    }

    /**
     * Reads the manifest of a report in the bucket S3 Inventory delivered it to; the data files are
     * read from the same bucket, by the keys the manifest gives, when a listing reaches them.
     * Blocks while the manifest and its checksum are downloaded.
     *
     * @param client the client that reaches the report's bucket; not null; not closed by the lister
     * @param bucket the bucket that holds the report (the inventory's destination bucket); not null
     * @param manifestKey the key of the manifest, e.g.
     *     {@code prefix/source-bucket/config-ID/2024-06-01T01-00Z/manifest.json}; not null or empty
     * @return the lister
     * @throws S3ReconException {@link ErrorCode#INVALID_CONFIGURATION} if the client is null, the
     *     bucket name is invalid or the manifest key null or empty; other codes if the manifest or its
     *     {@code manifest.checksum} is missing or they do not match, the report is not CSV or lacks
     *     Key or Size, or S3 refuses the reads
     */
    public static S3InventoryLister fromManifest(S3AsyncClient client, String bucket, String manifestKey) {
        if (manifestKey == null || manifestKey.isEmpty()) {
            throw new S3ReconException(ErrorCode.INVALID_CONFIGURATION, "manifest key (manifestKey) must not be "
                    + "empty for bucket '" + bucket + "', was " + (manifestKey == null ? "null" : "\"\"")
                    + ": pass the key of the report's manifest.json");
        }
        return load(new S3InventorySource.Bucket(client, bucket, manifestKey));
    }

    /**
     * Reads the manifest of a report copied to the local file system. The data files are found by
     * their keys: the first data file's key, or else the shortest tail of it that exists (leading
     * path segments dropped), is looked for in the manifest's directory and then in each parent,
     * nearest first; the first match decides the directory and the number of segments dropped for
     * every data file. That finds the layouts that {@code aws s3 sync} or
     * {@code aws s3 cp --recursive} of the report's bucket, or of any prefix of it, produce, and
     * every file of the report downloaded into one directory. Every data file must exist. Use
     * {@link #fromManifest(Path, Path)} to name the directory instead.
     *
     * @param manifestJson the {@code manifest.json} file, or the directory that holds it, with
     *     {@code manifest.checksum} next to it; not null
     * @return the lister
     * @throws S3ReconException {@link ErrorCode#INVALID_CONFIGURATION} if {@code manifestJson} is
     *     null (or {@code root} is not a directory); other codes if a file is missing, the manifest
     *     does not match its checksum, or the report is not CSV or lacks Key or Size
     */
    public static S3InventoryLister fromManifest(Path manifestJson) {
        return fromManifest(manifestJson, null);
    }

    /**
     * Reads the manifest of a report copied to the local file system, with its data files at
     * {@code root.resolve(key)} for each key the manifest lists, i.e. {@code root} stands for the
     * bucket S3 delivered the report to. Every data file must exist there.
     *
     * @param manifestJson the {@code manifest.json} file, or the directory that holds it; not null
     * @param root the directory that the data files' keys are relative to; null to search as
     *     {@link #fromManifest(Path)} does
     * @return the lister
     * @throws S3ReconException {@link ErrorCode#INVALID_CONFIGURATION} if {@code manifestJson} is
     *     null (or {@code root} is not a directory); other codes if a file is missing, the manifest
     *     does not match its checksum, or the report is not CSV or lacks Key or Size
     */
    public static S3InventoryLister fromManifest(Path manifestJson, Path root) {
        if (manifestJson == null) {
            throw new S3ReconException(ErrorCode.INVALID_CONFIGURATION,
                    "manifest path (manifestJson) must not be null: pass the path of the report's manifest.json");
        }
        Path file = Files.isDirectory(manifestJson) ? manifestJson.resolve(MANIFEST_FILE) : manifestJson;
        if (root != null && !Files.isDirectory(root)) {
            throw new S3ReconException(ErrorCode.INVALID_CONFIGURATION, "inventory root (root) " + root
                    + " is not a directory: pass the directory that the manifest's data file keys are relative to");
        }
        return load(new S3InventorySource.Directory(file, root));
    }

    private static S3InventoryLister load(S3InventorySource source) {
        S3InventoryManifest manifest = S3InventoryManifest.read(source);
        source.prepare(manifest.files());
        return new S3InventoryLister(source, manifest);
    }

    /**
     * Returns the bucket the report lists (the manifest's {@code sourceBucket}); only a location in
     * this bucket can be listed.
     *
     * @return the bucket name; never null
     */
    public String sourceBucket() {
        return manifest.sourceBucket();
    }

    /**
     * Returns when S3 began scanning the bucket for this report (the manifest's
     * {@code creationTimestamp}): changes after it are not in the report.
     *
     * @return the time, or null when the manifest does not say
     */
    public Instant creationTime() {
        return manifest.creationTime();
    }

    /**
     * Returns the report's columns, from the manifest's {@code fileSchema}, in file order.
     *
     * @return an unmodifiable list, e.g. {@code [Bucket, Key, Size, LastModifiedDate, ETag]}
     */
    public List<String> columns() {
        return manifest.schema().columns();
    }

    /**
     * Returns the number of data files the report has.
     *
     * @return the count; 0 for a report of an empty bucket
     */
    public int dataFileCount() {
        return manifest.files().size();
    }

    /**
     * Lists the objects of the report whose keys start with the location's prefix, with keys
     * relative to it, in the report's (unsorted) order, one data file after another. The data
     * files are opened one at a time as the stream reaches them; closing the stream closes the open
     * file. Nothing is read before the stream is consumed.
     *
     * @param location the inventoried bucket (the manifest's {@code sourceBucket}) and a prefix; not
     *     null
     * @return the entries; the caller closes the stream
     * @throws S3ReconException at once if the location's bucket is not the one the report lists;
     *     from the stream if a data file is missing, damaged or does not match the manifest
     */
    @Override
    public Stream<ObjectEntry> list(S3Location location) {
        if (location == null) {
            throw new S3ReconException(ErrorCode.INVALID_CONFIGURATION, "location must not be null");
        }
        if (!location.bucket().equals(manifest.sourceBucket())) {
            throw new S3ReconException(ErrorCode.INVALID_CONFIGURATION, "inventory report "
                    + source.manifestName() + " lists bucket '" + manifest.sourceBucket() + "', not '"
                    + location.bucket() + "': pass this lister for the side whose bucket it lists "
                    + "(sourceLister or destinationLister), or use a report of bucket '" + location.bucket() + "'");
        }
        Entries entries = new Entries(location.prefix());
        return StreamSupport.stream(Spliterators.spliteratorUnknownSize(entries,
                Spliterator.NONNULL), false).onClose(entries::close);
    }

    /**
     * Returns false: S3 Inventory files are in no particular order, so the engine sorts the
     * listing through its inventory store before diffing.
     *
     * @return false
     */
    @Override
    public boolean listsInKeyOrder() {
        return false;
    }

    @Override
    public String toString() {
        return "S3 Inventory of bucket '" + manifest.sourceBucket() + "' from " + source.manifestName();
    }

    /** The entries of every data file in turn; one data file is open at a time. */
    private final class Entries implements Iterator<ObjectEntry> {
        private final String prefix;
        private int nextFile;
        private S3InventoryReader current;
        private ObjectEntry next;
        private boolean closed;

        Entries(String prefix) {
            this.prefix = prefix;
        }

        @Override
        public boolean hasNext() {
            while (next == null) {
                if (closed) {
                    return false;
                }
                try {
                    if (current == null) {
                        if (nextFile == manifest.files().size()) {
                            return false;
                        }
                        current = new S3InventoryReader(source, manifest.files().get(nextFile++),
                                manifest.schema());
                    }
                    next = current.next(prefix);
                } catch (RuntimeException e) {
                    // A failed listing stays failed: later calls must not go on with the next file.
                    close();
                    throw e;
                }
                if (next == null) {
                    current.close();
                    current = null;
                }
            }
            return true;
        }

        @Override
        public ObjectEntry next() {
            if (!hasNext()) {
                throw new NoSuchElementException();
            }
            ObjectEntry entry = next;
            next = null;
            return entry;
        }

        void close() {
            closed = true;
            if (current != null) {
                current.close();
                current = null;
            }
        }
    }
}
