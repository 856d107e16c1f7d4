package io.github.s3recon.transfer;

/**
 * A failure attributed to the request that caused it; once retries are over, also how many
 * attempts were made and whether the failure was transient (retries ran out) or permanent.
 */
final class StepException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final transient Step step;
    private final int attempts;
    private final boolean exhausted;

    StepException(Step step, Throwable cause) {
        this(step, cause, 0, false);
    }

    StepException(Step step, Throwable cause, int attempts, boolean exhausted) {
        super(step.operation() + " of " + step.objects() + ": " + cause, cause, false, false);
        this.step = step;
        this.attempts = attempts;
        this.exhausted = exhausted;
    }

    Step step() {
        return step;
    }

    int attempts() {
        return attempts;
    }

    boolean exhausted() {
        return exhausted;
    }
}
