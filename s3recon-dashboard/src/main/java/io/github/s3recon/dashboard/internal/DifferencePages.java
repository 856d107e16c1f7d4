package io.github.s3recon.dashboard.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.s3recon.DifferenceType;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;

/**
 * Pages of a {@code differences.jsonl} of any size, read straight from the file: lines are matched
 * on their bytes (only the lines of the page are decoded and parsed), and every 10,000th matching
 * line's byte offset is remembered per file version and filter, so a deep page seeks close to its
 * first line instead of reading from the top again. Memory: one page plus about 100 offsets per
 * million lines. Thread-safe.
 */
final class DifferencePages {

    private static final int INDEX_EVERY = 10_000;
    private static final int INDEXES_KEPT = 64;

    private record Key(Path file, long size, long modified, String type, String text) {
    }

    private final Map<Key, NavigableMap<Long, Long>> indexes = new LinkedHashMap<>(16, 0.75f, true) {
        private static final long serialVersionUID = 1L;

        @Override
        protected boolean removeEldestEntry(Map.Entry<Key, NavigableMap<Long, Long>> eldest) {
            return size() > INDEXES_KEPT;
        }
    };

    /**
     * Reads one page.
     *
     * @param file the differences file (absent: no items)
     * @param type only this type, or null for all
     * @param text only lines whose JSON holds this text (a key, an ETag), or empty for all
     * @param offset how many matching lines to skip
     * @param limit how many to return
     * @param page where the items and {@code more} go
     */
    void read(Path file, DifferenceType type, String text, long offset, int limit, ObjectNode page) {
        ArrayNode items = page.putArray("items");
        boolean more = false;
        if (Files.isRegularFile(file)) {
            try {
                Key key = new Key(file, Files.size(file), Files.getLastModifiedTime(file).toMillis(),
                        type == null ? "" : type.name(), text);
                NavigableMap<Long, Long> index;
                synchronized (indexes) {
                    index = indexes.computeIfAbsent(key, k -> new TreeMap<>());
                }
                more = scan(file, key, index, offset, limit, items);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        page.put("more", more);
    }

    private static boolean scan(Path file, Key key, NavigableMap<Long, Long> index, long offset, int limit,
            ArrayNode items) throws IOException {
        byte[] typeNeedle = key.type().isEmpty() ? null
                : ("\"type\":\"" + key.type() + "\"").getBytes(StandardCharsets.UTF_8);
        byte[] textNeedle = key.text().isEmpty() ? null : key.text().getBytes(StandardCharsets.UTF_8);
        long ordinal = 0; // matching lines before the current one
        long position = 0;
        synchronized (index) {
            Map.Entry<Long, Long> start = index.floorEntry(offset);
            if (start != null) {
                ordinal = start.getKey();
                position = start.getValue();
            }
        }
        try (InputStream in = Files.newInputStream(file)) {
            in.skipNBytes(position);
            byte[] chunk = new byte[1 << 16];
            int chunkLength = 0;
            int chunkPosition = 0;
            byte[] line = new byte[1024];
            while (true) {
                long lineStart = position;
                int length = 0;
                boolean ended = false;
                // copy bytes up to the next newline out of the chunk, refilling it as needed
                while (!ended) {
                    if (chunkPosition == chunkLength) {
                        chunkLength = in.read(chunk);
                        chunkPosition = 0;
                        if (chunkLength <= 0) {
                            break;
                        }
                    }
                    int newline = chunkPosition;
                    while (newline < chunkLength && chunk[newline] != '\n') {
                        newline++;
                    }
                    int n = newline - chunkPosition;
                    if (length + n > line.length) {
                        line = Arrays.copyOf(line, Math.max(line.length * 2, length + n));
                    }
                    System.arraycopy(chunk, chunkPosition, line, length, n);
                    length += n;
                    ended = newline < chunkLength;
                    chunkPosition = ended ? newline + 1 : newline;
                }
                if (!ended && length == 0) {
                    return false;
                }
                position += length + (ended ? 1 : 0);
                if (length == 0 || (typeNeedle != null && !contains(line, length, typeNeedle))
                        || (textNeedle != null && !contains(line, length, textNeedle))) {
                    continue;
                }
                if (ordinal % INDEX_EVERY == 0) {
                    synchronized (index) {
                        index.put(ordinal, lineStart);
                    }
                }
                if (ordinal >= offset) {
                    if (items.size() == limit) {
                        return true;
                    }
                    JsonNode d = Json.parse(new String(line, 0, length, StandardCharsets.UTF_8));
                    if (d != null) {
                        items.add(d);
                    }
                }
                ordinal++;
            }
        }
    }

    private static boolean contains(byte[] hay, int length, byte[] needle) {
        outer:
        for (int i = 0, last = length - needle.length; i <= last; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (hay[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return true;
        }
        return false;
    }
}
