package io.github.s3recon.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.github.s3recon.Migration;
import io.github.s3recon.TrialReport;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code s3recon trial SRC DST -n 10}: copies a few real objects under a test prefix, verifies, deletes them. */
@Command(name = "trial", mixinStandardHelpOptions = true, sortOptions = false,
        header = "Try the migration on N real objects under DST's _test/ prefix; verify, delete, report the rate.",
        description = {"Copies the first N objects of SRC (relayed through this JVM) under the trial prefix of DST",
            "(--trial-prefix, _test/ by default), reads them back and compares them byte for byte with the source,",
            "then deletes them, whatever happened. Nothing else is written. Status 0 if every object passed."},
        footer = {"%nExamples:",
            "  s3recon trial -n 10 s3://photos s3://photos-backup/",
            "  s3recon trial -n 10 --json urls:images.txt s3://cdn-copy/images/",
            ExitCodes.HELP})
final class TrialCommand extends PairCommand {

    @Option(names = "-n", paramLabel = "N", defaultValue = "10", description = "how many objects to try, 1 to 1000 "
            + "(default: ${DEFAULT-VALUE})")
    int objects;

    @Override
    int execute(Migration m, Path work) {
        TrialReport r = m.trial(objects);
        if (common.json) {
            Map<String, Object> json = new LinkedHashMap<>();
            json.put("passed", r.passed());
            json.put("source", r.source());
            json.put("prefix", r.prefix());
            json.put("objects", r.objects());
            json.put("copied", r.copied());
            json.put("verified", r.verified());
            json.put("bytes", r.bytes());
            json.put("elapsedMillis", r.elapsed().toMillis());
            json.put("objectsPerSecond", r.objectsPerSecond());
            json.put("bytesPerSecond", r.bytesPerSecond());
            json.put("leftBehind", r.leftBehind());
            json.put("failures", r.failures());
            try {
                out.println(new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(json));
            } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
                throw new IllegalStateException(e); // a map of plain values always serializes
            }
        } else {
            out.println(r);
        }
        return r.passed() ? ExitCodes.IN_SYNC : ExitCodes.FAILED;
    }
}
