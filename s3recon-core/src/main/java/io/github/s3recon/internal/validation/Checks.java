package io.github.s3recon.internal.validation;

import io.github.s3recon.ValidationReport.Check;
import io.github.s3recon.ValidationReport.Status;

/** The report lines a check writes, and how keys are shortened in them. */
final class Checks {

    private static final int MAX_KEY_IN_MESSAGE = 200;

    private Checks() {
    }

    static String shorten(String key) {
        return key.length() <= MAX_KEY_IN_MESSAGE ? key : key.substring(0, MAX_KEY_IN_MESSAGE) + "…";
    }

    static Check pass(String name, String detail) {
        return new Check(name, Status.PASS, detail, "");
    }

    static Check fail(String name, String detail, String hint) {
        return new Check(name, Status.FAIL, detail, hint);
    }

    static Check skip(String name, String why) {
        return new Check(name, Status.SKIPPED, why, "");
    }
}
