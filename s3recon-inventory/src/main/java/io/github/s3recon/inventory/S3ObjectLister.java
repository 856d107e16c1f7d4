package io.github.s3recon.inventory;

import io.github.s3recon.Checksum;
import io.github.s3recon.ChecksumAlgorithm;
import io.github.s3recon.ChecksumType;
import io.github.s3recon.ErrorCode;
import io.github.s3recon.KeyRange;
import io.github.s3recon.ObjectEntry;
import io.github.s3recon.S3Location;
import io.github.s3recon.S3ReconException;
import io.github.s3recon.inventory.internal.RawKeyCheck;
import io.github.s3recon.spi.ObjectLister;
import java.util.List;
import java.util.ArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.reactivestreams.Subscriber;
import org.reactivestreams.Subscription;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Request;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Response;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * Lists a location with ListObjectsV2 through the SDK's paginator, with bounded read-ahead: at
 * most {@code readAheadPages} pages are requested beyond what the consumer has taken (reactive
 * streams back-pressure), so memory is a few pages whatever the bucket's size, and the next
 * pages arrive while the consumer works on the current one. All listings running at once through
 * one lister (parallel key ranges) share a budget of {@value #DEFAULT_PAGE_BUDGET} pages ahead, at
 * least one each, so memory does not grow with the number of ranges either.
 *
 * <p>Keys are reported relative to the location's prefix, in the server's order. The SDK's
 * retries, signing and URL-encoded keys (odd characters) apply. Failures surface from the stream
 * as {@link S3ReconException}s that name the bucket and the fix.
 *
 * <p>A listing proves it is whole: a page with {@code IsTruncated=true} and no continuation token,
 * a continuation token that comes back, a key that does not come after the previous one (in UTF-8
 * or UTF-16 order, whichever the server uses), a body that ends early or is not XML, and a key whose
 * URL-encoded bytes are not UTF-8 end the stream with {@link ErrorCode#LISTING_FAILED}, naming the
 * bucket, the prefix and range, and the last key seen, instead of a listing that silently misses keys.
 *
 * <p>Every request goes through the client, with all of its settings (its HTTP client's proxy and
 * TLS, interceptors, timeouts). The default lister is {@link FastS3ObjectLister}, several times
 * faster, which uses this path only where its own cannot honour the client; pass this one to
 * {@code Migration.builder().objectLister(...)} where every request must go through the client.
 *
 * <p>Thread-safe: each {@link #list} call is independent; one returned stream is consumed by one
 * thread.
 */
public final class S3ObjectLister implements ObjectLister {

    /** The read-ahead used by {@link #create()}: 4 pages of up to 1,000 keys. */
    public static final int DEFAULT_READ_AHEAD_PAGES = 4;

    /** Pages that all concurrent listings of one lister hold ahead of their consumers, together. */
    public static final int DEFAULT_PAGE_BUDGET = 64;

    private final int readAheadPages;
    private final int pageSize;
    private final int pageBudget = DEFAULT_PAGE_BUDGET;
    private final AtomicInteger activeListings = new AtomicInteger();

    private S3ObjectLister(int readAheadPages, int pageSize) {
        this.readAheadPages = readAheadPages;
        this.pageSize = pageSize;
    }

    /**
     * Returns a lister with 4 pages of read-ahead and pages of 1,000 keys (S3's maximum).
     *
     * @return the lister
     */
    public static S3ObjectLister create() {
        return new S3ObjectLister(DEFAULT_READ_AHEAD_PAGES, 1000);
    }

    /**
     * Returns a lister with the given read-ahead and page size.
     *
     * @param readAheadPages pages fetched ahead of the consumer; 1 to 1,000
     * @param pageSize keys per page asked of the server; 1 to 1,000
     * @return the lister
     * @throws S3ReconException with {@link ErrorCode#INVALID_CONFIGURATION} if a value is out of range
     */
    public static S3ObjectLister create(int readAheadPages, int pageSize) {
        checkSettings(readAheadPages, pageSize);
        return new S3ObjectLister(readAheadPages, pageSize);
    }

    /** Checks a lister's read-ahead and page size; shared with {@link FastS3ObjectLister}. */
    static void checkSettings(int readAheadPages, int pageSize) {
        if (readAheadPages < 1 || readAheadPages > 1000) {
            throw new S3ReconException(ErrorCode.INVALID_CONFIGURATION,
                    "read-ahead (readAheadPages) must be 1 to 1000 pages, was " + readAheadPages);
        }
        if (pageSize < 1 || pageSize > 1000) {
            throw new S3ReconException(ErrorCode.INVALID_CONFIGURATION,
                    "page size (pageSize) must be 1 to 1000 keys, was " + pageSize);
        }
    }

    @Override
    public Stream<ObjectEntry> list(S3Location location) {
        return list(location, KeyRange.ALL);
    }

    /**
     * Lists the keys of a range: ListObjectsV2 starts after the range's start and the listing
     * stops (and is cancelled) at the first key past its end.
     */
    @Override
    public Stream<ObjectEntry> list(S3Location location, KeyRange range) {
        ListObjectsV2Request request = ListObjectsV2Request.builder().bucket(location.bucket())
                .prefix(location.prefix().isEmpty() ? null : location.prefix()).maxKeys(pageSize)
                // Keys that XML cannot carry (control characters) come URL-encoded; the SDK decodes them.
                .encodingType(software.amazon.awssdk.services.s3.model.EncodingType.URL)
                .startAfter(range.startAfter() == null ? null : location.fullKey(range.startAfter()))
                // Refuses keys whose bytes are not UTF-8, which the SDK would decode to U+FFFD.
                .overrideConfiguration(o -> o.addPlugin(RawKeyCheck.plugin())).build();
        int prefixLength = location.prefix().length();
        PageQueue pages = new PageQueue(location, prefixLength, new ListingCheck(location, range));
        location.client().listObjectsV2Paginator(request).subscribe(pages);
        return RangeEntries.stream(pages::take, pages::cancel, range);
    }

    /** Plans ranges with the {@link ShardPlanner}: delimiter fan-out of the bucket's prefixes. */
    @Override
    public List<KeyRange> plan(S3Location location, int ranges) {
        return ShardPlanner.plan(location, ranges);
    }

    static ObjectEntry toEntry(S3Object o, int prefixLength) {
        return new ObjectEntry(o.key().substring(prefixLength), o.size() == null ? 0 : o.size(), o.eTag(),
                o.lastModified(), o.storageClassAsString(), listedChecksum(o));
    }

    /** The listing names the algorithm (and, on newer servers, the type) but never the value. */
    private static Checksum listedChecksum(S3Object o) {
        if (!o.hasChecksumAlgorithm() || o.checksumAlgorithm().isEmpty()) {
            return null;
        }
        ChecksumAlgorithm algorithm = switch (o.checksumAlgorithm().get(0)) {
            case CRC64_NVME -> ChecksumAlgorithm.CRC64NVME;
            case CRC32 -> ChecksumAlgorithm.CRC32;
            case CRC32_C -> ChecksumAlgorithm.CRC32C;
            case SHA1 -> ChecksumAlgorithm.SHA1;
            case SHA256 -> ChecksumAlgorithm.SHA256;
            default -> null;
        };
        if (algorithm == null) {
            return null;
        }
        ChecksumType type;
        if (o.checksumType() != null && o.checksumType() != software.amazon.awssdk.services.s3.model.ChecksumType.UNKNOWN_TO_SDK_VERSION) {
            type = o.checksumType() == software.amazon.awssdk.services.s3.model.ChecksumType.COMPOSITE
                    ? ChecksumType.COMPOSITE : ChecksumType.FULL_OBJECT;
        } else {
            // Older servers omit the type: CRC64NVME is always full-object, and a single-part
            // upload's checksum covers the object; a multipart one is composite unless told otherwise.
            type = algorithm == ChecksumAlgorithm.CRC64NVME || o.eTag() == null || !o.eTag().contains("-")
                    ? ChecksumType.FULL_OBJECT : ChecksumType.COMPOSITE;
        }
        return new Checksum(algorithm, type, null);
    }

    /** The pages that all listings of this lister may hold ahead of their consumers, together. */
    private int pagesPerListing() {
        return Math.max(1, Math.min(readAheadPages, pageBudget / Math.max(1, activeListings.get())));
    }

    /**
     * A reactive-streams subscriber that keeps a few pages ahead of its consumer: it asks for
     * another page each time the consumer takes one, as long as the pages requested and not yet
     * taken stay within this listing's share of the lister's page budget (at least one, so every
     * listing always progresses). Pages are turned into entries as they arrive, so the SDK's larger
     * response objects are garbage at once.
     */
    private final class PageQueue implements Subscriber<ListObjectsV2Response> {
        private final S3Location location;
        private final int prefixLength;
        private final ListingCheck check;
        private final LinkedBlockingQueue<Object> queue = new LinkedBlockingQueue<>();
        private final AtomicBoolean finished = new AtomicBoolean();
        private volatile Subscription subscription;
        private volatile boolean cancelled;
        // Set on the subscriber's (serial) thread once the listing failed.
        private boolean failed;
        private long requested;
        private long taken;
        private boolean ended;

        PageQueue(S3Location location, int prefixLength, ListingCheck check) {
            this.location = location;
            this.prefixLength = prefixLength;
            this.check = check;
            activeListings.incrementAndGet();
        }

        @Override
        public void onSubscribe(Subscription s) {
            subscription = s;
            if (cancelled) {
                s.cancel();
                return;
            }
            synchronized (this) {
                requested = pagesPerListing();
            }
            s.request(requested);
        }

        @Override
        public void onNext(ListObjectsV2Response page) {
            if (failed) {
                return;
            }
            List<ObjectEntry> entries = new ArrayList<>(page.contents().size());
            try {
                for (S3Object o : page.contents()) {
                    entries.add(toEntry(o, prefixLength));
                }
                check.page(Boolean.TRUE.equals(page.isTruncated()), page.nextContinuationToken(), entries);
            } catch (RuntimeException e) {
                // A listing that is not whole ends here: the paginator must not go on (a repeated
                // token would loop), and the consumer sees the failure after the pages before it.
                failed = true;
                queue.add(e);
                Subscription s = subscription;
                if (s != null) {
                    s.cancel();
                }
                return;
            }
            queue.add(entries);
        }

        @Override
        public void onError(Throwable t) {
            if (!failed) {
                failed = true;
                queue.add(check.failure(t));
            }
        }

        @Override
        public void onComplete() {
            if (!failed) {
                queue.add(RangeEntries.END);
            }
        }

        /** Returns the next page's entries, or null at the end; throws what the listing failed with. */
        @SuppressWarnings("unchecked")
        List<ObjectEntry> take() {
            if (ended) {
                return null;
            }
            Object next;
            try {
                next = queue.take();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                cancel();
                throw new S3ReconException(ErrorCode.INTERRUPTED, "listing of " + location + " was interrupted", e);
            }
            ended = next == RangeEntries.END || next instanceof Throwable;
            List<ObjectEntry> page = RangeEntries.page(next, List.class, location, this::finish);
            if (page == null) {
                return null;
            }
            long more;
            synchronized (this) {
                taken++;
                more = Math.max(0, pagesPerListing() - (requested - taken));
                requested += more;
            }
            if (more > 0) {
                subscription.request(more);
            }
            return page;
        }

        void cancel() {
            cancelled = true;
            Subscription s = subscription;
            if (s != null) {
                s.cancel();
            }
            queue.clear();
            finish();
        }

        private void finish() {
            if (finished.compareAndSet(false, true)) {
                activeListings.decrementAndGet();
            }
        }
    }

}
