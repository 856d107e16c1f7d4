package io.github.s3recon.spark;

import software.amazon.awssdk.services.s3.S3AsyncClient;

/**
 * Builds the S3 client of one side of a job on the JVM that needs it (the driver, each executor),
 * so that no client and no secret travels in a task: only the factory's class name and the
 * {@link S3ClientSettings} do. Implement it when the default credential chain and named profiles
 * do not fit (a vault, a custom signer, a test server's keys), with a public no-argument
 * constructor, and name the class with {@link S3ClientSettings#factory(String)}.
 *
 * <p>Called once per task and side, from the task's thread; the client returned is closed by the
 * caller when the task ends.
 */
@FunctionalInterface
public interface S3ClientFactory {

    /**
     * Creates a client for the settings' endpoint and region.
     *
     * @param settings the side's settings; not null (endpoint and region may be null: the SDK's defaults)
     * @return a new client, owned by the caller
     */
    S3AsyncClient create(S3ClientSettings settings);
}
