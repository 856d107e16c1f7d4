package io.github.s3recon.inventory;

import io.github.s3recon.ErrorCode;
import io.github.s3recon.ObjectEntry;
import io.github.s3recon.S3ReconException;
import java.io.EOFException;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipException;

/**
 * Streams the rows of one data file: raw bytes through an MD5, then gunzip, then CSV, then
 * {@link ObjectEntry}s. At the end of the file the MD5 and size are compared with the manifest's.
 *
 * <p>The file is never held whole: memory is the gzip window and a few buffers. A file whose bytes
 * do not match is only detectable at its end, after its entries have been returned; the exception
 * then fails the listing, and with it the run, so no result is ever based on such a file.
 *
 * <p>Not thread-safe: one reader per open file, used by one thread.
 */
final class S3InventoryReader implements AutoCloseable {

    private final S3InventorySource source;
    private final S3InventoryManifest.DataFile file;
    private final S3InventorySchema schema;
    private final Verifying raw;
    private final S3InventoryCsv csv;
    private final String[] row;
    private boolean finished;

    /**
     * Opens a data file.
     *
     * @param source where it is
     * @param file the file
     * @param schema the manifest's columns
     * @throws S3ReconException if it cannot be opened or is not gzip
     */
    S3InventoryReader(S3InventorySource source, S3InventoryManifest.DataFile file, S3InventorySchema schema) {
        this.source = source;
        this.file = file;
        this.schema = schema;
        this.row = schema.newRow();
        this.raw = new Verifying(source.open(file));
        try {
            GZIPInputStream gzip = new GZIPInputStream(raw, 64 * 1024);
            // Malformed UTF-8 is an error, not a silent U+FFFD that would turn into a wrong key.
            this.csv = new S3InventoryCsv(new InputStreamReader(gzip, StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT)));
        } catch (IOException | RuntimeException e) {
            close();
            throw failure(e, 0);
        }
    }

    /**
     * Returns the next entry of the file whose key starts with the prefix, relative to it.
     *
     * @param prefix the location's prefix; empty for all keys
     * @return the entry, or null at the end of the file, once its MD5 and size have been verified
     * @throws S3ReconException if the file cannot be read, is not a CSV inventory, or does not match
     *     the manifest
     */
    ObjectEntry next(String prefix) {
        if (finished) {
            return null;
        }
        while (true) {
            int fields;
            try {
                fields = csv.next(row, schema.wanted());
            } catch (IOException | RuntimeException e) {
                throw failure(e, csv.recordLine());
            } catch (S3InventoryCsv.MalformedException e) {
                throw new S3ReconException(ErrorCode.LISTING_FAILED, "inventory data file " + source.name(file)
                        + " is not valid CSV: " + e.getMessage() + "; the file is damaged, use a newer report");
            }
            if (fields < 0) {
                verify();
                return null;
            }
            ObjectEntry entry;
            try {
                entry = schema.toEntry(row);
            } catch (IllegalArgumentException | S3ReconException e) {
                throw new S3ReconException(ErrorCode.LISTING_FAILED, "row " + csv.recordNumber() + " (line "
                        + csv.recordLine() + ") of inventory data file " + source.name(file) + " cannot be read: " + e.getMessage()
                        + "; is the manifest's fileSchema that of this file?", e);
            }
            if (entry == S3InventorySchema.SKIPPED || !entry.key().startsWith(prefix)) {
                continue;
            }
            return prefix.isEmpty() ? entry : entry.withKey(entry.key().substring(prefix.length()));
        }
    }

    /** Closes the file; an unfinished download is cancelled. */
    @Override
    public void close() {
        try {
            raw.close();
        } catch (IOException | RuntimeException e) {
            // Nothing is left to read; a failure to release the connection changes no result.
        }
    }

    private void verify() {
        finished = true;
        try {
            // The gzip reader may stop before the end of the object (trailing bytes are not
            // gzip); the MD5 covers every byte, so read the rest.
            byte[] skip = new byte[8192];
            while (raw.read(skip, 0, skip.length) >= 0) {
                // reading is the point
            }
        } catch (IOException | RuntimeException e) {
            throw failure(e, csv.recordLine());
        } finally {
            close();
        }
        String actual = HexFormat.of().formatHex(raw.digest.digest());
        if (!actual.equals(file.md5())) {
            throw new S3ReconException(ErrorCode.LISTING_FAILED, "inventory data file " + source.name(file)
                    + " does not match the MD5checksum in its manifest (MD5 " + actual + ", expected " + file.md5()
                    + "): it was changed or damaged after S3 Inventory wrote it; use a newer report");
        }
        if (file.size() >= 0 && raw.count != file.size()) {
            throw new S3ReconException(ErrorCode.LISTING_FAILED, "inventory data file " + source.name(file)
                    + " has " + raw.count + " bytes where its manifest says " + file.size()
                    + ": it was changed or cut short; use a newer report");
        }
    }

    private S3ReconException failure(Throwable e, long line) {
        close();
        if (e instanceof S3ReconException s) {
            return s;
        }
        if (e instanceof ZipException || e instanceof EOFException) {
            return new S3ReconException(ErrorCode.LISTING_FAILED, "inventory data file " + source.name(file)
                    + " is not valid gzip" + (line > 0 ? " (after line " + line + ")" : "") + ": " + e.getMessage()
                    + "; it is damaged or cut short (its MD5checksum in the manifest will not match either): use a "
                    + "newer report", e);
        }
        if (e instanceof CharacterCodingException) {
            return new S3ReconException(ErrorCode.LISTING_FAILED, "inventory data file " + source.name(file)
                    + " is not UTF-8 text (near line " + line + "): it is damaged; use a newer report", e);
        }
        return source.readFailure(e, file);
    }

    /** Passes bytes through while adding them to an MD5 and counting them. */
    private static final class Verifying extends FilterInputStream {
        final MessageDigest digest = S3InventoryManifest.md5();
        long count;

        Verifying(InputStream in) {
            super(in);
        }

        @Override
        public int read() throws IOException {
            int b = in.read();
            if (b >= 0) {
                digest.update((byte) b);
                count++;
            }
            return b;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            int n = in.read(b, off, len);
            if (n > 0) {
                digest.update(b, off, n);
                count += n;
            }
            return n;
        }

        @Override
        public long skip(long n) throws IOException {
            // Skipped bytes must still reach the digest.
            byte[] buffer = new byte[(int) Math.min(n, 8192)];
            long skipped = 0;
            while (skipped < n) {
                int r = read(buffer, 0, (int) Math.min(buffer.length, n - skipped));
                if (r < 0) {
                    break;
                }
                skipped += r;
            }
            return skipped;
        }

        @Override
        public boolean markSupported() {
            return false;
        }
    }
}
