package io.github.s3recon.transfer;

import static io.github.s3recon.transfer.SizeTieredSession.quoted;
import static io.github.s3recon.transfer.SizeTieredSession.rethrow;

import io.github.s3recon.Checksum;
import io.github.s3recon.ChecksumType;
import io.github.s3recon.S3Location;
import io.github.s3recon.TransferMode;
import io.github.s3recon.inventory.DirectRoute;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import software.amazon.awssdk.checksums.SdkChecksum;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;
import software.amazon.awssdk.services.s3.model.PutObjectRequest;
import software.amazon.awssdk.services.s3.model.Tagging;

/**
 * Small relays that stream from their GET into their PUT (see the comment below); everything the
 * direct path cannot finish goes back to {@link SmallCopies#buffered}. Every method returns at once.
 */
final class StreamedCopies {

    private final SizeTieredSession session;
    private final SmallCopies small;
    private final S3Location source;
    private final S3Location destination;

    StreamedCopies(SizeTieredSession session, SmallCopies small) {
        this.session = session;
        this.small = small;
        this.source = session.source;
        this.destination = session.destination;
    }

    /*
     * Where both sides go direct and writes go with a trailing checksum, one relay thread streams an
     * object's GET into its PUT as the bytes arrive (DirectStreams.relayObject): no copy of the object
     * is held, and the PUT overlaps the GET. The relay's own connections are not a pool that GETs
     * could exhaust (a blocking connection per request). Safety as in the buffered relay: the bytes feed the checksum that trails the PUT,
     * which the destination checks, and the source's stored checksum is compared after the last
     * bytes are read and before they are written; a mismatch cuts the PUT short, and a server
     * stores nothing of a body shorter than its Content-Length. The fingerprint cannot carry the
     * checksum of bytes not yet read: it records the source's own full-object checksum where it has
     * one, as a multipart copy's does. Anything the direct path cannot finish (no plain answer, a
     * tagged object whose tags were not read, a PUT the destination refused for good) is relayed
     * again the buffered way, which knows every fallback.
     */
    boolean streams(Task task, DirectRoute from, DirectRoute to) {
        ServerCapabilities capabilities = session.capabilities;
        return task.entry.size() >= STREAMED_FROM && from != null && to != null && from.directAllowed()
                && to.directAllowed() && capabilities.putChecksums.enabled() && !capabilities.plain();
    }

    /**
     * The smallest object that streams. Below it the buffered relay costs no more (its checksum goes
     * as a header, with no framing) and holds little; from 8 MiB streaming took a tenth less CPU and a
     * fifth less memory (500 x 8 MiB on the synthetic servers, 2026-12-07); at 1 MiB it was even.
     */
    static final long STREAMED_FROM = 1L << 20;

    /** Completed when the relay that learns the direct routes (the first that could stream) has ended. */
    private final AtomicReference<CompletableFuture<Void>> learning = new AtomicReference<>();

    /*
     * The direct routes are learnt by a first request through the SDK; until then an object that
     * could stream is relayed the buffered way, read whole into memory. At the start of a relay of
     * objects of a few MiB that was every object the lane had in flight (64 of 500 x 8 MiB, each an
     * array the collector then has to clear away). So the first such object learns the routes, the
     * buffered way, and the others wait for it to end and then stream.
     */

    /**
     * Relays an object that could stream but whose routes are not known yet: the first such object
     * with {@code learn} (the buffered relay, which learns them), the others with {@code again} once
     * it has ended, whatever its outcome.
     *
     * @return the relay; null once the learning relay has ended (the routes stay unknown: the
     *     caller relays the buffered way, without waiting)
     */
    CompletableFuture<Copied> onceRoutesLearnt(Task task, Function<Task, CompletableFuture<Copied>> learn,
            Function<Task, CompletableFuture<Copied>> again) {
        CompletableFuture<Void> mine = new CompletableFuture<>();
        CompletableFuture<Void> first = learning.compareAndExchange(null, mine);
        if (first == null) {
            CompletableFuture<Copied> copy;
            try {
                copy = learn.apply(task);
            } catch (RuntimeException e) {
                copy = CompletableFuture.failedFuture(e);
            }
            return copy.whenComplete((copied, failure) -> mine.complete(null));
        }
        return first.isDone() ? null : first.thenCompose(ended -> again.apply(task));
    }

    /** Relays an object streamed, or the buffered way where the direct path cannot finish it. */
    CompletableFuture<Copied> relay(Task task, DirectRoute from, DirectRoute to) {
        Step get = session.sourceStep(task, "GetObject");
        Step put = session.destinationStep(task, "PutObject");
        ServerCapabilities capabilities = session.capabilities;
        // Tags go as a header of the PUT, before the GET's answer says whether there are any: read
        // them first where the source does not say, else leave a tagged object to the buffered relay.
        boolean copyTags = session.settings.copyTags() && !capabilities.tagsUnsupported()
                && capabilities.putTags.enabled();
        boolean readFirst = copyTags && !capabilities.tagCountReported();
        CompletableFuture<Tagging> tags = readFirst
                ? small.readTags(task, session.smallLimit) : CompletableFuture.completedFuture(null);
        // Until the destination has stored a few framed writes right, each is checked (as in upload()).
        boolean check = capabilities.checkWrites();
        return tags.thenCompose(tagging -> session.requests.attempt(task, get, session.smallLimit, 2,
                        task.entry.size(), n -> streamOnce(task, get, put, from, to, tagging, copyTags && !readFirst)))
                .thenCompose(copied -> {
                    if (copied == null) {
                        return small.buffered(task);
                    }
                    if (!check) {
                        return CompletableFuture.completedFuture(copied);
                    }
                    // Stored wrongly, the object is copied again: plain, as the session now writes.
                    return small.storedRight(task, task.entry.size()).thenCompose(right -> right
                            ? CompletableFuture.completedFuture(copied) : small.buffered(task));
                });
    }

    /** One streamed attempt; null where the object is to be relayed the buffered way instead. */
    private CompletableFuture<Copied> streamOnce(Task task, Step get, Step put, DirectRoute from, DirectRoute to,
            Tagging tagging, boolean refuseTagged) {
        if (session.cancelled()) {
            return CompletableFuture.failedFuture(new CancellationException("the transfer was cancelled"));
        }
        AtomicReference<SdkChecksum> relayed = new AtomicReference<>();
        return session.requests.call(put, () -> session.direct.streams().relayObject(from, source, get.key(), quoted(task.eTag),
                        task.entry.size(), to, destination,
                        answer -> planWrite(task, get, put, answer, tagging, refuseTagged, relayed), session.algorithm))
                .handle((sent, failure) -> {
                    if (failure == null) {
                        from.succeeded();
                        to.succeeded();
                        String value = Checksums.base64(relayed.get());
                        small.verify(put, value, Checksums.valueIn(sent.destination(), session.algorithm), null);
                        return new Copied(TransferMode.RELAY, Checksum.of(session.algorithm, ChecksumType.FULL_OBJECT,
                                value));
                    }
                    Throwable root = Failures.root(failure);
                    if (root instanceof DirectRelay.DirectFailure d && !session.cancelled()) {
                        if (d.sent()) {
                            session.direct.fellBack(to, failure);
                            session.requests.sentAgainThroughSdk(task, put, failure);
                        }
                        return null;
                    }
                    if (root instanceof DirectStreams.PartAnswered answered) {
                        Throwable cause = answered.getCause();
                        if (cause instanceof StepException s) {
                            throw s;
                        }
                        // The buffered relay knows what to do without tags, checksums or this route.
                        if (!answered.source() && !Failures.isTransient(cause)) {
                            return null;
                        }
                        throw new StepException(answered.source() ? get : put, cause);
                    }
                    throw rethrow(failure);
                });
    }

    /**
     * Plans a streamed PUT from the source's answer: checks it is the listed object, and sets the
     * checksums its bytes feed and the check before its last bytes go (the source's stored
     * checksum, of the relay's algorithm or another).
     */
    private DirectStreams.ObjectWrite planWrite(Task task, Step get, Step put, GetObjectResponse answer, Tagging tagging,
            boolean refuseTagged, AtomicReference<SdkChecksum> relayed) {
        SourceObject described = small.check(task, get, SourceObject.of(answer));
        Integer count = described.tagCount();
        if (refuseTagged && count != null && count > 0) {
            throw new DirectRelay.DirectFailure("the object has tags, read before its PUT", false);
        }
        SdkChecksum own = Checksums.newChecksum(session.algorithm);
        relayed.set(own);
        Checksum stored = described.checksum();
        SdkChecksum other = stored != null && stored.algorithm() != session.algorithm
                && stored.type() == ChecksumType.FULL_OBJECT ? Checksums.newChecksum(stored.algorithm()) : null;
        PutObjectRequest.Builder b = PutObjectRequest.builder().bucket(destination.bucket()).key(put.key())
                .contentLength(task.entry.size());
        described.applyTo(b, described.fingerprint(task.eTag));
        if (tagging != null) {
            b.tagging(tagging);
        }
        Runnable beforeLastBytes = () -> {
            small.verify(get, Checksums.base64(own), null, described);
            if (other != null && !Checksums.base64(other).equals(stored.value())) {
                throw new StepException(get, new ChecksumMismatchException("the source stores " + stored.algorithm()
                        + " " + stored.value() + " but the bytes read from it have " + Checksums.base64(other)));
            }
        };
        return new DirectStreams.ObjectWrite(b.build(), other == null ? List.of(own) : List.of(own, other),
                beforeLastBytes);
    }
}
