package io.github.s3recon.internal.validation;

import io.github.s3recon.S3Location;
import io.github.s3recon.ValidationReport.Check;
import io.github.s3recon.ValidationReport.Status;
import io.github.s3recon.ValidationReport;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;
import software.amazon.awssdk.core.async.AsyncRequestBody;
import software.amazon.awssdk.core.async.AsyncResponseTransformer;
import software.amazon.awssdk.services.s3.model.DeleteObjectResponse;
import software.amazon.awssdk.services.s3.model.PutObjectResponse;

/**
 * The write, read and delete checks of the destination: a small probe object written under
 * {@code <destination prefix><probe prefix><random UUID>}, read back, and always deleted again,
 * including its versions and delete marker on a versioned bucket, so that validating leaves nothing
 * behind. One instance per validation; each has its own key.
 */
final class DestinationProbe {

    private final S3Location at;
    private final String probePrefix;
    private final boolean deletes;

    /**
     * @param at the destination
     * @param probePrefix where, under the destination prefix, the probe is written
     * @param deletes whether the job deletes extraneous objects: if not, a denied delete is a warning
     */
    DestinationProbe(S3Location at, String probePrefix, boolean deletes) {
        this.at = at;
        this.probePrefix = probePrefix;
        this.deletes = deletes;
    }

    /** Writes, reads back and deletes the probe; the delete is tried whatever happened before. */
    void probe(List<Check> checks) {
        String key = at.prefix() + probePrefix + UUID.randomUUID();
        String shown = "s3://" + at.bucket() + "/" + Checks.shorten(key);
        byte[] body = ("s3recon validation probe, safe to delete\n" + key + "\n").getBytes(StandardCharsets.UTF_8);
        Outcome<PutObjectResponse> put = Outcome.call(() -> at.client().putObject(b -> b.bucket(at.bucket()).key(key)
                .contentType("text/plain; charset=utf-8"), AsyncRequestBody.fromBytes(body)));
        if (put.failed()) {
            Problem p = Problem.classify(put.failure());
            checks.add(Checks.fail(ValidationReport.DESTINATION_WRITE, "PutObject of " + shown + ": " + p.said(),
                    p.hint(at, "s3:PutObject", Problem.objectArn(at))));
            checks.add(Checks.skip(ValidationReport.DESTINATION_READ, "skipped: no probe object was written"));
        } else {
            checks.add(Checks.pass(ValidationReport.DESTINATION_WRITE, "PutObject of " + shown + " (" + body.length
                    + " bytes): allowed"));
            Outcome<byte[]> read = Outcome.call(() -> at.client().getObject(b -> b.bucket(at.bucket()).key(key),
                    AsyncResponseTransformer.toBytes()).thenApply(r -> r.asByteArray()));
            if (read.failed()) {
                Problem p = Problem.classify(read.failure());
                checks.add(Checks.fail(ValidationReport.DESTINATION_READ, "GetObject of the probe: " + p.said(),
                        p.hint(at, "s3:GetObject", Problem.objectArn(at))));
            } else if (!Arrays.equals(read.value(), body)) {
                checks.add(Checks.fail(ValidationReport.DESTINATION_READ, "GetObject of the probe returned " + read.value().length
                        + " bytes that differ from the " + body.length + " written",
                        "the destination does not return what was written to it: check the server (or a proxy in "
                                + "front of it) before migrating"));
            } else {
                checks.add(Checks.pass(ValidationReport.DESTINATION_READ, "GetObject of the probe: the bytes written"));
            }
        }
        checks.add(deleteProbe(at, key, shown, put));
    }

    private Check deleteProbe(S3Location at, String key, String shown, Outcome<PutObjectResponse> put) {
        boolean written = !put.failed();
        Outcome<DeleteObjectResponse> delete = Outcome.call(() -> at.client().deleteObject(b -> b.bucket(at.bucket())
                .key(key)));
        String what = "DeleteObject of " + (written ? "the probe" : shown + " (not written)");
        List<String> leftBehind = new ArrayList<>();
        // On a versioned bucket, a delete only adds a delete marker: remove the probe's version and
        // the marker by version id, so that validating leaves nothing behind.
        String version = written ? versionId(put.value().versionId()) : null;
        String marker = delete.failed() ? null : versionId(delete.value().versionId());
        for (String v : new String[] {version, marker}) {
            if (v != null) {
                Outcome<?> removed = Outcome.call(() -> at.client().deleteObject(b -> b.bucket(at.bucket()).key(key)
                        .versionId(v)));
                if (removed.failed()) {
                    leftBehind.add("version " + v + " (" + Problem.classify(removed.failure()).said() + ")");
                }
            }
        }
        if (delete.failed()) {
            Problem p = Problem.classify(delete.failure());
            String hint = p.hint(at, "s3:DeleteObject", Problem.objectArn(at));
            String leftProbe = written ? "; then remove the probe " + shown + " by hand" : "";
            if (p.kind() == Problem.Kind.ACCESS_DENIED && !deletes) {
                // Nothing this job does needs the permission; only the probe may be left behind.
                return new Check(ValidationReport.DESTINATION_DELETE, Status.WARN, what + ": " + p.said()
                        + "; this job deletes nothing (deleteExtraneous is off)",
                        hint + " before turning deleteExtraneous on" + leftProbe);
            }
            return Checks.fail(ValidationReport.DESTINATION_DELETE, what + ": " + p.said(),
                    hint + (p.kind() == Problem.Kind.ACCESS_DENIED ? " (needed to delete extraneous objects)" : "") + leftProbe);
        }
        if (!leftBehind.isEmpty()) {
            return new Check(ValidationReport.DESTINATION_DELETE, Status.WARN, what + ": allowed; the bucket is "
                    + "versioned and the probe's " + String.join(", ", leftBehind) + " could not be removed",
                    "grant s3:DeleteObjectVersion on " + Problem.objectArn(at) + " or remove the versions of " + shown
                            + " by hand");
        }
        return Checks.pass(ValidationReport.DESTINATION_DELETE, what + ": allowed"
                + (version != null || marker != null ? "; the probe's versions were removed" : ""));
    }

    private static String versionId(String id) {
        return id == null || id.isEmpty() || "null".equals(id) ? null : id;
    }
}
