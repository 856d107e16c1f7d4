package io.github.s3recon.transfer;

import io.github.s3recon.spi.TransferScheduler;
import io.github.s3recon.spi.TransferSchedulerProvider;

/**
 * Provides a {@link SizeTieredScheduler} with its defaults to migrations built without a scheduler;
 * registered in {@code META-INF/services/io.github.s3recon.spi.TransferSchedulerProvider}, found by
 * {@link java.util.ServiceLoader}. Stateless and thread-safe.
 */
public final class SizeTieredSchedulerProvider implements TransferSchedulerProvider {

    /** Creates the provider; {@link java.util.ServiceLoader} calls it. */
    public SizeTieredSchedulerProvider() {
    }

    /**
     * Creates a scheduler with every default ({@link SizeTieredScheduler#withDefaults()}).
     *
     * @return a new scheduler, owned by the caller
     */
    @Override
    public TransferScheduler create() {
        return SizeTieredScheduler.withDefaults();
    }
}
