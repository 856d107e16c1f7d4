package io.github.s3recon.internal.validation;

import io.github.s3recon.S3Errors;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;

/**
 * The value or the failure of one request: a validation check goes on after a failure, so failures
 * are values here, not exceptions.
 *
 * @param value the answer, or null if the request failed
 * @param failure the failure (unwrapped), or null
 * @param <T> the answer's type
 */
record Outcome<T>(T value, Throwable failure) {

    boolean failed() {
        return failure != null;
    }

    /** Sends a request and waits for it; an interrupt is kept for the caller to see. */
    static <T> Outcome<T> call(Supplier<CompletableFuture<T>> request) {
        try {
            return new Outcome<>(request.get().join(), null);
        } catch (RuntimeException e) {
            Throwable t = S3Errors.unwrap(e);
            if (t instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            return new Outcome<>(null, t);
        }
    }
}
