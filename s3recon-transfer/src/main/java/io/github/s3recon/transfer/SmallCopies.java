package io.github.s3recon.transfer;

import io.github.s3recon.spi.ConcurrencyLimit;
import static io.github.s3recon.transfer.SizeTieredSession.NO_SDK_RETRIES;
import static io.github.s3recon.transfer.SizeTieredSession.quoted;
import static io.github.s3recon.transfer.SizeTieredSession.rethrow;

import io.github.s3recon.Checksum;
import io.github.s3recon.ChecksumType;
import io.github.s3recon.ObjectEntry;
import io.github.s3recon.S3Location;
import io.github.s3recon.TransferMode;
import io.github.s3recon.Redact;
import io.github.s3recon.S3Errors;
import java.util.List;
import java.util.concurrent.CancellationException;
import io.github.s3recon.inventory.DirectRoute;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicReference;
import software.amazon.awssdk.endpoints.Endpoint;
import software.amazon.awssdk.services.s3.model.PutObjectResponse;
import software.amazon.awssdk.checksums.SdkChecksum;
import software.amazon.awssdk.core.async.AsyncRequestBody;
import software.amazon.awssdk.core.async.AsyncResponseTransformer;
import software.amazon.awssdk.services.s3.model.ChecksumMode;
import software.amazon.awssdk.services.s3.model.CopyObjectRequest;
import software.amazon.awssdk.services.s3.model.MetadataDirective;
import software.amazon.awssdk.services.s3.model.PutObjectRequest;
import software.amazon.awssdk.services.s3.model.S3Exception;
import software.amazon.awssdk.services.s3.model.TaggingDirective;
import software.amazon.awssdk.services.s3.model.Tagging;

/**
 * Copies of objects below the threshold, in one request each (a server-side {@code CopyObject}, or
 * a GET then a PUT), and deletions; also the reads of a source object's description and
 * tags that large copies share. Every method returns at once; the work runs on the SDK's threads.
 */
final class SmallCopies {

    private final SizeTieredSession session;
    private final S3Location source;
    private final S3Location destination;
    private final StreamedCopies streamed;

    SmallCopies(SizeTieredSession session) {
        this.session = session;
        this.source = session.source;
        this.destination = session.destination;
        this.streamed = new StreamedCopies(session, this);
    }

    CompletableFuture<Copied> copy(Task task) {
        return session.serverSide && !task.relay ? copyServerSide(task) : relay(task);
    }

    /**
     * Deletes a destination object only if it is still the one the plan saw: a HEAD compares its
     * ETag (or, without one, its size and LastModified), then the DeleteObject carries If-Match on
     * that ETag, so that a rewrite between the two is caught too where the server honours it. One
     * that changed or is gone fails with a {@link DestinationChangedException}: kept, not retried.
     */
    CompletableFuture<Copied> delete(Task task) {
        Step head = session.destinationStep(task, "HeadObject");
        Step step = session.destinationStep(task, "DeleteObject");
        return session.requests.attempt(task, head, session.smallLimit, 1, 0, n -> session.requests.call(head,
                () -> destination.client().headObject(b -> b.bucket(destination.bucket()).key(head.key())
                        .overrideConfiguration(NO_SDK_RETRIES))))
                .handle((r, failure) -> {
                    if (failure != null) {
                        if (isNotFound(failure)) {
                            throw new StepException(head, new DestinationChangedException(
                                    "it is no longer at the destination (deleted since the plan)"));
                        }
                        throw rethrow(failure);
                    }
                    String now = SourceObject.unquote(r.eTag());
                    ObjectEntry planned = task.entry;
                    if (planned.eTag() != null ? !planned.eTag().equalsIgnoreCase(String.valueOf(now))
                            : (r.contentLength() != null && r.contentLength() != planned.size())
                                    || (planned.lastModified() != null && r.lastModified() != null
                                            && !planned.lastModified().equals(r.lastModified()))) {
                        throw new StepException(head, new DestinationChangedException("it was rewritten since the "
                                + "plan (ETag " + now + ", size " + r.contentLength() + "; the plan saw ETag "
                                + planned.eTag() + ", size " + planned.size() + ")"));
                    }
                    return now;
                })
                .thenCompose(eTag -> session.withFallback(session.capabilities.deleteIfMatch,
                        conditional -> session.requests.attempt(task, step, session.smallLimit, 1, 0, n -> session.requests.call(step,
                                () -> destination.client().deleteObject(b -> {
                                    b.bucket(destination.bucket()).key(step.key())
                                            .overrideConfiguration(NO_SDK_RETRIES);
                                    if (conditional && eTag != null) {
                                        b.ifMatch(quoted(eTag));
                                    }
                                })))))
                .handle((r, failure) -> {
                    if (failure == null) {
                        return Copied.DELETED;
                    }
                    Throwable t = Failures.root(failure);
                    if (t instanceof S3Exception e && (e.statusCode() == 412 || e.statusCode() == 404)) {
                        throw new StepException(step, new DestinationChangedException(e.statusCode() == 412
                                ? "it was rewritten between the check and the deletion (412 Precondition Failed)"
                                : "it was deleted by someone else between the check and the deletion"));
                    }
                    throw rethrow(failure);
                });
    }

    private static boolean isNotFound(Throwable failure) {
        return Failures.root(failure) instanceof S3Exception e && e.statusCode() == 404;
    }

    // ---------------------------------------------------------------------------------------------
    // Server-side

    private CompletableFuture<Copied> copyServerSide(Task task) {
        // A single-part source keeps its ETag through CopyObject, which then copies metadata and
        // tags by itself. Any other gets its metadata replaced to record the fingerprint, which
        // needs the source's metadata first.
        CompletableFuture<Copied> copied = task.entry.hasPlainMd5ETag() ? copyObject(task, null)
                : head(task, session.smallLimit).thenCompose(described -> copyObject(task, described));
        // A CopyObject that says the source is missing, where the source has the object (s3rver
        // fails so for keys with '+'): relayed instead, when it fits in memory. Only a HEAD of the
        // source tells this from an object deleted after it was listed.
        return copied.exceptionallyCompose(e -> {
            if (session.cancelled() || !copySourceNotFound(e)) {
                return CompletableFuture.failedFuture(e);
            }
            return sourceIsThere(task, session.smallLimit).thenCompose(there -> {
                if (!there) {
                    return CompletableFuture.failedFuture(e);
                }
                long fits = Math.min(session.settings.smallObjectThreshold(),
                        Math.min(session.budget.capacity(), Integer.MAX_VALUE - 8));
                if (task.entry.size() > fits) {
                    return CompletableFuture.failedFuture(new StepException(session.copyStep(task, "CopyObject"),
                            new ServerCopyFailedException("the server answered 404 NoSuchKey although the source "
                                    + "has the object (HEAD found it): this server cannot copy this key server-side, "
                                    + "and it is too large to relay in one request; build the scheduler with "
                                    + "serverSideCopy(false) to relay it through this JVM")));
                }
                relayInstead(task);
                return relay(task);
            });
        });
    }

    /** Tells whether a server-side copy failed with 404 NoSuchKey, which names its source. */
    static boolean copySourceNotFound(Throwable failure) {
        return S3Errors.unwrap(failure) instanceof StepException s && s.step().copySource() != null
                && Failures.root(failure) instanceof S3Exception e && e.statusCode() == 404
                && !"NoSuchUpload".equals(e.awsErrorDetails() == null ? null : e.awsErrorDetails().errorCode())
                && !"NoSuchBucket".equals(e.awsErrorDetails() == null ? null : e.awsErrorDetails().errorCode());
    }

    /** HEADs the source: true if it still has the listed object, false if it is gone (404). */
    CompletableFuture<Boolean> sourceIsThere(Task task, ConcurrencyLimit limit) {
        return head(task, limit).handle((described, failure) -> {
            if (failure == null) {
                return true;
            }
            if (Failures.root(failure) instanceof S3Exception e && e.statusCode() == 404) {
                return false;
            }
            throw rethrow(failure);
        });
    }

    /** Marks an object for a relay after its server-side copy failed, and says so once per session. */
    void relayInstead(Task task) {
        task.relay = true;
        task.abandoned = false;
        session.note("copy-404", SizeTieredSession.describe(destination) + " answered 404 NoSuchKey to server-side copies of "
                + "objects the source has (e.g. '" + Redact.key(task.entry.key()) + "'); those objects are relayed "
                + "through this JVM instead");
    }

    private CompletableFuture<Copied> copyObject(Task task, SourceObject described) {
        Step step = session.copyStep(task, "CopyObject");
        return session.withFallback(session.capabilities.copyChecksums, withChecksum -> session.requests.attempt(task, step,
                session.smallLimit, 1, task.entry.size(), n -> session.direct.routeOnceKnown(destination)
                        .thenCompose(route -> copyObject(task, step, copyRequest(task, described, withChecksum),
                                // A copy that replaces metadata (to record a fingerprint) stays with the SDK.
                                described == null || route == null ? route : DirectRoute.SDK_ONLY))))
                .thenApply(r -> new Copied(TransferMode.SERVER_SIDE, null));
    }

    /**
     * Sends a CopyObject directly where the destination has a route, else (or when the direct
     * answer is not a plain one) through the SDK, which learns the route where none is known yet.
     */
    private CompletableFuture<Void> copyObject(Task task, Step step, CopyObjectRequest request, DirectRoute route) {
        if (route == null || !route.directAllowed()) {
            return sdkCopyObject(step, request, route == null);
        }
        return session.requests.directElseSdk(task, step, route,
                () -> session.direct.copy(route, destination, request).thenApply(eTag -> (Void) null),
                () -> sdkCopyObject(step, request, false));
    }

    private CompletableFuture<Void> sdkCopyObject(Step step, CopyObjectRequest request, boolean learn) {
        AtomicReference<Endpoint> resolved = new AtomicReference<>();
        CopyObjectRequest sent = learn ? request.toBuilder().overrideConfiguration(NO_SDK_RETRIES.toBuilder()
                .addPlugin(DirectRelay.recordEndpoint(resolved)).build()).build() : request;
        return session.requests.call(step, () -> destination.client().copyObject(sent))
                .whenComplete((r, failure) -> {
                    if (learn && failure == null) {
                        session.direct.learn(destination, resolved.get());
                    } else if (learn) {
                        session.direct.learnFailed(destination);
                    }
                })
                .thenApply(r -> null);
    }

    private CopyObjectRequest copyRequest(Task task, SourceObject described, boolean withChecksum) {
        CopyObjectRequest.Builder b = CopyObjectRequest.builder()
                .sourceBucket(source.bucket()).sourceKey(source.fullKey(task.entry.key()))
                .destinationBucket(destination.bucket()).destinationKey(destination.fullKey(task.entry.key()))
                .copySourceIfMatch(quoted(task.eTag))
                .overrideConfiguration(NO_SDK_RETRIES);
        if (withChecksum) {
            b.checksumAlgorithm(Checksums.toSdk(session.algorithm));
        }
        if (described != null) {
            b.metadataDirective(MetadataDirective.REPLACE);
            described.applyTo(b, described.fingerprint(task.eTag));
        }
        if (!session.settings.copyTags()) {
            b.taggingDirective(TaggingDirective.REPLACE);
        }
        return b.build();
    }

    // ---------------------------------------------------------------------------------------------
    // Relay

    /*
     * A small object is read whole into memory (its size is in the byte budget) before its PUT
     * starts, unless it can stream (StreamedCopies). Streaming through the SDK would hold the GET's connection
     * while the PUT (or GetObjectTagging) waits for one; with a connection pool smaller than twice the
     * lane's concurrency, or one pool for both sides, GETs would hold every connection and wait for
     * each other until the pool's acquire timeout. Read first, the GET gives its connection back
     * before the next request needs one, and a failed PUT is retried without reading again.
     */
    private CompletableFuture<Copied> relay(Task task) {
        DirectRoute from = session.direct.route(source);
        DirectRoute to = session.direct.route(destination);
        if ((from == null || to == null) && task.entry.size() >= StreamedCopies.STREAMED_FROM) {
            CompletableFuture<Copied> waited = streamed.onceRoutesLearnt(task, this::buffered, this::relay);
            if (waited != null) {
                return waited;
            }
        }
        if (streamed.streams(task, from, to)) {
            return streamed.relay(task, from, to);
        }
        return buffered(task);
    }

    /** Relays an object read whole into memory first (its size is in the byte budget). */
    CompletableFuture<Copied> buffered(Task task) {
        Step get = session.sourceStep(task, "GetObject");
        Step put = session.destinationStep(task, "PutObject");
        long size = task.entry.size();
        return session.requests.attempt(task, get, session.smallLimit, 1, size, n -> download(task, get))
                .thenCompose(download -> tagsOf(task, download.described(), session.smallLimit)
                        .thenCompose(tagging -> session.withFallback(session.capabilities.putChecksums,
                                withChecksum -> withTags(tagging, tags -> session.requests.attempt(task, put,
                                        session.smallLimit, 1, 0,
                                        n -> upload(task, put, download, tags, withChecksum))))));
    }

    /**
     * Writes with the tags, and once more without them if the destination does not implement
     * tags on writes (S3Proxy answers 501); tags are then off for the rest of the session.
     */
    <T> CompletableFuture<T> withTags(Tagging tagging, java.util.function.Function<Tagging, CompletableFuture<T>> op) {
        if (tagging == null) {
            return op.apply(null);
        }
        return session.withFallback(session.capabilities.putTags, Failures::isNotImplemented,
                withTags -> op.apply(withTags ? tagging : null));
    }

    /** A small object's bytes, their checksum, and what its GET said about it. */
    private record Downloaded(SourceObject described, byte[] bytes, Checksum checksum) {
    }

    private CompletableFuture<Downloaded> download(Task task, Step get) {
        return session.direct.routeOnceKnown(source).thenCompose(route -> download(task, get, route));
    }

    private CompletableFuture<Downloaded> download(Task task, Step get, DirectRoute route) {
        if (route != null && task.entry.size() <= DirectRelay.MAX_SIZE && route.directAllowed()) {
            // Straight over the JDK's client; anything but a plain answer is asked again of the SDK.
            return session.requests.directElseSdk(task, get, route,
                    () -> session.direct.get(route, source, get.key(), quoted(task.eTag), task.entry.size())
                            .thenApply(got -> downloaded(task, get, check(task, get, SourceObject.of(got.response())),
                                    got.bytes())),
                    () -> sdkDownload(task, get, false));
        }
        return sdkDownload(task, get, route == null);
    }

    private CompletableFuture<Downloaded> sdkDownload(Task task, Step get, boolean learn) {
        // Checksum mode makes the source send its stored checksum, which the SDK then checks
        // against the bytes (full-object checksums only).
        AtomicReference<Endpoint> resolved = new AtomicReference<>();
        return session.requests.call(get, () -> source.client().getObject(b -> b.bucket(source.bucket()).key(get.key())
                        .ifMatch(quoted(task.eTag)).checksumMode(ChecksumMode.ENABLED)
                        .overrideConfiguration(learn ? NO_SDK_RETRIES.toBuilder()
                                .addPlugin(DirectRelay.recordEndpoint(resolved)).build() : NO_SDK_RETRIES),
                        AsyncResponseTransformer.toPublisher()))
                .whenComplete((publisher, failure) -> {
                    if (learn && failure != null) {
                        session.direct.learnFailed(source);
                    }
                })
                .thenCompose(publisher -> {
                    if (learn) {
                        session.direct.learn(source, resolved.get());
                    }
                    SourceObject described;
                    try {
                        described = check(task, get, SourceObject.of(publisher.response()));
                    } catch (RuntimeException e) {
                        Download.discard(publisher);
                        throw e;
                    }
                    return Download.read(publisher, task.entry.size()).handle((bytes, failure) -> {
                        if (failure != null) {
                            throw new StepException(get, Failures.root(failure));
                        }
                        return downloaded(task, get, described, bytes);
                    });
                });
    }

    /**
     * The bytes of a GET, checksummed and checked against what the source stores: a full-object
     * checksum of another algorithm is computed too (the SDK checks it on its own path; a direct
     * GET has only this check).
     */
    private Downloaded downloaded(Task task, Step get, SourceObject described, byte[] bytes) {
        SdkChecksum checksum = Checksums.newChecksum(session.algorithm);
        checksum.update(bytes, 0, bytes.length);
        String value = Checksums.base64(checksum);
        verify(get, value, null, described);
        Checksum stored = described.checksum();
        if (stored != null && stored.algorithm() != session.algorithm && stored.type() == ChecksumType.FULL_OBJECT) {
            SdkChecksum other = Checksums.newChecksum(stored.algorithm());
            other.update(bytes, 0, bytes.length);
            if (!Checksums.base64(other).equals(stored.value())) {
                throw new StepException(get, new ChecksumMismatchException("the source stores " + stored.algorithm()
                        + " " + stored.value() + " but the bytes read from it have " + Checksums.base64(other)));
            }
        }
        return new Downloaded(described, bytes, Checksum.of(session.algorithm, ChecksumType.FULL_OBJECT, value));
    }

    private CompletableFuture<Copied> upload(Task task, Step put, Downloaded download, Tagging tagging,
            boolean withChecksum) {
        if (session.cancelled()) {
            return CompletableFuture.failedFuture(new CancellationException("the transfer was cancelled"));
        }
        SourceObject described = download.described();
        byte[] bytes = download.bytes();
        Checksum copied = download.checksum();
        // A retry after the session went plain sends no checksum, whatever the first attempt did.
        boolean trailer = withChecksum && !session.capabilities.plain();
        boolean check = trailer && session.capabilities.checkWrites();
        PutObjectRequest.Builder b = PutObjectRequest.builder().bucket(destination.bucket()).key(put.key())
                .contentLength((long) bytes.length).overrideConfiguration(NO_SDK_RETRIES);
        // The bytes are known before the write: the fingerprint records their checksum, which the
        // destination then stores too, so that a later overwrite that keeps the metadata is caught.
        described.applyTo(b, described.fingerprint(task.eTag, copied));
        if (tagging != null) {
            b.tagging(tagging);
        }
        if (trailer) {
            b.checksumAlgorithm(Checksums.toSdk(session.algorithm));
        } else {
            b.contentMD5(md5(bytes));
        }
        PutObjectRequest request = b.build();
        return put(task, put, request, bytes, trailer ? copied.value() : null).thenCompose(sent -> {
            Copied done = new Copied(TransferMode.RELAY, copied);
            // Only an aws-chunked body (the SDK's trailer) can be stored with its framing.
            if (!check || !sent.framed()) {
                verify(put, copied.value(), Checksums.valueIn(sent.response(), session.algorithm), null);
                return CompletableFuture.completedFuture(done);
            }
            // First what was stored: a framed body also makes the server's checksum differ.
            return storedRight(task, bytes.length).thenCompose(right -> {
                if (!right) {
                    return upload(task, put, download, tagging, false); // again, plain
                }
                verify(put, copied.value(), Checksums.valueIn(sent.response(), session.algorithm), null);
                return CompletableFuture.completedFuture(done);
            });
        });
    }

    /** A PUT's answer, and whether its body went as aws-chunked with a trailing checksum. */
    private record Sent(PutObjectResponse response, boolean framed) {
    }

    /**
     * Sends a PUT directly where the destination has a route, else (or when the direct answer is
     * not a plain 200) through the SDK. Directly, a checksum goes as a header, since the bytes are
     * known before the write: no trailer, no framing.
     *
     * @param checksum the bytes' checksum where the request asks for a trailer, else null
     */
    private CompletableFuture<Sent> put(Task task, Step put, PutObjectRequest request, byte[] bytes,
            String checksum) {
        return session.direct.routeOnceKnown(destination)
                .thenCompose(route -> put(task, put, request, bytes, checksum, route));
    }

    private CompletableFuture<Sent> put(Task task, Step put, PutObjectRequest request, byte[] bytes, String checksum,
            DirectRoute route) {
        boolean framed = request.checksumAlgorithm() != null;
        if (route == null || bytes.length > DirectRelay.MAX_SIZE || !route.directAllowed()) {
            return sdkPut(put, request, bytes, route == null).thenApply(r -> new Sent(r, framed));
        }
        PutObjectRequest direct = checksum == null ? request
                : request.toBuilder().checksumAlgorithm((String) null).build();
        return session.requests.directElseSdk(task, put, route,
                () -> session.direct.put(route, destination, direct, bytes, session.algorithm, checksum)
                        .thenApply(r -> new Sent(r, false)),
                () -> sdkPut(put, request, bytes, false).thenApply(r -> new Sent(r, framed)));
    }

    private CompletableFuture<PutObjectResponse> sdkPut(Step put, PutObjectRequest request, byte[] bytes, boolean learn) {
        AtomicReference<Endpoint> resolved = new AtomicReference<>();
        PutObjectRequest sent = learn ? request.toBuilder().overrideConfiguration(NO_SDK_RETRIES.toBuilder()
                .addPlugin(DirectRelay.recordEndpoint(resolved)).build()).build() : request;
        return session.requests.call(put,
                () -> destination.client().putObject(sent, AsyncRequestBody.fromBytesUnsafe(bytes)))
                .whenComplete((r, failure) -> {
                    if (learn && failure == null) {
                        session.direct.learn(destination, resolved.get());
                    } else if (learn) {
                        session.direct.learnFailed(destination);
                    }
                });
    }

    private static String md5(byte[] bytes) {
        try {
            return java.util.Base64.getEncoder().encodeToString(
                    java.security.MessageDigest.getInstance("MD5").digest(bytes));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JVM has no MD5", e);
        }
    }

    /**
     * Checks what the destination stored for an object just written with a checksum trailer: the
     * size it reports, and that it did not keep the aws-chunked encoding as the object's (s3rver
     * stores the framing as the bytes). On a mismatch the session switches to plain uploads and
     * says so once; the caller writes the object again.
     *
     * @return true if stored right
     */
    CompletableFuture<Boolean> storedRight(Task task, long size) {
        Step step = session.destinationStep(task, "HeadObject");
        return session.requests.attempt(task, step, null, 1, 0, n -> session.requests.call(step,
                () -> destination.client().headObject(b -> b.bucket(destination.bucket()).key(step.key())
                        .overrideConfiguration(NO_SDK_RETRIES))))
                .thenApply(r -> {
                    long stored = r.contentLength() == null ? -1 : r.contentLength();
                    String encoding = r.contentEncoding() == null ? "" : r.contentEncoding();
                    if (stored == size && !encoding.toLowerCase(java.util.Locale.ROOT).contains("aws-chunked")) {
                        session.capabilities.goodWrite();
                        return true;
                    }
                    if (session.capabilities.plainUploads()) {
                        session.note("plain-uploads", SizeTieredSession.describe(destination) + " stored an upload "
                                + "with a trailing checksum wrongly ('" + Redact.key(task.entry.key()) + "': " + size
                                + " bytes written, " + stored + " stored" + (encoding.isEmpty() ? "" : ", with "
                                + "Content-Encoding " + Redact.text(encoding)) + "): it keeps the aws-chunked framing "
                                + "as the object's bytes. The session switched to plain uploads (Content-MD5, no "
                                + "trailer) and copies those objects again; build the scheduler with "
                                + "plainUploads(true) to start so");
                    }
                    return false;
                });
    }

    /** A failed PUT whose body failed is the source's failure (a reset GET, a source that changed). */
    static RuntimeException sourceOrDestination(Step get, RelayBody body, Throwable failure) {
        Throwable fromSource = body.sourceFailure();
        if (fromSource != null) {
            return new StepException(get, fromSource);
        }
        return rethrow(failure);
    }

    /**
     * Checks the relayed bytes' checksum against what the destination computed and what the source
     * stored (when of the same algorithm and for the whole object).
     */
    void verify(Step put, String relayed, String destinationValue, SourceObject described) {
        if (destinationValue != null && !destinationValue.equals(relayed)) {
            throw new StepException(put, new ChecksumMismatchException("the destination computed " + session.algorithm
                    + " " + destinationValue + " but the bytes read from the source have " + relayed));
        }
        Checksum stored = described == null ? null : described.checksum();
        if (stored != null && stored.algorithm() == session.algorithm && stored.type() == ChecksumType.FULL_OBJECT
                && !stored.value().equals(relayed)) {
            throw new StepException(put, new ChecksumMismatchException("the source stores " + session.algorithm + " "
                    + stored.value() + " but the bytes read from it have " + relayed));
        }
    }

    // ---------------------------------------------------------------------------------------------
    // Source descriptions and tags, shared with large copies

    /** HEADs the source (with If-Match on the listed ETag) and checks it is the listed object. */
    CompletableFuture<SourceObject> head(Task task, ConcurrencyLimit limit) {
        Step step = session.sourceStep(task, "HeadObject");
        return session.requests.attempt(task, step, limit, 1, 0, n -> session.requests.call(step,
                () -> source.client().headObject(b -> b.bucket(source.bucket()).key(step.key())
                        .ifMatch(quoted(task.eTag)).checksumMode(ChecksumMode.ENABLED)
                        .overrideConfiguration(NO_SDK_RETRIES)))
                .thenApply(r -> check(task, step, SourceObject.of(r))));
    }

    /**
     * Checks that a response describes the listed object (same size, and same ETag where the
     * listing had one, which If-Match should already have ensured), learns the ETag where the listing
     * had none, and notes whether the server reports tag counts (it sent one, or it is a server
     * known to).
     */
    SourceObject check(Task task, Step step, SourceObject described) {
        if (described.showsTagCounts()) {
            session.capabilities.sawTagCount();
        }
        task.eTag = described.checkListed(step, task.eTag, task.entry.size());
        return described;
    }

    /**
     * Reads a source object's tags, with retries, where it has or may have some: when the server
     * says how many it has, only if some; when it does not say, unless it has said for other
     * objects (S3 omits the count for untagged objects, some servers never send it).
     *
     * @return the tags, or null for none
     */
    CompletableFuture<Tagging> tagsOf(Task task, SourceObject described, ConcurrencyLimit limit) {
        ServerCapabilities capabilities = session.capabilities;
        Integer count = described.tagCount();
        if (!session.settings.copyTags() || capabilities.tagsUnsupported() || !capabilities.putTags.enabled()
                || (count != null ? count == 0 : capabilities.tagCountReported())) {
            return CompletableFuture.completedFuture(null);
        }
        return readTags(task, limit);
    }

    /** Reads a source object's tags, with retries, whatever the source said of them; null for none. */
    CompletableFuture<Tagging> readTags(Task task, ConcurrencyLimit limit) {
        Step step = session.sourceStep(task, "GetObjectTagging");
        return session.requests.attempt(task, step, limit, 1, 0, n -> getTags(task, step));
    }

    private CompletableFuture<java.util.List<software.amazon.awssdk.services.s3.model.Tag>> sdkTags(Step step) {
        return session.requests.call(step, () -> source.client().getObjectTagging(b -> b.bucket(source.bucket())
                .key(step.key()).overrideConfiguration(NO_SDK_RETRIES)))
                .thenApply(r -> r.hasTagSet() ? r.tagSet() : java.util.List.of());
    }

    private CompletableFuture<Tagging> getTags(Task task, Step step) {
        ServerCapabilities capabilities = session.capabilities;
        DirectRoute route = session.direct.route(source);
        CompletableFuture<java.util.List<software.amazon.awssdk.services.s3.model.Tag>> read;
        if (route != null && route.directAllowed()) {
            read = session.requests.directElseSdk(task, step, route,
                    () -> session.direct.tags(route, source, step.key()), () -> sdkTags(step));
        } else {
            read = sdkTags(step);
        }
        return read
                .handle((tagSet, failure) -> {
                    if (failure == null) {
                        return tagSet.isEmpty() ? null : Tagging.builder().tagSet(tagSet).build();
                    }
                    if (Failures.isNotImplemented(failure)) {
                        String server = SizeTieredSession.describe(source);
                        if (capabilities.tagsUnsupported(server)) {
                            session.note("tags-get", server + " does not implement GetObjectTagging ("
                                    + Failures.reason(failure) + "): objects are copied without their tags");
                        }
                        return null;
                    }
                    throw rethrow(failure);
                });
    }
}
