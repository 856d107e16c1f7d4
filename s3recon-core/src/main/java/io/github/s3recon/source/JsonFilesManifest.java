package io.github.s3recon.source;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonStreamContext;
import com.fasterxml.jackson.core.JsonToken;
import io.github.s3recon.ErrorCode;
import io.github.s3recon.Redact;
import io.github.s3recon.S3ReconException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Spliterator;
import java.util.Spliterators;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;

/**
 * A set of JSON files found by a glob under a directory, each read with Jackson's streaming parser
 * (one token at a time, never a whole file in memory), yielding every string found at one of the
 * URL fields.
 *
 * <p>A URL field is either a field name ({@code image_url}: that field at any depth, in any object,
 * in arrays or not) or a JSON pointer from the document's root whose segments may be {@code *} for
 * any field or array index ({@code /images/*}{@code /image_url}). A null value is skipped; a value
 * that is neither a string nor null is an error naming the file and line.
 *
 * <p>The glob is matched against each regular file's path relative to the directory, with
 * {@code /} as separator; {@code **}{@code /} also matches no directory at all (so
 * {@code data/lots/**}{@code /lot_*.json} finds {@code data/lots/lot_1.json}). The walk starts at
 * the glob's leading directories without wildcards. Immutable and thread-safe.
 */
final class JsonFilesManifest implements ManifestInput {

    private static final JsonFactory FACTORY = new JsonFactory();

    private final Path directory;
    private final String glob;
    private final List<String> fields;

    JsonFilesManifest(Path directory, String glob, List<String> fields) {
        this.directory = directory;
        this.glob = glob;
        this.fields = List.copyOf(fields);
    }

    @Override
    public String describe() {
        return Redact.key(directory.resolve(glob).toString().replace('\\', '/'));
    }

    @Override
    public Stream<ManifestEntry> entries() {
        PathMatcher exact = FileSystems.getDefault().getPathMatcher("glob:" + glob);
        PathMatcher shallow = glob.contains("**/")
                ? FileSystems.getDefault().getPathMatcher("glob:" + glob.replace("**/", "")) : exact;
        Path start = directory.resolve(fixedPrefix(glob));
        if (!Files.isDirectory(start)) {
            return Stream.empty();
        }
        Stream<Path> files;
        try {
            files = Files.walk(start).filter(Files::isRegularFile).filter(p -> {
                Path relative = directory.relativize(p);
                return exact.matches(relative) || shallow.matches(relative);
            });
        } catch (IOException e) {
            throw new S3ReconException(ErrorCode.INVALID_CONFIGURATION, "manifest " + describe()
                    + ": cannot list " + Redact.key(start.toString()) + ": " + e, e);
        }
        Urls urls = new Urls(files.iterator());
        return StreamSupport.stream(Spliterators.spliteratorUnknownSize(urls, Spliterator.ORDERED | Spliterator.NONNULL),
                false).onClose(() -> {
                    try {
                        urls.closeParser();
                    } finally {
                        files.close();
                    }
                });
    }

    /** The prefix of this manifest's locators: then the token's byte offset, {@code :} and the file's relative path. */
    static final String LOCATOR = "manifest json@";

    @Override
    public ManifestEntry at(String locator) {
        if (!locator.startsWith(LOCATOR)) {
            return null;
        }
        int colon = locator.indexOf(':', LOCATOR.length());
        if (colon < 0) {
            return null;
        }
        long offset;
        try {
            offset = Long.parseLong(locator.substring(LOCATOR.length(), colon));
        } catch (NumberFormatException e) {
            return null;
        }
        String relative = locator.substring(colon + 1);
        Path path = directory.resolve(relative).normalize();
        if (!path.startsWith(directory.normalize())) {
            return null; // not one of this manifest's files
        }
        String where = Redact.key(relative) + " at byte " + offset;
        try (java.io.InputStream in = Files.newInputStream(path)) {
            in.skipNBytes(offset); // a seek, for a file
            try (JsonParser parser = FACTORY.createParser(in)) {
                // The URL's string token, read alone as a document of one value.
                if (parser.nextToken() != JsonToken.VALUE_STRING) {
                    return null;
                }
                return new ManifestEntry(ManifestUrls.parse(parser.getText(), where), null, -1, null, where, locator);
            }
        } catch (IOException | S3ReconException e) {
            return null; // changed or gone since it was listed
        }
    }

    /** The glob's leading directories up to the first segment with a wildcard. */
    static String fixedPrefix(String glob) {
        String[] segments = glob.split("/");
        StringBuilder prefix = new StringBuilder();
        for (int i = 0; i < segments.length - 1; i++) {
            if (segments[i].matches(".*[*?\\[{\\\\].*")) {
                break;
            }
            prefix.append(segments[i]).append('/');
        }
        return prefix.toString();
    }

    /** Whether the value at the parser's current position is at one of the URL fields. */
    private boolean isUrlField(JsonStreamContext context) {
        String name = context.getCurrentName();
        String pointer = null;
        for (String field : fields) {
            if (!field.startsWith("/")) {
                if (field.equals(name)) {
                    return true;
                }
                continue;
            }
            if (pointer == null) {
                pointer = context.pathAsPointer().toString();
            }
            if (matches(field, pointer)) {
                return true;
            }
        }
        return false;
    }

    /** Segment by segment; {@code *} matches any one segment. Escapes ({@code ~0}, {@code ~1}) compare as written. */
    static boolean matches(String pattern, String pointer) {
        String[] p = pattern.substring(1).split("/", -1);
        String[] s = pointer.isEmpty() ? new String[0] : pointer.substring(1).split("/", -1);
        if (p.length != s.length) {
            return false;
        }
        for (int i = 0; i < p.length; i++) {
            if (!p[i].equals("*") && !p[i].equals(s[i])) {
                return false;
            }
        }
        return true;
    }

    /** Walks the files and their tokens. Not thread-safe. */
    private final class Urls implements Iterator<ManifestEntry> {

        private final Iterator<Path> files;
        private JsonParser parser;
        private String file;
        private String relative;
        private ManifestEntry next;

        Urls(Iterator<Path> files) {
            this.files = files;
        }

        @Override
        public boolean hasNext() {
            try {
                while (next == null) {
                    if (parser == null) {
                        if (!files.hasNext()) {
                            return false;
                        }
                        Path path = files.next();
                        relative = directory.relativize(path).toString().replace('\\', '/');
                        file = Redact.key(relative);
                        parser = FACTORY.createParser(path.toFile());
                    }
                    JsonToken token = parser.nextToken();
                    if (token == null) {
                        closeParser();
                        continue;
                    }
                    if (token.isScalarValue() && isUrlField(parser.getParsingContext())) {
                        String where = file + " line " + parser.currentTokenLocation().getLineNr();
                        if (token == JsonToken.VALUE_STRING) {
                            next = new ManifestEntry(ManifestUrls.parse(parser.getText(), where), null, -1, null, where,
                                    LOCATOR + parser.currentTokenLocation().getByteOffset() + ":" + relative);
                        } else if (token != JsonToken.VALUE_NULL) {
                            throw ManifestUrls.bad(where, "the URL field '" + Redact.key(parser.currentName())
                                    + "' holds " + token.asString() + ", not a string");
                        }
                    }
                }
                return true;
            } catch (JsonProcessingException e) {
                String where = file + " line " + e.getLocation().getLineNr();
                closeParser();
                throw ManifestUrls.bad(where, "not valid JSON (" + Redact.text(e.getOriginalMessage()) + ")");
            } catch (IOException e) {
                closeParser();
                throw new S3ReconException(ErrorCode.INVALID_CONFIGURATION,
                        "manifest " + file + " cannot be read: " + e, e);
            } catch (UncheckedIOException e) {
                throw new S3ReconException(ErrorCode.INVALID_CONFIGURATION,
                        "manifest " + describe() + ": cannot list the files: " + e.getCause(), e);
            }
        }

        @Override
        public ManifestEntry next() {
            if (!hasNext()) {
                throw new NoSuchElementException();
            }
            ManifestEntry e = next;
            next = null;
            return e;
        }

        void closeParser() {
            if (parser != null) {
                try {
                    parser.close();
                } catch (IOException e) {
                    // nothing was written; a failed close of a read file loses nothing
                } finally {
                    parser = null;
                }
            }
        }
    }
}
