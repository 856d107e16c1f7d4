package io.github.s3recon.inventory;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.s3recon.Checksum;
import io.github.s3recon.ChecksumAlgorithm;
import io.github.s3recon.ChecksumType;
import io.github.s3recon.Difference;
import io.github.s3recon.ErrorCode;
import io.github.s3recon.Migration;
import io.github.s3recon.MigrationResult;
import io.github.s3recon.MigrationState;
import io.github.s3recon.ObjectEntry;
import io.github.s3recon.S3Location;
import io.github.s3recon.S3ReconException;
import io.github.s3recon.testkit.EmbeddedS3;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.StringReader;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.lang.management.ManagementFactory;
import java.net.URLEncoder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.s3.S3AsyncClient;

/** Reads S3 Inventory reports written, as S3 writes them, to the embedded S3 server. */
class S3InventoryListerTest {

    private static final AtomicInteger BUCKETS = new AtomicInteger();
    private static final ObjectMapper JSON = new ObjectMapper();

    /** Every column that AWS documents for CSV reports, in the order S3 writes them. */
    private static final List<String> ALL_COLUMNS = List.of("Bucket", "Key", "VersionId", "IsLatest",
            "IsDeleteMarker", "Size", "LastModifiedDate", "ETag", "StorageClass", "IsMultipartUploaded",
            "ReplicationStatus", "EncryptionStatus", "ObjectLockRetainUntilDate", "ObjectLockMode",
            "ObjectLockLegalHoldStatus", "IntelligentTieringAccessTier", "BucketKeyStatus", "ChecksumAlgorithm",
            "ObjectAccessControlList", "ObjectOwner", "LifecycleExpirationDate");

    private static final Instant T1 = Instant.parse("2024-05-01T10:15:30.123Z");
    private static final Instant T2 = Instant.parse("2024-05-02T08:00:00Z");
    private static final String MD5_A = "0cc175b9c0f1b6a831c399e269772661";
    private static final String MD5_B = "92eb5ffee6ae2fec3ad71c777531578f";
    private static final String MULTIPART = "d41d8cd98f00b204e9800998ecf8427e-3";

    private final EmbeddedS3 s3 = EmbeddedS3.shared();
    private final S3AsyncClient client = s3.asyncClient();

    @TempDir
    Path tmp;

    private String bucket(String name) {
        String bucket = name + "-" + BUCKETS.incrementAndGet() + "-" + Long.toHexString(System.nanoTime());
        s3.createBucket(bucket);
        return bucket;
    }

    // ---------------------------------------------------------------------------------------------
    // (1) exactly the expected entries

    @Test
    void listsExactlyTheLatestVersionOfEveryLiveObject() {
        String reports = bucket("inv-exact");
        Report report = handWrittenReport(reports, "photos-inventoried");

        S3InventoryLister lister = report.lister();

        assertThat(lister.sourceBucket()).isEqualTo("photos-inventoried");
        assertThat(lister.creationTime()).isEqualTo(Instant.ofEpochMilli(1717203600000L));
        assertThat(lister.columns()).isEqualTo(ALL_COLUMNS);
        assertThat(lister.dataFileCount()).isEqualTo(3);
        assertThat(lister.listsInKeyOrder()).isFalse();
        // The inventoried bucket does not even exist: the report alone is read.
        assertThat(list(lister, S3Location.of(client, "photos-inventoried")))
                .containsExactlyInAnyOrderElementsOf(handWrittenExpectation());
    }

    @Test
    void decodesKeysAsS3InventoryEncodesThemWithPlusForSpace() {
        assertThat(S3InventorySchema.decodeKey("a%2Bb+c.txt")).isEqualTo("a+b c.txt");
        assertThat(S3InventorySchema.decodeKey(URLEncoder.encode("caf\u00e9 \uD83D\uDE00,\"x\"%", UTF_8)))
                .isEqualTo("caf\u00e9 \uD83D\uDE00,\"x\"%");
        assertThat(S3InventorySchema.decodeKey("plain/key.txt")).isEqualTo("plain/key.txt");
        assertThatThrownBy(() -> S3InventorySchema.decodeKey("bad%zz")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("bad%zz");
    }

    @Test
    void findsColumnsByNameInAnyOrderAndSubset() {
        S3InventorySchema schema = S3InventorySchema.parse("ChecksumAlgorithm,ETag, Size ,Key", "test");

        assertThat(schema.columns()).containsExactly("ChecksumAlgorithm", "ETag", "Size", "Key");
        // No IsMultipartUploaded column: a multipart ETag decides that the checksum is composite.
        assertThat(schema.toEntry(new String[] {"crc32", MULTIPART, "12", "a%2Fb+c"})).isEqualTo(
                new ObjectEntry("a/b c", 12, MULTIPART, null, null,
                        new Checksum(ChecksumAlgorithm.CRC32, ChecksumType.COMPOSITE, null)));
        assertThat(schema.toEntry(new String[] {"CRC64NVME", MULTIPART, "12", "k"}).checksum().type())
                .isEqualTo(ChecksumType.FULL_OBJECT);
        assertThat(schema.toEntry(new String[] {"", MD5_A, "0", "k"}).checksum()).isNull();
        assertThatThrownBy(() -> S3InventorySchema.parse("Key, Size, key", "m.json"))
                .isInstanceOf(S3ReconException.class).hasMessageContaining("repeated");
    }

    @Test
    void readsRfc4180Csv() throws Exception {
        S3InventoryCsv csv = new S3InventoryCsv(new StringReader(
                "a,\"b,1\",\"say \"\"hi\"\"\"\r\n\n\"multi\nline\",,x\nonly\n\"q\",\"\"\n"));
        String[] row = new String[3];
        boolean[] all = {true, true, true};

        assertThat(csv.next(row, all)).isEqualTo(3);
        assertThat(row).containsExactly("a", "b,1", "say \"hi\"");
        assertThat(csv.next(row, new boolean[] {true, false, true})).isEqualTo(3);
        assertThat(row).containsExactly("multi\nline", null, "x");
        assertThat(csv.recordLine()).isEqualTo(3);
        assertThat(csv.next(row, all)).isEqualTo(1);
        assertThat(row).containsExactly("only", null, null);
        assertThat(csv.next(row, all)).isEqualTo(2);
        assertThat(row).containsExactly("q", "", null);
        assertThat(csv.next(row, all)).isEqualTo(-1);

        assertThatThrownBy(() -> new S3InventoryCsv(new StringReader("\"open,x\n")).next(row, all))
                .isInstanceOf(S3InventoryCsv.MalformedException.class).hasMessageContaining("never closed");
        assertThatThrownBy(() -> new S3InventoryCsv(new StringReader("\"a\"b,c\n")).next(row, all))
                .isInstanceOf(S3InventoryCsv.MalformedException.class).hasMessageContaining("closing quote");
    }

    @Test
    void readsALocalCopyOfAReportInEitherLayout() throws IOException {
        Report report = handWrittenReport(bucket("inv-local"), "photos-inventoried");

        // As `aws s3 sync s3://reports/inv local/` lays it out: keys under a stripped prefix.
        Path synced = tmp.resolve("synced");
        report.writeTo(synced, "inv/");
        Path manifest = synced.resolve(report.manifestKey().substring("inv/".length()));
        S3InventoryLister found = S3InventoryLister.fromManifest(manifest);
        S3InventoryLister fromDirectory = S3InventoryLister.fromManifest(manifest.getParent());
        // A copy of the whole bucket, with the data files' keys named relative to it.
        Path bucketCopy = tmp.resolve("bucket-copy");
        report.writeTo(bucketCopy, "");
        S3InventoryLister withRoot = S3InventoryLister.fromManifest(manifest, bucketCopy);

        // Everything downloaded into one directory.
        Path flat = tmp.resolve("flat");
        Files.createDirectories(flat);
        for (Map.Entry<String, byte[]> f : report.files().entrySet()) {
            Files.write(flat.resolve(f.getKey().substring(f.getKey().lastIndexOf('/') + 1)), f.getValue());
        }
        S3InventoryLister flatLister = S3InventoryLister.fromManifest(flat.resolve("manifest.json"));

        S3Location location = S3Location.of(client, "photos-inventoried");
        for (S3InventoryLister lister : List.of(found, fromDirectory, withRoot, flatLister)) {
            assertThat(list(lister, location)).containsExactlyInAnyOrderElementsOf(handWrittenExpectation());
        }

        Files.delete(flat.resolve(report.dataKeys().get(1).substring(report.dataKeys().get(1).lastIndexOf('/') + 1)));
        assertThatThrownBy(() -> S3InventoryLister.fromManifest(flat.resolve("manifest.json")))
                .isInstanceOf(S3ReconException.class).hasMessageContaining("is missing")
                .hasMessageContaining(report.dataKeys().get(1));
    }

    // ---------------------------------------------------------------------------------------------
    // (2) reconciliation with an inventory on one side or both

    @Test
    void reconcilesAnInventoriedSourceWithARealDestinationAndWithItsInventory() {
        String src = bucket("inv-src");
        String dst = bucket("inv-dst");
        String reports = bucket("inv-reports");
        byte[] same = "same bytes".getBytes(UTF_8);
        for (String key : List.of("same file.txt", "plus+sign & space.txt", "unicode-caf\u00e9-\uD83D\uDE00.txt",
                "comma,\"quoted\".txt", "dir/nested file.txt")) {
            s3.put(src, key, same);
            s3.put(dst, key, same);
        }
        s3.put(src, "missing.txt", "only in the source".getBytes(UTF_8));
        s3.put(src, "size.txt", "short".getBytes(UTF_8));
        s3.put(src, "content.txt", "aaaa".getBytes(UTF_8));
        s3.put(dst, "size.txt", "longer".getBytes(UTF_8));
        s3.put(dst, "content.txt", "bbbb".getBytes(UTF_8));
        s3.put(dst, "extra.txt", "only in the destination".getBytes(UTF_8));

        S3InventoryLister srcInventory = inventoryOf(reports, src, 1);
        S3InventoryLister dstInventory = inventoryOf(reports, dst, 2);

        // The report says what listing the bucket says, no more, no less.
        assertThat(list(srcInventory, S3Location.of(client, src)))
                .containsExactlyInAnyOrderElementsOf(list(S3ObjectLister.create(), S3Location.of(client, src)));
        List<String> expected = List.of("CONTENT_MISMATCH content.txt", "EXTRA_IN_DESTINATION extra.txt",
                "MISSING_IN_DESTINATION missing.txt", "SIZE_MISMATCH size.txt");

        MigrationResult inventoryVsBucket = reconcile(src, dst, srcInventory, null);
        assertThat(inventoryVsBucket.state()).isEqualTo(MigrationState.COMPLETED_WITH_DIFFERENCES);
        assertThat(differences(inventoryVsBucket)).containsExactlyInAnyOrderElementsOf(expected);
        assertThat(inventoryVsBucket.report().source().objects()).isEqualTo(8);
        assertThat(inventoryVsBucket.report().counts().matched()).isEqualTo(5);

        MigrationResult inventoryVsInventory = reconcile(src, dst, srcInventory, dstInventory);
        assertThat(differences(inventoryVsInventory)).containsExactlyInAnyOrderElementsOf(expected);
        assertThat(inventoryVsInventory.report().destination().objects()).isEqualTo(8);
        assertThat(inventoryVsInventory.report().counts().matched()).isEqualTo(5);
    }

    @Test
    void aReportOfTheSourceAgainstItsOwnBucketHasNoDifferences() {
        String src = bucket("inv-self");
        String reports = bucket("inv-self-reports");
        for (int i = 0; i < 30; i++) {
            s3.put(src, "k/" + i + " \u00e9\uD83D\uDE00", ("v" + i).getBytes(UTF_8));
        }
        String copy = bucket("inv-self-copy");
        for (int i = 0; i < 30; i++) {
            s3.put(copy, "k/" + i + " \u00e9\uD83D\uDE00", ("v" + i).getBytes(UTF_8));
        }

        MigrationResult result = reconcile(src, copy, inventoryOf(reports, src, 3), null);

        assertThat(result.state()).isEqualTo(MigrationState.COMPLETED);
        assertThat(result.report().counts().matched()).isEqualTo(30);
    }

    @Test
    void listingABucketOtherThanTheReportsIsRefused() {
        Report report = handWrittenReport(bucket("inv-other"), "photos-inventoried");
        S3InventoryLister lister = report.lister();

        assertThatThrownBy(() -> lister.list(S3Location.of(client, "another-bucket")))
                .isInstanceOfSatisfying(S3ReconException.class,
                        e -> assertThat(e.code()).isEqualTo(ErrorCode.INVALID_CONFIGURATION))
                .hasMessageContaining("'photos-inventoried'").hasMessageContaining("'another-bucket'")
                .hasMessageContaining(report.manifestKey());
    }

    // ---------------------------------------------------------------------------------------------
    // (3) damaged and missing files

    @Test
    void aDataFileThatDoesNotMatchItsMd5FailsTheListingNamingTheFile() {
        String reports = bucket("inv-md5");
        Report report = handWrittenReport(reports, "photos-inventoried");
        String second = report.dataKeys().get(1);
        // Valid gzip CSV with other rows: only the MD5 tells.
        s3.put(reports, second, gzip(csv(List.of(row("photos-inventoried", "intruder.txt", 1, MD5_A, T1)),
                ALL_COLUMNS, true, "\n", true)));

        assertThatThrownBy(() -> list(report.lister(), S3Location.of(client, "photos-inventoried")))
                .isInstanceOfSatisfying(S3ReconException.class,
                        e -> assertThat(e.code()).isEqualTo(ErrorCode.LISTING_FAILED))
                .hasMessageContaining("s3://" + reports + "/" + second).hasMessageContaining("MD5checksum")
                .hasMessageContaining("newer report");
    }

    @Test
    void aDataFileThatIsNotGzipFailsTheListingNamingTheFile() {
        String reports = bucket("inv-gzip");
        Report report = handWrittenReport(reports, "photos-inventoried");
        String first = report.dataKeys().get(0);
        byte[] damaged = report.files().get(first).clone();
        damaged[damaged.length / 2] ^= 0x55;
        s3.put(reports, first, damaged);
        S3Location location = S3Location.of(client, "photos-inventoried");

        assertThatThrownBy(() -> list(report.lister(), location)).isInstanceOf(S3ReconException.class)
                .hasMessageContaining("s3://" + reports + "/" + first);

        s3.put(reports, first, "not gzip at all".getBytes(UTF_8));
        assertThatThrownBy(() -> list(report.lister(), location)).isInstanceOf(S3ReconException.class)
                .hasMessageContaining("s3://" + reports + "/" + first).hasMessageContaining("not valid gzip");
    }

    @Test
    void aDataFileCutShortFailsTheListing() {
        // S3 Inventory manifests give no row counts; the size and MD5 they give catch a short file.
        String reports = bucket("inv-short");
        Report report = handWrittenReport(reports, "photos-inventoried");
        String first = report.dataKeys().get(0);
        byte[] whole = report.files().get(first);
        S3Location location = S3Location.of(client, "photos-inventoried");
        for (int length : new int[] {whole.length - 8, whole.length / 2, 0}) {
            s3.put(reports, first, java.util.Arrays.copyOf(whole, length));
            assertThatThrownBy(() -> list(report.lister(), location)).as("%d of %d bytes", length, whole.length)
                    .isInstanceOfSatisfying(S3ReconException.class,
                            e -> assertThat(e.code()).isEqualTo(ErrorCode.LISTING_FAILED))
                    .hasMessageContaining("s3://" + reports + "/" + first);
        }
    }

    @Test
    void aMissingDataFileFailsTheListingNamingIt() {
        String reports = bucket("inv-nofile");
        Report report = handWrittenReport(reports, "photos-inventoried");
        String third = report.dataKeys().get(2);
        s3.client().deleteObject(b -> b.bucket(reports).key(third));

        assertThatThrownBy(() -> list(report.lister(), S3Location.of(client, "photos-inventoried")))
                .isInstanceOf(S3ReconException.class).hasMessageContaining("s3://" + reports + "/" + third)
                .hasMessageContaining("is missing");
    }

    @Test
    void aChangedManifestIsRefused() {
        String reports = bucket("inv-manifest");
        Report report = handWrittenReport(reports, "photos-inventoried");
        String changed = new String(report.files().get(report.manifestKey()), UTF_8)
                .replace("photos-inventoried", "photos-other");
        s3.put(reports, report.manifestKey(), changed.getBytes(UTF_8));

        assertThatThrownBy(() -> S3InventoryLister.fromManifest(client, reports, report.manifestKey()))
                .isInstanceOfSatisfying(S3ReconException.class,
                        e -> assertThat(e.code()).isEqualTo(ErrorCode.LISTING_FAILED))
                .hasMessageContaining("s3://" + reports + "/" + report.manifestKey())
                .hasMessageContaining("does not match its manifest.checksum");
    }

    @Test
    void aMissingManifestOrChecksumNamesBucketAndKey() {
        String reports = bucket("inv-missing");
        assertThatThrownBy(() -> S3InventoryLister.fromManifest(client, reports, "inv/x/2024-06-01T01-00Z/manifest.json"))
                .isInstanceOfSatisfying(S3ReconException.class,
                        e -> assertThat(e.code()).isEqualTo(ErrorCode.LISTING_FAILED))
                .hasMessageContaining("no inventory manifest at s3://" + reports + "/inv/x/2024-06-01T01-00Z/manifest.json");

        Report report = handWrittenReport(reports, "photos-inventoried");
        String checksumKey = report.manifestKey().replace("manifest.json", "manifest.checksum");
        s3.client().deleteObject(b -> b.bucket(reports).key(checksumKey));
        assertThatThrownBy(report::lister).isInstanceOf(S3ReconException.class)
                .hasMessageContaining("s3://" + reports + "/" + checksumKey).hasMessageContaining("incomplete");

        assertThatThrownBy(() -> S3InventoryLister.fromManifest(client, "no-such-bucket-" + System.nanoTime(),
                "m/manifest.json")).isInstanceOfSatisfying(S3ReconException.class,
                        e -> assertThat(e.code()).isEqualTo(ErrorCode.BUCKET_NOT_FOUND));
    }

    @Test
    void reportsThatAreNotCsvOrLackSizeAreRefused() {
        String reports = bucket("inv-format");
        Report orc = new Report(reports, "photos-inventoried", ALL_COLUMNS).format("ORC")
                .file(List.of(), true, "\n", true).write();
        assertThatThrownBy(orc::lister).isInstanceOfSatisfying(S3ReconException.class,
                e -> assertThat(e.code()).isEqualTo(ErrorCode.INVALID_CONFIGURATION)).hasMessageContaining("CSV");

        Report noSize = new Report(reports, "photos-other", List.of("Bucket", "Key", "ETag"))
                .file(List.of(), true, "\n", true).write();
        assertThatThrownBy(noSize::lister).isInstanceOf(S3ReconException.class)
                .hasMessageContaining("no Size column").hasMessageContaining("Size optional field");
    }

    @Test
    void aRowThatDoesNotFitTheSchemaNamesFileAndLine() {
        String reports = bucket("inv-row");
        Map<String, String> bad = row("photos-inventoried", "bad-size.txt", 1, MD5_A, T1);
        bad.put("Size", "twelve");
        Report report = new Report(reports, "photos-inventoried", ALL_COLUMNS)
                .file(List.of(row("photos-inventoried", "fine.txt", 1, MD5_A, T1), bad), true, "\n", true).write();

        assertThatThrownBy(() -> list(report.lister(), S3Location.of(client, "photos-inventoried")))
                .isInstanceOf(S3ReconException.class).hasMessageContaining("row 2 (line 3)")
                .hasMessageContaining(report.dataKeys().get(0)).hasMessageContaining("'twelve'");
    }

    // ---------------------------------------------------------------------------------------------
    // (4) prefixes

    @Test
    void aPrefixSelectsKeysUnderItRelativeToIt() {
        Report report = handWrittenReport(bucket("inv-prefix"), "photos-inventoried");
        S3InventoryLister lister = report.lister();

        List<ObjectEntry> big = list(lister, S3Location.of(client, "photos-inventoried", "big/"));
        assertThat(big).extracting(ObjectEntry::key).containsExactlyInAnyOrder("multipart.bin", "nvme.bin");
        assertThat(big).filteredOn(e -> e.key().equals("nvme.bin")).singleElement()
                .extracting(ObjectEntry::size).isEqualTo(20_000_000L);
        // Matched on the raw key, as S3 does: "unicode" selects more than a folder.
        assertThat(list(lister, S3Location.of(client, "photos-inventoried", "unicode")))
                .extracting(ObjectEntry::key).containsExactly("/caf\u00e9 \u4e2d\u6587 \uD83D\uDE00.bin");
        assertThat(list(lister, S3Location.of(client, "photos-inventoried", "nothing/"))).isEmpty();
    }

    @Test
    void aReconciliationOfPrefixesUsesRelativeKeys() {
        String src = bucket("inv-psrc");
        String dst = bucket("inv-pdst");
        String reports = bucket("inv-preports");
        s3.put(src, "2024/a.txt", "a".getBytes(UTF_8));
        s3.put(src, "2024/b.txt", "b".getBytes(UTF_8));
        s3.put(src, "2023/old.txt", "old".getBytes(UTF_8));
        s3.put(dst, "backup/a.txt", "a".getBytes(UTF_8));

        try (Migration m = Migration.builder().source(S3Location.of(client, src, "2024/"))
                .destination(S3Location.of(client, dst, "backup/")).sourceLister(inventoryOf(reports, src, 2))
                .workDirectory(tmp.resolve("prefix-work")).build()) {
            MigrationResult result = m.reconcile();
            assertThat(differences(result)).containsExactly("MISSING_IN_DESTINATION b.txt");
            assertThat(result.report().source().objects()).isEqualTo(2);
        }
    }

    // ---------------------------------------------------------------------------------------------
    // (5) memory

    @Test
    void streamsTwoHundredThousandRowsAcrossFilesWithoutHoldingThem() {
        String reports = bucket("inv-many");
        int live = 200_000;
        int files = 3;
        // Long keys: 150,000 of them alone would take about 80 MiB of heap if anything kept them.
        String longPrefix = "logs/" + "x".repeat(480) + "/";
        Report report = new Report(reports, "many-objects", List.of("Bucket", "Key", "VersionId", "IsLatest",
                "IsDeleteMarker", "Size", "LastModifiedDate", "ETag", "StorageClass"));
        for (int f = 0; f < files; f++) {
            int fileIndex = f;
            report.file(() -> new Iterator<>() {
                private int i = fileIndex;

                @Override
                public boolean hasNext() {
                    return i < live;
                }

                @Override
                public Map<String, String> next() {
                    Map<String, String> row = new HashMap<>();
                    row.put("Bucket", "many-objects");
                    row.put("Key", longPrefix + String.format("%09d", i));
                    row.put("IsLatest", "true");
                    row.put("IsDeleteMarker", "false");
                    row.put("Size", Integer.toString(i));
                    row.put("LastModifiedDate", "2024-05-01T10:15:30.000Z");
                    row.put("ETag", MD5_A);
                    row.put("StorageClass", "STANDARD");
                    i += files;
                    return row;
                }
            }, true, "\n", true);
        }
        report.file(List.of(row("many-objects", longPrefix + "old", 1, MD5_A, T1, "IsLatest", "false"),
                row("many-objects", longPrefix + "gone", 0, "", T1, "IsDeleteMarker", "true", "Size", "")), true, "\n", true);
        report.write();
        S3InventoryLister lister = report.lister();
        assertThat(lister.dataFileCount()).isEqualTo(4);

        long before = usedHeapAfterGc();
        long count = 0;
        long sizes = 0;
        long retained;
        try (Stream<ObjectEntry> entries = lister.list(S3Location.of(client, "many-objects", "logs/"))) {
            Iterator<ObjectEntry> it = entries.iterator();
            while (count < 150_000) {
                sizes += it.next().size();
                count++;
            }
            retained = usedHeapAfterGc() - before;
            while (it.hasNext()) {
                sizes += it.next().size();
                count++;
            }
        }

        assertThat(count).isEqualTo(live);
        assertThat(sizes).isEqualTo((long) live * (live - 1) / 2);
        assertThat(retained).as("heap retained mid-listing, in bytes").isLessThan(24L * 1024 * 1024);
    }

    // ---------------------------------------------------------------------------------------------
    // helpers

    private static long usedHeapAfterGc() {
        for (int i = 0; i < 3; i++) {
            System.gc();
        }
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }

    private static List<ObjectEntry> list(io.github.s3recon.spi.ObjectLister lister, S3Location location) {
        try (Stream<ObjectEntry> entries = lister.list(location)) {
            return entries.collect(Collectors.toList());
        }
    }

    private MigrationResult reconcile(String src, String dst, S3InventoryLister sourceLister,
            S3InventoryLister destinationLister) {
        Migration.Builder builder = Migration.builder().source(S3Location.of(client, src))
                .destination(S3Location.of(client, dst)).sourceLister(sourceLister)
                .workDirectory(tmp.resolve("work-" + BUCKETS.incrementAndGet()));
        if (destinationLister != null) {
            builder.destinationLister(destinationLister);
        }
        try (Migration m = builder.build()) {
            return m.reconcile();
        }
    }

    private static List<String> differences(MigrationResult result) {
        try (Stream<Difference> d = result.report().differences()) {
            return d.map(x -> x.type() + " " + x.key()).collect(Collectors.toList());
        }
    }

    /**
     * Writes a report of a real bucket as S3 Inventory would, from its listing, over {@code files}
     * data files, with an old version and a delete marker of keys that are not in the bucket.
     */
    private S3InventoryLister inventoryOf(String reports, String bucket, int files) {
        List<Map<String, String>> rows = new ArrayList<>();
        for (ObjectEntry e : list(S3ObjectLister.create(), S3Location.of(client, bucket))) {
            Map<String, String> row = row(bucket, e.key(), e.size(), e.eTag() == null ? "" : e.eTag(),
                    e.lastModified());
            row.put("StorageClass", e.storageClass() == null ? "" : e.storageClass());
            row.put("IsMultipartUploaded", Boolean.toString(e.multipartPartCount() > 0));
            row.put("ChecksumAlgorithm", e.checksum() == null ? "" : e.checksum().algorithm().name());
            rows.add(row);
        }
        rows.add(row(bucket, "deleted.txt", 3, MD5_A, T1, "IsLatest", "false"));
        rows.add(row(bucket, "deleted.txt", 0, "", T2, "IsDeleteMarker", "true", "Size", ""));
        rows.add(row(bucket, "missing.txt", 999, MD5_B, T1, "IsLatest", "false"));
        Collections.shuffle(rows, new Random(bucket.hashCode()));
        Report report = new Report(reports, bucket, ALL_COLUMNS);
        int per = (rows.size() + files - 1) / files;
        for (int f = 0; f < files; f++) {
            report.file(rows.subList(Math.min(rows.size(), f * per), Math.min(rows.size(), (f + 1) * per)),
                    f % 2 == 0, f == 1 ? "\r\n" : "\n", f != 1);
        }
        return report.write().lister();
    }

    /** A report of a bucket that does not exist, with every kind of row and key. */
    private Report handWrittenReport(String reports, String source) {
        List<Map<String, String>> rows = new ArrayList<>();
        rows.add(row(source, "same file.txt", 4, MD5_A, T1, "ChecksumAlgorithm", "CRC32"));
        rows.add(row(source, "a+b c.txt", 5, MD5_B, T2));
        rows.add(row(source, "unicode/caf\u00e9 \u4e2d\u6587 \uD83D\uDE00.bin", 6, MD5_A, T1,
                "ChecksumAlgorithm", "CRC32C"));
        rows.add(row(source, "comma,and \"quotes\".txt", 7, MD5_B, T1, "StorageClass", "STANDARD_IA"));
        rows.add(row(source, "line\nbreak\tand 100%.txt", 8, MD5_A, T2));
        rows.add(row(source, "big/multipart.bin", 15_000_000, MULTIPART, T1, "IsMultipartUploaded", "true",
                "ChecksumAlgorithm", "SHA256"));
        rows.add(row(source, "big/nvme.bin", 20_000_000, MULTIPART, T2, "IsMultipartUploaded", "true",
                "ChecksumAlgorithm", "CRC64NVME"));
        rows.add(row(source, "glacier.bin", 0, "", T1, "StorageClass", "GLACIER", "LastModifiedDate", ""));
        rows.add(row(source, "old-version.txt", 1, MD5_A, T1, "IsLatest", "false"));
        rows.add(row(source, "old-version.txt", 2, MD5_B, T2));
        rows.add(row(source, "deleted.txt", 3, MD5_A, T1, "IsLatest", "false"));
        rows.add(row(source, "deleted.txt", 0, "", T2, "IsDeleteMarker", "true", "Size", ""));
        Collections.shuffle(rows, new Random(42));
        Report report = new Report(reports, source, ALL_COLUMNS);
        // Quoted as S3 writes (every field), minimally quoted with raw commas and quotes in keys,
        // and with CRLF line ends: all are CSV.
        report.file(rows.subList(0, 4), true, "\n", true);
        report.file(rows.subList(4, 8), false, "\n", false);
        report.file(rows.subList(8, rows.size()), true, "\r\n", true);
        return report.write();
    }

    private static List<ObjectEntry> handWrittenExpectation() {
        return List.of(
                new ObjectEntry("same file.txt", 4, MD5_A, T1, "STANDARD",
                        new Checksum(ChecksumAlgorithm.CRC32, ChecksumType.FULL_OBJECT, null)),
                new ObjectEntry("a+b c.txt", 5, MD5_B, T2, "STANDARD", null),
                new ObjectEntry("unicode/caf\u00e9 \u4e2d\u6587 \uD83D\uDE00.bin", 6, MD5_A, T1, "STANDARD",
                        new Checksum(ChecksumAlgorithm.CRC32C, ChecksumType.FULL_OBJECT, null)),
                new ObjectEntry("comma,and \"quotes\".txt", 7, MD5_B, T1, "STANDARD_IA", null),
                new ObjectEntry("line\nbreak\tand 100%.txt", 8, MD5_A, T2, "STANDARD", null),
                new ObjectEntry("big/multipart.bin", 15_000_000, MULTIPART, T1, "STANDARD",
                        new Checksum(ChecksumAlgorithm.SHA256, ChecksumType.COMPOSITE, null)),
                new ObjectEntry("big/nvme.bin", 20_000_000, MULTIPART, T2, "STANDARD",
                        new Checksum(ChecksumAlgorithm.CRC64NVME, ChecksumType.FULL_OBJECT, null)),
                new ObjectEntry("glacier.bin", 0, null, null, "GLACIER", null),
                new ObjectEntry("old-version.txt", 2, MD5_B, T2, "STANDARD", null));
    }

    /** A row of every column, for a live latest version; {@code overrides} are name-value pairs. */
    private static Map<String, String> row(String bucket, String key, long size, String eTag, Instant modified,
            String... overrides) {
        Map<String, String> row = new HashMap<>();
        row.put("Bucket", bucket);
        row.put("Key", key);
        row.put("VersionId", Long.toHexString(key.hashCode() * 31L + size));
        row.put("IsLatest", "true");
        row.put("IsDeleteMarker", "false");
        row.put("Size", Long.toString(size));
        row.put("LastModifiedDate", modified.toString());
        row.put("ETag", eTag);
        row.put("StorageClass", "STANDARD");
        row.put("IsMultipartUploaded", "false");
        row.put("ReplicationStatus", "");
        row.put("EncryptionStatus", "SSE-S3");
        row.put("ObjectLockRetainUntilDate", "");
        row.put("ObjectLockMode", "");
        row.put("ObjectLockLegalHoldStatus", "OFF");
        row.put("IntelligentTieringAccessTier", "");
        row.put("BucketKeyStatus", "DISABLED");
        row.put("ChecksumAlgorithm", "");
        // Commas, quotes and a line break in columns the lister skips: they must still parse as CSV.
        row.put("ObjectAccessControlList", "{\"version\":\"2022-11-10\",\"status\":\"AVAILABLE\",\"grants\":"
                + "[{\"permission\":\"FULL_CONTROL\",\"type\":\"CanonicalUser\",\"canonicalId\":\"c1\"}]}");
        row.put("ObjectOwner", "owner, \"quoted\"\nsecond line");
        row.put("LifecycleExpirationDate", "");
        for (int i = 0; i < overrides.length; i += 2) {
            row.put(overrides[i], overrides[i + 1]);
        }
        return row;
    }

    /** Keys URL-encoded as S3 Inventory does: form encoding, '+' for a space, '/' kept. */
    private static String encodeKey(String key, boolean strict) {
        String encoded = URLEncoder.encode(key, UTF_8).replace("%2F", "/");
        // Some writers leave commas and quotes alone; CSV quoting then carries them.
        return strict ? encoded : encoded.replace("%2C", ",").replace("%22", "\"");
    }

    private static byte[] csv(List<Map<String, String>> rows, List<String> columns, boolean quoteAll, String eol,
            boolean strictKeys) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        writeCsv(rows.iterator(), columns, quoteAll, eol, strictKeys, out);
        return out.toByteArray();
    }

    private static void writeCsv(Iterator<Map<String, String>> rows, List<String> columns, boolean quoteAll,
            String eol, boolean strictKeys, java.io.OutputStream out) {
        try {
            Writer w = new OutputStreamWriter(out, UTF_8);
            while (rows.hasNext()) {
                Map<String, String> row = rows.next();
                StringBuilder line = new StringBuilder();
                for (String column : columns) {
                    if (line.length() > 0) {
                        line.append(',');
                    }
                    String value = row.getOrDefault(column, "");
                    if (column.equals("Key")) {
                        value = encodeKey(value, strictKeys);
                    }
                    boolean quote = quoteAll || value.contains(",") || value.contains("\"") || value.contains("\n")
                            || value.contains("\r");
                    line.append(quote ? "\"" + value.replace("\"", "\"\"") + "\"" : value);
                }
                w.write(line.append(eol).toString());
            }
            w.flush();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static byte[] gzip(byte[] bytes) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
            gz.write(bytes);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    /** An S3 Inventory report written to a bucket the way S3 lays it out. */
    private final class Report {
        private final String reportBucket;
        private final String sourceBucket;
        private final List<String> columns;
        private final String base;
        private final Map<String, byte[]> files = new LinkedHashMap<>();
        private final List<String> dataKeys = new ArrayList<>();
        private String format = "CSV";

        Report(String reportBucket, String sourceBucket, List<String> columns) {
            this.reportBucket = reportBucket;
            this.sourceBucket = sourceBucket;
            this.columns = columns;
            this.base = "inv/" + sourceBucket + "/daily-config/";
        }

        Report format(String fileFormat) {
            this.format = fileFormat;
            return this;
        }

        Report file(List<Map<String, String>> rows, boolean quoteAll, String eol, boolean strictKeys) {
            return file(rows::iterator, quoteAll, eol, strictKeys);
        }

        Report file(Iterable<Map<String, String>> rows, boolean quoteAll, String eol, boolean strictKeys) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            try (GZIPOutputStream gz = new GZIPOutputStream(out, 64 * 1024)) {
                writeCsv(rows.iterator(), columns, quoteAll, eol, strictKeys, gz);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            String key = base + "data/" + java.util.UUID.nameUUIDFromBytes((base + dataKeys.size())
                    .getBytes(UTF_8)) + ".csv.gz";
            dataKeys.add(key);
            files.put(key, out.toByteArray());
            return this;
        }

        Report write() {
            Map<String, Object> manifest = new LinkedHashMap<>();
            manifest.put("sourceBucket", sourceBucket);
            manifest.put("destinationBucket", "arn:aws:s3:::" + reportBucket);
            manifest.put("version", "2016-11-30");
            manifest.put("creationTimestamp", "1717203600000");
            manifest.put("fileFormat", format);
            manifest.put("fileSchema", String.join(", ", columns));
            List<Map<String, Object>> list = new ArrayList<>();
            for (String key : dataKeys) {
                Map<String, Object> f = new LinkedHashMap<>();
                f.put("key", key);
                f.put("size", files.get(key).length);
                f.put("MD5checksum", S3InventoryManifest.md5Hex(files.get(key)));
                list.add(f);
            }
            manifest.put("files", list);
            byte[] json;
            try {
                json = JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(manifest);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            files.put(manifestKey(), json);
            files.put(manifestKey().replace("manifest.json", "manifest.checksum"),
                    S3InventoryManifest.md5Hex(json).getBytes(UTF_8));
            files.forEach((key, bytes) -> s3.put(reportBucket, key, bytes));
            return this;
        }

        void writeTo(Path directory, String strippedPrefix) throws IOException {
            for (Map.Entry<String, byte[]> f : files.entrySet()) {
                Path path = directory.resolve(f.getKey().substring(strippedPrefix.length()));
                Files.createDirectories(path.getParent());
                Files.write(path, f.getValue());
            }
        }

        S3InventoryLister lister() {
            return S3InventoryLister.fromManifest(client, reportBucket, manifestKey());
        }

        String manifestKey() {
            return base + "2024-06-01T01-00Z/manifest.json";
        }

        List<String> dataKeys() {
            return dataKeys;
        }

        Map<String, byte[]> files() {
            return files;
        }
    }
}
