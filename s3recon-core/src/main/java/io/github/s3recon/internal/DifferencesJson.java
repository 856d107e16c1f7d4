package io.github.s3recon.internal;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.util.MinimalPrettyPrinter;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.s3recon.Checksum;
import io.github.s3recon.ChecksumAlgorithm;
import io.github.s3recon.ChecksumType;
import io.github.s3recon.Difference;
import io.github.s3recon.DifferenceType;
import io.github.s3recon.ErrorCode;
import io.github.s3recon.FixAction;
import io.github.s3recon.ObjectEntry;
import io.github.s3recon.S3ReconException;
import io.github.s3recon.TransferAction;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.stream.Stream;

/**
 * The JSON Lines form of differences: one object per line with {@code type}, {@code key},
 * {@code source} and {@code destination}, each side {@code size}, {@code eTag},
 * {@code lastModified} (ISO-8601), {@code storageClass} and {@code checksum}, or null where absent.
 * Fix plans use the same form with {@code action} and {@code reason} in place of {@code type}.
 * Written and read streaming, so the number of lines costs no heap.
 */
public final class DifferencesJson {

    /** The JSON factory of every file a run writes (differences, plans, failures); thread-safe, shared. */
    public static final JsonFactory FACTORY = new JsonFactory();
    private static final ObjectMapper MAPPER = new ObjectMapper(FACTORY);

    private DifferencesJson() {
    }

    /** Appends differences to a JSON Lines stream. Not thread-safe. */
    public static final class Writer implements AutoCloseable {
        private final JsonGenerator json;
        private final Path path;
        private final Counted counted;
        private long written;

        /**
         * Opens a writer on a file, replacing it.
         *
         * @param path the file
         */
        public Writer(Path path) {
            this(path, 0);
        }

        /**
         * Opens a writer that continues a file from a checkpoint: the file is cut to {@code resumeAt}
         * bytes (what a checkpoint said it held) and written on from there.
         *
         * @param path the file
         * @param resumeAt the length to keep; 0 replaces the file
         */
        public Writer(Path path, long resumeAt) {
            this.path = path;
            try {
                OutputStream out;
                if (resumeAt > 0) {
                    try (java.nio.channels.FileChannel ch = java.nio.channels.FileChannel.open(path,
                            java.nio.file.StandardOpenOption.WRITE)) {
                        if (ch.size() < resumeAt) {
                            throw new IOException("the file holds " + ch.size() + " bytes, less than the "
                                    + resumeAt + " its checkpoint recorded");
                        }
                        ch.truncate(resumeAt);
                    }
                    out = Files.newOutputStream(path, java.nio.file.StandardOpenOption.APPEND);
                } else {
                    out = Files.newOutputStream(path);
                }
                this.counted = new Counted(out, resumeAt);
                this.json = FACTORY.createGenerator(counted, JsonEncoding.UTF8);
            } catch (IOException e) {
                throw failed(path, e);
            }
            json.setPrettyPrinter(new MinimalPrettyPrinter(""));
        }

        /**
         * Opens a writer on a stream it will close.
         *
         * @param out the stream
         * @param path what to name in errors
         */
        public Writer(OutputStream out, Path path) {
            this.path = path;
            try {
                this.counted = new Counted(out, 0);
                this.json = FACTORY.createGenerator(counted, JsonEncoding.UTF8);
            } catch (IOException e) {
                throw failed(path, e);
            }
            json.setPrettyPrinter(new MinimalPrettyPrinter(""));
        }

        /**
         * Writes one difference as one line.
         *
         * @param d the difference
         */
        public void write(Difference d) {
            try {
                json.writeStartObject();
                json.writeStringField("type", d.type().name());
                json.writeStringField("key", d.key());
                json.writeFieldName("source");
                writeEntry(json, d.source());
                json.writeFieldName("destination");
                writeEntry(json, d.destination());
                json.writeEndObject();
                json.writeRaw('\n'); // every line ends with its newline, so that a file cut at a checkpoint is whole
                written++;
            } catch (IOException e) {
                throw failed(path, e);
            }
        }

        /**
         * Writes one fix action as one line.
         *
         * @param a the action
         */
        public void write(FixAction a) {
            try {
                json.writeStartObject();
                json.writeStringField("action", a.action().name());
                json.writeStringField("reason", a.reason() == null ? null : a.reason().name());
                json.writeStringField("key", a.key());
                json.writeFieldName("source");
                writeEntry(json, a.source());
                json.writeFieldName("destination");
                writeEntry(json, a.destination());
                json.writeEndObject();
                json.writeRaw('\n'); // every line ends with its newline, so that a file cut at a checkpoint is whole
                written++;
            } catch (IOException e) {
                throw failed(path, e);
            }
        }

        /**
         * Flushes what was written to the file (not to the disk: a killed process loses nothing
         * the operating system has) and returns the file's length, for a checkpoint.
         *
         * @return the bytes the file holds
         */
        public long checkpoint() {
            try {
                json.flush();
            } catch (IOException e) {
                throw failed(path, e);
            }
            return counted.count;
        }

        /**
         * Returns how many lines were written.
         *
         * @return the count
         */
        public long written() {
            return written;
        }

        @Override
        public void close() {
            try {
                json.close();
            } catch (IOException e) {
                throw failed(path, e);
            }
        }
    }

    /** Counts the bytes that reach the file. */
    private static final class Counted extends java.io.FilterOutputStream {
        long count;

        Counted(OutputStream out, long start) {
            super(new java.io.BufferedOutputStream(out, 64 * 1024));
            this.count = start;
        }

        @Override
        public void write(int b) throws IOException {
            out.write(b);
            count++;
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            out.write(b, off, len);
            count += len;
        }
    }

    private static void writeEntry(JsonGenerator json, ObjectEntry e) throws IOException {
        if (e == null) {
            json.writeNull();
            return;
        }
        json.writeStartObject();
        json.writeNumberField("size", e.size());
        json.writeStringField("eTag", e.eTag());
        json.writeStringField("lastModified", e.lastModified() == null ? null : e.lastModified().toString());
        json.writeStringField("storageClass", e.storageClass());
        json.writeFieldName("checksum");
        Checksum c = e.checksum();
        if (c == null) {
            json.writeNull();
        } else {
            json.writeStartObject();
            json.writeStringField("algorithm", c.algorithm().name());
            json.writeStringField("type", c.type().name());
            json.writeStringField("value", c.value());
            json.writeEndObject();
        }
        json.writeEndObject();
    }

    /**
     * Reads differences from a JSON Lines file, lazily; the caller closes the stream.
     *
     * @param path the file; a missing file reads as empty
     * @return the differences
     */
    public static Stream<Difference> read(Path path) {
        return lines(path).map(line -> parse(path, line));
    }

    /**
     * Reads fix actions from a JSON Lines file, lazily; the caller closes the stream.
     *
     * @param path the file; a missing file reads as empty
     * @return the actions
     */
    public static Stream<FixAction> readActions(Path path) {
        return lines(path).map(line -> parseAction(path, line));
    }

    private static FixAction parseAction(Path path, String line) {
        try {
            JsonNode node = MAPPER.readTree(line);
            String key = node.get("key").asText();
            String reason = text(node, "reason");
            return new FixAction(TransferAction.valueOf(node.get("action").asText()), key,
                    reason == null ? null : DifferenceType.valueOf(reason), entry(key, node.get("source")),
                    entry(key, node.get("destination")));
        } catch (IOException | RuntimeException e) {
            throw new S3ReconException(ErrorCode.REPORT_FAILED, "cannot read a fix action from " + path
                    + ": the line is not a fix action as s3recon writes it: " + abbreviate(line), e);
        }
    }

    private static Stream<String> lines(Path path) {
        if (!Files.exists(path)) {
            return Stream.empty();
        }
        BufferedReader reader;
        try {
            reader = Files.newBufferedReader(path, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw failed(path, e);
        }
        return reader.lines().filter(line -> !line.isBlank()).onClose(() -> {
            try {
                reader.close();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
    }

    private static Difference parse(Path path, String line) {
        try {
            JsonNode node = MAPPER.readTree(line);
            DifferenceType type = DifferenceType.valueOf(node.get("type").asText());
            String key = node.get("key").asText();
            return Difference.of(type, entry(key, node.get("source")), entry(key, node.get("destination")));
        } catch (IOException | RuntimeException e) {
            throw new S3ReconException(ErrorCode.REPORT_FAILED, "cannot read a difference from " + path
                    + ": the line is not a difference as s3recon writes it: " + abbreviate(line), e);
        }
    }

    private static ObjectEntry entry(String key, JsonNode node) {
        if (node == null || node.isNull()) {
            return null;
        }
        JsonNode checksum = node.get("checksum");
        Checksum c = checksum == null || checksum.isNull() ? null
                : new Checksum(ChecksumAlgorithm.valueOf(checksum.get("algorithm").asText()),
                        ChecksumType.valueOf(checksum.get("type").asText()), text(checksum, "value"));
        String lastModified = text(node, "lastModified");
        return new ObjectEntry(key, node.get("size").asLong(), text(node, "eTag"),
                lastModified == null ? null : Instant.parse(lastModified), text(node, "storageClass"), c);
    }

    private static String text(JsonNode node, String field) {
        JsonNode v = node.get(field);
        return v == null || v.isNull() ? null : v.asText();
    }

    private static String abbreviate(String line) {
        return line.length() <= 200 ? line : line.substring(0, 200) + "...";
    }

    static S3ReconException failed(Path path, IOException e) {
        String hint = Files.isDirectory(path.getParent() == null ? path : path.getParent())
                ? "check free disk space and permissions" : "the directory does not exist";
        return new S3ReconException(ErrorCode.REPORT_FAILED, "cannot write or read report file " + path + ": "
                + e.getMessage() + " (" + hint + ")", e);
    }
}
