package io.github.s3recon.source;

import io.github.s3recon.ErrorCode;
import io.github.s3recon.S3ReconException;
import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * The formats of a manifest file of URLs, one record per line (UTF-8):
 *
 * <ul>
 *   <li>{@link #TEXT}: one absolute http(s) URL per line; blank lines and lines starting with
 *       {@code #} are ignored.
 *   <li>{@link #CSV}: a header line naming the columns, then one URL per line (RFC 4180 quoting,
 *       a record on one line). Columns: {@code url} (required), {@code key}, {@code size},
 *       {@code md5}, {@code etag} (optional, in any order; other columns are ignored).
 *   <li>{@link #JSON_LINES}: one JSON object per line with the same fields ({@code url} required).
 * </ul>
 *
 * <p>A set of JSON files found by a glob is not a format of one file: see
 * {@link UrlManifestSource.Builder#jsonFiles}.
 */
public enum ManifestFormat {

    /** One URL per line. */
    TEXT,
    /** A header line, then one record per line. */
    CSV,
    /** One JSON object per line. */
    JSON_LINES;

    /**
     * Picks a file's format: by extension ({@code .csv}; {@code .jsonl}, {@code .ndjson}), else by
     * its first line that is neither blank nor a comment: a JSON object is JSON Lines, a line that
     * is not a URL and holds a comma and a {@code url} column is CSV, anything else is text.
     *
     * @param file the manifest; not null
     * @return the format
     * @throws S3ReconException with {@link ErrorCode#INVALID_CONFIGURATION} if the file cannot be read
     */
    public static ManifestFormat detect(Path file) {
        String name = file.getFileName() == null ? "" : file.getFileName().toString().toLowerCase(Locale.ROOT);
        if (name.endsWith(".csv")) {
            return CSV;
        }
        if (name.endsWith(".jsonl") || name.endsWith(".ndjson")) {
            return JSON_LINES;
        }
        try (BufferedReader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            for (String line = in.readLine(); line != null; line = in.readLine()) {
                String t = line.strip();
                if (t.isEmpty() || t.startsWith("#")) {
                    continue;
                }
                if (t.startsWith("{")) {
                    return JSON_LINES;
                }
                boolean url = t.regionMatches(true, 0, "http://", 0, 7) || t.regionMatches(true, 0, "https://", 0, 8);
                if (!url && t.contains(",") && CsvLine.split(t, file + " line 1").stream()
                        .anyMatch(c -> c.strip().equalsIgnoreCase("url"))) {
                    return CSV;
                }
                return TEXT;
            }
            return TEXT;
        } catch (IOException e) {
            throw new S3ReconException(ErrorCode.INVALID_CONFIGURATION,
                    "manifest " + file + " cannot be read: " + e.getMessage(), e);
        }
    }
}
