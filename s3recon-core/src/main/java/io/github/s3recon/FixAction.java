package io.github.s3recon;

import java.util.Objects;

/**
 * One step of a {@link FixPlan}: copy, re-copy or delete one key.
 *
 * @param action what to do; not null
 * @param key the key, relative to the locations' prefixes; not null
 * @param reason the difference that calls for it, or null for a re-copy of an object proved equal
 *     ({@link OverwritePolicy#ALWAYS})
 * @param source the source's entry; not null unless the action is {@link TransferAction#DELETE}
 * @param destination the destination's entry; null for a {@link TransferAction#COPY}, not null otherwise
 */
public record FixAction(TransferAction action, String key, DifferenceType reason, ObjectEntry source,
        ObjectEntry destination) {

    /** Checks that the entries fit the action. */
    public FixAction {
        Objects.requireNonNull(action, "action");
        Objects.requireNonNull(key, "key");
        if (action == TransferAction.DELETE ? destination == null : source == null) {
            throw new IllegalArgumentException("a " + action + " of '" + key + "' needs its "
                    + (action == TransferAction.DELETE ? "destination" : "source") + " entry");
        }
        if (action == TransferAction.COPY && destination != null) {
            throw new IllegalArgumentException("a COPY of '" + key + "' is for a key the destination lacks, but a"
                    + " destination entry was given; use RECOPY to copy over it");
        }
        if (action == TransferAction.RECOPY && destination == null) {
            throw new IllegalArgumentException("a RECOPY of '" + key + "' needs its destination entry; use COPY"
                    + " for a key the destination lacks");
        }
    }

    /**
     * Returns the action that fixes a difference under a policy, or null if the policy leaves it.
     *
     * @param type the difference's type; not null
     * @param overwrite the overwrite policy; not null
     * @param deleteExtraneous whether extraneous destination objects are deleted
     * @return COPY, RECOPY, DELETE or null
     */
    public static TransferAction fixing(DifferenceType type, OverwritePolicy overwrite, boolean deleteExtraneous) {
        return switch (type) {
            case MISSING_IN_DESTINATION -> TransferAction.COPY;
            case EXTRA_IN_DESTINATION -> deleteExtraneous ? TransferAction.DELETE : null;
            case SIZE_MISMATCH, CONTENT_MISMATCH, STALE, UNVERIFIED ->
                    overwrite == OverwritePolicy.NEVER ? null : TransferAction.RECOPY;
        };
    }

    /**
     * Returns the action that fixes a difference, or null if the policy leaves it.
     *
     * @param d the difference; not null
     * @param overwrite the overwrite policy; not null
     * @param deleteExtraneous whether extraneous destination objects are deleted
     * @return the action, or null
     */
    public static FixAction of(Difference d, OverwritePolicy overwrite, boolean deleteExtraneous) {
        TransferAction a = fixing(d.type(), overwrite, deleteExtraneous);
        return a == null ? null : new FixAction(a, d.key(), d.type(), d.source(), d.destination());
    }
}
