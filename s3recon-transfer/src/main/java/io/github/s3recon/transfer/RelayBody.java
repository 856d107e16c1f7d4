package io.github.s3recon.transfer;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import org.reactivestreams.Publisher;
import org.reactivestreams.Subscriber;
import org.reactivestreams.Subscription;
import software.amazon.awssdk.checksums.SdkChecksum;
import software.amazon.awssdk.core.async.AsyncRequestBody;

/**
 * The body of a PUT or UploadPart that is the body of a GET, passed through as it arrives: the
 * bytes are never held beyond the buffers in flight (the HTTP client asks for more only as it
 * writes, and the GET's publisher reads from the network only as asked). On the way it counts the
 * bytes and feeds a checksum.
 *
 * <p>It can be subscribed once: the SDK's own retries are off for the requests that use it, and a
 * retry starts with a new GET. {@link #abandon()} releases the GET's connection when the body will
 * not be sent after all.
 *
 * <p>Thread-safe as reactive streams require: signals to one subscriber are serial.
 */
final class RelayBody implements AsyncRequestBody {

    private final Publisher<ByteBuffer> source;
    private final long length;
    private final SdkChecksum checksum;
    private final AtomicBoolean subscribed = new AtomicBoolean();
    private volatile Subscription upstream;
    private volatile Throwable sourceFailure;
    private volatile boolean abandoned;
    private volatile long passed;

    /**
     * Wraps a GET's body.
     *
     * @param source the GET's body; subscribed once
     * @param length the bytes it must deliver, exactly
     * @param checksum fed with every byte; null for none
     */
    RelayBody(Publisher<ByteBuffer> source, long length, SdkChecksum checksum) {
        this.source = source;
        this.length = length;
        this.checksum = checksum;
    }

    @Override
    public Optional<Long> contentLength() {
        return Optional.of(length);
    }

    @Override
    public void subscribe(Subscriber<? super ByteBuffer> subscriber) {
        if (abandoned || !subscribed.compareAndSet(false, true)) {
            subscriber.onSubscribe(new Subscription() {
                @Override
                public void request(long n) {
                }

                @Override
                public void cancel() {
                }
            });
            subscriber.onError(new IOException(
                    "a relayed body cannot be sent twice; the copy starts again with a new GET"));
            return;
        }
        source.subscribe(new Subscriber<ByteBuffer>() {
            private final byte[] scratch = checksum == null ? null : new byte[16 * 1024];
            // After cancel() a publisher may still signal; only the first terminal signal goes on.
            private boolean terminated;

            @Override
            public void onSubscribe(Subscription s) {
                upstream = s;
                if (abandoned) {
                    s.cancel();
                    return;
                }
                subscriber.onSubscribe(s);
            }

            @Override
            public void onNext(ByteBuffer buffer) {
                if (terminated) {
                    return;
                }
                passed += buffer.remaining();
                if (passed > length) {
                    upstream.cancel();
                    onError(new SourceChangedException("the source sent more than the " + length
                            + " bytes it announced"));
                    return;
                }
                if (checksum != null) {
                    Checksums.update(checksum, buffer, scratch);
                }
                subscriber.onNext(buffer);
            }

            @Override
            public void onError(Throwable t) {
                if (terminated) {
                    return;
                }
                terminated = true;
                sourceFailure = t;
                subscriber.onError(t);
            }

            @Override
            public void onComplete() {
                if (terminated) {
                    return;
                }
                if (passed != length) {
                    onError(new IOException("the source's body ended after " + passed + " of " + length + " bytes"));
                    return;
                }
                terminated = true;
                subscriber.onComplete();
            }
        });
    }

    /**
     * Gives the GET's connection back when the body will not (or no longer) be sent: cancels the
     * subscription, or subscribes only to cancel. Idempotent.
     */
    void abandon() {
        abandoned = true;
        Subscription s = upstream;
        if (s != null) {
            s.cancel();
        } else if (subscribed.compareAndSet(false, true)) {
            Download.discard(source);
        }
    }

    /**
     * Returns how the GET's body failed, if it did: a failed PUT is then the source's doing.
     *
     * @return the failure, or null
     */
    Throwable sourceFailure() {
        return sourceFailure;
    }

    /**
     * Returns whether every byte passed.
     *
     * @return true once the body completed with exactly its length
     */
    boolean complete() {
        return passed == length && sourceFailure == null;
    }
}
