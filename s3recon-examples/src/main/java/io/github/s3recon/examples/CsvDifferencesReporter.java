package io.github.s3recon.examples;

import io.github.s3recon.Difference;
import io.github.s3recon.ErrorCode;
import io.github.s3recon.ObjectEntry;
import io.github.s3recon.ReconciliationReport;
import io.github.s3recon.S3ReconException;
import io.github.s3recon.spi.ReconciliationReporter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Objects;
import java.util.stream.Stream;

/**
 * An example {@link ReconciliationReporter}: writes the differences as CSV (RFC 4180), one row per
 * difference, streamed from the report so that millions of rows cost no heap.
 *
 * <pre>{@code
 * Migration.builder()...reporter(new CsvDifferencesReporter(Path.of("differences.csv"))).build();
 * }</pre>
 */
public final class CsvDifferencesReporter implements ReconciliationReporter {

    private final Path file;

    /**
     * Creates a reporter that writes one file, replacing it on each run.
     *
     * @param file the CSV file; not null
     */
    public CsvDifferencesReporter(Path file) {
        this.file = Objects.requireNonNull(file, "file");
    }

    @Override
    public void report(ReconciliationReport report) {
        try (Writer out = Files.newBufferedWriter(file, StandardCharsets.UTF_8);
                Stream<Difference> differences = report.differences()) {
            out.write("type,key,source_size,source_etag,destination_size,destination_etag\r\n");
            differences.forEach(d -> {
                try {
                    out.write(d.type().name() + "," + quote(d.key()) + "," + size(d.source()) + ","
                            + quote(eTag(d.source())) + "," + size(d.destination()) + ","
                            + quote(eTag(d.destination())) + "\r\n");
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        } catch (IOException | UncheckedIOException e) {
            throw new S3ReconException(ErrorCode.REPORT_FAILED, "cannot write CSV report " + file + ": " + e, e);
        }
    }

    private static String size(ObjectEntry e) {
        return e == null ? "" : Long.toString(e.size());
    }

    private static String eTag(ObjectEntry e) {
        return e == null || e.eTag() == null ? "" : e.eTag();
    }

    private static String quote(String value) {
        if (value.isEmpty() || value.chars().noneMatch(c -> c == ',' || c == '"' || c == '\r' || c == '\n')) {
            return value;
        }
        return '"' + value.replace("\"", "\"\"") + '"';
    }
}
