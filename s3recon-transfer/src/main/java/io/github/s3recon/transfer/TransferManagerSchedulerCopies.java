package io.github.s3recon.transfer;

import static io.github.s3recon.transfer.SizeTieredSession.NO_SDK_RETRIES;
import static io.github.s3recon.transfer.SizeTieredSession.quoted;

import io.github.s3recon.Checksum;
import io.github.s3recon.ChecksumAlgorithm;
import io.github.s3recon.ChecksumType;
import io.github.s3recon.ObjectEntry;
import io.github.s3recon.Redact;
import io.github.s3recon.S3Location;
import io.github.s3recon.TransferMode;
import io.github.s3recon.transfer.TransferManagerSchedulerSession.Job;
import java.io.IOException;
import java.nio.ByteBuffer;
import org.reactivestreams.Publisher;
import software.amazon.awssdk.core.async.AsyncRequestBody;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import software.amazon.awssdk.checksums.SdkChecksum;
import software.amazon.awssdk.core.async.AsyncResponseTransformer;
import software.amazon.awssdk.core.async.ResponsePublisher;
import software.amazon.awssdk.services.s3.model.ChecksumMode;
import software.amazon.awssdk.services.s3.model.CopyObjectRequest;
import software.amazon.awssdk.services.s3.model.GetObjectRequest;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;
import software.amazon.awssdk.services.s3.model.MetadataDirective;
import software.amazon.awssdk.services.s3.model.PutObjectRequest;
import software.amazon.awssdk.services.s3.model.S3Exception;
import software.amazon.awssdk.services.s3.model.Tagging;
import software.amazon.awssdk.services.s3.model.TaggingDirective;
import software.amazon.awssdk.transfer.s3.model.Copy;
import software.amazon.awssdk.transfer.s3.model.CopyRequest;
import software.amazon.awssdk.transfer.s3.model.DownloadRequest;
import software.amazon.awssdk.transfer.s3.model.Upload;
import software.amazon.awssdk.transfer.s3.model.UploadRequest;

/**
 * The requests of one attempt of a {@link TransferManagerSchedulerSession}'s copy or deletion:
 * copies and relays through the transfer managers, and the source reads (HEAD, tags) and
 * deletions through the locations' own clients. Every method returns at once; the work runs on
 * the SDK's threads. Failures come wrapped in a {@link StepException} naming the request.
 */
final class TransferManagerSchedulerCopies {

    private final TransferManagerSchedulerSession session;
    private final TransferManagerSchedulerClients clients;
    private final S3Location source;
    private final S3Location destination;
    private final ChecksumAlgorithm algorithm;
    private final boolean copyTags;
    private final long multipartThreshold;
    /** Whether relayed reads go through the source's own client (so that request overrides apply). */
    private final boolean readsAsGiven;
    /** Whether the source sends x-amz-tagging-count whenever an object has tags (AWS does). */
    private volatile boolean tagCountsReported;
    private volatile boolean getTagsUnsupported;
    private volatile boolean putTagsUnsupported;
    private volatile boolean deleteIfMatch = true;

    TransferManagerSchedulerCopies(TransferManagerSchedulerSession session) {
        this.session = session;
        this.clients = session.clients;
        this.source = session.context.source();
        this.destination = session.context.destination();
        this.algorithm = session.context.checksumAlgorithm();
        this.copyTags = session.settings.copyTags();
        this.multipartThreshold = session.settings.multipartThreshold();
        this.readsAsGiven = session.settings.clients() != TransferManagerScheduler.Clients.CRT;
        this.tagCountsReported = Endpoints.isAwsS3(source.client());
    }

    CompletableFuture<Copied> copy(Job job) {
        return session.serverSide && !job.relay ? copyServerSide(job) : relay(job);
    }

    // ---------------------------------------------------------------------------------------------
    // Server-side

    private CompletableFuture<Copied> copyServerSide(Job job) {
        // The transfer manager may copy in parts (a multipart client above the threshold): such a
        // copy keeps neither the ETag, nor the metadata, nor the tags unless they are given.
        boolean parts = clients.multipart && job.entry.size() >= multipartThreshold;
        boolean replace = parts || !job.entry.hasPlainMd5ETag();
        CompletableFuture<SourceObject> described = replace ? head(job)
                : CompletableFuture.completedFuture(null);
        return described
                .thenCompose(d -> (parts && copyTags ? tagsOf(job, d, true) : CompletableFuture.<Tagging>completedFuture(null))
                        .thenCompose(tagging -> copyObject(job, d, tagging, parts)))
                .exceptionallyCompose(e -> {
                    if (session.cancelled() || !copySourceNotFound(e)) {
                        return CompletableFuture.failedFuture(e);
                    }
                    // A server that answers 404 to a copy of an object the source has: relayed instead.
                    return head(job).thenCompose(d -> {
                        job.relay = true;
                        session.note("copy-404", SizeTieredSession.describe(destination) + " answered 404 NoSuchKey to "
                                + "server-side copies of objects the source has (e.g. '" + Redact.key(job.entry.key())
                                + "'); those objects are relayed through this JVM instead");
                        return relay(job);
                    });
                });
    }

    private static boolean copySourceNotFound(Throwable failure) {
        if (!(io.github.s3recon.S3Errors.unwrap(failure) instanceof StepException s) || s.step().copySource() == null) {
            return false;
        }
        if (!(Failures.root(failure) instanceof S3Exception e) || e.statusCode() != 404) {
            return false;
        }
        String code = e.awsErrorDetails() == null ? null : e.awsErrorDetails().errorCode();
        return !"NoSuchUpload".equals(code) && !"NoSuchBucket".equals(code);
    }

    private CompletableFuture<Copied> copyObject(Job job, SourceObject described, Tagging tagging, boolean parts) {
        Step step = copyStep(job);
        CopyObjectRequest.Builder b = CopyObjectRequest.builder()
                .sourceBucket(source.bucket()).sourceKey(source.fullKey(job.entry.key()))
                .destinationBucket(destination.bucket()).destinationKey(destination.fullKey(job.entry.key()))
                .copySourceIfMatch(quoted(job.eTag));
        if (described != null) {
            b.metadataDirective(MetadataDirective.REPLACE);
            described.applyTo(b, described.fingerprint(job.eTag));
        }
        if (!copyTags) {
            b.taggingDirective(TaggingDirective.REPLACE);
        } else if (tagging != null) {
            b.taggingDirective(TaggingDirective.REPLACE).tagging(tagging);
        }
        if (clients.asGiven) {
            b.overrideConfiguration(NO_SDK_RETRIES);
        }
        if (parts) {
            session.context.uploads().intent(job.entry.key(), session.context.clock().instant());
        }
        if (session.cancelled()) {
            return CompletableFuture.failedFuture(new CancellationException("the transfer was cancelled"));
        }
        Copy copy = clients.writes.copy(CopyRequest.builder().copyObjectRequest(b.build()).build());
        return track(job, copy.completionFuture()).handle((r, e) -> {
            if (e != null) {
                throw new StepException(step, Failures.root(e));
            }
            return new Copied(TransferMode.SERVER_SIDE, null);
        });
    }

    // ---------------------------------------------------------------------------------------------
    // Relay

    /**
     * A GET streamed into an upload: the transfer manager's download hands over the body as a
     * publisher, which becomes the upload's body as it arrives, feeding the checksum on the way.
     */
    private CompletableFuture<Copied> relay(Job job) {
        // Where the server has not shown that it reports tag counts, the tags are read before the
        // GET, so that no GET holds its connection while a GetObjectTagging waits for one.
        boolean before = copyTags && !tagCountsReported && !getTagsUnsupported;
        return (before ? tagsOf(job, null, false) : CompletableFuture.<Tagging>completedFuture(null))
                .thenCompose(tags -> relay(job, tags, !before));
    }

    /**
     * GETs and uploads with the tags given; when tags were not read and the GET says the object
     * has some, its body is given back, the tags read, and the object read again.
     */
    private CompletableFuture<Copied> relay(Job job, Tagging tags, boolean mayHaveTags) {
        if (!readsAsGiven && job.entry.size() == 0) {
            // A CRT client reads in ranges, which a server refuses for an empty object (416): a HEAD
            // (If-Match on the listed ETag) stands for the GET.
            return head(job).thenCompose(described -> {
                if (mayHaveTags && copyTags && !getTagsUnsupported && described.tagCount() != null
                        && described.tagCount() > 0) {
                    return tagsOf(job, described, false).thenCompose(t -> upload(job,
                            AsyncRequestBody.empty(), described, putTagsUnsupported ? null : t));
                }
                return upload(job, AsyncRequestBody.empty(), described, putTagsUnsupported ? null : tags);
            });
        }
        return get(job).thenCompose(publisher -> {
            Step getStep = sourceStep(job, "GetObject");
            SourceObject described;
            try {
                described = check(job, getStep, wholeObject(SourceObject.of(publisher.response()),
                        publisher.response().contentRange()));
            } catch (RuntimeException e) {
                Download.discard(publisher);
                throw e;
            }
            if (mayHaveTags && copyTags && !getTagsUnsupported && described.tagCount() != null
                    && described.tagCount() > 0) {
                Download.discard(publisher);
                return tagsOf(job, described, false).thenCompose(t -> relay(job, t, false));
            }
            return upload(job, publisher, described, putTagsUnsupported ? null : tags);
        });
    }

    private CompletableFuture<ResponsePublisher<GetObjectResponse>> get(Job job) {
        Step step = sourceStep(job, "GetObject");
        GetObjectRequest.Builder g = GetObjectRequest.builder().bucket(source.bucket()).key(step.key())
                .ifMatch(quoted(job.eTag));
        if (readsAsGiven) {
            g.checksumMode(ChecksumMode.ENABLED).overrideConfiguration(NO_SDK_RETRIES);
        }
        if (session.cancelled()) {
            return CompletableFuture.failedFuture(new CancellationException("the transfer was cancelled"));
        }
        var download = clients.reads.download(DownloadRequest.builder().getObjectRequest(g.build())
                .responseTransformer(AsyncResponseTransformer.<GetObjectResponse>toPublisher()).build());
        return track(job, download.completionFuture()).handle((d, e) -> {
            if (e != null) {
                throw new StepException(step, Failures.root(e));
            }
            return d.result();
        });
    }

    private CompletableFuture<Copied> upload(Job job, Publisher<ByteBuffer> publisher,
            SourceObject described, Tagging tagging) {
        Step getStep = sourceStep(job, "GetObject");
        Step put = destinationStep(job, "PutObject");
        long size = job.entry.size();
        PutObjectRequest.Builder p = PutObjectRequest.builder().bucket(destination.bucket()).key(put.key())
                .contentLength(size);
        described.applyTo(p, described.fingerprint(job.eTag));
        if (tagging != null) {
            p.tagging(tagging);
        }
        if (clients.asGiven) {
            p.overrideConfiguration(NO_SDK_RETRIES);
        }
        SdkChecksum checksum = Checksums.newChecksum(algorithm);
        RelayBody body = new RelayBody(publisher, size, checksum);
        if (session.cancelled()) {
            body.abandon();
            return CompletableFuture.failedFuture(new CancellationException("the transfer was cancelled"));
        }
        if (clients.multipart && size >= multipartThreshold) {
            session.context.uploads().intent(job.entry.key(), session.context.clock().instant());
        }
        Upload upload = clients.writes.upload(UploadRequest.builder().putObjectRequest(p.build()).requestBody(body)
                .build());
        return track(job, upload.completionFuture()).handle((r, e) -> {
            if (e != null) {
                body.abandon();
                Throwable fromSource = body.sourceFailure();
                if (fromSource != null) {
                    throw new StepException(getStep, fromSource);
                }
                if (tagging != null && Failures.isNotImplemented(e)) {
                    putTagsUnsupported = true;
                    session.note("tags-put", SizeTieredSession.describe(destination) + " does not implement tags "
                            + "on writes (" + Failures.reason(e) + "): objects are copied without their tags");
                    throw new StepException(put, new IOException("written again without tags"));
                }
                if (isUploadBroken(e)) {
                    // A part the server does not know at completion (a reset part whose answer was
                    // lost): a new upload, as a whole-object retry, fixes it.
                    throw new StepException(put, new IOException("the multipart upload was broken ("
                            + Failures.reason(e) + "); the object is written again", Failures.root(e)));
                }
                throw new StepException(put, Failures.root(e));
            }
            if (!body.complete()) {
                throw new StepException(getStep, new IOException("the upload ended before the source's body did"));
            }
            String value = Checksums.base64(checksum);
            Checksum stored = described.checksum();
            if (stored != null && stored.algorithm() == algorithm && stored.type() == ChecksumType.FULL_OBJECT
                    && !stored.value().equals(value)) {
                throw new StepException(put, new ChecksumMismatchException("the source stores " + algorithm + " "
                        + stored.value() + " but the bytes read from it have " + value));
            }
            return new Copied(TransferMode.RELAY, Checksum.of(algorithm, ChecksumType.FULL_OBJECT, value));
        });
    }

    private static boolean isUploadBroken(Throwable failure) {
        if (!(Failures.root(failure) instanceof S3Exception e) || e.awsErrorDetails() == null) {
            return false;
        }
        String code = e.awsErrorDetails().errorCode();
        return "InvalidPart".equals(code) || "InvalidPartOrder".equals(code) || "NoSuchUpload".equals(code);
    }

    // ---------------------------------------------------------------------------------------------
    // Source reads and deletions, through the locations' own clients

    /** HEADs the source with If-Match on the listed ETag, and checks it is the listed object. */
    private CompletableFuture<SourceObject> head(Job job) {
        Step step = sourceStep(job, "HeadObject");
        return source.client().headObject(b -> b.bucket(source.bucket()).key(step.key()).ifMatch(quoted(job.eTag))
                        .checksumMode(ChecksumMode.ENABLED).overrideConfiguration(NO_SDK_RETRIES))
                .handle((r, e) -> {
                    if (e != null) {
                        throw new StepException(step, Failures.root(e));
                    }
                    return check(job, step, SourceObject.of(r));
                });
    }

    /**
     * A GET's description with the whole object's size: a CRT client's GET is made of ranged GETs,
     * whose response may carry the first range's length and the total in {@code Content-Range}.
     */
    private static SourceObject wholeObject(SourceObject d, String contentRange) {
        int slash = contentRange == null ? -1 : contentRange.lastIndexOf('/');
        if (slash < 0) {
            return d;
        }
        try {
            long total = Long.parseLong(contentRange.substring(slash + 1).trim());
            return new SourceObject(total, d.eTag(), d.contentType(), d.contentEncoding(), d.contentDisposition(),
                    d.contentLanguage(), d.cacheControl(), d.expires(), d.metadata(), d.tagCount(), d.checksum(),
                    d.server());
        } catch (NumberFormatException e) {
            return d; // "*": unknown
        }
    }

    /** Checks that a response describes the listed object, and learns its ETag where the listing had none. */
    private SourceObject check(Job job, Step step, SourceObject described) {
        if (described.showsTagCounts()) {
            tagCountsReported = true;
        }
        job.eTag = described.checkListed(step, job.eTag, job.entry.size());
        return described;
    }

    /**
     * Reads a source object's tags where it has or may have some.
     *
     * @param described what a HEAD or GET said, or null when not known yet
     * @param serverSide whether for a server-side copy (whose HEAD says whether there are tags)
     * @return the tags, or null for none
     */
    private CompletableFuture<Tagging> tagsOf(Job job, SourceObject described, boolean serverSide) {
        Integer count = described == null ? null : described.tagCount();
        if (getTagsUnsupported || (count != null && count == 0) || (count == null && serverSide && tagCountsReported)) {
            return CompletableFuture.completedFuture(null);
        }
        Step step = sourceStep(job, "GetObjectTagging");
        return source.client().getObjectTagging(b -> b.bucket(source.bucket()).key(step.key())
                        .overrideConfiguration(NO_SDK_RETRIES))
                .handle((r, e) -> {
                    if (e == null) {
                        return r.hasTagSet() && !r.tagSet().isEmpty() ? Tagging.builder().tagSet(r.tagSet()).build()
                                : null;
                    }
                    if (Failures.isNotImplemented(e)) {
                        getTagsUnsupported = true;
                        session.note("tags-get", SizeTieredSession.describe(source) + " does not implement "
                                + "GetObjectTagging (" + Failures.reason(e) + "): objects are copied without their tags");
                        return null;
                    }
                    throw new StepException(step, Failures.root(e));
                });
    }

    /**
     * Deletes a destination object only if it is still the one the plan saw: a HEAD compares its
     * ETag (else size and LastModified), then the DeleteObject carries If-Match where the server
     * accepts it. One that changed or is gone fails with a {@link DestinationChangedException}.
     */
    CompletableFuture<Copied> delete(Job job) {
        Step head = destinationStep(job, "HeadObject");
        return destination.client().headObject(b -> b.bucket(destination.bucket()).key(head.key())
                        .overrideConfiguration(NO_SDK_RETRIES))
                .handle((r, e) -> {
                    if (e != null) {
                        if (Failures.root(e) instanceof S3Exception s && s.statusCode() == 404) {
                            throw new StepException(head, new DestinationChangedException(
                                    "it is no longer at the destination (deleted since the plan)"));
                        }
                        throw new StepException(head, Failures.root(e));
                    }
                    String now = SourceObject.unquote(r.eTag());
                    ObjectEntry planned = job.entry;
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
                .thenCompose(eTag -> deleteObject(job, eTag, deleteIfMatch));
    }

    private CompletableFuture<Copied> deleteObject(Job job, String eTag, boolean conditional) {
        Step step = destinationStep(job, "DeleteObject");
        return destination.client().deleteObject(b -> {
            b.bucket(destination.bucket()).key(step.key()).overrideConfiguration(NO_SDK_RETRIES);
            if (conditional && eTag != null) {
                b.ifMatch(quoted(eTag));
            }
        }).handle((r, e) -> e).thenCompose(e -> {
            if (e == null) {
                return CompletableFuture.completedFuture(Copied.DELETED);
            }
            Throwable t = Failures.root(e);
            if (conditional && eTag != null && Failures.isUnsupportedOption(e)) {
                deleteIfMatch = false; // the server rejects If-Match on deletions: the HEAD's check stands alone
                return deleteObject(job, eTag, false);
            }
            if (t instanceof S3Exception s && (s.statusCode() == 412 || s.statusCode() == 404)) {
                return CompletableFuture.failedFuture(new StepException(step, new DestinationChangedException(
                        s.statusCode() == 412 ? "it was rewritten between the check and the deletion (412 Precondition "
                                + "Failed)" : "it was deleted by someone else between the check and the deletion")));
            }
            return CompletableFuture.failedFuture(new StepException(step, t));
        });
    }

    // ---------------------------------------------------------------------------------------------

    /** Remembers a job's transfer so that a cancellation can cancel it, and cancels it if one came first. */
    private <T> CompletableFuture<T> track(Job job, CompletableFuture<T> transfer) {
        job.current = transfer;
        if (session.cancelled()) {
            transfer.cancel(true);
        }
        return transfer;
    }

    private Step sourceStep(Job job, String operation) {
        return new Step(source, true, operation, source.fullKey(job.entry.key()), null);
    }

    private Step destinationStep(Job job, String operation) {
        return new Step(destination, false, operation, destination.fullKey(job.entry.key()), null);
    }

    private Step copyStep(Job job) {
        return new Step(destination, false, "CopyObject", destination.fullKey(job.entry.key()),
                "s3://" + source.bucket() + "/" + source.fullKey(job.entry.key()));
    }
}
