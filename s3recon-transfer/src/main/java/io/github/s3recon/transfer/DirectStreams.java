package io.github.s3recon.transfer;

import io.github.s3recon.ChecksumAlgorithm;
import io.github.s3recon.S3Location;
import io.github.s3recon.inventory.DirectRoute;
import java.net.HttpURLConnection;
import java.net.http.HttpHeaders;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Function;
import software.amazon.awssdk.checksums.SdkChecksum;
import software.amazon.awssdk.http.SdkHttpMethod;
import software.amazon.awssdk.http.SdkHttpRequest;
import software.amazon.awssdk.identity.spi.AwsCredentialsIdentity;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;
import software.amazon.awssdk.services.s3.model.PutObjectRequest;
import software.amazon.awssdk.services.s3.model.PutObjectResponse;
import software.amazon.awssdk.services.s3.model.S3Exception;

/**
 * The direct relay's streams: a GET whose body goes straight into a write on one relay thread,
 * through one buffer, for the parts of large objects ({@link #relayPart}) and whole objects
 * ({@link #relayObject}); with a trailing checksum, the body is framed here ({@link AwsChunkedBody}).
 * The requests are those of {@link DirectRelay}: its connections, threads and credentials.
 *
 * <p>Thread-safe.
 */
final class DirectStreams {

    private final DirectHttp http;
    private final Executor executor;
    private final Function<S3Location, AwsCredentialsIdentity> identity;
    private final LongAdder direct;
    private final LongAdder streamed = new LongAdder();

    /**
     * @param http the relay's connections
     * @param executor the relay's threads
     * @param identity a location's credentials for one request
     * @param direct the relay's count of requests sent directly, which these add to
     */
    DirectStreams(DirectHttp http, Executor executor, Function<S3Location, AwsCredentialsIdentity> identity,
            LongAdder direct) {
        this.http = http;
        this.executor = executor;
        this.identity = identity;
        this.direct = direct;
    }

    /** Whole objects whose GET streamed into their PUT. */
    long streamedObjects() {
        return streamed.sum();
    }

    /** What a part relayed directly left at the destination: its ETag, and the checksum it computed (null for none). */
    record PartSent(String eTag, String checksum) {
    }

    /** A relay's definitive answer (an {@link S3Exception}, or the caller's refusal) from one side: the source's GET or the write. */
    static final class PartAnswered extends RuntimeException {
        private static final long serialVersionUID = 1L;
        private final boolean source;

        PartAnswered(boolean source, RuntimeException answer) {
            super(answer.getMessage(), answer, false, false);
            this.source = source;
        }

        /** Whether the source's GET gave the answer, rather than the destination's write. */
        boolean source() {
            return source;
        }
    }

    /**
     * Relays one part of a multipart upload on one thread: a ranged GET whose body streams straight
     * into an UploadPart, through one buffer, with no copy of the part in memory. The bytes feed
     * {@code checksum} as they pass; with {@code trailer} set they also go as {@code aws-chunked}
     * with that checksum trailing (unsigned chunks, {@link DirectRoute#signWithTrailer}), which the
     * destination checks and answers with.
     *
     * @param from the source's route, direct allowed
     * @param source the source
     * @param key the source's full key
     * @param ifMatch the quoted ETag the object must still have
     * @param range the {@code Range} header, {@code bytes=first-last}
     * @param length the part's length
     * @param to the destination's route, direct allowed
     * @param destination the destination
     * @param destinationKey the destination's full key
     * @param uploadId the multipart upload
     * @param number the part's number
     * @param checksum fed with every byte relayed; not null
     * @param trailer the algorithm of a trailing checksum, or null to send none
     * @return the part's ETag and the destination's checksum; fails with a {@link PartAnswered}
     *     for a side's definitive answer, else (any other status, a broken connection) with a
     *     {@link DirectRelay.DirectFailure}, after which the caller sends the part again through the SDK
     */
    CompletableFuture<PartSent> relayPart(DirectRoute from, S3Location source, String key, String ifMatch,
            String range, long length, DirectRoute to, S3Location destination, String destinationKey,
            String uploadId, int number, SdkChecksum checksum, ChecksumAlgorithm trailer) {
        return onRelayThread("UploadPart", () -> {
            SdkHttpRequest get = from.sign(DirectRelay.request(from, key, SdkHttpMethod.GET).putHeader("Range", range)
                    .putHeader("If-Match", ifMatch).build(), identity.apply(source));
            SdkHttpRequest put = DirectRelay.request(to, destinationKey, SdkHttpMethod.PUT)
                    .appendRawQueryParameter("partNumber", Integer.toString(number))
                    .appendRawQueryParameter("uploadId", uploadId)
                    .putHeader("Content-Length", Long.toString(length)).build();
            HttpHeaders answer = stream(get, length, "UploadPart", to, identity.apply(destination), trailer,
                    headers -> new Write(put, List.of(checksum), null));
            return new PartSent(answer.firstValue("ETag").orElse(null),
                    trailer == null ? null : answer.firstValue(Checksums.header(trailer)).orElse(null));
        });
    }

    /**
     * What a streamed object's PUT carries, decided from the source's answer before its first byte
     * is sent.
     *
     * @param request the PutObject request whose fields go as headers (those of {@link #PUT_FIELDS})
     * @param feed the checksums every byte feeds as it passes; the first, of the trailer's
     *     algorithm, is the trailer's value
     * @param beforeLastBytes run once the source's last bytes have been read and before they are
     *     written; what it throws cuts the PUT short, so that the destination stores nothing
     */
    record ObjectWrite(PutObjectRequest request, List<SdkChecksum> feed, Runnable beforeLastBytes) {
    }

    /** A streamed object: the source's answer as the SDK would have described it, and the destination's. */
    record ObjectSent(GetObjectResponse source, PutObjectResponse destination) {
    }

    /**
     * Relays a whole object on one thread: its GET streams straight into its PUT through one
     * buffer, as {@code aws-chunked} with the checksum trailing, so that no copy of the object is
     * held. The PUT is planned from the source's answer ({@code plan}, which checks it and may
     * refuse it); the plan's check before the last bytes can still stop the write.
     *
     * @param from the source's route, direct allowed
     * @param source the source
     * @param key the source's full key
     * @param ifMatch the quoted ETag the object must still have
     * @param length the object's size; above 0
     * @param to the destination's route, direct allowed
     * @param destination the destination
     * @param plan the PUT for the source's answer; throws a {@link DirectRelay.DirectFailure} to leave the
     *     object to another path, anything else as the source's definitive answer
     * @param trailer the algorithm of the trailing checksum; not null
     * @return both answers; fails with a {@link PartAnswered} for a side's definitive answer (or the
     *     plan's refusal, on the source's side), else with a {@link DirectRelay.DirectFailure}
     */
    CompletableFuture<ObjectSent> relayObject(DirectRoute from, S3Location source, String key, String ifMatch,
            long length, DirectRoute to, S3Location destination,
            java.util.function.Function<GetObjectResponse, ObjectWrite> plan, ChecksumAlgorithm trailer) {
        return onRelayThread("PUT", () -> {
            SdkHttpRequest get = from.sign(DirectRelay.request(from, key, SdkHttpMethod.GET).putHeader("If-Match", ifMatch)
                    .putHeader("x-amz-checksum-mode", "ENABLED").build(), identity.apply(source));
            AtomicReference<GetObjectResponse> described = new AtomicReference<>();
            HttpHeaders answer = stream(get, length, "PUT", to, identity.apply(destination), trailer, headers -> {
                described.set(S3Answers.described(headers, length));
                ObjectWrite write = plan.apply(described.get());
                String unknown = DirectRelay.unknownPutField(write.request());
                if (unknown != null) {
                    throw new DirectRelay.DirectFailure("PutObject field " + unknown, false);
                }
                return new Write(DirectRelay.putRequest(to, write.request()).putHeader("Content-Length", Long.toString(length))
                        .build(), write.feed(), write.beforeLastBytes());
            });
            streamed.increment();
            return new ObjectSent(described.get(), DirectRelay.putResponse(answer));
        });
    }

    /** A relay's work on one of the relay's threads, its failures sorted as {@link #relayPart} says. */
    private <T> CompletableFuture<T> onRelayThread(String what, java.util.concurrent.Callable<T> work) {
        CompletableFuture<T> done = new CompletableFuture<>();
        try {
            executor.execute(() -> {
                try {
                    done.complete(work.call());
                } catch (DirectRelay.DirectFailure | PartAnswered e) {
                    done.completeExceptionally(e);
                } catch (Throwable e) { // an I/O failure, a timeout, or close() disconnecting it
                    done.completeExceptionally(new DirectRelay.DirectFailure(what + " relay failed: " + e));
                }
            });
        } catch (RejectedExecutionException closed) {
            done.completeExceptionally(new DirectRelay.DirectFailure(what + " relay failed: the relay is closed", false));
        }
        return done;
    }

    /**
     * The write a relay sends once the source has answered: unsigned, the checksums its bytes feed
     * (the first is the trailer's, of its algorithm), and the check before the last bytes go.
     */
    private record Write(SdkHttpRequest unsigned, List<SdkChecksum> feed, Runnable beforeLastBytes) {
    }

    /**
     * Streams a signed GET's body into a write planned from its answer's headers, on the calling
     * thread. The GET must answer 200 or 206 with {@code length} bytes and the ETag it asked for.
     *
     * @return the write's answer headers (a 200)
     */
    private HttpHeaders stream(SdkHttpRequest get, long length, String what, DirectRoute to,
            AwsCredentialsIdentity destinationIdentity, ChecksumAlgorithm trailer,
            java.util.function.Function<HttpHeaders, Write> planned) throws java.io.IOException {
        HttpURLConnection in = http.open(get);
        HttpURLConnection out = null;
        boolean inRead = false;
        boolean outRead = false;
        try {
            int status = in.getResponseCode();
            if (status != 206 && status != 200) {
                DirectHttp.Answer answer = DirectHttp.answer(in, status, -1);
                inRead = answer.body() != null;
                throw side(true, S3Answers.answered("GetObject", answer));
            }
            if (in.getContentLengthLong() != length) {
                throw new DirectRelay.DirectFailure("a GET of " + length + " bytes came back with " + in.getContentLengthLong());
            }
            // If-Match makes the server refuse another version; one that ignores it is caught here.
            String eTag = in.getHeaderField("ETag");
            String expected = get.firstMatchingHeader("If-Match").orElse(null);
            if (eTag != null && expected != null && !SourceObject.unquote(eTag).equals(SourceObject.unquote(expected))) {
                throw new PartAnswered(true, new SourceChangedException("its ETag is now " + eTag
                        + ", it was listed with " + expected));
            }
            Write write;
            try {
                write = planned.apply(DirectHttp.headersOf(in));
            } catch (DirectRelay.DirectFailure | PartAnswered e) {
                throw e;
            } catch (RuntimeException refused) {
                throw new PartAnswered(true, refused);
            }
            RelayedStream body = new RelayedStream(in.getInputStream(), length, write.feed(), write.beforeLastBytes());
            SdkHttpRequest put;
            String trailerName = null;
            if (trailer == null) {
                put = to.sign(write.unsigned(), destinationIdentity);
            } else {
                // The header the SDK sends with a trailer (S3Mock stores the checksum only with it).
                SdkHttpRequest unsigned = write.unsigned().toBuilder()
                        .putHeader("x-amz-sdk-checksum-algorithm", Checksums.toSdk(trailer).toString()).build();
                // Signed by the SDK (headers, framed Content-Length); framed here (AwsChunkedBody).
                software.amazon.awssdk.http.auth.spi.signer.SignedRequest signed = to.signWithTrailer(unsigned,
                        destinationIdentity, Checksums.sdkAlgorithm(trailer), () -> NOT_READ);
                if (signed == null) {
                    throw new DirectRelay.DirectFailure(what + " with a trailing checksum cannot be signed for "
                            + write.unsigned().getUri().getScheme() + " on port " + write.unsigned().port(), false);
                }
                put = signed.request();
                trailerName = Checksums.header(trailer);
                long framed = AwsChunkedBody.framedLength(length, trailerName,
                        Checksums.base64(Checksums.newChecksum(trailer)).length());
                if (!put.firstMatchingHeader("Content-Length").equals(java.util.Optional.of(Long.toString(framed)))) {
                    throw new DirectRelay.DirectFailure(what + " framed to " + framed + " bytes, signed for "
                            + put.firstMatchingHeader("Content-Length").orElse("no length"), false);
                }
            }
            out = http.open(put);
            out.setDoOutput(true);
            out.setFixedLengthStreamingMode(put.firstMatchingHeader("Content-Length").map(Long::parseLong).orElse(length));
            try (java.io.OutputStream o = out.getOutputStream()) {
                byte[] buffer = new byte[PART_BUFFER];
                if (trailerName == null) {
                    for (int n; (n = body.read(buffer)) > 0; ) {
                        o.write(buffer, 0, n);
                    }
                } else {
                    SdkChecksum trailing = write.feed().get(0);
                    AwsChunkedBody.write(body, length, o, trailerName, () -> Checksums.base64(trailing), buffer);
                }
            } catch (java.io.IOException | RuntimeException e) {
                // The write is cut short (fewer bytes than its Content-Length): nothing is stored.
                if (body.stopped != null) {
                    throw new PartAnswered(true, body.stopped);
                }
                throw e;
            }
            body.close(); // read to its end: the GET's connection goes back to the pool
            inRead = true;
            int putStatus = out.getResponseCode();
            DirectHttp.Answer answer = DirectHttp.answer(out, putStatus, -1);
            outRead = answer.body() != null;
            if (putStatus != 200) {
                throw side(false, S3Answers.answered(what, answer));
            }
            direct.add(2);
            return answer.headers();
        } finally {
            http.done(in, inRead);
            if (out != null) {
                http.done(out, outRead);
            }
        }
    }

    /** A definitive answer as the side's {@link PartAnswered}; a {@link DirectRelay.DirectFailure} stays one. */
    private static RuntimeException side(boolean source, RuntimeException answer) {
        return answer instanceof DirectRelay.DirectFailure ? answer : new PartAnswered(source, answer);
    }

    /** The payload given to the signer, which wraps it without reading it (the relay frames its body itself). */
    private static final java.io.InputStream NOT_READ = new java.io.InputStream() {
        @Override
        public int read() throws java.io.IOException {
            throw new java.io.IOException("the relay frames its body itself");
        }
    };

    /** One buffer between a GET and its write: the size of the JDK's socket writes, and of a chunk. */
    private static final int PART_BUFFER = AwsChunkedBody.CHUNK;

    /**
     * A relayed body as it comes from the source: counted (no more, no fewer bytes than expected),
     * fed to the relay's checksums, and checked once more before its last bytes are given out.
     */
    private static final class RelayedStream extends java.io.FilterInputStream {
        private final List<SdkChecksum> feed;
        private final Runnable beforeLastBytes;
        private long remaining;
        /** What the last check threw; the write was then cut short. */
        volatile RuntimeException stopped;

        RelayedStream(java.io.InputStream in, long length, List<SdkChecksum> feed, Runnable beforeLastBytes) {
            super(in);
            this.remaining = length;
            this.feed = feed;
            this.beforeLastBytes = beforeLastBytes;
        }

        @Override
        public int read() throws java.io.IOException {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) throws java.io.IOException {
            if (remaining == 0) {
                if (in.read() >= 0) {
                    throw new java.io.IOException("the source sent more than the expected bytes");
                }
                return -1;
            }
            int n = in.read(b, off, (int) Math.min(len, remaining));
            if (n < 0) {
                throw new java.io.IOException("the source's body ended " + remaining + " bytes short");
            }
            for (SdkChecksum c : feed) {
                c.update(b, off, n);
            }
            remaining -= n;
            if (remaining == 0 && beforeLastBytes != null) {
                try {
                    beforeLastBytes.run();
                } catch (RuntimeException e) {
                    stopped = e;
                    throw new java.io.IOException("the relay stopped before its last bytes: " + e.getMessage());
                }
            }
            return n;
        }
    }
}
