package io.github.s3recon.source;

import java.util.stream.Stream;

/**
 * A manifest as the source reads it: a stream of its URLs, read lazily each time it is asked, in
 * memory that does not grow with the number of URLs. Implementations are thread-safe: each call
 * opens its own readers.
 */
interface ManifestInput {

    /**
     * Reads the manifest from the start.
     *
     * @return the entries in manifest order; the caller closes the stream, which closes the files.
     *     A malformed line fails the stream with an {@link io.github.s3recon.S3ReconException}
     *     ({@link io.github.s3recon.ErrorCode#INVALID_CONFIGURATION}) naming the file and line.
     */
    Stream<ManifestEntry> entries();

    /**
     * Reads the one entry at a locator of an entry this manifest gave, without reading the rest:
     * how the engine finds a URL again from the key's sorted row, in memory that does not grow with
     * the number of URLs.
     * @param locator an entry's {@link ManifestEntry#locator()}; not null
     * @return the entry there, or null when the locator is not one of this manifest's (or the
     *     manifest changed so that none is there)
     */
    ManifestEntry at(String locator);

    /**
     * Names the manifest: its path, or the directory and glob.
     *
     * @return the name; never a secret
     */
    String describe();
}
