package io.github.s3recon;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.entry;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class FingerprintTest {

    private static final String MD5 = "0cc175b9c0f1b6a831c399e269772661";
    private static final String MULTIPART = "d41d8cd98f00b204e9800998ecf8427e-3";
    private static final Checksum CRC = Checksum.of(ChecksumAlgorithm.CRC64NVME, ChecksumType.FULL_OBJECT, "AAAAAAAAAAA=");
    private static final Checksum SHA = Checksum.of(ChecksumAlgorithm.SHA256, ChecksumType.FULL_OBJECT,
            "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=");

    private static Map<String, String> metadata(String... keysAndValues) {
        Map<String, String> m = new LinkedHashMap<>();
        for (int i = 0; i < keysAndValues.length; i += 2) {
            m.put(keysAndValues[i], keysAndValues[i + 1]);
        }
        return m;
    }

    @Test
    void toMetadataWritesThreeEntriesInAStableOrder() {
        Map<String, String> m = new Fingerprint(MULTIPART, 123_456_789_012L, CRC).toMetadata();
        assertThat(m).containsExactly(entry("s3recon-source-etag", MULTIPART),
                entry("s3recon-source-size", "123456789012"), entry("s3recon-checksum", "CRC64NVME:AAAAAAAAAAA="));
        assertThat(Fingerprint.ETAG_KEY).isEqualTo("s3recon-source-etag");
        assertThat(Fingerprint.SIZE_KEY).isEqualTo("s3recon-source-size");
        assertThat(Fingerprint.CHECKSUM_KEY).isEqualTo("s3recon-checksum");
    }

    @Test
    void toMetadataWithoutChecksumLeavesItsEntryOut() {
        Map<String, String> m = new Fingerprint(MD5, 0, null).toMetadata();
        assertThat(m).containsExactly(entry(Fingerprint.ETAG_KEY, MD5), entry(Fingerprint.SIZE_KEY, "0"));
        m.put("other", "x"); // a new mutable map the caller may add to
        assertThat(m).hasSize(3);
    }

    @Test
    void roundTrips() {
        for (Fingerprint f : new Fingerprint[] {new Fingerprint(MD5, 1, CRC), new Fingerprint(MULTIPART, 0, null),
                new Fingerprint(MD5, Long.MAX_VALUE, SHA)}) {
            assertThat(Fingerprint.fromMetadata(f.toMetadata())).isEqualTo(f);
        }
        for (ChecksumAlgorithm algorithm : ChecksumAlgorithm.values()) {
            Fingerprint f = new Fingerprint(MD5, 9, Checksum.of(algorithm, ChecksumType.FULL_OBJECT, "dmFsdWU="));
            assertThat(Fingerprint.fromMetadata(f.toMetadata())).as("%s", algorithm).isEqualTo(f);
        }
    }

    @Test
    void readsKeysWhateverTheirCaseAsHttpHeadersDeliverThem() {
        Fingerprint expected = new Fingerprint(MD5, 42, CRC);
        assertThat(Fingerprint.fromMetadata(metadata("S3recon-Source-Etag", MD5, "S3RECON-SOURCE-SIZE", "42",
                "S3recon-Checksum", "CRC64NVME:AAAAAAAAAAA="))).isEqualTo(expected);

        Map<String, String> caseInsensitive = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        caseInsensitive.putAll(metadata("S3Recon-Source-ETag", MD5, "s3recon-source-size", "42"));
        assertThat(Fingerprint.fromMetadata(caseInsensitive)).isEqualTo(new Fingerprint(MD5, 42, null));
    }

    @Test
    void ignoresOtherMetadataAndAHeaderMapsNullKey() {
        Map<String, String> m = new HashMap<>(new Fingerprint(MD5, 42, CRC).toMetadata());
        m.put("content-type", "image/jpeg");
        m.put("s3recon-other", "x");
        m.put(null, "HTTP/1.1 200 OK");
        assertThat(Fingerprint.fromMetadata(m)).isEqualTo(new Fingerprint(MD5, 42, CRC));
    }

    @Test
    void noMetadataIsNoFingerprint() {
        assertThat(Fingerprint.fromMetadata(null)).isNull();
        assertThat(Fingerprint.fromMetadata(Map.of())).isNull();
        assertThat(Fingerprint.fromMetadata(Map.of("content-type", "text/plain"))).isNull();
    }

    @Test
    void incompleteFingerprintIsNone() {
        assertThat(Fingerprint.fromMetadata(metadata(Fingerprint.SIZE_KEY, "42"))).as("no ETag").isNull();
        assertThat(Fingerprint.fromMetadata(metadata(Fingerprint.ETAG_KEY, MD5))).as("no size").isNull();
        assertThat(Fingerprint.fromMetadata(metadata(Fingerprint.ETAG_KEY, "", Fingerprint.SIZE_KEY, "42")))
                .as("empty ETag").isNull();
        assertThat(Fingerprint.fromMetadata(metadata(Fingerprint.ETAG_KEY, null, Fingerprint.SIZE_KEY, "42")))
                .as("null ETag").isNull();
        assertThat(Fingerprint.fromMetadata(metadata(Fingerprint.ETAG_KEY, MD5, Fingerprint.SIZE_KEY, null)))
                .as("null size").isNull();
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "x", "-1", "1.5", "12345678901234567890", "0x10", " 42"})
    void malformedSizeIsNoFingerprint(String size) {
        assertThat(Fingerprint.fromMetadata(metadata(Fingerprint.ETAG_KEY, MD5, Fingerprint.SIZE_KEY, size))).isNull();
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "CRC64NVME", "CRC64NVME:", "CRC64NVME: ", ":AAAA", "MD5:AAAA", "crc64nvme:AAAA",
            "CRC64NVME;AAAA"})
    void malformedChecksumIsNoFingerprint(String checksum) {
        assertThat(Fingerprint.fromMetadata(metadata(Fingerprint.ETAG_KEY, MD5, Fingerprint.SIZE_KEY, "42",
                Fingerprint.CHECKSUM_KEY, checksum))).isNull();
    }

    @Test
    void ofTakesTheSourcesETagWithoutQuotesAndItsSize() {
        ObjectEntry source = ObjectEntry.of("k", 77, "\"" + MD5 + "\"");
        assertThat(Fingerprint.of(source, CRC)).isEqualTo(new Fingerprint(MD5, 77, CRC));
        assertThat(Fingerprint.of(source, null).checksum()).isNull();
    }

    @Test
    void validatesItsFields() {
        assertThatThrownBy(() -> new Fingerprint(null, 1, null)).isInstanceOf(NullPointerException.class)
                .hasMessageContaining("sourceETag");
        assertThatThrownBy(() -> new Fingerprint(MD5, -1, null)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("-1");
        assertThatThrownBy(() -> new Fingerprint(MD5, 1,
                Checksum.of(ChecksumAlgorithm.CRC32, ChecksumType.COMPOSITE, "AAAAAA==-3")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("full-object");
        assertThatThrownBy(() -> new Fingerprint(MD5, 1,
                new Checksum(ChecksumAlgorithm.CRC32, ChecksumType.FULL_OBJECT, null)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("value");
        assertThatThrownBy(() -> Fingerprint.of(ObjectEntry.of("k", 1, null), null))
                .isInstanceOf(NullPointerException.class);
    }
}
