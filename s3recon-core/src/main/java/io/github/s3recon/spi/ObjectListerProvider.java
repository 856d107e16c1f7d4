package io.github.s3recon.spi;

/**
 * Creates the default {@link ObjectLister} when a migration is built without one; registered in
 * {@code META-INF/services/io.github.s3recon.spi.ObjectListerProvider}.
 */
public interface ObjectListerProvider {

    /**
     * Creates a lister.
     *
     * @return a new lister, owned by the caller
     */
    ObjectLister create();
}
