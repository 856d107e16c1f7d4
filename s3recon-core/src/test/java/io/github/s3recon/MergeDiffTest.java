package io.github.s3recon;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

class MergeDiffTest {

    private static final Instant EARLIER = Instant.parse("2024-05-01T10:00:00Z");
    private static final Instant LATER = Instant.parse("2024-05-02T10:00:00Z");

    private static final String MD5_A = "0cc175b9c0f1b6a831c399e269772661";
    private static final String MD5_B = "92eb5ffee6ae2fec3ad71c777531578f";
    private static final String MULTIPART_A = "d41d8cd98f00b204e9800998ecf8427e-3";
    private static final String MULTIPART_B = "9e107d9d372bb6826bd81d3542a419d6-3";

    private static final Checksum CRC_X = Checksum.of(ChecksumAlgorithm.CRC64NVME, ChecksumType.FULL_OBJECT, "AAAAAAAAAAA=");
    private static final Checksum CRC_Y = Checksum.of(ChecksumAlgorithm.CRC64NVME, ChecksumType.FULL_OBJECT, "BBBBBBBBBBB=");
    private static final Checksum CRC_LISTED = new Checksum(ChecksumAlgorithm.CRC64NVME, ChecksumType.FULL_OBJECT, null);

    /** A match as the sink saw it. */
    record Matched(String key, MatchRule rule) {
    }

    /** Records every outcome in the order the diff delivers them. */
    static final class Recorder implements MergeDiff.Sink {
        final List<Object> events = new ArrayList<>();

        @Override
        public void matched(ObjectEntry source, ObjectEntry destination, MatchRule rule) {
            assertThat(source.key()).isEqualTo(destination.key());
            events.add(new Matched(source.key(), rule));
        }

        @Override
        public void difference(Difference difference) {
            events.add(difference);
        }
    }

    /** Answers with fixed values per side and records what it was asked. */
    static final class FixedLookup implements MergeDiff.DetailsLookup {
        final Checksum sourceChecksum;
        final Checksum destinationChecksum;
        final long sourcePartSize;
        final long destinationPartSize;
        final List<String> calls = new ArrayList<>();

        FixedLookup(Checksum sourceChecksum, Checksum destinationChecksum, long sourcePartSize,
                long destinationPartSize) {
            this.sourceChecksum = sourceChecksum;
            this.destinationChecksum = destinationChecksum;
            this.sourcePartSize = sourcePartSize;
            this.destinationPartSize = destinationPartSize;
        }

        static FixedLookup partSizes(long source, long destination) {
            return new FixedLookup(null, null, source, destination);
        }

        static FixedLookup checksums(Checksum source, Checksum destination) {
            return new FixedLookup(source, destination, 0, 0);
        }

        @Override
        public Checksum checksum(MergeDiff.Side side, ObjectEntry entry) {
            calls.add("checksum " + side + " " + entry.key());
            return side == MergeDiff.Side.SOURCE ? sourceChecksum : destinationChecksum;
        }

        @Override
        public long firstPartSize(MergeDiff.Side side, ObjectEntry entry) {
            calls.add("firstPartSize " + side + " " + entry.key());
            return side == MergeDiff.Side.SOURCE ? sourcePartSize : destinationPartSize;
        }
    }

    private static ObjectEntry entry(String key, long size, String eTag) {
        return ObjectEntry.of(key, size, eTag);
    }

    private static ObjectEntry entry(String key, long size, String eTag, Instant lastModified, Checksum checksum) {
        return new ObjectEntry(key, size, eTag, lastModified, "STANDARD", checksum);
    }

    private static List<Object> diff(MergeDiff diff, List<ObjectEntry> source, List<ObjectEntry> destination) {
        Recorder recorder = new Recorder();
        diff.diff(source.iterator(), destination.iterator(), recorder);
        return recorder.events;
    }

    private static List<Object> diff(List<ObjectEntry> source, List<ObjectEntry> destination) {
        return diff(MergeDiff.create(), source, destination);
    }

    /** Diffs one key present on both sides. */
    private static List<Object> pair(MergeDiff diff, ObjectEntry source, ObjectEntry destination) {
        return diff(diff, List.of(source), List.of(destination));
    }

    private static List<Object> pair(ObjectEntry source, ObjectEntry destination) {
        return pair(MergeDiff.create(), source, destination);
    }

    @Nested
    class KeysOnOneSide {

        @Test
        void keyOnlyInSourceIsMissingInDestination() {
            ObjectEntry s = entry("a", 1, MD5_A);
            assertThat(diff(List.of(s), List.of())).containsExactly(new Difference.MissingInDestination(s));
        }

        @Test
        void keyOnlyInDestinationIsExtraInDestination() {
            ObjectEntry d = entry("a", 1, MD5_A);
            assertThat(diff(List.of(), List.of(d))).containsExactly(new Difference.ExtraInDestination(d));
        }

        @Test
        void bothEmptyGiveNothing() {
            assertThat(diff(List.of(), List.of())).isEmpty();
        }

        @Test
        void emptyDestinationMakesEveryKeyMissing() {
            ObjectEntry a = entry("a", 1, MD5_A);
            ObjectEntry b = entry("b", 2, MD5_B);
            ObjectEntry c = entry("c", 0, null);
            assertThat(diff(List.of(a, b, c), List.of())).containsExactly(new Difference.MissingInDestination(a),
                    new Difference.MissingInDestination(b), new Difference.MissingInDestination(c));
        }

        @Test
        void emptySourceMakesEveryKeyExtra() {
            ObjectEntry a = entry("a", 1, MD5_A);
            ObjectEntry b = entry("b", 2, MD5_B);
            assertThat(diff(List.of(), List.of(a, b))).containsExactly(new Difference.ExtraInDestination(a),
                    new Difference.ExtraInDestination(b));
        }

        @Test
        void interleavedKeysComeOutInKeyOrder() {
            ObjectEntry sa = entry("a", 1, MD5_A);
            ObjectEntry sb = entry("b", 1, MD5_A);
            ObjectEntry db = entry("b", 1, MD5_A);
            ObjectEntry dc = entry("c", 1, MD5_A);
            ObjectEntry sd = entry("d", 5, MD5_A);
            ObjectEntry dd = entry("d", 6, MD5_A);
            ObjectEntry de = entry("e", 1, MD5_A);
            ObjectEntry sf = entry("f", 1, MD5_A);
            ObjectEntry df = entry("f", 1, MD5_B);
            ObjectEntry sg = entry("g", 1, MD5_A);
            ObjectEntry sh = entry("h", 1, MD5_A);
            ObjectEntry di = entry("i", 1, MD5_A);
            ObjectEntry dj = entry("j", 1, MD5_A);

            assertThat(diff(List.of(sa, sb, sd, sf, sg, sh), List.of(db, dc, dd, de, df, di, dj))).containsExactly(
                    new Difference.MissingInDestination(sa),
                    new Matched("b", MatchRule.PLAIN_ETAG),
                    new Difference.ExtraInDestination(dc),
                    new Difference.SizeMismatch(sd, dd),
                    new Difference.ExtraInDestination(de),
                    new Difference.ContentMismatch(sf, df),
                    new Difference.MissingInDestination(sg),
                    new Difference.MissingInDestination(sh),
                    new Difference.ExtraInDestination(di),
                    new Difference.ExtraInDestination(dj));
        }

        @Test
        void keysAreMatchedInUtf8OrderAcrossSupplementaryCharacters() {
            // UTF-8 order: "a\uE000" (EE 80 80) before "a\uD83D\uDE00" (F0 9F 98 80).
            ObjectEntry s1 = entry("a\uE000", 1, MD5_A);
            ObjectEntry s2 = entry("a\uD83D\uDE00", 1, MD5_A);
            ObjectEntry d2 = entry("a\uD83D\uDE00", 1, MD5_A);
            ObjectEntry d3 = entry("a\uDBFF\uDFFF", 1, MD5_A); // U+10FFFF
            assertThat(diff(List.of(s1, s2), List.of(d2, d3))).containsExactly(
                    new Difference.MissingInDestination(s1),
                    new Matched("a\uD83D\uDE00", MatchRule.PLAIN_ETAG),
                    new Difference.ExtraInDestination(d3));
        }
    }

    @Nested
    class ContentRules {

        @Test
        void differentSizesAreSizeMismatchEvenWithEqualFingerprints() {
            ObjectEntry s = entry("k", 10, MD5_A, null, CRC_X);
            ObjectEntry d = entry("k", 11, MD5_A, null, CRC_X);
            assertThat(pair(s, d)).containsExactly(new Difference.SizeMismatch(s, d));
        }

        @Test
        void zeroByteObjectsMatchAsEmptyWhateverTheirFingerprints() {
            ObjectEntry s = entry("k", 0, MD5_A, null, CRC_X);
            ObjectEntry d = entry("k", 0, MULTIPART_B, null, CRC_Y);
            assertThat(pair(s, d)).containsExactly(new Matched("k", MatchRule.EMPTY));
        }

        @Test
        void zeroByteObjectsWithoutETagsMatchAsEmpty() {
            assertThat(pair(entry("k", 0, null), entry("k", 0, null))).containsExactly(new Matched("k", MatchRule.EMPTY));
        }

        @Test
        void equalFullObjectChecksumsMatch() {
            assertThat(pair(entry("k", 5, null, null, CRC_X), entry("k", 5, null, null, CRC_X)))
                    .containsExactly(new Matched("k", MatchRule.FULL_OBJECT_CHECKSUM));
        }

        @Test
        void differentFullObjectChecksumsOfSameAlgorithmAreContentMismatch() {
            ObjectEntry s = entry("k", 5, null, null, CRC_X);
            ObjectEntry d = entry("k", 5, null, null, CRC_Y);
            assertThat(pair(s, d)).containsExactly(new Difference.ContentMismatch(s, d));
        }

        @Test
        void checksumBeatsETag() {
            // E.g. a copy encrypted with SSE-KMS: its ETag is no MD5 of the content, its checksum is.
            ObjectEntry s = entry("k", 5, MD5_A, null, CRC_X);
            ObjectEntry d = entry("k", 5, MD5_B, null, CRC_X);
            assertThat(pair(s, d)).containsExactly(new Matched("k", MatchRule.FULL_OBJECT_CHECKSUM));
        }

        @Test
        void differentChecksumsWinOverEqualETags() {
            ObjectEntry s = entry("k", 5, MD5_A, null, CRC_X);
            ObjectEntry d = entry("k", 5, MD5_A, null, CRC_Y);
            assertThat(pair(s, d)).containsExactly(new Difference.ContentMismatch(s, d));
        }

        @Test
        void checksumsOfDifferentAlgorithmsFallBackToETags() {
            Checksum crc32 = Checksum.of(ChecksumAlgorithm.CRC32, ChecksumType.FULL_OBJECT, "AAAAAA==");
            ObjectEntry s = entry("k", 5, MD5_A, null, CRC_X);
            ObjectEntry d = entry("k", 5, MD5_A, null, crc32);
            assertThat(pair(s, d)).containsExactly(new Matched("k", MatchRule.PLAIN_ETAG));
        }

        @Test
        void compositeChecksumsAreNotComparedAsFullObjectChecksums() {
            Checksum compositeX = Checksum.of(ChecksumAlgorithm.CRC32C, ChecksumType.COMPOSITE, "AAAAAA==-3");
            Checksum compositeY = Checksum.of(ChecksumAlgorithm.CRC32C, ChecksumType.COMPOSITE, "BBBBBB==-3");
            // Different composite values, equal plain ETags: the ETags decide.
            assertThat(pair(entry("k", 5, MD5_A, null, compositeX), entry("k", 5, MD5_A, null, compositeY)))
                    .containsExactly(new Matched("k", MatchRule.PLAIN_ETAG));
            // Equal composite values do not prove equality either.
            ObjectEntry s = entry("k", 5, MD5_A, null, compositeX);
            ObjectEntry d = entry("k", 5, MD5_B, null, compositeX);
            assertThat(pair(s, d)).containsExactly(new Difference.ContentMismatch(s, d));
        }

        @Test
        void compositeAgainstFullObjectChecksumIsNotCompared() {
            Checksum composite = Checksum.of(ChecksumAlgorithm.CRC64NVME, ChecksumType.COMPOSITE, "AAAAAAAAAAA=");
            ObjectEntry s = entry("k", 5, MULTIPART_A, null, composite);
            ObjectEntry d = entry("k", 5, MD5_A, null, CRC_X);
            assertThat(pair(s, d)).containsExactly(new Difference.Unverified(s, d));
        }

        @Test
        void equalPlainMd5ETagsMatch() {
            assertThat(pair(entry("k", 5, MD5_A), entry("k", 5, MD5_A)))
                    .containsExactly(new Matched("k", MatchRule.PLAIN_ETAG));
        }

        @Test
        void plainMd5ETagsCompareIgnoringCaseAndQuotes() {
            assertThat(pair(entry("k", 5, "\"" + MD5_A + "\""), entry("k", 5, MD5_A.toUpperCase(java.util.Locale.ROOT))))
                    .containsExactly(new Matched("k", MatchRule.PLAIN_ETAG));
        }

        @Test
        void differentPlainMd5ETagsAreContentMismatch() {
            ObjectEntry s = entry("k", 5, MD5_A);
            ObjectEntry d = entry("k", 5, MD5_B);
            assertThat(pair(s, d)).containsExactly(new Difference.ContentMismatch(s, d));
        }

        @Test
        void equalMultipartETagsWithSamePartCountMatch() {
            assertThat(pair(entry("k", 5, MULTIPART_A), entry("k", 5, MULTIPART_A)))
                    .containsExactly(new Matched("k", MatchRule.MULTIPART_ETAG));
        }

        @Test
        void differentMultipartETagsWithEqualPartSizesAreContentMismatch() {
            FixedLookup lookup = FixedLookup.partSizes(8 << 20, 8 << 20);
            ObjectEntry s = entry("k", 20 << 20, MULTIPART_A);
            ObjectEntry d = entry("k", 20 << 20, MULTIPART_B);
            assertThat(pair(MergeDiff.withLookup(lookup), s, d)).containsExactly(new Difference.ContentMismatch(s, d));
            assertThat(lookup.calls).containsExactly("firstPartSize SOURCE k", "firstPartSize DESTINATION k");
        }

        @Test
        void differentMultipartETagsWithDifferentPartSizesAreUnverified() {
            ObjectEntry s = entry("k", 20 << 20, MULTIPART_A);
            ObjectEntry d = entry("k", 20 << 20, MULTIPART_B);
            assertThat(pair(MergeDiff.withLookup(FixedLookup.partSizes(8 << 20, 16 << 20)), s, d))
                    .containsExactly(new Difference.Unverified(s, d));
        }

        @Test
        void differentMultipartETagsWithUnknownPartSizesAreUnverified() {
            ObjectEntry s = entry("k", 20 << 20, MULTIPART_A);
            ObjectEntry d = entry("k", 20 << 20, MULTIPART_B);
            assertThat(pair(MergeDiff.withLookup(FixedLookup.partSizes(0, 0)), s, d))
                    .containsExactly(new Difference.Unverified(s, d));
        }

        @Test
        void differentMultipartETagsWithoutLookupAreUnverified() {
            ObjectEntry s = entry("k", 20 << 20, MULTIPART_A);
            ObjectEntry d = entry("k", 20 << 20, MULTIPART_B);
            assertThat(pair(s, d)).containsExactly(new Difference.Unverified(s, d));
        }

        @Test
        void multipartETagsWithDifferentPartCountsAreUnverifiedWithoutAskingForPartSizes() {
            FixedLookup lookup = FixedLookup.partSizes(8 << 20, 8 << 20);
            ObjectEntry s = entry("k", 20 << 20, MULTIPART_A);
            ObjectEntry d = entry("k", 20 << 20, MD5_B + "-4");
            assertThat(pair(MergeDiff.withLookup(lookup), s, d)).containsExactly(new Difference.Unverified(s, d));
            assertThat(lookup.calls).isEmpty();
        }

        @Test
        void multipartAgainstSinglePartETagOfSameSizeIsUnverifiedNotContentMismatch() {
            ObjectEntry s = entry("k", 20 << 20, MULTIPART_A);
            ObjectEntry d = entry("k", 20 << 20, MD5_A);
            assertThat(pair(s, d)).containsExactly(new Difference.Unverified(s, d));
            assertThat(pair(MergeDiff.withLookup(FixedLookup.partSizes(8 << 20, 8 << 20)), s, d))
                    .containsExactly(new Difference.Unverified(s, d));
            assertThat(pair(d, s)).containsExactly(new Difference.Unverified(d, s));
        }

        @Test
        void missingOrUnusualETagsAreUnverified() {
            ObjectEntry s = entry("k", 5, null);
            ObjectEntry d = entry("k", 5, null);
            assertThat(pair(s, d)).containsExactly(new Difference.Unverified(s, d));
            ObjectEntry weird = entry("k", 5, "not-an-md5");
            assertThat(pair(weird, weird)).containsExactly(new Difference.Unverified(weird, weird));
        }
    }

    @Nested
    class Lookup {

        @Test
        void listedChecksumsWithoutValuesAreComparedWithLookedUpValues() {
            FixedLookup lookup = FixedLookup.checksums(CRC_X, CRC_X);
            ObjectEntry s = entry("k", 5, MULTIPART_A, null, CRC_LISTED);
            ObjectEntry d = entry("k", 5, MD5_B, null, CRC_LISTED);
            assertThat(pair(MergeDiff.withLookup(lookup), s, d))
                    .containsExactly(new Matched("k", MatchRule.FULL_OBJECT_CHECKSUM));
            assertThat(lookup.calls).containsExactly("checksum SOURCE k", "checksum DESTINATION k");
        }

        @Test
        void lookedUpChecksumsThatDifferAreContentMismatch() {
            ObjectEntry s = entry("k", 5, MULTIPART_A, null, CRC_LISTED);
            ObjectEntry d = entry("k", 5, MD5_A, null, CRC_LISTED);
            assertThat(pair(MergeDiff.withLookup(FixedLookup.checksums(CRC_X, CRC_Y)), s, d))
                    .containsExactly(new Difference.ContentMismatch(s, d));
        }

        @Test
        void oneListedValueAndOneLookedUpValueAreCompared() {
            ObjectEntry s = entry("k", 5, MULTIPART_A, null, CRC_X);
            ObjectEntry d = entry("k", 5, MD5_B, null, CRC_LISTED);
            assertThat(pair(MergeDiff.withLookup(FixedLookup.checksums(CRC_X, CRC_X)), s, d))
                    .containsExactly(new Matched("k", MatchRule.FULL_OBJECT_CHECKSUM));
        }

        @Test
        void plainMd5ETagsDecideWithoutAskingTheLookup() {
            FixedLookup lookup = FixedLookup.checksums(CRC_X, CRC_Y);
            ObjectEntry s = entry("k", 5, MD5_A, null, CRC_LISTED);
            ObjectEntry d = entry("k", 5, MD5_A, null, CRC_LISTED);
            assertThat(pair(MergeDiff.withLookup(lookup), s, d)).containsExactly(new Matched("k", MatchRule.PLAIN_ETAG));
            assertThat(lookup.calls).isEmpty();
        }

        @Test
        void objectGoneSinceListingLeavesItUnverified() {
            ObjectEntry s = entry("k", 5, MULTIPART_A, null, CRC_LISTED);
            ObjectEntry d = entry("k", 5, MD5_B, null, CRC_LISTED);
            assertThat(pair(MergeDiff.withLookup(FixedLookup.checksums(null, null)), s, d))
                    .containsExactly(new Difference.Unverified(s, d));
        }

        @Test
        void objectGoneSinceListingFallsBackToETags() {
            ObjectEntry s = entry("k", 5, MD5_A, null, CRC_LISTED);
            ObjectEntry d = entry("k", 5, MD5_B, null, CRC_LISTED);
            assertThat(pair(MergeDiff.withLookup(FixedLookup.checksums(null, null)), s, d))
                    .containsExactly(new Difference.ContentMismatch(s, d));
        }

        @Test
        void listedChecksumsWithoutValuesAndWithoutLookupFallBackToETags() {
            assertThat(pair(entry("k", 5, MD5_A, null, CRC_LISTED), entry("k", 5, MD5_A, null, CRC_LISTED)))
                    .containsExactly(new Matched("k", MatchRule.PLAIN_ETAG));
        }

        @Test
        void lookupIsNotAskedWhenListingsDecide() {
            FixedLookup lookup = FixedLookup.checksums(CRC_Y, CRC_Y);
            MergeDiff diff = MergeDiff.withLookup(lookup);
            assertThat(pair(diff, entry("a", 5, MD5_A, null, CRC_X), entry("a", 5, MD5_B, null, CRC_X)))
                    .containsExactly(new Matched("a", MatchRule.FULL_OBJECT_CHECKSUM));
            assertThat(pair(diff, entry("b", 5, MD5_A), entry("b", 5, MD5_A)))
                    .containsExactly(new Matched("b", MatchRule.PLAIN_ETAG));
            assertThat(pair(diff, entry("c", 5, MULTIPART_A), entry("c", 5, MULTIPART_A)))
                    .containsExactly(new Matched("c", MatchRule.MULTIPART_ETAG));
            assertThat(lookup.calls).isEmpty();
        }

        @Test
        void listedChecksumsOfDifferentAlgorithmsAreNotLookedUp() {
            FixedLookup lookup = FixedLookup.checksums(CRC_X, CRC_X);
            Checksum listedSha = new Checksum(ChecksumAlgorithm.SHA256, ChecksumType.FULL_OBJECT, null);
            ObjectEntry s = entry("k", 5, MD5_A, null, CRC_LISTED);
            ObjectEntry d = entry("k", 5, MD5_B, null, listedSha);
            assertThat(pair(MergeDiff.withLookup(lookup), s, d)).containsExactly(new Difference.ContentMismatch(s, d));
            assertThat(lookup.calls).isEmpty();
        }
    }

    @Nested
    class Staleness {

        @Test
        void differentSizeWithOlderDestinationIsStale() {
            ObjectEntry s = entry("k", 10, MD5_A, LATER, null);
            ObjectEntry d = entry("k", 11, MD5_A, EARLIER, null);
            assertThat(pair(s, d)).containsExactly(new Difference.Stale(s, d));
        }

        @Test
        void differentContentWithOlderDestinationIsStale() {
            ObjectEntry s = entry("k", 10, MD5_A, LATER, null);
            ObjectEntry d = entry("k", 10, MD5_B, EARLIER, null);
            assertThat(pair(s, d)).containsExactly(new Difference.Stale(s, d));
            ObjectEntry sc = entry("c", 10, null, LATER, CRC_X);
            ObjectEntry dc = entry("c", 10, null, EARLIER, CRC_Y);
            assertThat(pair(sc, dc)).containsExactly(new Difference.Stale(sc, dc));
        }

        @Test
        void differentMultipartContentWithOlderDestinationIsStale() {
            ObjectEntry s = entry("k", 20 << 20, MULTIPART_A, LATER, null);
            ObjectEntry d = entry("k", 20 << 20, MULTIPART_B, EARLIER, null);
            assertThat(pair(MergeDiff.withLookup(FixedLookup.partSizes(8 << 20, 8 << 20)), s, d))
                    .containsExactly(new Difference.Stale(s, d));
        }

        @Test
        void newerDestinationIsSizeOrContentMismatch() {
            ObjectEntry s = entry("k", 10, MD5_A, EARLIER, null);
            ObjectEntry d = entry("k", 11, MD5_A, LATER, null);
            assertThat(pair(s, d)).containsExactly(new Difference.SizeMismatch(s, d));
            ObjectEntry d2 = entry("k", 10, MD5_B, LATER, null);
            assertThat(pair(s, d2)).containsExactly(new Difference.ContentMismatch(s, d2));
        }

        @Test
        void sameLastModifiedIsNotStale() {
            ObjectEntry s = entry("k", 10, MD5_A, EARLIER, null);
            ObjectEntry d = entry("k", 10, MD5_B, EARLIER, null);
            assertThat(pair(s, d)).containsExactly(new Difference.ContentMismatch(s, d));
        }

        @Test
        void unknownLastModifiedIsNotStale() {
            ObjectEntry s = entry("k", 10, MD5_A, LATER, null);
            ObjectEntry d = entry("k", 11, MD5_A, null, null);
            assertThat(pair(s, d)).containsExactly(new Difference.SizeMismatch(s, d));
            ObjectEntry s2 = entry("k", 10, MD5_A, null, null);
            ObjectEntry d2 = entry("k", 11, MD5_A, EARLIER, null);
            assertThat(pair(s2, d2)).containsExactly(new Difference.SizeMismatch(s2, d2));
        }

        @Test
        void equalContentWithOlderDestinationMatches() {
            assertThat(pair(entry("k", 10, MD5_A, LATER, null), entry("k", 10, MD5_A, EARLIER, null)))
                    .containsExactly(new Matched("k", MatchRule.PLAIN_ETAG));
            assertThat(pair(entry("k", 0, MD5_A, LATER, null), entry("k", 0, MD5_B, EARLIER, null)))
                    .containsExactly(new Matched("k", MatchRule.EMPTY));
        }

        @Test
        void unverifiedWithOlderDestinationStaysUnverified() {
            ObjectEntry s = entry("k", 10, MULTIPART_A, LATER, null);
            ObjectEntry d = entry("k", 10, MD5_A, EARLIER, null);
            assertThat(pair(s, d)).containsExactly(new Difference.Unverified(s, d));
        }
    }

    @Nested
    class UnsortedInput {

        private MergeDiff.UnsortedInputException unsorted(List<ObjectEntry> source, List<ObjectEntry> destination) {
            return catchThrowableOfType(MergeDiff.UnsortedInputException.class,
                    () -> MergeDiff.create().diff(source.iterator(), destination.iterator(), new Recorder()));
        }

        @Test
        void descendingSourceIsRejected() {
            MergeDiff.UnsortedInputException e = unsorted(List.of(entry("b", 1, MD5_A), entry("a", 1, MD5_A)),
                    List.of(entry("a", 1, MD5_A), entry("b", 1, MD5_A)));
            assertThat(e).isNotNull();
            assertThat(e.side()).isEqualTo(MergeDiff.Side.SOURCE);
            assertThat(e.code()).isEqualTo(ErrorCode.UNSORTED_INPUT);
            assertThat(e).isInstanceOf(S3ReconException.class).hasMessageContaining("source")
                    .hasMessageContaining("'a'").hasMessageContaining("'b'");
        }

        @Test
        void descendingDestinationIsRejected() {
            MergeDiff.UnsortedInputException e = unsorted(List.of(entry("a", 1, MD5_A), entry("b", 1, MD5_A)),
                    List.of(entry("b", 1, MD5_A), entry("a", 1, MD5_A)));
            assertThat(e).isNotNull();
            assertThat(e.side()).isEqualTo(MergeDiff.Side.DESTINATION);
            assertThat(e.code()).isEqualTo(ErrorCode.UNSORTED_INPUT);
            assertThat(e).hasMessageContaining("destination");
        }

        @Test
        void duplicateSourceKeyIsRejected() {
            MergeDiff.UnsortedInputException e = unsorted(List.of(entry("a", 1, MD5_A), entry("a", 1, MD5_A)),
                    List.of(entry("a", 1, MD5_A)));
            assertThat(e).isNotNull();
            assertThat(e.side()).isEqualTo(MergeDiff.Side.SOURCE);
            assertThat(e.code()).isEqualTo(ErrorCode.UNSORTED_INPUT);
        }

        @Test
        void duplicateDestinationKeyIsRejected() {
            MergeDiff.UnsortedInputException e = unsorted(List.of(entry("a", 1, MD5_A)),
                    List.of(entry("a", 1, MD5_A), entry("a", 2, MD5_B)));
            assertThat(e).isNotNull();
            assertThat(e.side()).isEqualTo(MergeDiff.Side.DESTINATION);
            assertThat(e.code()).isEqualTo(ErrorCode.UNSORTED_INPUT);
        }

        @Test
        void unsortedTailAfterTheOtherSideEndedIsRejected() {
            MergeDiff.UnsortedInputException e = unsorted(
                    List.of(entry("a", 1, MD5_A), entry("c", 1, MD5_A), entry("b", 1, MD5_A)), List.of());
            assertThat(e).isNotNull();
            assertThat(e.side()).isEqualTo(MergeDiff.Side.SOURCE);
            MergeDiff.UnsortedInputException d = unsorted(List.of(),
                    List.of(entry("a", 1, MD5_A), entry("a", 1, MD5_A)));
            assertThat(d).isNotNull();
            assertThat(d.side()).isEqualTo(MergeDiff.Side.DESTINATION);
        }

        @Test
        void utf16OrderWithSupplementaryCharacterIsDetected() {
            // Ascending in UTF-16 (D83D < E000), descending in UTF-8 (F0 9F 98 80 > EE 80 80): the order
            // that Java-based servers list in.
            List<ObjectEntry> utf16Order = List.of(entry("a\uD83D\uDE00", 1, MD5_A), entry("a\uE000", 1, MD5_A));
            assertThat(utf16Order.get(0).key().compareTo(utf16Order.get(1).key())).isNegative();
            List<ObjectEntry> utf8Order = List.of(utf16Order.get(1), utf16Order.get(0));

            MergeDiff.UnsortedInputException s = unsorted(utf16Order, utf8Order);
            assertThat(s).isNotNull();
            assertThat(s.side()).isEqualTo(MergeDiff.Side.SOURCE);
            assertThat(s.code()).isEqualTo(ErrorCode.UNSORTED_INPUT);

            MergeDiff.UnsortedInputException d = unsorted(utf8Order, utf16Order);
            assertThat(d).isNotNull();
            assertThat(d.side()).isEqualTo(MergeDiff.Side.DESTINATION);

            // And the UTF-8 order itself is accepted.
            assertThat(diff(utf8Order, utf8Order)).containsExactly(new Matched("a\uE000", MatchRule.PLAIN_ETAG),
                    new Matched("a\uD83D\uDE00", MatchRule.PLAIN_ETAG));
        }
    }
}
