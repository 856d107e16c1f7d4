package io.github.s3recon.source;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.s3recon.ErrorCode;
import io.github.s3recon.Redact;
import io.github.s3recon.S3ReconException;
import java.io.InputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Spliterator;
import java.util.Spliterators;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;

/**
 * A manifest file of one record per line: {@link ManifestFormat#TEXT}, {@link ManifestFormat#CSV}
 * or {@link ManifestFormat#JSON_LINES}, read line by line (one line in memory at a time).
 * Immutable and thread-safe: each {@link #entries()} opens the file anew.
 */
final class LineManifest implements ManifestInput {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final Path file;
    private final ManifestFormat format;

    LineManifest(Path file, ManifestFormat format) {
        this.file = file;
        this.format = format;
    }

    @Override
    public String describe() {
        return Redact.key(file.toString());
    }

    /** The prefix of this manifest's locators, followed by the byte offset of the line. */
    static final String LOCATOR = "manifest line@";

    private InputStream open(long offset) {
        try {
            InputStream in = Files.newInputStream(file);
            in.skipNBytes(offset); // a seek, for a file
            return in;
        } catch (IOException e) {
            throw new S3ReconException(ErrorCode.INVALID_CONFIGURATION,
                    "manifest " + describe() + " cannot be read: " + e, e);
        }
    }

    @Override
    public ManifestEntry at(String locator) {
        if (!locator.startsWith(LOCATOR)) {
            return null;
        }
        long offset;
        try {
            offset = Long.parseLong(locator.substring(LOCATOR.length()));
        } catch (NumberFormatException e) {
            return null;
        }
        Map<String, Integer> columns = null;
        if (format == ManifestFormat.CSV) {
            try (Lines header = new Lines(open(0), 0, 0)) {
                header.hasNext(); // reads up to the header and the first entry
                columns = header.columns;
            }
        }
        try (Lines one = new Lines(open(offset), offset, -1)) {
            one.columns = columns;
            return one.hasNext() && one.next().locator().equals(locator) ? one.last : null;
        } catch (S3ReconException e) {
            return null; // not a line of this manifest any more
        }
    }

    @Override
    public Stream<ManifestEntry> entries() {
        Lines it = new Lines(open(0), 0, 0);
        return StreamSupport.stream(Spliterators.spliteratorUnknownSize(it, Spliterator.ORDERED | Spliterator.NONNULL),
                false).onClose(it::close);
    }

    /** Reads the lines into entries, skipping those that hold none. Not thread-safe. */
    private final class Lines implements Iterator<ManifestEntry>, AutoCloseable {

        private final InputStream in;
        private final byte[] buffer = new byte[64 * 1024];
        private int pos;
        private int limit;
        /** The byte offset in the file of the next byte to read, and of the line last read. */
        private long position;
        private long lineStart;
        private final java.io.ByteArrayOutputStream line = new java.io.ByteArrayOutputStream(256);
        /** The number of the line last read; counted from a negative start when reading from the middle. */
        private long lineNumber;
        private Map<String, Integer> columns; // CSV: the header's column indexes
        private ManifestEntry next;
        private ManifestEntry last;
        private boolean done;

        /**
         * @param in the file, from {@code position}
         * @param position the byte offset {@code in} starts at
         * @param lineNumber the number of the line before the first one read (0 from the start, -1 when unknown)
         */
        Lines(InputStream in, long position, long lineNumber) {
            this.in = in;
            this.position = position;
            this.lineNumber = lineNumber;
        }

        /** Reads a line as UTF-8, without its {@code \n} or {@code \r\n}; null at the end. */
        private String readLine() throws IOException {
            line.reset();
            lineStart = position;
            boolean any = false;
            while (true) {
                if (pos == limit) {
                    limit = in.read(buffer, 0, buffer.length);
                    pos = 0;
                    if (limit <= 0) {
                        limit = 0;
                        break;
                    }
                }
                any = true;
                int start = pos;
                while (pos < limit && buffer[pos] != '\n') {
                    pos++;
                }
                line.write(buffer, start, pos - start);
                position += pos - start;
                if (pos < limit) {
                    pos++; // the newline
                    position++;
                    break;
                }
            }
            if (!any) {
                return null;
            }
            byte[] bytes = line.toByteArray();
            int n = bytes.length > 0 && bytes[bytes.length - 1] == '\r' ? bytes.length - 1 : bytes.length;
            return new String(bytes, 0, n, StandardCharsets.UTF_8);
        }

        @Override
        public void close() {
            try {
                in.close();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        @Override
        public boolean hasNext() {
            while (next == null && !done) {
                String line;
                try {
                    line = readLine();
                } catch (IOException e) {
                    throw new S3ReconException(ErrorCode.INVALID_CONFIGURATION, "manifest " + describe()
                            + " cannot be read after line " + lineNumber + ": " + e, e);
                }
                if (line == null) {
                    done = true;
                    if (format == ManifestFormat.CSV && columns == null) {
                        throw ManifestUrls.bad(describe(), "the CSV manifest has no header line (with a 'url' column)");
                    }
                    break;
                }
                lineNumber = lineNumber < 0 ? lineNumber : lineNumber + 1;
                if (lineStart == 0 && !line.isEmpty() && line.charAt(0) == '\uFEFF') {
                    line = line.substring(1); // a byte order mark
                }
                next = parse(line, describe() + (lineNumber > 0 ? " line " + lineNumber : " at byte " + lineStart));
            }
            return next != null;
        }

        @Override
        public ManifestEntry next() {
            if (!hasNext()) {
                throw new NoSuchElementException();
            }
            ManifestEntry e = next;
            last = e;
            next = null;
            return e;
        }

        private ManifestEntry parse(String line, String where) {
            String t = line.strip();
            if (t.isEmpty() || (format != ManifestFormat.JSON_LINES && t.startsWith("#"))) {
                return null;
            }
            switch (format) {
                case TEXT:
                    return new ManifestEntry(ManifestUrls.parse(t, where), null, -1, null, where, LOCATOR + lineStart);
                case CSV:
                    return csv(t, where);
                default:
                    return jsonLine(t, where);
            }
        }

        private ManifestEntry csv(String line, String where) {
            List<String> fields = CsvLine.split(line, where);
            if (columns == null) {
                columns = new HashMap<>();
                for (int i = 0; i < fields.size(); i++) {
                    columns.putIfAbsent(fields.get(i).strip().toLowerCase(Locale.ROOT), i);
                }
                if (!columns.containsKey("url")) {
                    throw ManifestUrls.bad(where, "the CSV header has no 'url' column (columns: url, key, size, md5, etag)");
                }
                return null;
            }
            String url = column(fields, "url");
            if (url == null || url.isBlank()) {
                throw ManifestUrls.bad(where, "the 'url' column is empty");
            }
            String md5 = column(fields, "md5");
            return new ManifestEntry(ManifestUrls.parse(url, where), emptyToNull(column(fields, "key")),
                    ManifestUrls.size(column(fields, "size"), where),
                    ManifestUrls.eTag(md5 != null && !md5.isBlank() ? md5 : column(fields, "etag")), where,
                    LOCATOR + lineStart);
        }

        private String column(List<String> fields, String name) {
            Integer i = columns.get(name);
            return i == null || i >= fields.size() ? null : fields.get(i);
        }

        private ManifestEntry jsonLine(String line, String where) {
            JsonNode node;
            try {
                node = JSON.readTree(line);
            } catch (JsonProcessingException e) {
                throw ManifestUrls.bad(where, "not a JSON object (" + Redact.text(e.getOriginalMessage()) + ")");
            }
            if (node == null || !node.isObject()) {
                throw ManifestUrls.bad(where, "not a JSON object");
            }
            JsonNode url = node.get("url");
            if (url == null || !url.isTextual()) {
                throw ManifestUrls.bad(where, "no 'url' field with a string");
            }
            JsonNode key = node.get("key");
            JsonNode size = node.get("size");
            long sized;
            if (size == null || size.isNull()) {
                sized = -1;
            } else if (size.canConvertToExactIntegral() && size.canConvertToLong() && size.asLong() >= 0) {
                sized = size.asLong();
            } else {
                sized = ManifestUrls.size(size.asText(), where);
            }
            JsonNode md5 = node.get("md5");
            JsonNode etag = node.get("etag");
            String tag = md5 != null && md5.isTextual() ? md5.asText() : etag != null && etag.isTextual() ? etag.asText() : null;
            return new ManifestEntry(ManifestUrls.parse(url.asText(), where),
                    key != null && key.isTextual() ? emptyToNull(key.asText()) : null, sized, ManifestUrls.eTag(tag), where,
                    LOCATOR + lineStart);
        }
    }

    private static String emptyToNull(String s) {
        return s == null || s.isEmpty() ? null : s;
    }
}
