package io.github.s3recon.transfer;

import io.github.s3recon.spi.ConcurrencyLimit;
import static io.github.s3recon.transfer.SizeTieredSession.NO_SDK_RETRIES;
import static io.github.s3recon.transfer.SizeTieredSession.quoted;
import static io.github.s3recon.transfer.SizeTieredSession.rethrow;

import io.github.s3recon.Checksum;
import io.github.s3recon.ChecksumAlgorithm;
import io.github.s3recon.ChecksumType;
import io.github.s3recon.Fingerprint;
import io.github.s3recon.S3Location;
import io.github.s3recon.TransferMode;
import io.github.s3recon.inventory.DirectRoute;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import io.github.s3recon.spi.CheckpointStore;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.checksums.SdkChecksum;
import software.amazon.awssdk.core.async.AsyncResponseTransformer;
import software.amazon.awssdk.endpoints.Endpoint;
import software.amazon.awssdk.services.s3.model.CompleteMultipartUploadResponse;
import software.amazon.awssdk.services.s3.model.CompletedPart;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;
import software.amazon.awssdk.services.s3.model.Tagging;
import software.amazon.awssdk.services.s3.model.UploadPartRequest;

/**
 * Copies of objects at or above the threshold, as multipart uploads: describe the source (HEAD,
 * tags), create the upload with the source's headers, metadata, tags and the fingerprint, transfer
 * the parts in parallel ({@code UploadPartCopy}, or ranged GETs streamed into {@code UploadPart}s,
 * each taking a slot of the large lane and, when relayed, its length from the byte budget), then
 * complete it; a failed or cancelled upload is aborted.
 *
 * <p>{@link #copy} runs on one of the large lane's threads and blocks it while the object's parts
 * wait for room; the requests themselves run on the SDK's threads.
 */
final class LargeCopies {

    private static final Logger LOG = LoggerFactory.getLogger(SizeTieredScheduler.class);
    /** How long a given-up object waits for its CreateMultipartUpload's answer, to abort the upload. */
    private static final java.time.Duration CREATE_WAIT = java.time.Duration.ofSeconds(30);

    private final SizeTieredSession session;
    private final SmallCopies reads;
    private final S3Location source;
    private final S3Location destination;

    LargeCopies(SizeTieredSession session, SmallCopies reads) {
        this.session = session;
        this.reads = reads;
        this.source = session.source;
        this.destination = session.destination;
    }

    /** The user metadata that marks the uploads the engine creates with the run's id (see UploadCheckpoints.marker). */
    static final String RUN_MARKER = "s3recon-run";

    /**
     * After a CreateMultipartUpload that was retried: an earlier attempt whose answer was lost may
     * have created an upload too, which nobody knows of. If uploads of this key created since this
     * object's upload began (less a minute for the server's clock) other than ours are found, they
     * are aborted, and ours too, before any part is sent: some servers (S3Mock) drop the parts of
     * every upload of a key, and the key's object, when one of them is aborted; the caller then
     * creates a fresh upload.
     *
     * @return true if uploads were aborted, ours among them
     */
    private boolean abortedDuplicates(Task task, String ours) {
        boolean found = false;
        String key = destination.fullKey(task.entry.key());
        try {
            software.amazon.awssdk.services.s3.model.ListMultipartUploadsResponse page = destination.client()
                    .listMultipartUploads(b -> b.bucket(destination.bucket()).prefix(key)
                            .overrideConfiguration(NO_SDK_RETRIES))
                    .get(30, TimeUnit.SECONDS);
            for (software.amazon.awssdk.services.s3.model.MultipartUpload u : page.uploads()) {
                if (key.equals(u.key()) && !ours.equals(u.uploadId()) && (u.initiated() == null
                        || !u.initiated().isBefore(task.uploadStarted.minusSeconds(60)))) {
                    LOG.info("aborting multipart upload {} of '{}', created by a CreateMultipartUpload whose answer "
                            + "was lost", u.uploadId(), io.github.s3recon.Redact.key(task.entry.key()));
                    abort(task, u.uploadId());
                    found = true;
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception e) {
            // The run's end looks again (for a run that records its uploads), from the intent.
            LOG.debug("could not list the uploads of '{}' after a retried CreateMultipartUpload", task.entry.key(), e);
        }
        if (found) {
            abort(task, ours);
        }
        return found;
    }

    /** One transferred part. */
    private record Part(int number, String eTag, String storedChecksum, String relayedChecksum) {
    }

    Copied copy(Task task) throws InterruptedException {
        // Written with checksum trailers to a destination not yet trusted: checked afterwards, and
        // written again, plain, if the destination stored the aws-chunked framing as the bytes.
        boolean check = relayed(task) && session.capabilities.putChecksums.enabled()
                && session.capabilities.multipartChecksums.enabled() && session.capabilities.checkWrites();
        Copied copied;
        try {
            copied = copyRelayingIfNeeded(task);
        } catch (StepException e) {
            // A framed body also makes the server's checksum of the whole differ from the relayed one.
            if (!check || session.cancelled() || !(Failures.root(e) instanceof ChecksumMismatchException)) {
                throw e;
            }
            task.abandoned = false;
            if (await(reads.storedRight(task, task.entry.size()))) {
                throw e;
            }
            return copyWithFallbacks(task);
        }
        if (check && relayed(task) && !await(reads.storedRight(task, task.entry.size()))) {
            return copyWithFallbacks(task);
        }
        return copied;
    }

    private Copied copyRelayingIfNeeded(Task task) throws InterruptedException {
        try {
            return copyWithFallbacks(task);
        } catch (StepException e) {
            // A server-side copy that says the source is missing, where the source has the object
            // (s3rver fails so for keys with '+'): relayed instead. Only a HEAD of the source can
            // tell this from an object deleted after it was listed.
            if (!session.serverSide || task.relay || session.cancelled() || !SmallCopies.copySourceNotFound(e)) {
                throw e;
            }
            task.abandoned = false; // its upload is aborted; the object goes on
            boolean there;
            try {
                there = await(reads.sourceIsThere(task, session.largeLimit));
            } catch (RuntimeException headFailed) {
                headFailed.addSuppressed(e); // the source changed, or cannot be read: that is the story
                throw headFailed;
            }
            if (!there) {
                throw e;
            }
            reads.relayInstead(task);
            return copyWithFallbacks(task);
        }
    }

    private boolean relayed(Task task) {
        return !session.serverSide || task.relay;
    }

    private Copied copyWithFallbacks(Task task) throws InterruptedException {
        ServerCapabilities capabilities = session.capabilities;
        boolean checksums = capabilities.multipartChecksums.enabled()
                && (!relayed(task) || capabilities.putChecksums.enabled());
        try {
            return copy(task, checksums);
        } catch (StepException e) {
            // A destination that rejects a checksum option rejects it for every object: go on without.
            if (!checksums || session.cancelled() || !Failures.isUnsupportedOption(e)) {
                throw e;
            }
            task.abandoned = false;
            Copied copied = copy(task, false);
            (e.step().operation().equals("UploadPart") ? capabilities.putChecksums
                    : capabilities.multipartChecksums).disable(SizeTieredSession.describe(destination));
            return copied;
        }
    }

    private Copied copy(Task task, boolean checksums) throws InterruptedException {
        ConcurrencyLimit limit = session.largeLimit;
        SourceObject described = await(reads.head(task, limit));
        PartPlan plan = PartPlan.of(task.entry.size(), session.settings.partSize());
        Map<Integer, Part> done = new HashMap<>();
        String uploadId = resumable(task, plan, checksums, done);
        if (uploadId == null) {
            Tagging tagging = await(reads.tagsOf(task, described, limit));
            for (int round = 1; ; round++) {
                // Durable before the upload exists: a kill or a lost answer cannot leave it unknown.
                task.uploadStarted = java.time.Instant.now().truncatedTo(java.time.temporal.ChronoUnit.MILLIS);
                session.uploads.intent(task.entry.key(), task.uploadStarted);
                AtomicInteger createAttempts = new AtomicInteger();
                CompletableFuture<String> created = create(task, described, tagging, checksums, createAttempts);
                try {
                    uploadId = await(created);
                } catch (RuntimeException | InterruptedException | Error e) {
                    // Cancelled while waiting: the request runs to its end (callToTheEnd), and an upload
                    // it creates is aborted before the object ends, so that no upload outlives the session.
                    task.abandoned = true;
                    abortOnceCreated(task, created);
                    throw e;
                }
                if (createAttempts.get() == 1 || round == 3 || !abortedDuplicates(task, uploadId)) {
                    break;
                }
            }
            session.uploads.started(new CheckpointStore.UploadRecord(task.entry.key(), uploadId, task.eTag,
                    plan.partSize(), task.uploadStarted, List.of()));
        }
        try {
            List<Part> parts = transferParts(task, uploadId, plan, checksums, done);
            ChecksumAlgorithm algorithm = session.algorithm;
            // The whole object's checksum, from its parts' as they were relayed.
            String whole = relayed(task) ? combined(parts, plan) : null;
            CompleteMultipartUploadResponse completed = await(complete(task, uploadId, parts,
                    checksums ? whole : null, checksums));
            session.uploads.ended(uploadId);
            if (whole != null) {
                reads.verify(session.destinationStep(task, "CompleteMultipartUpload"), whole,
                        checksums ? Checksums.valueIn(completed, algorithm) : null, described);
            }
            return new Copied(relayed(task) ? TransferMode.RELAY : TransferMode.SERVER_SIDE,
                    whole == null ? null : Checksum.of(algorithm, ChecksumType.FULL_OBJECT, whole));
        } catch (RuntimeException | InterruptedException | Error e) {
            task.abandoned = true;
            if (session.cancelled() && session.uploads.durable()) {
                // Kept for a resume, which continues it from its last part; the run aborts it if it ends first.
                LOG.debug("keeping the upload of '{}' for a resume", task.entry.key());
            } else {
                abort(task, uploadId);
                session.uploads.ended(uploadId);
            }
            throw e;
        }
    }

    /**
     * Finds the upload an earlier attempt of the run left for this object, and the parts of it that
     * the destination holds (ListParts) with the checksums recorded when they were sent. An upload
     * of another version of the source, or with another part size, is aborted.
     *
     * @return the upload's id, or null to start a new upload
     */
    private String resumable(Task task, PartPlan plan, boolean checksums, Map<Integer, Part> done)
            throws InterruptedException {
        CheckpointStore.UploadRecord prior = session.uploads.find(task.entry.key()).orElse(null);
        if (prior == null) {
            return null;
        }
        if (!prior.sourceETag().equals(task.eTag) || prior.partSize() != plan.partSize()) {
            abort(task, prior.uploadId());
            session.uploads.ended(prior.uploadId());
            return null;
        }
        Map<Integer, CheckpointStore.PartRecord> recorded = new HashMap<>();
        for (CheckpointStore.PartRecord p : prior.parts()) {
            recorded.put(p.number(), p);
        }
        Step step = session.destinationStep(task, "ListParts");
        Integer marker = null;
        try {
            while (true) {
                Integer from = marker;
                software.amazon.awssdk.services.s3.model.ListPartsResponse page = await(session.requests.attempt(task, step,
                        session.largeLimit, 1, 0, n -> session.requests.call(step, () -> destination.client().listParts(b -> {
                            b.bucket(destination.bucket()).key(step.key()).uploadId(prior.uploadId())
                                    .overrideConfiguration(NO_SDK_RETRIES);
                            if (from != null) {
                                b.partNumberMarker(from);
                            }
                        }))));
                for (software.amazon.awssdk.services.s3.model.Part listed : page.parts()) {
                    CheckpointStore.PartRecord r = recorded.get(listed.partNumber());
                    // Only parts whose ETag matches the one recorded when it was sent, and, for a relay
                    // that combines checksums, whose relayed checksum was recorded.
                    if (r != null && SourceObject.unquote(r.eTag()).equals(SourceObject.unquote(listed.eTag()))
                            && listed.size() != null && listed.size() == plan.length(listed.partNumber())
                            && (!relayed(task) || r.relayedChecksum() != null)) {
                        done.put(r.number(), new Part(r.number(), r.eTag(), r.storedChecksum(),
                                r.relayedChecksum()));
                    }
                }
                if (!Boolean.TRUE.equals(page.isTruncated()) || page.nextPartNumberMarker() == null) {
                    break;
                }
                marker = page.nextPartNumberMarker();
            }
        } catch (RuntimeException e) {
            // The upload is gone (completed, aborted, expired) or cannot be listed: start over.
            LOG.debug("cannot continue upload {} of '{}'; starting a new one", prior.uploadId(), task.entry.key(), e);
            abort(task, prior.uploadId());
            session.uploads.ended(prior.uploadId());
            done.clear();
            return null;
        }
        task.uploadStarted = prior.startedAt();
        LOG.debug("continuing upload {} of '{}' with {} of {} parts done", prior.uploadId(), task.entry.key(),
                done.size(), plan.partCount());
        return prior.uploadId();
    }

    /** Combines the parts' relayed CRCs into the whole object's; null for the SHAs, which do not combine. */
    private String combined(List<Part> parts, PartPlan plan) {
        if (!Checksums.combinable(session.algorithm)) {
            return null;
        }
        String whole = parts.get(0).relayedChecksum();
        for (int i = 1; i < parts.size(); i++) {
            whole = Checksums.combine(session.algorithm, whole, parts.get(i).relayedChecksum(), plan.length(i + 1));
        }
        return whole;
    }

    private CompletableFuture<String> create(Task task, SourceObject described, Tagging tagging, boolean checksums,
            java.util.concurrent.atomic.AtomicInteger attempts) {
        Step step = session.destinationStep(task, "CreateMultipartUpload");
        Fingerprint fingerprint = described.fingerprint(task.eTag);
        Map<String, String> metadata = described.metadataWith(fingerprint);
        String marker = session.uploads.marker();
        if (marker != null) {
            metadata.put(RUN_MARKER, marker);
        }
        return reads.withTags(tagging, tags -> session.requests.attempt(task, step, session.largeLimit, 1, 0,
                n -> session.requests.callToTheEnd(step, () -> destination.client().createMultipartUpload(b -> {
                    attempts.incrementAndGet();
                    b.bucket(destination.bucket()).key(step.key()).overrideConfiguration(NO_SDK_RETRIES);
                    described.applyTo(b, fingerprint);
                    b.metadata(metadata);
                    if (tags != null) {
                        b.tagging(tags);
                    }
                    if (checksums) {
                        b.checksumAlgorithm(Checksums.toSdk(session.algorithm)).checksumType(
                                Checksums.combinable(session.algorithm)
                                        ? software.amazon.awssdk.services.s3.model.ChecksumType.FULL_OBJECT
                                        : software.amazon.awssdk.services.s3.model.ChecksumType.COMPOSITE);
                    }
                }))))
                .thenApply(r -> r.uploadId());
    }

    /**
     * Starts the parts one after another as the lane's limit and the budget allow, then waits for
     * those started to end. On the first failure no further part starts.
     */
    private List<Part> transferParts(Task task, String uploadId, PartPlan plan, boolean checksums,
            Map<Integer, Part> done) throws InterruptedException {
        Part[] parts = new Part[plan.partCount()];
        AtomicReference<Throwable> failed = new AtomicReference<>();
        List<CompletableFuture<Part>> started = new ArrayList<>();
        boolean relay = relayed(task);
        try {
            for (int number = 1; number <= plan.partCount() && failed.get() == null; number++) {
                Part before = done.get(number);
                if (before != null) {
                    parts[number - 1] = before; // sent by an earlier attempt of the run
                    continue;
                }
                if (session.cancelled()) {
                    throw new CancellationException("the transfer was cancelled");
                }
                session.largeLimit.acquire();
                long taken;
                try {
                    taken = relay ? session.budget.acquire(true, plan.length(number)) : 0;
                } catch (InterruptedException | RuntimeException e) {
                    session.largeLimit.release();
                    throw e;
                }
                int n = number;
                CompletableFuture<Part> part;
                try {
                    part = relay ? relayPart(task, uploadId, plan, n, checksums) : copyPart(task, uploadId, plan, n);
                } catch (RuntimeException e) {
                    part = CompletableFuture.failedFuture(e);
                }
                started.add(part.whenComplete((p, failure) -> {
                    session.budget.release(true, taken);
                    session.largeLimit.release();
                    if (failure != null) {
                        // First the failure, then the flag: the other parts' retries stop on the flag,
                        // and their cancellation must not be taken for the object's failure.
                        failed.compareAndSet(null, failure);
                        task.abandoned = true;
                    } else {
                        parts[n - 1] = p;
                        session.uploads.partDone(uploadId, new CheckpointStore.PartRecord(p.number(), p.eTag(),
                                p.storedChecksum(), p.relayedChecksum()));
                    }
                }));
            }
        } finally {
            // The upload is aborted or completed only once no part is in flight.
            CompletableFuture.allOf(started.toArray(CompletableFuture[]::new)).handle((v, e) -> null).join();
        }
        Throwable failure = failed.get();
        if (failure != null) {
            throw rethrow(Failures.root(failure) instanceof CancellationException c ? c : unwrapped(failure));
        }
        return List.of(parts);
    }

    private CompletableFuture<Part> copyPart(Task task, String uploadId, PartPlan plan, int number) {
        Step step = session.copyStep(task, "UploadPartCopy");
        return session.requests.attempt(task, step, session.largeLimit, 1, plan.length(number), n -> session.requests.call(step,
                () -> destination.client().uploadPartCopy(b -> b.sourceBucket(source.bucket())
                        .sourceKey(source.fullKey(task.entry.key())).destinationBucket(destination.bucket())
                        .destinationKey(step.key()).uploadId(uploadId).partNumber(number)
                        .copySourceRange(plan.range(number)).copySourceIfMatch(quoted(task.eTag))
                        .overrideConfiguration(NO_SDK_RETRIES)))
                .thenApply(r -> new Part(number, r.copyPartResult().eTag(),
                        Checksums.valueIn(r.copyPartResult(), session.algorithm), null)));
    }

    /**
     * Relays a part: directly where both sides have a route (one thread streams the GET into the
     * UploadPart, see {@link DirectStreams#relayPart}), else through the SDK, which also learns the
     * routes; a direct attempt that gets no plain answer is sent again through the SDK at once.
     */
    private CompletableFuture<Part> relayPart(Task task, String uploadId, PartPlan plan, int number,
            boolean checksums) {
        Step get = session.sourceStep(task, "GetObject");
        Step put = session.destinationStep(task, "UploadPart");
        long length = plan.length(number);
        return session.requests.attempt(task, get, session.largeLimit, 2, length, n -> session.direct
                .routeOnceKnown(source).thenCompose(from -> session.direct.routeOnceKnown(destination)
                        .thenCompose(to -> {
                            if (from == null || to == null || !from.directAllowed() || !to.directAllowed()) {
                                return sdkRelayPart(task, uploadId, plan, number, checksums, get, put, from == null,
                                        to == null);
                            }
                            return directRelayPart(task, uploadId, plan, number, checksums, get, put, from, to);
                        })));
    }

    private CompletableFuture<Part> directRelayPart(Task task, String uploadId, PartPlan plan, int number,
            boolean checksums, Step get, Step put, DirectRoute from, DirectRoute to) {
        SdkChecksum checksum = Checksums.newChecksum(session.algorithm);
        return session.requests.directElseSdk(task, put, to, () -> session.direct.streams().relayPart(from, source, get.key(),
                        quoted(task.eTag), plan.range(number), plan.length(number), to, destination, put.key(), uploadId,
                        number, checksum, checksums ? session.algorithm : null)
                        .handle((sent, failure) -> {
                            if (failure == null) {
                                from.succeeded();
                                return part(number, put, checksum, sent.eTag(), sent.checksum());
                            }
                            // A side's definitive answer is blamed on that side's request.
                            if (Failures.root(failure) instanceof DirectStreams.PartAnswered answered) {
                                throw new StepException(answered.source() ? get : put, answered.getCause());
                            }
                            throw rethrow(failure);
                        }),
                () -> sdkRelayPart(task, uploadId, plan, number, checksums, get, put, false, false));
    }

    /** A relayed part as the upload records it, once the destination's checksum (if any) matches the relayed bytes'. */
    private Part part(int number, Step put, SdkChecksum checksum, String eTag, String stored) {
        String relayed = Checksums.base64(checksum);
        if (stored != null && !stored.equals(relayed)) {
            throw new StepException(put, new ChecksumMismatchException("the destination computed " + session.algorithm
                    + " " + stored + " for part " + number + " but the bytes read from the source have " + relayed));
        }
        return new Part(number, eTag, stored, relayed);
    }

    private CompletableFuture<Part> sdkRelayPart(Task task, String uploadId, PartPlan plan, int number,
            boolean checksums, Step get, Step put, boolean learnSource, boolean learnDestination) {
        long length = plan.length(number);
        AtomicReference<Endpoint> sourceEndpoint = new AtomicReference<>();
        AtomicReference<Endpoint> destinationEndpoint = new AtomicReference<>();
        return session.requests.call(get,
                () -> source.client().getObject(b -> b.bucket(source.bucket()).key(get.key())
                        .range(plan.range(number)).ifMatch(quoted(task.eTag)).overrideConfiguration(
                                learning(learnSource, sourceEndpoint)),
                        AsyncResponseTransformer.toPublisher()))
                .whenComplete((publisher, failure) -> {
                    if (learnSource) {
                        if (failure == null) {
                            session.direct.learn(source, sourceEndpoint.get());
                        } else {
                            session.direct.learnFailed(source);
                        }
                    }
                    if (learnDestination && failure != null) {
                        session.direct.learnFailed(destination);
                    }
                })
                .thenCompose(publisher -> {
                    SdkChecksum checksum = Checksums.newChecksum(session.algorithm);
                    RelayBody body = new RelayBody(publisher, length, checksum);
                    CompletableFuture<Part> uploaded;
                    try {
                        checkRange(task, get, publisher.response(), length);
                        UploadPartRequest.Builder b = UploadPartRequest.builder().bucket(destination.bucket())
                                .key(put.key()).uploadId(uploadId).partNumber(number).contentLength(length)
                                .overrideConfiguration(learning(learnDestination, destinationEndpoint));
                        if (checksums) {
                            b.checksumAlgorithm(Checksums.toSdk(session.algorithm));
                        }
                        uploaded = session.requests.call(put, () -> destination.client().uploadPart(b.build(), body))
                                .whenComplete((r, failure) -> {
                                    if (!learnDestination) {
                                        return;
                                    }
                                    if (failure == null) {
                                        session.direct.learn(destination, destinationEndpoint.get());
                                    } else {
                                        session.direct.learnFailed(destination);
                                    }
                                })
                                .handle((r, failure) -> {
                                    if (failure != null) {
                                        throw SmallCopies.sourceOrDestination(get, body, failure);
                                    }
                                    return part(number, put, checksum, r.eTag(), Checksums.valueIn(r, session.algorithm));
                                });
                    } catch (RuntimeException e) {
                        if (learnDestination) {
                            session.direct.learnFailed(destination);
                        }
                        uploaded = CompletableFuture.failedFuture(e);
                    }
                    return uploaded.whenComplete((v, failure) -> {
                        if (failure != null) {
                            body.abandon();
                        }
                    });
                });
    }

    /** No SDK retries; where a route is to be learned, the endpoint the request resolves is recorded too. */
    private static software.amazon.awssdk.awscore.AwsRequestOverrideConfiguration learning(boolean learn,
            AtomicReference<Endpoint> resolved) {
        return learn ? NO_SDK_RETRIES.toBuilder().addPlugin(DirectRelay.recordEndpoint(resolved)).build()
                : NO_SDK_RETRIES;
    }

    private void checkRange(Task task, Step get, GetObjectResponse response, long length) {
        String eTag = SourceObject.unquote(response.eTag());
        if (task.eTag != null && eTag != null && !task.eTag.equals(eTag)) {
            throw new StepException(get, new SourceChangedException("its ETag is now " + eTag + ", it was listed with "
                    + task.eTag));
        }
        if (response.contentLength() != null && response.contentLength() != length) {
            throw new StepException(get, new SourceChangedException("a range of " + length + " bytes came back with "
                    + response.contentLength()));
        }
    }

    private CompletableFuture<CompleteMultipartUploadResponse> complete(Task task, String uploadId, List<Part> parts,
            String whole, boolean checksums) {
        Step step = session.destinationStep(task, "CompleteMultipartUpload");
        List<CompletedPart> completed = new ArrayList<>(parts.size());
        for (Part p : parts) {
            CompletedPart.Builder b = CompletedPart.builder().partNumber(p.number()).eTag(p.eTag());
            if (checksums) {
                Checksums.set(b, session.algorithm,
                        p.storedChecksum() != null ? p.storedChecksum() : p.relayedChecksum());
            }
            completed.add(b.build());
        }
        ServerCapabilities.Option withWhole = session.capabilities.completeChecksums;
        return session.requests.attempt(task, step, session.largeLimit, 1, 0, n -> {
            boolean expectWhole = whole != null && withWhole.enabled();
            return completeOnce(step, uploadId, completed, expectWhole ? whole : null)
                    // A server that refuses the whole's checksum although its parts were accepted
                    // (one that checks it wrongly, or not at all) completes without it; the checksum
                    // it returns is then compared with the whole's instead.
                    .exceptionallyCompose(e -> expectWhole
                            && (Failures.isDigestRejected(e) || Failures.isUnsupportedOption(e))
                            ? completeOnce(step, uploadId, completed, null).thenApply(r -> {
                                withWhole.disable(SizeTieredSession.describe(destination));
                                return r;
                            })
                            : CompletableFuture.failedFuture(e))
                    // A retry after a response that was lost: the first attempt may have completed
                    // the upload, which is then gone (S3 says 404 NoSuchUpload, S3Mock a bare 400).
                    .exceptionallyCompose(e -> n > 1 && Failures.isClientError(e)
                            ? completedBefore(task, step, completed.size(), e) : CompletableFuture.failedFuture(e));
        });
    }

    private CompletableFuture<CompleteMultipartUploadResponse> completeOnce(Step step, String uploadId,
            List<CompletedPart> completed, String whole) {
        return session.requests.call(step, () -> destination.client().completeMultipartUpload(b -> {
            b.bucket(destination.bucket()).key(step.key()).uploadId(uploadId)
                    .multipartUpload(m -> m.parts(completed)).overrideConfiguration(NO_SDK_RETRIES);
            if (whole != null) {
                b.checksumType(software.amazon.awssdk.services.s3.model.ChecksumType.FULL_OBJECT);
                Checksums.set(b, session.algorithm, whole);
            }
        }));
    }

    /** Whether the destination holds this copy already: its size and the recorded source ETag say so. */
    private CompletableFuture<CompleteMultipartUploadResponse> completedBefore(Task task, Step step, int partCount,
            Throwable lost) {
        return session.requests.call(step, () -> destination.client().headObject(b -> b.bucket(destination.bucket())
                .key(step.key()).overrideConfiguration(NO_SDK_RETRIES)))
                .handle((r, e) -> {
                    Fingerprint recorded = r == null ? null : Fingerprint.fromMetadata(r.metadata());
                    // Only this upload's result counts: an object completed from parts (its ETag
                    // ends in -N) since the upload began, with this source's fingerprint. A
                    // destination that was there before (a re-copy) does not.
                    if (e == null && r.contentLength() != null && r.contentLength() == task.entry.size()
                            && recorded != null && recorded.sourceETag().equals(task.eTag)
                            && r.eTag() != null && r.eTag().replace("\"", "").endsWith("-" + partCount)
                            && r.lastModified() != null && task.uploadStarted != null
                            // a minute of leeway for the server's clock, whose LastModified has whole seconds
                            && !r.lastModified().isBefore(task.uploadStarted.minusSeconds(60))) {
                        return CompleteMultipartUploadResponse.builder().build();
                    }
                    throw rethrow(lost);
                });
    }

    /**
     * Waits (uninterruptibly, for at most {@link #CREATE_WAIT}) for a CreateMultipartUpload whose
     * object was given up, and aborts the upload it created; one created later is aborted when it is.
     */
    private void abortOnceCreated(Task task, CompletableFuture<String> created) {
        boolean interrupted = Thread.interrupted();
        long deadline = System.nanoTime() + CREATE_WAIT.toNanos();
        try {
            while (true) {
                try {
                    abort(task, created.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS));
                    return;
                } catch (InterruptedException e) {
                    interrupted = true;
                } catch (ExecutionException | CancellationException e) {
                    return; // no upload was created
                } catch (java.util.concurrent.TimeoutException e) {
                    created.thenAccept(id -> abort(task, id));
                    return;
                }
            }
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** Aborts an upload, whatever happened, a few times if need be; not cancellable by the session. */
    private void abort(Task task, String uploadId) {
        boolean interrupted = Thread.interrupted();
        try {
            for (int attempt = 1; attempt <= 3; attempt++) {
                try {
                    destination.client().abortMultipartUpload(b -> b.bucket(destination.bucket())
                            .key(destination.fullKey(task.entry.key())).uploadId(uploadId)
                            .overrideConfiguration(NO_SDK_RETRIES)).get(30, TimeUnit.SECONDS);
                    return;
                } catch (InterruptedException e) {
                    interrupted = true;
                } catch (ExecutionException e) {
                    if (Failures.isClientError(e.getCause())) {
                        return; // already gone (404 NoSuchUpload), or not ours to abort: no retry helps
                    }
                    LOG.debug("aborting the upload of '{}' failed", task.entry.key(), e.getCause());
                } catch (Exception e) {
                    LOG.debug("aborting the upload of '{}' failed", task.entry.key(), e);
                }
            }
            LOG.warn("could not abort multipart upload {} of s3://{}/{}; a lifecycle rule that aborts incomplete "
                    + "uploads cleans it up", uploadId, destination.bucket(), destination.fullKey(task.entry.key()));
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** Waits for a step of the object, interruptibly; its failure is rethrown as it is. */
    private static <T> T await(CompletableFuture<T> future) throws InterruptedException {
        try {
            return future.get();
        } catch (ExecutionException e) {
            throw rethrow(unwrapped(e.getCause()));
        }
    }

    private static Throwable unwrapped(Throwable t) {
        return io.github.s3recon.S3Errors.unwrap(t);
    }
}
