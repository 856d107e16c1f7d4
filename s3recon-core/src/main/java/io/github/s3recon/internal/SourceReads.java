package io.github.s3recon.internal;

import io.github.s3recon.ObjectEntry;
import io.github.s3recon.source.UrlManifestSource;
import io.github.s3recon.spi.ObjectSource;
import java.io.InputStream;

/**
 * Reads a listed entry of a source: a {@link UrlManifestSource} finds the entry's URL again at its
 * manifest position (no index of every key in memory); any other source by its key. Stateless.
 */
public final class SourceReads {

    private SourceReads() {
    }

    /**
     * Opens a listed entry's bytes, as {@link ObjectSource#open(String, long, long)}.
     *
     * @param source the source that listed the entry; not null
     * @param entry the entry as listed; not null
     * @param offset the first byte
     * @param length how many bytes, or -1 to the end
     * @return the bytes; the caller closes them
     */
    public static InputStream open(ObjectSource source, ObjectEntry entry, long offset, long length) {
        return source instanceof UrlManifestSource urls ? urls.open(entry, offset, length)
                : source.open(entry.key(), offset, length);
    }
}
