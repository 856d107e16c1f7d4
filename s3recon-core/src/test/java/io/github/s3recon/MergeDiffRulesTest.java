package io.github.s3recon;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.s3recon.MergeDiffTest.Matched;
import io.github.s3recon.MergeDiffTest.Recorder;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/** The modes beyond the default diff: sizes only, rule 5 (recorded fingerprints) and deep comparison. */
class MergeDiffRulesTest {

    private static final Instant EARLIER = Instant.parse("2024-05-01T10:00:00Z");
    private static final Instant LATER = Instant.parse("2024-05-02T10:00:00Z");

    private static final String MD5_A = "0cc175b9c0f1b6a831c399e269772661";
    private static final String MD5_B = "92eb5ffee6ae2fec3ad71c777531578f";
    // A multipart source copied with another part size: the ETags cannot decide.
    private static final String SOURCE_ETAG = "d41d8cd98f00b204e9800998ecf8427e-3";
    private static final String COPY_ETAG = "9e107d9d372bb6826bd81d3542a419d6-2";

    private static final Checksum CRC_X = Checksum.of(ChecksumAlgorithm.CRC64NVME, ChecksumType.FULL_OBJECT, "AAAAAAAAAAA=");
    private static final Checksum CRC_Y = Checksum.of(ChecksumAlgorithm.CRC64NVME, ChecksumType.FULL_OBJECT, "BBBBBBBBBBB=");
    private static final Checksum CRC_LISTED = new Checksum(ChecksumAlgorithm.CRC64NVME, ChecksumType.FULL_OBJECT, null);
    private static final Checksum SHA = Checksum.of(ChecksumAlgorithm.SHA256, ChecksumType.FULL_OBJECT,
            "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=");

    private static final long SIZE = 20L << 20;

    /**
     * What HeadObject would say, per key, held in maps; records each question so that a test can
     * assert which were asked. Unset answers are those of an object without the detail.
     */
    static final class InMemoryLookup implements MergeDiff.DetailsLookup {
        final Map<String, Checksum> sourceChecksums = new HashMap<>();
        final Map<String, Checksum> destinationChecksums = new HashMap<>();
        final Map<String, Fingerprint> fingerprints = new HashMap<>();
        final Map<String, Boolean> sameContent = new HashMap<>();
        final List<String> calls = new ArrayList<>();

        @Override
        public Checksum checksum(MergeDiff.Side side, ObjectEntry entry) {
            calls.add("checksum " + side + " " + entry.key());
            return (side == MergeDiff.Side.SOURCE ? sourceChecksums : destinationChecksums).get(entry.key());
        }

        @Override
        public long firstPartSize(MergeDiff.Side side, ObjectEntry entry) {
            calls.add("firstPartSize " + side + " " + entry.key());
            return 0;
        }

        @Override
        public Fingerprint recordedFingerprint(ObjectEntry destination) {
            calls.add("recordedFingerprint " + destination.key());
            return fingerprints.get(destination.key());
        }

        @Override
        public Boolean sameContent(ObjectEntry source, ObjectEntry destination) {
            calls.add("sameContent " + source.key());
            return sameContent.get(source.key());
        }
    }

    /** A lookup that overrides neither default: it knows no fingerprint and cannot read content. */
    static final class ChecksumOnlyLookup implements MergeDiff.DetailsLookup {
        @Override
        public Checksum checksum(MergeDiff.Side side, ObjectEntry entry) {
            return null;
        }

        @Override
        public long firstPartSize(MergeDiff.Side side, ObjectEntry entry) {
            return 0;
        }
    }

    private static ObjectEntry entry(String key, long size, String eTag, Instant lastModified, Checksum checksum) {
        return new ObjectEntry(key, size, eTag, lastModified, "STANDARD", checksum);
    }

    private static ObjectEntry source(String key) {
        return entry(key, SIZE, SOURCE_ETAG, EARLIER, null);
    }

    private static ObjectEntry copy(String key) {
        return entry(key, SIZE, COPY_ETAG, LATER, null);
    }

    private static List<Object> diff(MergeDiff diff, List<ObjectEntry> source, List<ObjectEntry> destination) {
        Recorder recorder = new Recorder();
        diff.diff(source.iterator(), destination.iterator(), recorder);
        return recorder.events;
    }

    private static List<Object> pair(MergeDiff diff, ObjectEntry source, ObjectEntry destination) {
        return diff(diff, List.of(source), List.of(destination));
    }

    @Nested
    class SizesOnly {

        @Test
        void equalSizesMatchBySizeWhateverTheFingerprints() {
            ObjectEntry s = entry("k", 10, MD5_A, LATER, CRC_X);
            ObjectEntry d = entry("k", 10, MD5_B, EARLIER, CRC_Y);
            assertThat(pair(MergeDiff.sizesOnly(), s, d)).containsExactly(new Matched("k", MatchRule.SIZE));
            assertThat(pair(MergeDiff.sizesOnly(), entry("m", 5, SOURCE_ETAG, null, null), entry("m", 5, null, null,
                    null))).containsExactly(new Matched("m", MatchRule.SIZE));
        }

        @Test
        void differentSizesAreSizeMismatchOrStale() {
            ObjectEntry s = entry("k", 10, MD5_A, EARLIER, null);
            ObjectEntry d = entry("k", 11, MD5_A, LATER, null);
            assertThat(pair(MergeDiff.sizesOnly(), s, d)).containsExactly(new Difference.SizeMismatch(s, d));
            ObjectEntry older = entry("k", 11, MD5_A, EARLIER.minusSeconds(1), null);
            assertThat(pair(MergeDiff.sizesOnly(), s, older)).containsExactly(new Difference.Stale(s, older));
        }

        @Test
        void emptyObjectsStillMatchAsEmpty() {
            assertThat(pair(MergeDiff.sizesOnly(), entry("k", 0, MD5_A, null, null), entry("k", 0, MD5_B, null, null)))
                    .containsExactly(new Matched("k", MatchRule.EMPTY));
        }

        @Test
        void missingAndExtraKeysAreStillReportedInKeyOrder() {
            ObjectEntry a = entry("a", 1, MD5_A, null, null);
            ObjectEntry b = entry("b", 2, MD5_A, null, null);
            ObjectEntry b2 = entry("b", 2, MD5_B, null, null);
            ObjectEntry c = entry("c", 3, MD5_A, null, null);
            ObjectEntry d = entry("d", 4, MD5_A, null, null);
            ObjectEntry d2 = entry("d", 5, MD5_A, null, null);
            assertThat(diff(MergeDiff.sizesOnly(), List.of(a, b, d), List.of(b2, c, d2))).containsExactly(
                    new Difference.MissingInDestination(a), new Matched("b", MatchRule.SIZE),
                    new Difference.ExtraInDestination(c), new Difference.SizeMismatch(d, d2));
        }

        @Test
        void theDefaultDiffComparesContentWhereSizesOnlyDoesNot() {
            ObjectEntry s = entry("k", 10, MD5_A, null, null);
            ObjectEntry d = entry("k", 10, MD5_B, null, null);
            assertThat(pair(MergeDiff.create(), s, d)).containsExactly(new Difference.ContentMismatch(s, d));
            assertThat(pair(MergeDiff.sizesOnly(), s, d)).containsExactly(new Matched("k", MatchRule.SIZE));
        }
    }

    @Nested
    class RecordedFingerprint {

        @Test
        void fingerprintOfThisSourceVersionMatches() {
            InMemoryLookup lookup = new InMemoryLookup();
            lookup.fingerprints.put("k", new Fingerprint(SOURCE_ETAG, SIZE, null));
            assertThat(pair(MergeDiff.withLookup(lookup), source("k"), copy("k")))
                    .containsExactly(new Matched("k", MatchRule.RECORDED_FINGERPRINT));
            assertThat(lookup.calls).containsExactly("recordedFingerprint k");
        }

        @Test
        void recordedETagIsComparedIgnoringCase() {
            InMemoryLookup lookup = new InMemoryLookup();
            lookup.fingerprints.put("k", new Fingerprint(SOURCE_ETAG.toUpperCase(java.util.Locale.ROOT), SIZE, null));
            assertThat(pair(MergeDiff.withLookup(lookup), source("k"), copy("k")))
                    .containsExactly(new Matched("k", MatchRule.RECORDED_FINGERPRINT));
        }

        @Test
        void fingerprintOfAnotherSourceVersionIsContentMismatch() {
            InMemoryLookup lookup = new InMemoryLookup();
            lookup.fingerprints.put("k", new Fingerprint("0123456789abcdef0123456789abcdef-3", SIZE, null));
            ObjectEntry s = source("k");
            ObjectEntry d = copy("k");
            assertThat(pair(MergeDiff.withLookup(lookup), s, d)).containsExactly(new Difference.ContentMismatch(s, d));
        }

        @Test
        void fingerprintOfAnotherSourceVersionOnAnOlderDestinationIsStale() {
            InMemoryLookup lookup = new InMemoryLookup();
            lookup.fingerprints.put("k", new Fingerprint(MD5_B, SIZE, null));
            ObjectEntry s = entry("k", SIZE, SOURCE_ETAG, LATER, null);
            ObjectEntry d = entry("k", SIZE, COPY_ETAG, EARLIER, null);
            assertThat(pair(MergeDiff.withLookup(lookup), s, d)).containsExactly(new Difference.Stale(s, d));
        }

        @Test
        void fingerprintOfAnotherSizeProvesNothing() {
            InMemoryLookup lookup = new InMemoryLookup();
            lookup.fingerprints.put("k", new Fingerprint(SOURCE_ETAG, SIZE + 1, null));
            ObjectEntry s = source("k");
            ObjectEntry d = copy("k");
            assertThat(pair(MergeDiff.withLookup(lookup), s, d)).containsExactly(new Difference.Unverified(s, d));
        }

        @Test
        void noFingerprintLeavesTheKeyUnverified() {
            InMemoryLookup lookup = new InMemoryLookup();
            ObjectEntry s = source("k");
            ObjectEntry d = copy("k");
            assertThat(pair(MergeDiff.withLookup(lookup), s, d)).containsExactly(new Difference.Unverified(s, d));
            assertThat(lookup.calls).containsExactly("recordedFingerprint k");
        }

        @Test
        void theDefaultLookupKnowsNoFingerprint() {
            ObjectEntry s = source("k");
            ObjectEntry d = copy("k");
            assertThat(pair(MergeDiff.withLookup(new ChecksumOnlyLookup()), s, d))
                    .containsExactly(new Difference.Unverified(s, d));
        }

        @Test
        void recordedChecksumEqualToTheDestinationsStoredOneMatches() {
            InMemoryLookup lookup = new InMemoryLookup();
            lookup.fingerprints.put("k", new Fingerprint(SOURCE_ETAG, SIZE, CRC_X));
            ObjectEntry d = entry("k", SIZE, COPY_ETAG, LATER, CRC_X);
            assertThat(pair(MergeDiff.withLookup(lookup), source("k"), d))
                    .containsExactly(new Matched("k", MatchRule.RECORDED_FINGERPRINT));
            assertThat(lookup.calls).containsExactly("recordedFingerprint k"); // the listing had the value
        }

        @Test
        void recordedChecksumDifferentFromTheDestinationsStoredOneIsContentMismatch() {
            // The destination was overwritten after the copy, its metadata kept.
            InMemoryLookup lookup = new InMemoryLookup();
            lookup.fingerprints.put("k", new Fingerprint(SOURCE_ETAG, SIZE, CRC_X));
            ObjectEntry s = source("k");
            ObjectEntry d = entry("k", SIZE, COPY_ETAG, LATER, CRC_Y);
            assertThat(pair(MergeDiff.withLookup(lookup), s, d)).containsExactly(new Difference.ContentMismatch(s, d));
        }

        @Test
        void destinationsChecksumIsLookedUpWhenTheListingHasNoValue() {
            InMemoryLookup lookup = new InMemoryLookup();
            lookup.fingerprints.put("same", new Fingerprint(SOURCE_ETAG, SIZE, CRC_X));
            lookup.fingerprints.put("other", new Fingerprint(SOURCE_ETAG, SIZE, CRC_X));
            lookup.destinationChecksums.put("same", CRC_X);
            lookup.destinationChecksums.put("other", CRC_Y);
            ObjectEntry same = entry("same", SIZE, COPY_ETAG, LATER, CRC_LISTED);
            ObjectEntry other = entry("other", SIZE, COPY_ETAG, LATER, CRC_LISTED);

            assertThat(diff(MergeDiff.withLookup(lookup), List.of(source("other"), source("same")),
                    List.of(other, same))).containsExactly(new Difference.ContentMismatch(source("other"), other),
                            new Matched("same", MatchRule.RECORDED_FINGERPRINT));
            assertThat(lookup.calls).containsExactly("recordedFingerprint other", "checksum DESTINATION other",
                    "recordedFingerprint same", "checksum DESTINATION same");
        }

        @Test
        void recordedChecksumOfAnotherAlgorithmOrNoStoredChecksumLeavesTheETagProof() {
            InMemoryLookup lookup = new InMemoryLookup();
            lookup.fingerprints.put("a", new Fingerprint(SOURCE_ETAG, SIZE, CRC_X));
            lookup.fingerprints.put("b", new Fingerprint(SOURCE_ETAG, SIZE, CRC_X));
            ObjectEntry a = entry("a", SIZE, COPY_ETAG, LATER, SHA);
            ObjectEntry b = copy("b"); // stores no checksum; the lookup has none either
            assertThat(diff(MergeDiff.withLookup(lookup), List.of(source("a"), source("b")), List.of(a, b)))
                    .containsExactly(new Matched("a", MatchRule.RECORDED_FINGERPRINT),
                            new Matched("b", MatchRule.RECORDED_FINGERPRINT));
        }

        @Test
        void isNotAskedWhenEarlierRulesDecide() {
            InMemoryLookup lookup = new InMemoryLookup();
            lookup.fingerprints.put("a", new Fingerprint("ffffffffffffffffffffffffffffffff", 10, null));
            lookup.fingerprints.put("b", new Fingerprint("ffffffffffffffffffffffffffffffff", 10, null));
            lookup.fingerprints.put("c", new Fingerprint("ffffffffffffffffffffffffffffffff", 10, null));
            ObjectEntry sb = entry("b", 10, MD5_A, null, null);
            ObjectEntry db = entry("b", 10, MD5_B, null, null);
            assertThat(diff(MergeDiff.withLookup(lookup),
                    List.of(entry("a", 10, MD5_A, null, null), sb, entry("c", 10, null, null, CRC_X)),
                    List.of(entry("a", 10, MD5_A, null, null), db, entry("c", 10, null, null, CRC_X))))
                    .containsExactly(new Matched("a", MatchRule.PLAIN_ETAG), new Difference.ContentMismatch(sb, db),
                            new Matched("c", MatchRule.FULL_OBJECT_CHECKSUM));
            assertThat(lookup.calls).isEmpty();
        }

        @Test
        void lookedUpChecksumsDecideBeforeTheFingerprint() {
            InMemoryLookup lookup = new InMemoryLookup();
            lookup.fingerprints.put("k", new Fingerprint(SOURCE_ETAG, SIZE, null));
            lookup.sourceChecksums.put("k", CRC_X);
            lookup.destinationChecksums.put("k", CRC_Y);
            ObjectEntry s = entry("k", SIZE, SOURCE_ETAG, EARLIER, CRC_LISTED);
            ObjectEntry d = entry("k", SIZE, COPY_ETAG, LATER, CRC_LISTED);
            assertThat(pair(MergeDiff.withLookup(lookup), s, d)).containsExactly(new Difference.ContentMismatch(s, d));
            assertThat(lookup.calls).doesNotContain("recordedFingerprint k");
        }

        @Test
        void withoutALookupNoFingerprintIsRead() {
            ObjectEntry s = source("k");
            ObjectEntry d = copy("k");
            assertThat(pair(MergeDiff.create(), s, d)).containsExactly(new Difference.Unverified(s, d));
        }
    }

    @Nested
    class Deep {

        @Test
        void sameBytesMatchByDeep() {
            InMemoryLookup lookup = new InMemoryLookup();
            lookup.sameContent.put("k", true);
            assertThat(pair(MergeDiff.deep(lookup), source("k"), copy("k")))
                    .containsExactly(new Matched("k", MatchRule.DEEP));
            assertThat(lookup.calls).containsExactly("recordedFingerprint k", "sameContent k");
        }

        @Test
        void differentBytesAreContentMismatchOrStale() {
            InMemoryLookup lookup = new InMemoryLookup();
            lookup.sameContent.put("k", false);
            ObjectEntry s = source("k");
            ObjectEntry d = copy("k");
            assertThat(pair(MergeDiff.deep(lookup), s, d)).containsExactly(new Difference.ContentMismatch(s, d));

            ObjectEntry newer = entry("k", SIZE, SOURCE_ETAG, LATER, null);
            ObjectEntry older = entry("k", SIZE, COPY_ETAG, EARLIER, null);
            assertThat(pair(MergeDiff.deep(lookup), newer, older)).containsExactly(new Difference.Stale(newer, older));
        }

        @Test
        void unreadableContentIsUnverified() {
            InMemoryLookup lookup = new InMemoryLookup(); // sameContent answers null
            ObjectEntry s = source("k");
            ObjectEntry d = copy("k");
            assertThat(pair(MergeDiff.deep(lookup), s, d)).containsExactly(new Difference.Unverified(s, d));
            assertThat(pair(MergeDiff.deep(new ChecksumOnlyLookup()), s, d))
                    .containsExactly(new Difference.Unverified(s, d));
        }

        @Test
        void aRecordedFingerprintSavesReadingTheBytes() {
            InMemoryLookup lookup = new InMemoryLookup();
            lookup.fingerprints.put("k", new Fingerprint(SOURCE_ETAG, SIZE, null));
            lookup.sameContent.put("k", false);
            assertThat(pair(MergeDiff.deep(lookup), source("k"), copy("k")))
                    .containsExactly(new Matched("k", MatchRule.RECORDED_FINGERPRINT));
            assertThat(lookup.calls).doesNotContain("sameContent k");
        }

        @Test
        void isAskedOnlyForKeysNoOtherRuleDecides() {
            InMemoryLookup lookup = new InMemoryLookup();
            lookup.sameContent.put("a", false);
            lookup.sameContent.put("b", false);
            lookup.sameContent.put("c", true);
            ObjectEntry sb = entry("b", 10, MD5_A, null, null);
            assertThat(diff(MergeDiff.deep(lookup),
                    List.of(entry("a", 10, MD5_A, null, null), sb, source("c"), entry("e", 0, null, null, null)),
                    List.of(entry("a", 10, MD5_A, null, null), entry("b", 11, MD5_A, null, null), copy("c"),
                            entry("e", 0, MD5_B, null, null))))
                    .containsExactly(new Matched("a", MatchRule.PLAIN_ETAG),
                            new Difference.SizeMismatch(sb, entry("b", 11, MD5_A, null, null)),
                            new Matched("c", MatchRule.DEEP), new Matched("e", MatchRule.EMPTY));
            assertThat(lookup.calls).filteredOn(call -> call.startsWith("sameContent")).containsExactly("sameContent c");
        }

        @Test
        void aLookupWithoutDeepNeverReadsTheBytes() {
            InMemoryLookup lookup = new InMemoryLookup();
            lookup.sameContent.put("k", true);
            ObjectEntry s = source("k");
            ObjectEntry d = copy("k");
            assertThat(pair(MergeDiff.withLookup(lookup), s, d)).containsExactly(new Difference.Unverified(s, d));
            assertThat(lookup.calls).doesNotContain("sameContent k");
        }

        @Test
        void factoriesRejectANullLookup() {
            assertThatThrownBy(() -> MergeDiff.deep(null)).isInstanceOfSatisfying(S3ReconException.class,
                    e -> assertThat(e.code()).isEqualTo(ErrorCode.INVALID_CONFIGURATION))
                    .hasMessageContaining("lookup");
            assertThatThrownBy(() -> MergeDiff.withLookup(null)).isInstanceOfSatisfying(S3ReconException.class,
                    e -> assertThat(e.code()).isEqualTo(ErrorCode.INVALID_CONFIGURATION))
                    .hasMessageContaining("lookup");
        }
    }
}
