package io.github.s3recon.transfer;

import io.github.s3recon.ErrorCode;
import io.github.s3recon.Redact;
import io.github.s3recon.S3Location;
import io.github.s3recon.S3ReconException;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.http.nio.netty.NettyNioAsyncHttpClient;
import software.amazon.awssdk.services.s3.LegacyMd5Plugin;
import software.amazon.awssdk.services.s3.S3AsyncClient;
import software.amazon.awssdk.services.s3.S3AsyncClientBuilder;
import software.amazon.awssdk.services.s3.S3ServiceClientConfiguration;
import software.amazon.awssdk.transfer.s3.S3TransferManager;

/**
 * The clients and transfer managers of one {@link TransferManagerSchedulerSession}: the
 * locations' own clients, or clients built for the session from their settings
 * ({@link TransferManagerScheduler.Clients}), each wrapped in a transfer manager. Closes what it
 * built, never the locations' clients. Thread-safe after construction.
 */
final class TransferManagerSchedulerClients implements AutoCloseable {

    /** Relayed reads: the source's transfer manager. */
    final S3TransferManager reads;
    /** Uploads and server-side copies: the destination's transfer manager. */
    final S3TransferManager writes;
    /** Whether the clients of the transfer managers are the locations' own (request overrides apply). */
    final boolean asGiven;
    /** Whether the clients may split objects into parts (not the locations' own). */
    final boolean multipart;
    private final List<AutoCloseable> owned = new ArrayList<>();

    TransferManagerSchedulerClients(TransferManagerScheduler settings, S3Location source, S3Location destination,
            boolean sameService) {
        TransferManagerScheduler.Clients kind = settings.clients();
        this.asGiven = kind == TransferManagerScheduler.Clients.AS_GIVEN;
        this.multipart = !asGiven;
        try {
            S3AsyncClient writeClient = asGiven ? destination.client() : own(build(settings, destination));
            S3AsyncClient readClient;
            if (kind == TransferManagerScheduler.Clients.CRT) {
                readClient = sameService ? writeClient : own(build(settings, source));
            } else {
                // A Java multipart client reads a stream part after part: no faster than one GET.
                readClient = source.client();
            }
            this.writes = own(S3TransferManager.builder().s3Client(writeClient).build());
            this.reads = readClient == writeClient ? writes
                    : own(S3TransferManager.builder().s3Client(readClient).build());
        } catch (RuntimeException | Error e) {
            close();
            if (e instanceof S3ReconException s) {
                throw s;
            }
            throw new S3ReconException(ErrorCode.INVALID_CONFIGURATION, "could not build the " + kind
                    + " clients of the transfer manager (set with clients): " + Redact.text(e.toString()), e);
        }
    }

    private <T extends AutoCloseable> T own(T closeable) {
        owned.add(closeable);
        return closeable;
    }

    /** A client for one location, from its client's endpoint, region, credentials and checksum settings. */
    private static S3AsyncClient build(TransferManagerScheduler settings, S3Location location) {
        S3ServiceClientConfiguration config = location.client().serviceClientConfiguration();
        Optional<URI> endpoint = config.endpointOverride();
        boolean aws = Endpoints.isAwsS3(location.client());
        RequestChecksumCalculation requestChecksums = config.requestChecksumCalculation() != null
                ? config.requestChecksumCalculation()
                : aws ? RequestChecksumCalculation.WHEN_SUPPORTED : RequestChecksumCalculation.WHEN_REQUIRED;
        ResponseChecksumValidation responseChecksums = config.responseChecksumValidation() != null
                ? config.responseChecksumValidation()
                : aws ? ResponseChecksumValidation.WHEN_SUPPORTED : ResponseChecksumValidation.WHEN_REQUIRED;
        if (settings.clients() == TransferManagerScheduler.Clients.CRT) {
            var b = S3AsyncClient.crtBuilder()
                    .region(config.region())
                    .credentialsProvider(config.credentialsProvider())
                    .minimumPartSizeInBytes(settings.partSize())
                    .thresholdInBytes(settings.multipartThreshold())
                    .targetThroughputInGbps(settings.targetThroughputGbps())
                    .requestChecksumCalculation(requestChecksums)
                    .responseChecksumValidation(responseChecksums);
            endpoint.ifPresent(uri -> b.endpointOverride(uri).forcePathStyle(!aws));
            return b.build();
        }
        S3AsyncClientBuilder b = S3AsyncClient.builder()
                .region(config.region())
                .credentialsProvider(config.credentialsProvider())
                .requestChecksumCalculation(requestChecksums)
                .responseChecksumValidation(responseChecksums)
                .overrideConfiguration(o -> o.retryStrategy(AwsRetryStrategy.doNotRetry()))
                .httpClientBuilder(NettyNioAsyncHttpClient.builder()
                        .maxConcurrency(Math.max(50, 4 * settings.maxConcurrency())))
                .multipartEnabled(true)
                .multipartConfiguration(m -> m.thresholdInBytes(settings.multipartThreshold())
                        .minimumPartSizeInBytes(settings.partSize()));
        if (endpoint.isPresent()) {
            b.endpointOverride(endpoint.get());
            if (!aws) {
                b.forcePathStyle(true).addPlugin(LegacyMd5Plugin.create());
            }
        }
        return b.build();
    }

    /** Closes the transfer managers and the clients built for the session, newest first. */
    @Override
    public void close() {
        for (int i = owned.size() - 1; i >= 0; i--) {
            try {
                owned.get(i).close();
            } catch (Exception e) {
                // Closing is best effort: the session ends anyway.
            }
        }
        owned.clear();
    }
}
