package io.github.s3recon.inventory;

import io.github.s3recon.spi.ObjectLister;
import io.github.s3recon.spi.ObjectListerProvider;

/** Registers {@link S3ObjectLister} as the default lister through {@link java.util.ServiceLoader}. */
public final class S3ObjectListerProvider implements ObjectListerProvider {

    /** Creates the provider; called by the ServiceLoader. */
    public S3ObjectListerProvider() {
    }

    @Override
    public ObjectLister create() {
        return S3ObjectLister.create();
    }
}
