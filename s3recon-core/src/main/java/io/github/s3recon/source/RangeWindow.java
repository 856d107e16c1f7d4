package io.github.s3recon.source;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;

/**
 * The bytes {@code [offset, offset + length)} of a stream of a whole object: for servers that
 * answer a ranged GET with the whole body (HTTP allows a server to ignore {@code Range}). The
 * leading bytes are skipped on the first read, not when the window is made. Not thread-safe, as
 * streams are not.
 */
final class RangeWindow extends FilterInputStream {

    private long toSkip;
    private long remaining;

    /**
     * Creates a window.
     *
     * @param whole the whole object's bytes; closed with the window
     * @param offset the first byte; not negative
     * @param length how many bytes, or -1 for all from {@code offset}
     */
    RangeWindow(InputStream whole, long offset, long length) {
        super(whole);
        this.toSkip = offset;
        this.remaining = length;
    }

    @Override
    public int read() throws IOException {
        if (!positioned() || remaining == 0) {
            return -1;
        }
        int b = in.read();
        if (b >= 0 && remaining > 0) {
            remaining--;
        }
        return b;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        if (len == 0) {
            return 0;
        }
        if (!positioned() || remaining == 0) {
            return -1;
        }
        int n = in.read(b, off, remaining < 0 ? len : (int) Math.min(len, remaining));
        if (n > 0 && remaining > 0) {
            remaining -= n;
        }
        return n;
    }

    @Override
    public long skip(long n) throws IOException {
        if (n <= 0 || !positioned() || remaining == 0) {
            return 0;
        }
        long skipped = in.skip(remaining < 0 ? n : Math.min(n, remaining));
        if (skipped > 0 && remaining > 0) {
            remaining -= skipped;
        }
        return skipped;
    }

    @Override
    public int available() throws IOException {
        if (toSkip > 0 || remaining == 0) {
            return 0;
        }
        int available = in.available();
        return remaining < 0 ? available : (int) Math.min(available, remaining);
    }

    @Override
    public boolean markSupported() {
        return false;
    }

    @Override
    public synchronized void mark(int readLimit) {
    }

    @Override
    public synchronized void reset() throws IOException {
        throw new IOException("mark/reset not supported");
    }

    /** Skips to the window's start; false when the object ends before it. */
    private boolean positioned() throws IOException {
        while (toSkip > 0) {
            long skipped = in.skip(toSkip);
            if (skipped <= 0) {
                if (in.read() < 0) {
                    toSkip = 0;
                    remaining = 0;
                    return false;
                }
                skipped = 1;
            }
            toSkip -= skipped;
        }
        return true;
    }
}
