package io.github.s3recon.transfer;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.concurrent.CompletableFuture;
import org.reactivestreams.Publisher;
import org.reactivestreams.Subscriber;
import org.reactivestreams.Subscription;

/**
 * Reads a GET's body into one array of the announced length: no growing buffer, no copy at the
 * end, so a small object costs its size in heap, which the byte budget has accounted for.
 */
final class Download {

    private Download() {
    }

    /**
     * Gives a GET's connection back without reading its body: subscribes only to cancel.
     *
     * @param body a body nobody subscribed to
     */
    static void discard(Publisher<ByteBuffer> body) {
        body.subscribe(new Subscriber<ByteBuffer>() {
            @Override
            public void onSubscribe(Subscription s) {
                s.cancel();
            }

            @Override
            public void onNext(ByteBuffer buffer) {
            }

            @Override
            public void onError(Throwable t) {
            }

            @Override
            public void onComplete() {
            }
        });
    }

    /**
     * Reads a body.
     *
     * @param body the GET's body; subscribed once
     * @param length the exact length it must have
     * @return the bytes; fails with an {@link IOException} if the body ends early or runs long
     */
    static CompletableFuture<byte[]> read(Publisher<ByteBuffer> body, long length) {
        if (length > Integer.MAX_VALUE - 8) {
            return CompletableFuture.failedFuture(new IllegalArgumentException(length + " bytes do not fit an array"));
        }
        CompletableFuture<byte[]> result = new CompletableFuture<>();
        byte[] bytes = new byte[(int) length];
        body.subscribe(new Subscriber<ByteBuffer>() {
            private Subscription subscription;
            private int filled;

            @Override
            public void onSubscribe(Subscription s) {
                subscription = s;
                result.whenComplete((v, e) -> {
                    if (e != null) {
                        s.cancel(); // cancelled from outside: give the connection back
                    }
                });
                s.request(Long.MAX_VALUE);
            }

            @Override
            public void onNext(ByteBuffer buffer) {
                int n = buffer.remaining();
                if (n > bytes.length - filled) {
                    subscription.cancel();
                    result.completeExceptionally(new SourceChangedException("it sent more than the " + length
                            + " bytes it announced"));
                    return;
                }
                buffer.get(bytes, filled, n);
                filled += n;
            }

            @Override
            public void onError(Throwable t) {
                result.completeExceptionally(t);
            }

            @Override
            public void onComplete() {
                if (filled != bytes.length) {
                    result.completeExceptionally(new IOException("the body ended after " + filled + " of " + length
                            + " bytes"));
                } else {
                    result.complete(bytes);
                }
            }
        });
        return result;
    }
}
