package io.github.s3recon.internal.run;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.util.MinimalPrettyPrinter;
import io.github.s3recon.ErrorCode;
import io.github.s3recon.S3ReconException;
import io.github.s3recon.internal.DifferencesJson;
import io.github.s3recon.source.UrlManifestSource;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.function.Consumer;
import java.util.stream.Stream;

/**
 * The source objects a run's listing found gone (a manifest's URLs that answered 404 or 410): kept
 * in {@value #FILE} in the run's directory as they are found, so that a resumed run still has them,
 * and added to the run's {@code failures.jsonl} when the transfer starts, each with its URL and
 * status, under the same fields as a failed copy ({@code key}, {@code action}, {@code code},
 * {@code message}, {@code attempts}) plus {@code url} and {@code status}.
 *
 * <p>A listing that is resumed in the middle may find a URL twice; the failures then list it twice.
 * Thread-safe.
 */
final class NotFoundLog {

    static final String FILE = "not-found.jsonl";
    /** The number of manifest entries that repeated a key, one line per listed range. */
    static final String DUPLICATES = "duplicates.txt";

    private NotFoundLog() {
    }

    /** A receiver that appends each URL found gone to the run directory's file. */
    static Consumer<UrlManifestSource.NotFound> writer(Path runDirectory) {
        Path file = runDirectory.resolve(FILE);
        return n -> {
            synchronized (NotFoundLog.class) {
                try (OutputStream out = Files.newOutputStream(file, StandardOpenOption.CREATE,
                        StandardOpenOption.APPEND); JsonGenerator json = DifferencesJson.FACTORY.createGenerator(out,
                                JsonEncoding.UTF8)) {
                    json.setPrettyPrinter(new MinimalPrettyPrinter(""));
                    write(json, n);
                    json.flush();
                    out.write('\n');
                } catch (IOException e) {
                    throw new S3ReconException(ErrorCode.WORK_DIRECTORY_UNUSABLE, "cannot write " + file + ": " + e
                            + " (check free disk space in the work directory)", e);
                }
            }
        };
    }

    private static void write(JsonGenerator json, UrlManifestSource.NotFound n) throws IOException {
        json.writeStartObject();
        json.writeStringField("key", n.key());
        json.writeStringField("action", "COPY");
        json.writeStringField("code", ErrorCode.LISTING_FAILED.name());
        json.writeStringField("message", "HEAD " + n.url() + " (" + n.where() + ") answered HTTP " + n.status()
                + (n.status() == 410 ? " Gone" : " Not Found") + ": the source object does not exist; skipped");
        json.writeNumberField("attempts", 1);
        json.writeStringField("url", n.url());
        json.writeNumberField("status", n.status());
        json.writeEndObject();
    }

    /** Records (and logs) how many entries of a range's listing repeated a key listed before; nothing for none. */
    static void duplicates(Path runDirectory, String source, long repeats) {
        if (repeats <= 0) {
            return;
        }
        org.slf4j.LoggerFactory.getLogger(NotFoundLog.class).warn("{} entries of {} repeat a key listed before: "
                + "each key is copied once (from the entry listed last)", repeats, source);
        synchronized (NotFoundLog.class) {
            try {
                Files.writeString(runDirectory.resolve(DUPLICATES), repeats + "\n", StandardOpenOption.CREATE,
                        StandardOpenOption.APPEND);
            } catch (IOException e) {
                throw new S3ReconException(ErrorCode.WORK_DIRECTORY_UNUSABLE, "cannot write " + runDirectory.resolve(
                        DUPLICATES) + ": " + e + " (check free disk space in the work directory)", e);
            }
        }
    }

    /** Returns how many manifest entries of the run repeated a key (0 when none did). */
    static long duplicates(Path runDirectory) {
        Path file = runDirectory.resolve(DUPLICATES);
        if (!Files.exists(file)) {
            return 0;
        }
        try (Stream<String> lines = Files.lines(file)) {
            return lines.filter(l -> !l.isBlank()).mapToLong(l -> Long.parseLong(l.strip())).sum();
        } catch (IOException | NumberFormatException e) {
            return 0; // a count for a note only
        }
    }

    /**
     * Appends the run's URLs found gone to its failures file.
     *
     * @return how many there were
     */
    static long appendTo(Path runDirectory, Path failuresFile) {
        Path file = runDirectory.resolve(FILE);
        if (!Files.exists(file)) {
            return 0;
        }
        long n = 0;
        try (JsonParser in = DifferencesJson.FACTORY.createParser(file.toFile());
                OutputStream out = Files.newOutputStream(failuresFile, StandardOpenOption.CREATE,
                        StandardOpenOption.APPEND)) {
            for (JsonToken t = in.nextToken(); t != null; t = in.nextToken()) {
                if (t == JsonToken.START_OBJECT) {
                    in.skipChildren();
                    n++;
                }
            }
            Files.copy(file, out); // lines in the failures' own format
        } catch (IOException e) {
            throw new S3ReconException(ErrorCode.WORK_DIRECTORY_UNUSABLE, "cannot copy " + file + " to " + failuresFile
                    + ": " + e + " (check free disk space in the work directory)", e);
        }
        return n;
    }
}
