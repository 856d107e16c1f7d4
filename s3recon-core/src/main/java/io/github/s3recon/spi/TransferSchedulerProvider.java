package io.github.s3recon.spi;

/**
 * Creates the default {@link TransferScheduler} when a migration is built without one; registered in
 * {@code META-INF/services/io.github.s3recon.spi.TransferSchedulerProvider}
 * ({@code s3recon-transfer} registers one).
 */
public interface TransferSchedulerProvider {

    /**
     * Creates a scheduler with its default settings.
     *
     * @return a new scheduler, owned by the caller
     */
    TransferScheduler create();
}
