package io.github.s3recon.inventory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.s3recon.ErrorCode;
import io.github.s3recon.KeyRange;
import io.github.s3recon.ObjectEntry;
import io.github.s3recon.S3Clients;
import io.github.s3recon.S3Location;
import io.github.s3recon.S3ReconException;
import io.github.s3recon.spi.ObjectLister;
import io.github.s3recon.testkit.EmbeddedS3;
import io.github.s3recon.testkit.FaultInjectingProxy;
import io.github.s3recon.testkit.FaultInjectingProxy.Fault;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.retries.api.BackoffStrategy;
import software.amazon.awssdk.services.s3.S3AsyncClient;

/**
 * A listing proves it is whole: pages truncated without a token, repeated pages, bodies cut short or
 * closed early and persistent errors on a later page fail both S3 listers with LISTING_FAILED, naming
 * the bucket, the range and the last key seen; through the fault proxy in front of a real server.
 */
class ListingWholeTest {

    private static final String BUCKET = "listing-whole";
    private static final EmbeddedS3 s3 = EmbeddedS3.shared();

    @BeforeAll
    static void fill() {
        s3.createBucket(BUCKET);
        for (int i = 0; i < 9; i++) {
            s3.put(BUCKET, "in/k" + i, new byte[] {(byte) i});
        }
    }

    /** A client with short retry pauses, so that the SDK's retries of a broken page stay fast. */
    private static S3AsyncClient client(URI endpoint) {
        BackoffStrategy fast = BackoffStrategy.exponentialDelay(Duration.ofMillis(2), Duration.ofMillis(20));
        return S3Clients.configureForCompatibleEndpoint(S3AsyncClient.builder(), endpoint, EmbeddedS3.REGION,
                EmbeddedS3.credentials()).overrideConfiguration(o -> o.retryStrategy(b -> b.maxAttempts(3)
                        .backoffStrategy(fast).throttlingBackoffStrategy(fast))).build();
    }

    private static List<String> list(ObjectLister lister, S3Location location, KeyRange range) {
        try (Stream<ObjectEntry> entries = lister.list(location, range)) {
            return entries.map(ObjectEntry::key).collect(Collectors.toList());
        }
    }

    /** Runs a listing of pages of two keys through a proxy with a fault, on each lister. */
    private static void assertRefused(Fault fault, String... messageParts) {
        List<Supplier<ObjectLister>> listers = List.of(() -> S3ObjectLister.create(1, 2),
                () -> FastS3ObjectLister.create(1, 2));
        for (Supplier<ObjectLister> make : listers) {
            try (FaultInjectingProxy proxy = FaultInjectingProxy.start(s3.endpoint()).inject(fault);
                    S3AsyncClient client = client(proxy.endpoint());
                    ObjectLister lister = make.get()) {
                S3Location location = S3Location.of(client, BUCKET, "in/");
                assertThatThrownBy(() -> list(lister, location, KeyRange.ALL))
                        .as("%s with %s", lister.getClass().getSimpleName(), fault.kind())
                        .isInstanceOfSatisfying(S3ReconException.class, e -> {
                            assertThat(e.code()).isEqualTo(ErrorCode.LISTING_FAILED);
                            assertThat(e.getMessage()).contains("bucket '" + BUCKET + "'", "prefix 'in/'", "all keys",
                                    "last key seen: 'in/k");
                            assertThat(e.getMessage()).contains(messageParts);
                        });
            } catch (Exception e) {
                throw new AssertionError(e);
            }
        }
    }

    @Test
    void aWholeListingPassesOnBothListers() throws Exception {
        try (S3AsyncClient client = client(s3.endpoint()); FastS3ObjectLister fast = FastS3ObjectLister.create(1, 2)) {
            S3Location location = S3Location.of(client, BUCKET, "in/");
            List<String> all = List.of("k0", "k1", "k2", "k3", "k4", "k5", "k6", "k7", "k8");
            assertThat(list(S3ObjectLister.create(1, 2), location, KeyRange.ALL)).isEqualTo(all);
            assertThat(list(fast, location, KeyRange.ALL)).isEqualTo(all);
            assertThat(list(fast, location, new KeyRange("k2", "k5"))).containsExactly("k3", "k4", "k5");
        }
    }

    @Test
    void aPageTruncatedWithoutATokenIsRefused() {
        assertRefused(Fault.truncatedListingPage(1), "IsTruncated=true but carries no NextContinuationToken",
                "last key seen: 'in/k3'");
    }

    @Test
    void aRepeatedPageIsRefused() {
        assertRefused(Fault.repeatedListingPage(2), "goes back to key 'in/k2'", "last key seen: 'in/k3'");
    }

    @Test
    void aBodyCutShortIsRefused() {
        assertRefused(Fault.listingCutShort(1), "last key seen: 'in/k1'");
    }

    @Test
    void aBodyClosedMidwayIsRefused() {
        assertRefused(Fault.listingClosedMidBody(2), "last key seen: 'in/k3'");
    }

    @Test
    void aPersistentErrorOnALaterPageIsRefused() {
        assertRefused(Fault.internalErrorOnLaterListingPages(), "500", "last key seen: 'in/k1'");
    }

    @Test
    void keysMayComeInUtf8OrUtf16OrderButNeverBackInBoth() {
        try (S3AsyncClient client = client(s3.endpoint())) {
            S3Location location = S3Location.of(client, BUCKET, "p/");
            // U+FFFF sorts before U+1F600 in UTF-8 and after it in UTF-16: either order is a server's.
            ListingCheck utf8 = new ListingCheck(location, KeyRange.ALL);
            utf8.page(true, "t1", entries("a", "\uFFFF"));
            utf8.page(false, null, entries("\uD83D\uDE00"));
            ListingCheck utf16 = new ListingCheck(location, KeyRange.ALL);
            utf16.page(true, "t1", entries("a", "\uD83D\uDE00"));
            utf16.page(false, null, entries("\uFFFF"));

            ListingCheck same = new ListingCheck(location, new KeyRange("a", "z"));
            same.page(true, "t1", entries("b", "c"));
            assertThatThrownBy(() -> same.page(false, null, entries("c", "d")))
                    .isInstanceOfSatisfying(S3ReconException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.LISTING_FAILED))
                    .hasMessageContaining("the same key again").hasMessageContaining("range after 'a' up to 'z'")
                    .hasMessageContaining("last key seen: 'p/c'");
            ListingCheck back = new ListingCheck(location, KeyRange.ALL);
            back.page(true, "t1", entries("b\n"));
            assertThatThrownBy(() -> back.page(false, null, entries("a")))
                    .hasMessageContaining("before the previous key").hasMessageContaining("last key seen: 'p/b\\n'");
        }
    }

    @Test
    void aContinuationTokenThatComesBackIsRefused() {
        try (S3AsyncClient client = client(s3.endpoint())) {
            S3Location location = S3Location.of(client, BUCKET, "");
            ListingCheck again = new ListingCheck(location, KeyRange.ALL);
            again.page(true, "t1", entries("a"));
            assertThatThrownBy(() -> again.page(true, "t1", entries("b")))
                    .hasMessageContaining("repeats an earlier continuation token");
            // Empty pages that loop through tokens.
            ListingCheck loop = new ListingCheck(location, KeyRange.ALL);
            loop.page(true, "t1", entries("a"));
            loop.page(true, "t2", entries());
            loop.page(true, "t3", entries());
            assertThatThrownBy(() -> loop.page(true, "t2", entries()))
                    .hasMessageContaining("repeats an earlier continuation token").hasMessageContaining("last key seen: 'a'");
            // An empty token on a page that is not truncated ends the listing.
            new ListingCheck(location, KeyRange.ALL).page(false, "", entries("a"));
        }
    }

    private static List<ObjectEntry> entries(String... keys) {
        return Stream.of(keys).map(k -> new ObjectEntry(k, 1, "e", null, "STANDARD", null)).collect(Collectors.toList());
    }
}
