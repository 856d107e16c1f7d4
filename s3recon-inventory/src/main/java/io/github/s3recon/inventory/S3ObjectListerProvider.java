package io.github.s3recon.inventory;

import io.github.s3recon.spi.ObjectLister;
import io.github.s3recon.spi.ObjectListerProvider;

/**
 * Registers the default lister through {@link java.util.ServiceLoader}: a {@link FastS3ObjectLister},
 * which fetches and parses ListObjectsV2 pages itself where that honours the client's settings and
 * lists through the SDK where it cannot (its javadoc names those cases). For a migration that must
 * send every request through the client, pass {@link S3ObjectLister#create()} to the builder.
 */
public final class S3ObjectListerProvider implements ObjectListerProvider {

    /** Creates the provider; called by the ServiceLoader. */
    public S3ObjectListerProvider() {
    }

    /**
     * Creates the default lister.
     *
     * @return a new {@link FastS3ObjectLister} with the default read-ahead and page size; the
     *     migration that found it closes it
     */
    @Override
    public ObjectLister create() {
        return FastS3ObjectLister.create();
    }
}
