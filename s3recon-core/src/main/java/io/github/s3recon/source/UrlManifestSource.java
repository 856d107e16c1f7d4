package io.github.s3recon.source;

import io.github.s3recon.ErrorCode;
import io.github.s3recon.KeyRange;
import io.github.s3recon.ObjectEntry;
import io.github.s3recon.Redact;
import io.github.s3recon.S3Location;
import io.github.s3recon.S3ReconException;
import io.github.s3recon.spi.ObjectSource;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;
import java.util.stream.Stream;

/**
 * A manifest of URLs as an {@link ObjectSource}: each http(s) URL is an object, read with HEAD and
 * GET on the JDK's {@link HttpClient}.
 *
 * <pre>{@code
 * ObjectSource urls = UrlManifestSource.of(Path.of("urls.txt"));          // text, CSV or JSON Lines
 * ObjectSource images = UrlManifestSource.builder()
 *         .jsonFiles(Path.of("."), "data/lots/**}{@code /lot_*_images.json", "image_url", "thumb_url")
 *         .stripPrefix("images/")
 *         .retries(RetrySchedule.of(Duration.ofSeconds(1), 3, 4))      // 1 s, 3 s, 9 s
 *         .build();
 * }</pre>
 *
 * <ul>
 *   <li><b>Manifests</b>: a file in one of the {@link ManifestFormat}s, or a set of JSON files found
 *       by a glob with the fields that hold URLs ({@link Builder#jsonFiles}). Each is read as a
 *       stream, never whole in memory. A bad line fails the listing with an
 *       {@link ErrorCode#INVALID_CONFIGURATION} exception naming the file and line: a URL that is
 *       relative, not http(s), or does not parse; a CSV without a {@code url} column; a size that
 *       is not a number.
 *   <li><b>Keys</b>: the manifest's {@code key} column when it has one; else the URL's path without
 *       the leading {@code /}, percent-decoded ({@link Builder#keyMapping} replaces this), then
 *       {@link Builder#stripPrefix} removed. The query string is not part of a key (it holds
 *       signatures more often than names): two URLs that differ only in their query have one key.
 *   <li><b>Listing</b>: in manifest order ({@link #listsInKeyOrder()} false: the engine sorts through
 *       its inventory store); {@link #plan(int)} is {@link KeyRange#ALL}; {@code list(range)} keeps
 *       the keys in the range. The size, and a plain MD5 as ETag, come from the manifest when it
 *       gives them; an entry without a size is HEADed while listing ({@link Builder#listingConcurrency}
 *       at a time; a manifest with sizes lists without a request). A URL that answers 404 or 410
 *       there is left out of the listing, logged and counted ({@link #notFound()}). An entry with
 *       the same key as the entry before it is listed once ({@link #adjacentDuplicates()}); other
 *       duplicates are for the engine's sorted pass to find.
 *   <li><b>Reading</b>: {@link #attributes} is a HEAD (size from {@code Content-Length}, else from
 *       a ranged GET's {@code Content-Range}, else by counting the body; ETag when it is an MD5;
 *       {@code Last-Modified}); 404 and 410 are empty. {@link #open} is a GET, with {@code Range}
 *       for a part; a server that ignores {@code Range} still yields exactly the bytes asked for;
 *       404 and 410 throw {@link SourceNotFoundException}. Called with a key alone, these find the
 *       key's URL in an index of the manifest built on the first such call (in memory: about 150
 *       bytes per URL). A migration never builds it: each listed entry carries its position in the
 *       manifest in {@link ObjectEntry#storageClass()} ({@code manifest line@<byte offset>} or
 *       {@code manifest json@<byte offset>:<file>}, no secret) through the sorted rows and the plan,
 *       and {@link #download(ObjectEntry, long)}, {@link #open(ObjectEntry, long, long)} and
 *       {@link #attributes(ObjectEntry)} read the URL again there, so a manifest of 100 million
 *       URLs runs in the memory of one of 100.
 *   <li><b>Retries</b>: 429, 408, 5xx, timeouts and connection failures are retried on the
 *       {@link RetrySchedule} (default 1 s, 3 s, 9 s), after the server's {@code Retry-After}
 *       when it sends one; 404 and 410 never. Failures after the last attempt are
 *       {@link S3ReconException}s: {@link ErrorCode#ACCESS_DENIED} for 401 and 403,
 *       {@link ErrorCode#TIMED_OUT}, {@link ErrorCode#ENDPOINT_UNREACHABLE},
 *       {@link ErrorCode#UNKNOWN_HOST}, else {@link ErrorCode#LISTING_FAILED}.
 *   <li><b>Secrets</b>: {@link #describe()} is the manifest's path; every message shows URLs without
 *       user-info, query and fragment, so a signed URL's token stays out of logs and reports.
 *       User-info in a URL is not sent as credentials.
 * </ul>
 *
 * <p>Thread-safe. Nothing to close: the HTTP client is the JDK's (or the one given, not owned).
 */
public final class UrlManifestSource implements ObjectSource {

    private final ManifestInput manifest;
    private final HttpReader http;
    private final UrlIndex index;
    private final UrlListing listing;
    private final UrlBodies bodies;

    private UrlManifestSource(Builder b) {
        this.manifest = b.manifest;
        UrlKeys keys = new UrlKeys(b.keyMapping, b.stripPrefix);
        HttpClient client = b.httpClient != null ? b.httpClient : HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1).followRedirects(HttpClient.Redirect.NORMAL)
                .connectTimeout(b.connectTimeout).build();
        this.http = new HttpReader(client, b.retries, b.requestTimeout, b.sleeper);
        this.index = new UrlIndex(manifest, keys);
        this.listing = new UrlListing(manifest, keys, http, b.listingConcurrency);
        this.bodies = new UrlBodies(http);
    }

    /**
     * The source of a manifest file, its format picked by {@link ManifestFormat#detect(Path)}, with
     * the default keys, retries and timeouts.
     *
     * @param manifestFile a readable file; not null
     * @return the source
     * @throws S3ReconException with {@link ErrorCode#INVALID_CONFIGURATION} if the file is null,
     *     missing or unreadable
     */
    public static UrlManifestSource of(Path manifestFile) {
        return builder().manifest(manifestFile).build();
    }

    /**
     * A builder, for the JSON files form, a key mapping, other retries or timeouts.
     *
     * @return a new builder
     */
    public static Builder builder() {
        return new Builder();
    }

    /** Returns the manifest's path (or directory and glob), control characters escaped. */
    @Override
    public String describe() {
        return manifest.describe();
    }

    /** Returns empty: a manifest is not an S3 location (every copy relays the bytes). */
    @Override
    public Optional<S3Location> location() {
        return Optional.empty();
    }

    /** Returns false: manifests are in any order. */
    @Override
    public boolean listsInKeyOrder() {
        return false;
    }

    /**
     * Returns {@link KeyRange#ALL}: a manifest cannot start in the middle of its keys.
     *
     * @throws S3ReconException with {@link ErrorCode#INVALID_CONFIGURATION} if {@code ranges} is below 1
     */
    @Override
    public List<KeyRange> plan(int ranges) {
        if (ranges < 1) {
            throw S3ReconException.invalidConfiguration("ranges", ranges, "must be at least 1");
        }
        return List.of(KeyRange.ALL);
    }

    /**
     * Streams the manifest's entries whose keys lie in the range, in manifest order, HEADing those
     * without a size. Closing the stream closes the files and stops the HEADs.
     */
    @Override
    public Stream<ObjectEntry> list(KeyRange range) {
        return list(range, n -> { });
    }

    /**
     * A URL that answered 404 or 410 to a listing's HEAD, as it may be shown.
     *
     * @param key the key the URL would have had; not null
     * @param url the URL without user-info, query and fragment; not null
     * @param status 404 or 410
     * @param where the manifest file and line (or JSON location) it came from; not null
     */
    public record NotFound(String key, String url, int status, String where) {
    }

    /**
     * As {@link #list(KeyRange)}, telling {@code notFound} of each URL left out because it answered
     * 404 or 410 (besides counting and logging it), on the thread that reads the stream: a migration
     * records these in its run's failures.
     *
     * @param range the keys to list; not null
     * @param notFound receives the URLs not found; not null
     * @return the entries, as {@link #list(KeyRange)}
     */
    public Stream<ObjectEntry> list(KeyRange range, java.util.function.Consumer<NotFound> notFound) {
        Objects.requireNonNull(range, "range");
        Objects.requireNonNull(notFound, "notFound");
        return listing.list(range, notFound);
    }

    /**
     * Reads a URL's attributes with HEAD.
     *
     * @return the attributes (size, ETag when it is an MD5, last modified); empty for a key the
     *     manifest does not have and for a URL answering 404 or 410
     * @throws S3ReconException for other failures after the retries
     */
    @Override
    public Optional<ObjectEntry> attributes(String key) {
        Objects.requireNonNull(key, "key");
        URI url = index.url(key);
        return url == null ? Optional.empty() : head(key, url);
    }

    private Optional<ObjectEntry> head(String key, URI url) {
        return http.head(url, key).map(h -> new ObjectEntry(key, h.size(), h.eTag(), h.lastModified(), null, null));
    }

    /**
     * Opens a URL's body, or a byte range of it, with GET; the response's headers have arrived when
     * this returns.
     *
     * @return the bytes; empty for {@code length} 0 (without a request) and for an {@code offset} at
     *     or past the end; fewer than {@code length} when the object ends first
     * @throws S3ReconException with {@link ErrorCode#INVALID_CONFIGURATION} for a negative offset or a
     *     length below -1; {@link SourceNotFoundException} for a URL answering 404 or 410; one with
     *     {@link ErrorCode#LISTING_FAILED} for a key the manifest does not have; another {@link S3ReconException} for other failures after the retries
     */
    @Override
    public InputStream open(String key, long offset, long length) {
        Objects.requireNonNull(key, "key");
        UrlBodies.checkRange(offset, length);
        return bodies.open(key, index.require(key), offset, length);
    }

    /**
     * What {@link #download} opened: the body and the headers a copy keeps.
     *
     * @param body the bytes from the offset asked for to the end; the caller closes it
     * @param url the URL as it may be shown (without user-info, query and fragment)
     * @param contentType the {@code Content-Type}, or null
     * @param eTag the {@code ETag} as the server sent it (any form, quotes removed), or null
     * @param lastModified the {@code Last-Modified}, or null
     * @param acceptsRanges whether the server answered the range (206) or says {@code Accept-Ranges: bytes}
     */
    public record Download(InputStream body, String url, String contentType, String eTag,
            java.time.Instant lastModified, boolean acceptsRanges) {
    }

    /**
     * GETs a key's URL from a byte offset to its end, with the retries of the source's schedule for
     * the response's start (a body that breaks later is for the caller to read again); a server
     * that ignores {@code Range} still yields the bytes from the offset on.
     *
     * @param key the key; not null
     * @param offset the first byte; not negative
     * @return the body and headers
     * @throws SourceNotFoundException for 404 and 410; {@link S3ReconException} for a key the
     *     manifest does not have and for other failures after the retries
     */
    public Download download(String key, long offset) {
        Objects.requireNonNull(key, "key");
        return bodies.download(key, index.require(key), offset, -1, HttpReader.NO_THROTTLE);
    }

    /**
     * As {@link #download(String, long)}, for an entry this source listed: its URL is read again
     * from the manifest at the entry's position (kept in {@link ObjectEntry#storageClass()}, see
     * {@link #list(KeyRange)}), without the in-memory index of every key.
     *
     * @param entry an entry of this source's listing; not null
     * @param offset the first byte; not negative
     * @return the body and headers
     * @throws SourceNotFoundException for 404 and 410; {@link S3ReconException} for other failures
     */
    public Download download(ObjectEntry entry, long offset) {
        Objects.requireNonNull(entry, "entry");
        return bodies.download(entry.key(), index.of(entry), offset, -1, HttpReader.NO_THROTTLE);
    }

    /**
     * As {@link #download(ObjectEntry, long)}, for {@code length} bytes from {@code offset} (fewer
     * when the object ends first), telling {@code throttled} of each answer that asks to slow down:
     * how a relay reads a part of a large object with a ranged GET, and lowers its concurrency when
     * the server throttles. A server that ignores {@code Range} answers the whole body, of which the
     * bytes asked for are returned ({@link Download#acceptsRanges()} is then false).
     *
     * @param entry an entry of this source's listing; not null
     * @param offset the first byte; not negative
     * @param length how many bytes, or -1 for all bytes from {@code offset} to the end; not 0
     * @param throttled told the status (429 or 503) of each answer that asks to slow down, before
     *     the request is tried again after its pause, on the calling thread; must not block or throw;
     *     not null
     * @return the body and headers
     * @throws SourceNotFoundException for 404 and 410; {@link S3ReconException} with
     *     {@link ErrorCode#INVALID_CONFIGURATION} for a negative offset or a length of 0 or below -1,
     *     another for other failures after the retries
     */
    public Download download(ObjectEntry entry, long offset, long length, java.util.function.IntConsumer throttled) {
        Objects.requireNonNull(entry, "entry");
        Objects.requireNonNull(throttled, "throttled");
        return bodies.download(entry.key(), index.of(entry), offset, length, throttled);
    }

    /**
     * As {@link #open(String, long, long)}, for an entry this source listed, without the in-memory
     * index of every key (see {@link #download(ObjectEntry, long)}).
     *
     * @param entry an entry of this source's listing; not null
     * @param offset the first byte, from 0
     * @param length how many bytes, or -1 for all bytes from {@code offset} to the end
     * @return the bytes, as {@link #open(String, long, long)}
     */
    public InputStream open(ObjectEntry entry, long offset, long length) {
        Objects.requireNonNull(entry, "entry");
        UrlBodies.checkRange(offset, length);
        return bodies.open(entry.key(), index.of(entry), offset, length);
    }

    /**
     * As {@link #attributes(String)} (a HEAD), for an entry this source listed, without the
     * in-memory index of every key (see {@link #download(ObjectEntry, long)}).
     *
     * @param entry an entry of this source's listing; not null
     * @return the attributes; empty for a URL answering 404 or 410
     */
    public Optional<ObjectEntry> attributes(ObjectEntry entry) {
        Objects.requireNonNull(entry, "entry");
        return head(entry.key(), index.of(entry));
    }

    /**
     * Counts the manifest's entries (duplicates included) by reading it, without a request.
     *
     * @return the count
     */
    public long entryCount() {
        try (Stream<ManifestEntry> entries = manifest.entries()) {
            return entries.count();
        }
    }

    /**
     * Returns the retries this source's requests follow.
     *
     * @return the schedule; not null
     */
    public RetrySchedule retries() {
        return http.retry();
    }

    /**
     * Returns the URL of a key as it may be shown (without user-info, query and fragment), e.g. for
     * an object's metadata or a report.
     *
     * @param key the key; not null
     * @return the URL, or empty for a key the manifest does not have
     */
    public Optional<String> shownUrl(String key) {
        Objects.requireNonNull(key, "key");
        return Optional.ofNullable(index.url(key)).map(ManifestUrls::shown);
    }

    /**
     * Returns how many URLs answered 404 or 410 to a listing's HEAD, over every listing since this
     * source was made (a URL listed twice counts twice).
     *
     * @return the count
     */
    public long notFoundCount() {
        return listing.notFoundCount();
    }

    /**
     * Returns the first 1,000 URLs (shown without secrets, with their manifest line) that answered
     * 404 or 410 to a listing's HEAD.
     *
     * @return a copy; not null
     */
    public List<String> notFound() {
        return listing.notFound();
    }

    /**
     * Returns how many entries were left out of listings because they repeated the key of the entry
     * just before them, over every listing since this source was made.
     *
     * @return the count
     */
    public long adjacentDuplicates() {
        return listing.adjacentDuplicates();
    }

    /** For tests: whether the in-memory index of every key was built. */
    boolean indexed() {
        return index.built();
    }

    /** Returns {@link #describe()}. */
    @Override
    public String toString() {
        return describe();
    }

    /**
     * Builds a {@link UrlManifestSource}. Exactly one manifest ({@link #manifest} or
     * {@link #jsonFiles}) must be given; the rest has defaults. Not thread-safe.
     */
    public static final class Builder {

        private ManifestInput manifest;
        private Function<URI, String> keyMapping = UrlKeys::pathOf;
        private String stripPrefix;
        private RetrySchedule retries = RetrySchedule.DEFAULT;
        private Duration connectTimeout = Duration.ofSeconds(10);
        private Duration requestTimeout = Duration.ofSeconds(60);
        private int listingConcurrency = 16;
        private HttpClient httpClient;
        private HttpReader.Sleeper sleeper = p -> Thread.sleep(p.toMillis());

        private Builder() {
        }

        /**
         * The manifest file, its format picked by {@link ManifestFormat#detect(Path)}.
         *
         * @param file a readable file; not null
         * @return this builder
         * @throws S3ReconException with {@link ErrorCode#INVALID_CONFIGURATION} if it is null or not a readable file
         */
        public Builder manifest(Path file) {
            return manifest(readable(file), ManifestFormat.detect(file));
        }

        /**
         * The manifest file in a given format.
         *
         * @param file a readable file; not null
         * @param format its format; not null
         * @return this builder
         * @throws S3ReconException with {@link ErrorCode#INVALID_CONFIGURATION} if an argument is null
         *     or the file is not readable
         */
        public Builder manifest(Path file, ManifestFormat format) {
            S3ReconException.requireSetting(format, "format");
            this.manifest = new LineManifest(readable(file), format);
            return this;
        }

        /**
         * A set of JSON files: every file under {@code directory} whose relative path matches
         * {@code glob} (e.g. {@code data/lots/**}{@code /lot_*_images.json}), read with a streaming
         * parser; each string at one of {@code urlFields} is a URL. A field is a name (that field at
         * any depth, e.g. {@code image_url}) or a JSON pointer whose segments may be {@code *}
         * (e.g. {@code /images/*}{@code /url}).
         *
         * @param directory the directory the glob is relative to; not null
         * @param glob the files' glob, with {@code /} as separator; not blank
         * @param urlFields one or more fields; none blank
         * @return this builder
         * @throws S3ReconException with {@link ErrorCode#INVALID_CONFIGURATION} for a null or blank
         *     argument, a missing directory or a glob that does not parse
         */
        public Builder jsonFiles(Path directory, String glob, String... urlFields) {
            S3ReconException.requireSetting(directory, "directory");
            S3ReconException.requireSetting(glob, "glob");
            S3ReconException.requireSetting(urlFields, "urlFields");
            if (!Files.isDirectory(directory)) {
                throw S3ReconException.invalidConfiguration("directory", Redact.key(directory.toString()),
                        "must be an existing directory");
            }
            if (glob.isBlank()) {
                throw S3ReconException.invalidConfiguration("glob", "'" + glob + "'", "must not be blank");
            }
            try {
                java.nio.file.FileSystems.getDefault().getPathMatcher("glob:" + glob);
            } catch (RuntimeException e) {
                throw S3ReconException.invalidConfiguration("glob", "'" + Redact.key(glob) + "'",
                        "must be a valid glob (" + e.getMessage() + ")");
            }
            if (urlFields.length == 0) {
                throw S3ReconException.invalidConfiguration("urlFields", "[]", "must name at least one field");
            }
            for (String f : urlFields) {
                if (f == null || f.isBlank()) {
                    throw S3ReconException.invalidConfiguration("urlFields", java.util.Arrays.toString(urlFields),
                            "must not hold a null or blank field");
                }
            }
            this.manifest = new JsonFilesManifest(directory, glob, List.of(urlFields));
            return this;
        }

        /**
         * How a URL becomes a key when the manifest gives none; the default is the URL's path without
         * the leading {@code /}, percent-decoded. Called from several threads at once.
         *
         * @param mapping the mapping; not null; must not return null or an empty key
         * @return this builder
         * @throws S3ReconException with {@link ErrorCode#INVALID_CONFIGURATION} if it is null
         */
        public Builder keyMapping(Function<URI, String> mapping) {
            this.keyMapping = S3ReconException.requireSetting(mapping, "keyMapping");
            return this;
        }

        /**
         * A prefix removed from every mapped key ({@code images/} makes {@code /images/a.jpg} the
         * key {@code a.jpg}); a mapped key without it is an error naming the manifest line. Keys
         * from the manifest's {@code key} column are used as they are. Default: none.
         *
         * @param prefix the prefix; not null, not empty
         * @return this builder
         * @throws S3ReconException with {@link ErrorCode#INVALID_CONFIGURATION} if it is null or empty
         */
        public Builder stripPrefix(String prefix) {
            S3ReconException.requireSetting(prefix, "stripPrefix");
            if (prefix.isEmpty()) {
                throw S3ReconException.invalidConfiguration("stripPrefix", "''", "must not be empty");
            }
            this.stripPrefix = prefix;
            return this;
        }

        /**
         * The retries of failed requests. Default {@link RetrySchedule#DEFAULT} (1 s, 3 s, 9 s).
         *
         * @param schedule the schedule; not null
         * @return this builder
         * @throws S3ReconException with {@link ErrorCode#INVALID_CONFIGURATION} if it is null
         */
        public Builder retries(RetrySchedule schedule) {
            this.retries = S3ReconException.requireSetting(schedule, "retries");
            return this;
        }

        /**
         * The longest wait for a connection (ignored with {@link #httpClient}). Default 10 s.
         *
         * @param timeout positive; not null
         * @return this builder
         * @throws S3ReconException with {@link ErrorCode#INVALID_CONFIGURATION} if it is null or not positive
         */
        public Builder connectTimeout(Duration timeout) {
            this.connectTimeout = positive(timeout, "connectTimeout");
            return this;
        }

        /**
         * The longest wait for a response's headers; a request that takes longer is retried.
         * Default 60 s. A body that streams slowly is not cut by it.
         *
         * @param timeout positive; not null
         * @return this builder
         * @throws S3ReconException with {@link ErrorCode#INVALID_CONFIGURATION} if it is null or not positive
         */
        public Builder requestTimeout(Duration timeout) {
            this.requestTimeout = positive(timeout, "requestTimeout");
            return this;
        }

        /**
         * How many HEADs a listing sends at once for entries without a size. Default 16.
         *
         * @param concurrency 1 to 256
         * @return this builder
         * @throws S3ReconException with {@link ErrorCode#INVALID_CONFIGURATION} if out of range
         */
        public Builder listingConcurrency(int concurrency) {
            if (concurrency < 1 || concurrency > 256) {
                throw S3ReconException.invalidConfiguration("listingConcurrency", concurrency, "must be from 1 to 256");
            }
            this.listingConcurrency = concurrency;
            return this;
        }

        /**
         * The HTTP client to use (for a proxy, TLS settings, HTTP/2), not owned by the source.
         * Default: a client of its own (HTTP/1.1, redirects followed except https to http).
         *
         * @param client the client; not null
         * @return this builder
         * @throws S3ReconException with {@link ErrorCode#INVALID_CONFIGURATION} if it is null
         */
        public Builder httpClient(HttpClient client) {
            this.httpClient = S3ReconException.requireSetting(client, "httpClient");
            return this;
        }

        /** For tests: how the source waits between attempts. */
        Builder sleeper(HttpReader.Sleeper sleeper) {
            this.sleeper = sleeper;
            return this;
        }

        /**
         * Builds the source.
         *
         * @return the source
         * @throws S3ReconException with {@link ErrorCode#INVALID_CONFIGURATION} if no manifest was given
         */
        public UrlManifestSource build() {
            if (manifest == null) {
                throw S3ReconException.invalidConfiguration("manifest", null,
                        "must be given: call manifest(Path) or jsonFiles(directory, glob, fields...)");
            }
            return new UrlManifestSource(this);
        }

        private static Path readable(Path file) {
            S3ReconException.requireSetting(file, "manifestFile");
            if (!Files.isRegularFile(file) || !Files.isReadable(file)) {
                throw S3ReconException.invalidConfiguration("manifestFile", Redact.key(file.toString()),
                        "must be a readable file");
            }
            return file;
        }

        private static Duration positive(Duration d, String name) {
            S3ReconException.requireSetting(d, name);
            if (d.isNegative() || d.isZero()) {
                throw S3ReconException.invalidConfiguration(name, d, "must be positive");
            }
            return d;
        }
    }
}
