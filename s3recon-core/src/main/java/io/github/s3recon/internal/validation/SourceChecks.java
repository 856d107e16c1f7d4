package io.github.s3recon.internal.validation;

import io.github.s3recon.KeyRange;
import io.github.s3recon.ObjectEntry;
import io.github.s3recon.Redact;
import io.github.s3recon.ValidationReport;
import io.github.s3recon.ValidationReport.Check;
import io.github.s3recon.spi.ObjectSource;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * The source checks of a validation whose source is not an S3 bucket (a manifest of URLs): the
 * listing of the first few objects (for a manifest: reading it, and a HEAD of each URL without a
 * size), and the attributes (a HEAD) and first byte (a GET) of each of them. The bucket settings
 * (versioning, object lock) do not apply and are skipped. Writes nothing.
 */
final class SourceChecks {

    /** How many of the source's first objects are read. */
    static final int SAMPLE = 3;

    private SourceChecks() {
    }

    static void check(ObjectSource source, List<Check> checks) {
        String what = "the first " + SAMPLE + " objects of " + source.describe();
        checks.add(Checks.pass(ValidationReport.SOURCE_BUCKET, source.describe() + " is not an S3 bucket: nothing to check"));
        List<ObjectEntry> first = new ArrayList<>();
        try (Stream<ObjectEntry> listed = source.list(KeyRange.ALL)) {
            listed.limit(SAMPLE).forEach(first::add);
        } catch (RuntimeException e) {
            checks.add(Checks.fail(ValidationReport.SOURCE_LIST, "listing " + what + " failed: "
                    + Redact.text(String.valueOf(e.getMessage())), "check the manifest (its path, format and URLs) and that "
                    + "the servers it names answer"));
            checks.add(Checks.skip(ValidationReport.SOURCE_READ, "skipped: the listing failed, so no object is known"));
            skipSettings(checks);
            return;
        }
        if (first.isEmpty()) {
            checks.add(Checks.pass(ValidationReport.SOURCE_LIST, "listing " + source.describe() + ": no objects"));
            checks.add(new Check(ValidationReport.SOURCE_READ, ValidationReport.Status.SKIPPED, "skipped: no objects in "
                    + source.describe() + " to read", "if objects are expected, check the manifest and its URLs"));
            skipSettings(checks);
            return;
        }
        checks.add(Checks.pass(ValidationReport.SOURCE_LIST, "listed " + first.size() + " of " + what));
        for (ObjectEntry e : first) {
            String key = "'" + Checks.shorten(e.key()) + "'";
            try {
                Optional<ObjectEntry> head = source instanceof io.github.s3recon.source.UrlManifestSource urls
                        ? urls.attributes(e) : source.attributes(e.key());
                if (head.isEmpty()) {
                    checks.add(Checks.fail(ValidationReport.SOURCE_READ, key + " is gone since it was listed",
                            "check the source; a run skips objects that are gone and lists them in its failures"));
                    break;
                }
                try (InputStream in = io.github.s3recon.internal.SourceReads.open(source, e, 0, 1)) {
                    in.read();
                }
            } catch (Exception x) {
                checks.add(Checks.fail(ValidationReport.SOURCE_READ, "reading " + key + " failed: "
                        + Redact.text(String.valueOf(x.getMessage())), "check that the source's server answers GET and "
                        + "HEAD for it (and that signed URLs have not expired)"));
                break;
            }
        }
        if (checks.stream().noneMatch(c -> c.name().equals(ValidationReport.SOURCE_READ))) {
            checks.add(Checks.pass(ValidationReport.SOURCE_READ, "HEAD and a 1-byte GET of " + first.size()
                    + " objects of " + source.describe() + ": answered"));
        }
        skipSettings(checks);
    }

    private static void skipSettings(List<Check> checks) {
        checks.add(Checks.skip(ValidationReport.SOURCE_VERSIONING, "skipped: the source is not an S3 bucket"));
        checks.add(Checks.skip(ValidationReport.SOURCE_OBJECT_LOCK, "skipped: the source is not an S3 bucket"));
    }
}
