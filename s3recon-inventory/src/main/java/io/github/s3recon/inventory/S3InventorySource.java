package io.github.s3recon.inventory;

import io.github.s3recon.ErrorCode;
import io.github.s3recon.S3Location;
import io.github.s3recon.S3ReconException;
import io.github.s3recon.S3Errors;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import software.amazon.awssdk.core.async.AsyncResponseTransformer;
import software.amazon.awssdk.services.s3.S3AsyncClient;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.S3Exception;

/**
 * Where the files of one inventory report are read from: the bucket S3 delivered it to, or a local
 * copy. Immutable once {@link #prepare} has run; thread-safe.
 */
abstract class S3InventorySource {

    /** The name of the file that holds the hex MD5 of {@code manifest.json}, next to it. */
    static final String CHECKSUM_FILE = "manifest.checksum";

    /**
     * Reads {@code manifest.json} whole (it lists files, not objects, so it stays small).
     *
     * @return its bytes
     * @throws S3ReconException if it is missing or cannot be read
     */
    abstract byte[] manifest();

    /**
     * Reads {@code manifest.checksum} whole.
     *
     * @return its bytes
     * @throws S3ReconException if it is missing or cannot be read
     */
    abstract byte[] manifestChecksum();

    /**
     * Checks that the data files can be found, where that is cheap; called once, before listing.
     *
     * @param files the manifest's data files
     */
    abstract void prepare(List<S3InventoryManifest.DataFile> files);

    /**
     * Opens a data file (gzip-compressed CSV) for streaming.
     *
     * @param file the file
     * @return the raw bytes, to be closed by the caller
     * @throws S3ReconException if it is missing or cannot be opened
     */
    abstract InputStream open(S3InventoryManifest.DataFile file);

    /**
     * Names the manifest for messages.
     *
     * @return e.g. {@code s3://bucket/key} or a path
     */
    abstract String manifestName();

    /**
     * Names a data file for messages.
     *
     * @param file the file
     * @return e.g. {@code s3://bucket/key} or a path
     */
    abstract String name(S3InventoryManifest.DataFile file);

    /**
     * Translates a failure while reading a data file's bytes.
     *
     * @param failure what the stream threw
     * @param file the file
     * @return the exception to throw
     */
    abstract S3ReconException readFailure(Throwable failure, S3InventoryManifest.DataFile file);

    /** Reads a report from the bucket S3 Inventory delivered it to. */
    static final class Bucket extends S3InventorySource {
        private final S3AsyncClient client;
        private final String bucket;
        private final String manifestKey;
        private final S3Location location;

        Bucket(S3AsyncClient client, String bucket, String manifestKey) {
            this.client = client;
            this.bucket = bucket;
            this.manifestKey = manifestKey;
            // Validates the bucket name and client with the project's rules, and names the endpoint
            // in messages.
            this.location = S3Location.of(client, bucket);
        }

        @Override
        byte[] manifest() {
            try {
                return client.getObject(b -> b.bucket(bucket).key(manifestKey), AsyncResponseTransformer.toBytes())
                        .join().asByteArray();
            } catch (RuntimeException e) {
                if (isNoSuchKey(e)) {
                    throw new S3ReconException(ErrorCode.LISTING_FAILED, "there is no inventory manifest at "
                            + manifestName() + ": check the bucket and key; S3 Inventory writes manifests to "
                            + "<destination-prefix>/<source-bucket>/<config-ID>/<YYYY-MM-DDTHH-MMZ>/manifest.json "
                            + "in the inventory's destination bucket", S3Errors.unwrap(e));
                }
                throw S3Errors.translate(e, location, "reading inventory manifest " + manifestName());
            }
        }

        @Override
        byte[] manifestChecksum() {
            String key = sibling(manifestKey, CHECKSUM_FILE);
            try {
                return client.getObject(b -> b.bucket(bucket).key(key), AsyncResponseTransformer.toBytes())
                        .join().asByteArray();
            } catch (RuntimeException e) {
                if (isNoSuchKey(e)) {
                    throw missingChecksum("s3://" + bucket + "/" + key, S3Errors.unwrap(e));
                }
                throw S3Errors.translate(e, location, "reading s3://" + bucket + "/" + key);
            }
        }

        @Override
        void prepare(List<S3InventoryManifest.DataFile> files) {
            // One HEAD per data file would cost a round trip each for reports of thousands of
            // files; a missing file is reported when the listing reaches it.
        }

        @Override
        InputStream open(S3InventoryManifest.DataFile file) {
            try {
                // A blocking stream over the response: the SDK buffers a few MiB ahead, however
                // large the file, and cancels the download when the stream is closed.
                return client.getObject(b -> b.bucket(bucket).key(file.key()),
                        AsyncResponseTransformer.toBlockingInputStream()).join();
            } catch (RuntimeException e) {
                if (isNoSuchKey(e)) {
                    throw missingDataFile(name(file), S3Errors.unwrap(e));
                }
                throw S3Errors.translate(e, location, "reading inventory data file " + name(file));
            }
        }

        @Override
        String manifestName() {
            return "s3://" + bucket + "/" + manifestKey;
        }

        @Override
        String name(S3InventoryManifest.DataFile file) {
            return "s3://" + bucket + "/" + file.key();
        }

        @Override
        S3ReconException readFailure(Throwable failure, S3InventoryManifest.DataFile file) {
            Throwable t = S3Errors.unwrap(failure);
            if (t instanceof IOException) {
                return new S3ReconException(ErrorCode.LISTING_FAILED, "reading inventory data file " + name(file)
                        + " failed: " + t + "; try again, or check the connection to the endpoint", t);
            }
            return S3Errors.translate(t, location, "reading inventory data file " + name(file));
        }

        private static boolean isNoSuchKey(Throwable failure) {
            Throwable t = S3Errors.unwrap(failure);
            if (t instanceof NoSuchKeyException) {
                return true;
            }
            return t instanceof S3Exception e && e.statusCode() == 404 && e.awsErrorDetails() != null
                    && "NoSuchKey".equals(e.awsErrorDetails().errorCode());
        }
    }

    /**
     * Reads a local copy of a report. With a root directory, data file {@code k} is
     * {@code root/k}. Without one, the first data file's key, or the shortest tail of it that
     * exists (whole path segments dropped from its start), is looked for under the manifest's
     * directory and then each of its ancestors, nearest first; the first match fixes the directory
     * and the number of segments dropped for every data file. That finds the layouts that
     * {@code aws s3 sync} or {@code aws s3 cp --recursive} of the report's bucket, or of any prefix
     * of it, produce, and every file downloaded into one directory.
     */
    static final class Directory extends S3InventorySource {
        private final Path manifest;
        private final Path root;
        private final Map<String, Path> resolved = new HashMap<>();

        Directory(Path manifest, Path root) {
            this.manifest = manifest.toAbsolutePath().normalize();
            this.root = root == null ? null : root.toAbsolutePath().normalize();
        }

        @Override
        byte[] manifest() {
            try {
                return Files.readAllBytes(manifest);
            } catch (NoSuchFileException e) {
                throw new S3ReconException(ErrorCode.LISTING_FAILED, "there is no inventory manifest at "
                        + manifest + ": pass the path of a manifest.json that S3 Inventory wrote, or the "
                        + "directory that holds it", e);
            } catch (IOException e) {
                throw new S3ReconException(ErrorCode.LISTING_FAILED, "cannot read inventory manifest " + manifest
                        + ": " + e, e);
            }
        }

        @Override
        byte[] manifestChecksum() {
            Path checksum = manifest.resolveSibling(CHECKSUM_FILE);
            try {
                return Files.readAllBytes(checksum);
            } catch (NoSuchFileException e) {
                throw missingChecksum(checksum.toString(), e);
            } catch (IOException e) {
                throw new S3ReconException(ErrorCode.LISTING_FAILED, "cannot read " + checksum + ": " + e, e);
            }
        }

        @Override
        void prepare(List<S3InventoryManifest.DataFile> files) {
            if (files.isEmpty()) {
                return;
            }
            Path base = root;
            int drop = 0;
            if (base == null) {
                String first = files.get(0).key();
                search:
                for (Path dir = manifest.getParent(); dir != null; dir = dir.getParent()) {
                    for (int d = 0; d < segments(first); d++) {
                        if (Files.isRegularFile(dir.resolve(tail(first, d)))) {
                            base = dir;
                            drop = d;
                            break search;
                        }
                    }
                }
                if (base == null) {
                    throw missingDataFile(first + " of manifest " + manifest + " (looked for under "
                            + manifest.getParent() + " and its parents, by its key and by the tails of its key)",
                            null);
                }
            }
            for (S3InventoryManifest.DataFile file : files) {
                Path path = base.resolve(tail(file.key(), drop)).normalize();
                // A key with ".." must not read outside the copy of the report.
                if (!path.startsWith(base) || !Files.isRegularFile(path)) {
                    throw missingDataFile(path + " (data file " + file.key() + " of manifest " + manifest + ")",
                            null);
                }
                resolved.put(file.key(), path);
            }
        }

        @Override
        InputStream open(S3InventoryManifest.DataFile file) {
            Path path = resolved.get(file.key());
            try {
                return Files.newInputStream(path);
            } catch (NoSuchFileException e) {
                throw missingDataFile(path.toString(), e);
            } catch (IOException e) {
                throw new S3ReconException(ErrorCode.LISTING_FAILED, "cannot open inventory data file " + path
                        + ": " + e, e);
            }
        }

        @Override
        String manifestName() {
            return manifest.toString();
        }

        @Override
        String name(S3InventoryManifest.DataFile file) {
            Path path = resolved.get(file.key());
            return path == null ? file.key() : path.toString();
        }

        @Override
        S3ReconException readFailure(Throwable failure, S3InventoryManifest.DataFile file) {
            if (failure instanceof S3ReconException e) {
                return e;
            }
            return new S3ReconException(ErrorCode.LISTING_FAILED, "reading inventory data file " + name(file)
                    + " failed: " + failure, failure);
        }

        private static int segments(String key) {
            int n = 1;
            for (int i = key.indexOf('/'); i >= 0; i = key.indexOf('/', i + 1)) {
                n++;
            }
            return n;
        }

        /** The key without its first {@code drop} path segments. */
        private static String tail(String key, int drop) {
            int start = 0;
            for (int i = 0; i < drop; i++) {
                start = key.indexOf('/', start) + 1;
            }
            return key.substring(start);
        }
    }

    static String sibling(String key, String name) {
        int slash = key.lastIndexOf('/');
        return slash < 0 ? name : key.substring(0, slash + 1) + name;
    }

    static S3ReconException missingChecksum(String where, Throwable cause) {
        return new S3ReconException(ErrorCode.LISTING_FAILED, "there is no " + where + ": S3 Inventory writes "
                + "manifest.checksum last, once a report is complete, so this report may be incomplete; wait for "
                + "it, or copy it along with manifest.json", cause);
    }

    static S3ReconException missingDataFile(String where, Throwable cause) {
        return new S3ReconException(ErrorCode.LISTING_FAILED, "inventory data file " + where + " is missing: "
                + "the report is incomplete or was partly deleted (a lifecycle rule?); use a newer complete report "
                + "or copy every file that its manifest.json lists", cause);
    }
}
