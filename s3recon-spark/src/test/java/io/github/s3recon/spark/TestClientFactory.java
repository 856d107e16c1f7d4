package io.github.s3recon.spark;

import io.github.s3recon.S3Clients;
import io.github.s3recon.testkit.EmbeddedS3;
import software.amazon.awssdk.services.s3.S3AsyncClient;

/**
 * The user-supplied factory of the tests: the test servers' keys live here, on each JVM, never in
 * a task. Public with a public no-argument constructor, as {@link S3ClientSettings#factory} requires.
 */
public final class TestClientFactory implements S3ClientFactory {

    /** Created by {@link S3ClientSettings#create()} on each JVM. */
    public TestClientFactory() {
    }

    @Override
    public S3AsyncClient create(S3ClientSettings settings) {
        return S3Clients.asyncClient(settings.endpoint(), EmbeddedS3.REGION, EmbeddedS3.credentials());
    }
}
