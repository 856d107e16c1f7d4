package io.github.s3recon.inventory.internal;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import io.github.s3recon.Checksum;
import io.github.s3recon.ChecksumAlgorithm;
import io.github.s3recon.ChecksumType;
import io.github.s3recon.KeyRange;
import io.github.s3recon.ObjectEntry;
import io.github.s3recon.S3Clients;
import io.github.s3recon.S3Location;
import io.github.s3recon.inventory.FastS3ObjectLister;
import io.github.s3recon.inventory.S3ObjectLister;
import io.github.s3recon.inventory.internal.ListObjectsV2PageParser.MalformedPageException;
import io.github.s3recon.inventory.internal.ListObjectsV2PageParser.Page;
import io.github.s3recon.testkit.EmbeddedS3;
import io.github.s3recon.testkit.SyntheticS3;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLEncoder;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3AsyncClient;
import software.amazon.awssdk.services.s3.model.CommonPrefix;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Response;

/**
 * The parser against hand-written and generated pages, each checked against what the SDK makes of
 * the same bytes (served by a real HTTP server to a real SDK client and {@link S3ObjectLister});
 * then the fast lister against the SDK lister on SyntheticS3 and the embedded S3 server.
 */
class ListObjectsV2PageParserTest {

    private static final String HEAD = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
            + "<ListBucketResult xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">";
    private static final String TAIL = "</ListBucketResult>";
    private static final Instant T = Instant.parse("2024-05-06T07:08:09.123Z");

    private static ReplayServer replay;
    private static S3AsyncClient replayClient;

    @BeforeAll
    static void start() throws IOException {
        replay = new ReplayServer();
        replayClient = S3Clients.asyncClient(replay.endpoint(), Region.US_EAST_1,
                StaticCredentialsProvider.create(AwsBasicCredentials.create("key", "secret")));
    }

    @AfterAll
    static void stop() {
        replayClient.close();
        replay.close();
    }

    // ---- Hand-written pages ----

    @Test
    void readsEveryFieldOfAnS3Page() {
        String xml = HEAD + "<Name>b</Name><Prefix></Prefix><NextContinuationToken>1ueGcxLPRx1Tr/XYExHnhbYLgveDs2J/wm36Hy4vbOwM="
                + "</NextContinuationToken><KeyCount>2</KeyCount><MaxKeys>2</MaxKeys><IsTruncated>true</IsTruncated>"
                + "<Contents><Key>photos/2024/a.jpg</Key><LastModified>2024-05-06T07:08:09.123Z</LastModified>"
                + "<ETag>&quot;0123456789abcdef0123456789abcdef&quot;</ETag><ChecksumAlgorithm>CRC64NVME</ChecksumAlgorithm>"
                + "<ChecksumType>FULL_OBJECT</ChecksumType><Size>1234567890123</Size><StorageClass>STANDARD</StorageClass></Contents>"
                + "<Contents><Key>photos/2024/b.jpg</Key><LastModified>2024-05-06T07:08:09.000Z</LastModified>"
                + "<ETag>\"0123456789abcdef0123456789abcdef-12\"</ETag><ChecksumAlgorithm>CRC32</ChecksumAlgorithm>"
                + "<Size>0</Size><StorageClass>GLACIER</StorageClass>"
                + "<Owner><ID>abc</ID><DisplayName>me</DisplayName></Owner>"
                + "<RestoreStatus><IsRestoreInProgress>false</IsRestoreInProgress>"
                + "<RestoreExpiryDate>2024-06-01T00:00:00Z</RestoreExpiryDate></RestoreStatus></Contents>" + TAIL;

        Page page = new ListObjectsV2PageParser("photos/".length()).parse(xml.getBytes(UTF_8));

        assertThat(page.entries()).containsExactly(
                new ObjectEntry("2024/a.jpg", 1234567890123L, "0123456789abcdef0123456789abcdef", T, "STANDARD",
                        new Checksum(ChecksumAlgorithm.CRC64NVME, ChecksumType.FULL_OBJECT, null)),
                new ObjectEntry("2024/b.jpg", 0, "0123456789abcdef0123456789abcdef-12",
                        Instant.parse("2024-05-06T07:08:09Z"), "GLACIER",
                        new Checksum(ChecksumAlgorithm.CRC32, ChecksumType.COMPOSITE, null)));
        assertThat(page.truncated()).isTrue();
        assertThat(page.hasNextPage()).isTrue();
        assertThat(page.nextContinuationToken()).isEqualTo("1ueGcxLPRx1Tr/XYExHnhbYLgveDs2J/wm36Hy4vbOwM=");
        assertThat(page.keyCount()).isEqualTo(2);
        assertThat(page.encodingType()).isNull();
        assertThat(page.viaSdk()).isFalse();
        assertSameAsSdk(xml, "photos/");
    }

    @Test
    void decodesEntitiesCharacterReferencesAndCdata() {
        String xml = HEAD + "<Contents><Key>a&amp;b&lt;c&gt;d&quot;e&apos;f&#38;g&#x26;h&#233;&#x1F600;</Key><Size>1</Size></Contents>"
                + "<Contents><Key>x<![CDATA[<&>]]>y&#13;z\r\nw\rv</Key><Size>2</Size></Contents>"
                + "<Contents><Key>plain > text ]] here</Key><Size>3</Size></Contents>" + TAIL;

        Page page = new ListObjectsV2PageParser(0).parse(xml.getBytes(UTF_8));

        assertThat(page.entries()).extracting(ObjectEntry::key).containsExactly(
                "a&b<c>d\"e'f&g&h\u00e9\uD83D\uDE00", "x<&>y\rz\nw\nv", "plain > text ]] here");
        assertSameAsSdk(xml, "");
    }

    @Test
    void keepsUnicodeOutsideTheBasicMultilingualPlane() {
        String key = "emoji/\uD83D\uDE00\uD83C\uDF89-\uD800\uDC00-\u4E2D\u6587-\u00e9";
        String xml = HEAD + "<Contents><Key>" + key + "</Key><Size>5</Size><ETag>\"e\"</ETag></Contents>" + TAIL;

        Page page = new ListObjectsV2PageParser("emoji/".length()).parse(xml.getBytes(UTF_8));

        assertThat(page.entries()).extracting(ObjectEntry::key).containsExactly(key.substring(6));
        assertThat(page.entries().get(0).eTag()).isEqualTo("e");
        assertSameAsSdk(xml, "emoji/");
    }

    @Test
    void urlDecodesKeysAndPrefixesWhenTheEncodingTypeIsUrl() {
        // S3Mock writes EncodingType after the objects: it may come anywhere.
        String xml = HEAD + "<Prefix>dir%2F</Prefix><Delimiter>%2F</Delimiter>"
                + "<Contents><Key>dir/a+b%20c%25d%2B%F0%9F%98%80%C3%A9%01</Key><Size>1</Size></Contents>"
                + "<Contents><Key>dir/plain</Key><Size>2</Size></Contents>"
                + "<CommonPrefixes><Prefix>dir/sub+dir%2F</Prefix></CommonPrefixes>"
                + "<CommonPrefixes><Prefix>dir/%E4%B8%AD/</Prefix></CommonPrefixes>"
                + "<EncodingType>url</EncodingType><IsTruncated>false</IsTruncated>" + TAIL;

        Page page = new ListObjectsV2PageParser(4).parse(xml.getBytes(UTF_8));

        assertThat(page.entries()).extracting(ObjectEntry::key)
                .containsExactly("a b c%d+\uD83D\uDE00\u00e9\u0001", "plain");
        assertThat(page.commonPrefixes()).containsExactly("dir/sub dir/", "dir/\u4E2D/");
        assertThat(page.encodingType()).isEqualTo("url");
        assertSameAsSdk(xml, "dir/");
    }

    @Test
    void leavesKeysAloneWithoutEncodingTypeUrl() {
        String xml = HEAD + "<Contents><Key>a+b%20c</Key><Size>1</Size></Contents>"
                + "<EncodingType>URL</EncodingType>" + TAIL;

        Page page = new ListObjectsV2PageParser(0).parse(xml.getBytes(UTF_8));

        // The SDK decodes only for exactly "url".
        assertThat(page.entries()).extracting(ObjectEntry::key).containsExactly("a+b%20c");
        assertSameAsSdk(xml, "");
    }

    @Test
    void readsAnEmptyPage() {
        for (String xml : List.of(HEAD + "<Name>b</Name><KeyCount>0</KeyCount><MaxKeys>1000</MaxKeys>"
                + "<IsTruncated>false</IsTruncated>" + TAIL, "<ListBucketResult/>", "\uFEFF<ListBucketResult></ListBucketResult>")) {
            Page page = new ListObjectsV2PageParser(0).parse(xml.getBytes(UTF_8));

            assertThat(page.entries()).isEmpty();
            assertThat(page.commonPrefixes()).isEmpty();
            assertThat(page.truncated()).isFalse();
            assertThat(page.hasNextPage()).isFalse();
            assertSameAsSdk(xml, "");
        }
    }

    @Test
    void readsCommonPrefixes() {
        String xml = HEAD + "<Prefix>logs/</Prefix><Delimiter>/</Delimiter><KeyCount>3</KeyCount>"
                + "<Contents><Key>logs/readme</Key><Size>9</Size></Contents>"
                + "<CommonPrefixes><Prefix>logs/2023/</Prefix></CommonPrefixes>"
                + "<CommonPrefixes>\n  <Prefix>logs/2024&amp;5/</Prefix>\n</CommonPrefixes>"
                + "<CommonPrefixes><Other/></CommonPrefixes>" + TAIL;

        Page page = new ListObjectsV2PageParser(5).parse(xml.getBytes(UTF_8));

        assertThat(page.entries()).extracting(ObjectEntry::key).containsExactly("readme");
        // An element without a Prefix is a null prefix in the SDK's list too.
        assertThat(page.commonPrefixes()).containsExactly("logs/2023/", "logs/2024&5/", null);
        assertSameAsSdk(xml, "logs/");
    }

    @Test
    void toleratesAnyOrderUnknownElementsRepeatsAndPrettyPrinting() {
        String xml = "<?xml version='1.0' encoding='utf-8' standalone='yes'?>\n<!-- a comment -->\n"
                + "<ListBucketResult xmlns='http://s3.amazonaws.com/doc/2006-03-01/' extra = \"a>b\">\n"
                + "  <IsTruncated>false</IsTruncated>\n  <IsTruncated>true</IsTruncated>\n"
                + "  <Unknown attr=\"1\"><Deep><Deeper>x &amp; y</Deeper><Empty/></Deep><![CDATA[<ignored>]]></Unknown>\n"
                + "  <Contents>\n    <StorageClass>STANDARD_IA</StorageClass>\n    <Size>42</Size>\n"
                + "    <Size>43</Size>\n    <Owner><ID>1</ID></Owner>\n    <ETag>&quot;abc&quot;</ETag>\n"
                + "    <LastModified>2024-05-06T07:08:09.123456789Z</LastModified>\n    <Key>k1</Key>\n"
                + "    <Key>ignored</Key>\n    <Future><Nested>v</Nested></Future>\n  </Contents>\n"
                + "  <?pi data?>\n  <Contents><Key>k2</Key><Size>7</Size><LastModified>2024-05-06T07:08:09+0000</LastModified>"
                + "<ETag>&quot;&quot;x&quot;&quot;</ETag><ChecksumAlgorithm>SHA256</ChecksumAlgorithm>"
                + "<ChecksumAlgorithm>CRC32</ChecksumAlgorithm><ChecksumType>COMPOSITE</ChecksumType></Contents>\n"
                + "  <Contents><Key>k3</Key><LastModified>2024-05-06T09:08:09+02:00</LastModified>"
                + "<ChecksumAlgorithm>MD5-SOMEDAY</ChecksumAlgorithm><ETag>\"d-2\"</ETag></Contents>\n"
                + "  <Contents><Key>k4</Key><ChecksumAlgorithm>CRC32C</ChecksumAlgorithm><ChecksumType>NEW</ChecksumType>"
                + "<ETag>&quot;d-2&quot;</ETag><Size>+5</Size></Contents>\n"
                + "  <KeyCount>4</KeyCount><KeyCount>not read</KeyCount>\n"
                + "</ListBucketResult>\n<!-- trailing -->\n";

        Page page = new ListObjectsV2PageParser(0).parse(xml.getBytes(UTF_8));

        assertThat(page.entries()).containsExactly(
                new ObjectEntry("k1", 42, "abc", Instant.parse("2024-05-06T07:08:09.123456789Z"), "STANDARD_IA", null),
                new ObjectEntry("k2", 7, "x", Instant.parse("2024-05-06T07:08:09Z"), null,
                        new Checksum(ChecksumAlgorithm.SHA256, ChecksumType.COMPOSITE, null)),
                new ObjectEntry("k3", 0, "d-2", Instant.parse("2024-05-06T07:08:09Z"), null, null),
                new ObjectEntry("k4", 5, "d-2", null, null,
                        new Checksum(ChecksumAlgorithm.CRC32C, ChecksumType.COMPOSITE, null)));
        assertThat(page.truncated()).isFalse();
        assertThat(page.keyCount()).isEqualTo(4);
        assertSameAsSdk(xml, "");
    }

    @Test
    void readsEmptyValuesAsTheSdkDoes() {
        String xml = HEAD + "<Contents><Key>a</Key><StorageClass></StorageClass><ETag/><Size>1</Size>"
                + "<ChecksumAlgorithm/></Contents>"
                + "<Contents><Key>b</Key><StorageClass/><Size>2</Size></Contents>"
                + "<CommonPrefixes><Prefix/></CommonPrefixes><CommonPrefixes/>"
                + "<IsTruncated/><NextContinuationToken/>" + TAIL;

        Page page = new ListObjectsV2PageParser(0).parse(xml.getBytes(UTF_8));

        assertThat(page.entries()).containsExactly(new ObjectEntry("a", 1, "", null, "", null),
                new ObjectEntry("b", 2, null, null, "", null));
        assertThat(page.commonPrefixes()).containsExactly("", null);
        assertThat(page.hasNextPage()).isFalse();
        assertSameAsSdk(xml, "");
        // An empty timestamp does not parse, for the SDK either: even as a page's first one.
        assertThatThrownBy(() -> new ListObjectsV2PageParser(0).parse(
                (HEAD + "<Contents><Key>a</Key><LastModified/></Contents>" + TAIL).getBytes(UTF_8)))
                .isInstanceOf(MalformedPageException.class);
    }

    @Test
    void continuesExactlyWhenTheSdkPaginatorWouldAndReportsTruncation() {
        String withEmptyToken = HEAD + "<IsTruncated>true</IsTruncated><NextContinuationToken></NextContinuationToken>" + TAIL;
        String withToken = HEAD + "<IsTruncated>false</IsTruncated><NextContinuationToken>t&amp;1</NextContinuationToken>" + TAIL;

        // IsTruncated without a token has no next page, and reports IsTruncated so that the listers
        // can refuse it (ListingWholeTest): a listing that stops there is not whole.
        Page truncatedWithoutToken = new ListObjectsV2PageParser(0).parse(withEmptyToken.getBytes(UTF_8));
        assertThat(truncatedWithoutToken.hasNextPage()).isFalse();
        assertThat(truncatedWithoutToken.truncated()).isTrue();
        Page page = new ListObjectsV2PageParser(0).parse(withToken.getBytes(UTF_8));
        assertThat(page.hasNextPage()).isTrue();
        assertThat(page.nextContinuationToken()).isEqualTo("t&1");
        assertThat(page.nextContinuationToken()).isEqualTo(sdkResponse(withToken).nextContinuationToken());
    }

    @Test
    void leavesToTheSdkWhatItDoesNotTakeOn() {
        List<String> bodies = List.of(
                "",
                HEAD,
                HEAD + "<Contents><Key>a</Key>",
                "<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?><ListBucketResult/>",
                "<?xml version=\"1.1\"?><ListBucketResult/>",
                "<!DOCTYPE x [<!ENTITY e \"v\">]><ListBucketResult/>",
                "<Error><Code>InternalError</Code></Error>",
                "<s3:ListBucketResult xmlns:s3=\"http://s3.amazonaws.com/doc/2006-03-01/\"/>",
                HEAD + "<Contents><Key>a&nbsp;b</Key></Contents>" + TAIL,
                HEAD + "<Contents><Key>a&#0;b</Key></Contents>" + TAIL,
                HEAD + "<Contents><Key>a&#xD800;b</Key></Contents>" + TAIL,
                HEAD + "<Contents><Key>a\u0001b</Key></Contents>" + TAIL,
                HEAD + "<Contents><Key>a<!-- c -->b</Key></Contents>" + TAIL,
                HEAD + "<Contents><Key>a<b/></Key></Contents>" + TAIL,
                HEAD + "<Contents><Key>a]]>b</Key></Contents>" + TAIL,
                HEAD + "<Contents><Key>a</Contents></Key>" + TAIL,
                HEAD + "<Contents><Size>1</Size></Contents>" + TAIL,
                HEAD + "<Contents><Key>a</Key><Size>x</Size></Contents>" + TAIL,
                HEAD + "<Contents><Key>a</Key><LastModified>yesterday</LastModified></Contents>" + TAIL,
                HEAD + "<KeyCount>many</KeyCount>" + TAIL,
                HEAD + "<Contents><Key>a%2</Key></Contents><EncodingType>url</EncodingType>" + TAIL,
                HEAD + "<Contents><Key>a%C3</Key></Contents><EncodingType>url</EncodingType>" + TAIL,
                HEAD + "<Contents><Key>a</Key><RestoreStatus><RestoreExpiryDate>soon</RestoreExpiryDate></RestoreStatus>"
                        + "</Contents>" + TAIL,
                HEAD + "<Contents><Key>pre</Key></Contents>" + TAIL);
        for (String body : bodies) {
            assertThatThrownBy(() -> new ListObjectsV2PageParser(4).parse(body.getBytes(UTF_8)))
                    .as(body).isInstanceOf(MalformedPageException.class);
        }
        byte[] invalidUtf8 = (HEAD + "<Contents><Key>a\u00e9</Key></Contents>" + TAIL).getBytes(UTF_8);
        invalidUtf8[HEAD.length() + "<Contents><Key>a".length() + 1] = (byte) 0x41;
        assertThatThrownBy(() -> new ListObjectsV2PageParser(0).parse(invalidUtf8))
                .isInstanceOf(MalformedPageException.class);
    }

    @Test
    void agreesWithTheSdkOnGeneratedPages() {
        Random random = new Random(20240506);
        for (int round = 0; round < 30; round++) {
            boolean url = round % 2 == 0;
            String prefix = round % 3 == 0 ? "" : "pre/";
            StringBuilder xml = new StringBuilder(HEAD);
            List<String> contents = new ArrayList<>();
            // Keys in ascending order, as a whole listing has them (the listers refuse keys that go back).
            java.util.TreeSet<String> keys = new java.util.TreeSet<>(io.github.s3recon.KeyOrder::compareKeys);
            while (keys.size() < 60) {
                keys.add(prefix + randomKey(random, url));
            }
            for (String key : keys) {
                StringBuilder c = new StringBuilder("<Contents>");
                List<String> fields = new ArrayList<>(List.of(
                        "<Key>" + (url ? urlEncode(key) : escape(key, random)) + "</Key>",
                        "<Size>" + (random.nextInt(4) == 0 ? 0 : Math.abs(random.nextLong() >> random.nextInt(60))) + "</Size>",
                        "<ETag>" + (random.nextBoolean() ? "&quot;" : "\"") + Long.toHexString(random.nextLong())
                                + (random.nextInt(4) == 0 ? "-" + (1 + random.nextInt(999)) : "")
                                + (random.nextBoolean() ? "&quot;" : "\"") + "</ETag>",
                        "<LastModified>" + Instant.ofEpochSecond(1_500_000_000L + random.nextInt(100_000_000),
                                random.nextInt(4) == 0 ? random.nextInt(1_000_000_000) : 1_000_000 * random.nextInt(1000))
                                + "</LastModified>",
                        "<StorageClass>" + List.of("STANDARD", "GLACIER", "INTELLIGENT_TIERING").get(random.nextInt(3))
                                + "</StorageClass>"));
                if (random.nextBoolean()) {
                    fields.add("<ChecksumAlgorithm>" + List.of("CRC64NVME", "CRC32", "CRC32C", "SHA1", "SHA256", "XXH3")
                            .get(random.nextInt(6)) + "</ChecksumAlgorithm>");
                    if (random.nextBoolean()) {
                        fields.add("<ChecksumType>" + (random.nextBoolean() ? "FULL_OBJECT" : "COMPOSITE") + "</ChecksumType>");
                    }
                }
                if (random.nextInt(5) == 0) {
                    fields.add("<Owner><ID>" + Long.toHexString(random.nextLong()) + "</ID></Owner>");
                }
                java.util.Collections.shuffle(fields, random);
                fields.forEach(c::append);
                contents.add(c.append("</Contents>").toString());
            }
            List<String> top = new ArrayList<>(contents);
            top.add("<KeyCount>" + contents.size() + "</KeyCount>");
            top.add("<IsTruncated>false</IsTruncated>");
            top.add("<Name>bucket</Name>");
            if (url) {
                top.add("<EncodingType>url</EncodingType>");
            }
            if (!prefix.isEmpty()) {
                top.add("<Prefix>" + prefix + "</Prefix>");
            }
            java.util.Collections.shuffle(top, random);
            // Other elements move around the Contents, which keep their order.
            java.util.Iterator<String> inOrder = contents.iterator();
            top.replaceAll(element -> element.startsWith("<Contents>") ? inOrder.next() : element);
            top.forEach(xml::append);
            xml.append(TAIL);

            Page page = new ListObjectsV2PageParser(prefix.length()).parse(xml.toString().getBytes(UTF_8));

            assertThat(page.entries()).hasSize(60);
            assertSameAsSdk(xml.toString(), prefix);
        }
    }

    // ---- The fast lister against the SDK lister on real servers ----

    @Test
    void fastListerListsSyntheticS3ExactlyAsTheSdkLister() {
        try (SyntheticS3 s3 = SyntheticS3.builder().objects(25_000).objectsPerPrefix(3_000).missingRate(0.01)
                .extraRate(0.02).sizeChangeRate(0.01).build();
             S3AsyncClient client = S3Clients.asyncClient(s3.endpoint(), Region.US_EAST_1,
                     StaticCredentialsProvider.create(AwsBasicCredentials.create("key", "secret")));
             FastS3ObjectLister fast = FastS3ObjectLister.create(3, 1000)) {
            S3ObjectLister sdk = S3ObjectLister.create(3, 1000);
            for (String bucket : List.of(s3.sourceBucket(), s3.destinationBucket())) {
                for (String prefix : List.of("", "d000", "d0002/")) {
                    S3Location location = S3Location.of(client, bucket, prefix);
                    for (KeyRange range : List.of(KeyRange.ALL, new KeyRange(null, "d0001/obj-0000004000"),
                            new KeyRange("d0004/obj-0000012345", null), new KeyRange("2/obj-0000006500", "2/obj-00000079"))) {
                        List<ObjectEntry> expected = list(sdk, location, range);
                        List<ObjectEntry> actual = list(fast, location, range);
                        assertThat(actual).as(location + " " + range).isEqualTo(expected);
                    }
                }
            }
            assertThat(list(fast, S3Location.of(client, s3.destinationBucket()), KeyRange.ALL))
                    .hasSize((int) s3.objectCount(s3.destinationBucket()))
                    .anyMatch(e -> e.key().endsWith("-extra+\u00e9"));
            // Most pages came directly: only the first page of each bucket went through the SDK.
            assertThat(fast.pageCounts().viaSdk()).isEqualTo(2);
            assertThat(fast.pageCounts().direct()).isGreaterThan(100);
        }
    }

    @Test
    void fastListerListsTheEmbeddedServerExactlyAsTheSdkLister() {
        EmbeddedS3 s3 = EmbeddedS3.shared();
        String bucket = "parser-equivalence-" + Long.toHexString(System.nanoTime());
        s3.createBucket(bucket);
        List<String> keys = List.of("a b", "a+b", "100%", "100%25", "x&y<z>\"'", "emoji\uD83D\uDE00", "\u00e9/\u00fc",
                "tab\tkey", "dir/q", "dir/sub/r", "line\nbreak", "ctl\u0001x", "~!@#$^*()=[]{}|;:,.?", "\uFFFD", "cr\rx",
                "\u4E2D\u6587", "z".repeat(900));
        for (String key : keys) {
            s3.put(bucket, key, key.getBytes(UTF_8));
        }
        s3.put(bucket, "sha", new byte[3], b -> b.checksumAlgorithm(software.amazon.awssdk.services.s3.model.ChecksumAlgorithm.SHA256));
        byte[] big = new byte[EmbeddedS3.MIN_PART_SIZE + 17];
        s3.putMultipart(bucket, "multipart", big, EmbeddedS3.MIN_PART_SIZE,
                software.amazon.awssdk.services.s3.model.ChecksumAlgorithm.CRC32_C);

        // Keys with control characters cannot be written in XML: the SDK lister (no encoding-type)
        // cannot list this bucket at all, the fast lister (encoding-type=url) can.
        S3ObjectLister sdk = S3ObjectLister.create(2, 4);
        try (FastS3ObjectLister fast = FastS3ObjectLister.create(2, 4)) {
            S3Location all = S3Location.of(s3.asyncClient(), bucket);
            List<ObjectEntry> listed = list(fast, all, KeyRange.ALL);
            assertThat(listed).extracting(ObjectEntry::key).containsAll(keys).contains("sha", "multipart");
            assertThat(listed).filteredOn(e -> e.key().equals("multipart")).singleElement()
                    .satisfies(e -> assertThat(e.multipartPartCount()).isEqualTo(2));

            // Without the control characters, both list the same, field for field.
            s3.client().deleteObject(b -> b.bucket(bucket).key("ctl\u0001x"));
            for (String prefix : List.of("", "dir/", "a", "emoji")) {
                S3Location location = S3Location.of(s3.asyncClient(), bucket, prefix);
                assertThat(list(fast, location, KeyRange.ALL)).as(prefix).isEqualTo(list(sdk, location, KeyRange.ALL));
                assertThat(list(fast, location, new KeyRange(" ", "m"))).as(prefix)
                        .isEqualTo(list(sdk, location, new KeyRange(" ", "m")));
            }
            assertThat(fast.pageCounts().direct()).isGreaterThan(5);
        } finally {
            // The SDK's paginator under deleteBucket cannot list that key.
            s3.client().deleteObject(b -> b.bucket(bucket).key("ctl\u0001x"));
            s3.deleteBucket(bucket);
        }
    }

    // ---- Helpers ----

    /** Checks the parser's page against the SDK's reading of the same bytes. */
    private static void assertSameAsSdk(String xml, String prefix) {
        Page page = new ListObjectsV2PageParser(prefix.length()).parse(xml.getBytes(UTF_8));
        ListObjectsV2Response response = sdkResponse(xml);
        // S3ObjectLister turns the SDK's objects into entries; ask it through the replay server.
        replay.body = xml.getBytes(UTF_8);
        if (!page.hasNextPage() && !page.truncated() && ascending(page.entries())) {
            List<ObjectEntry> sdkEntries = list(S3ObjectLister.create(), S3Location.of(replayClient, "bucket", prefix),
                    KeyRange.ALL);
            assertThat(page.entries()).as(xml).isEqualTo(sdkEntries);
        } else if (!page.hasNextPage()) {
            // The lister refuses a listing that is not whole: keys that go back, or IsTruncated
            // without a token (ListingWholeTest).
            assertThatThrownBy(() -> list(S3ObjectLister.create(), S3Location.of(replayClient, "bucket", prefix),
                    KeyRange.ALL)).isInstanceOfSatisfying(io.github.s3recon.S3ReconException.class,
                            e -> assertThat(e.code()).isEqualTo(io.github.s3recon.ErrorCode.LISTING_FAILED));
        }
        assertThat(page.entries()).extracting(ObjectEntry::key).as(xml)
                .isEqualTo(response.contents().stream().map(o -> o.key().substring(prefix.length())).collect(Collectors.toList()));
        assertThat(page.commonPrefixes()).as(xml)
                .isEqualTo(response.commonPrefixes().stream().map(CommonPrefix::prefix).collect(Collectors.toList()));
        assertThat(page.truncated()).isEqualTo(Boolean.TRUE.equals(response.isTruncated()));
        assertThat(page.nextContinuationToken()).isEqualTo(response.nextContinuationToken());
        assertThat(page.keyCount()).isEqualTo(response.keyCount());
        assertThat(page.encodingType()).isEqualTo(response.encodingTypeAsString());
    }

    /** Whether each key comes after the one before it in UTF-8 or in UTF-16 order, as the listers check. */
    private static boolean ascending(List<ObjectEntry> entries) {
        for (int i = 1; i < entries.size(); i++) {
            String previous = entries.get(i - 1).key();
            String key = entries.get(i).key();
            if (io.github.s3recon.KeyOrder.compareKeys(key, previous) <= 0 && key.compareTo(previous) <= 0) {
                return false;
            }
        }
        return true;
    }

    private static ListObjectsV2Response sdkResponse(String xml) {
        replay.body = xml.getBytes(UTF_8);
        return replayClient.listObjectsV2(b -> b.bucket("bucket")).join();
    }

    private static List<ObjectEntry> list(io.github.s3recon.spi.ObjectLister lister, S3Location location, KeyRange range) {
        try (Stream<ObjectEntry> entries = lister.list(location, range)) {
            return entries.collect(Collectors.toList());
        }
    }

    private static String randomKey(Random random, boolean url) {
        StringBuilder key = new StringBuilder();
        int length = 1 + random.nextInt(40);
        String specials = "&<>\"' +%/=?#\t\n~";
        for (int i = 0; i < length; i++) {
            switch (random.nextInt(6)) {
                case 0 -> key.append(specials.charAt(random.nextInt(specials.length())));
                case 1 -> key.appendCodePoint(0xA0 + random.nextInt(0xD7FF - 0xA0));
                case 2 -> key.appendCodePoint(0x10000 + random.nextInt(0x10FFFF - 0x10000));
                case 3 -> key.append(url ? (char) (1 + random.nextInt(31)) : 'c');
                default -> key.append((char) ('a' + random.nextInt(26)));
            }
        }
        return key.toString();
    }

    /** As S3 writes text: the five XML escapes, some numeric references, CR as a reference. */
    private static String escape(String s, Random random) {
        StringBuilder out = new StringBuilder();
        s.codePoints().forEach(c -> {
            switch (c) {
                case '&' -> out.append("&amp;");
                case '<' -> out.append("&lt;");
                case '>' -> out.append("&gt;");
                case '"' -> out.append(random.nextBoolean() ? "&quot;" : "\"");
                case '\'' -> out.append(random.nextBoolean() ? "&apos;" : "'");
                case '\r' -> out.append("&#13;");
                default -> {
                    if (c > 0x7F && random.nextInt(8) == 0) {
                        out.append(random.nextBoolean() ? "&#" + c + ";" : "&#x" + Integer.toHexString(c) + ";");
                    } else {
                        out.appendCodePoint(c);
                    }
                }
            }
        });
        return out.toString();
    }

    private static String urlEncode(String s) {
        // As S3 does: form encoding, so a space is '+' (and '+' itself %2B).
        return URLEncoder.encode(s, UTF_8).replace("%2F", "/");
    }

    /** A real HTTP server that answers every request with the body it is given. */
    private static final class ReplayServer implements AutoCloseable {
        private final HttpServer server;
        volatile byte[] body = new byte[0];

        ReplayServer() throws IOException {
            server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 16);
            server.createContext("/", exchange -> {
                exchange.getRequestBody().readAllBytes();
                byte[] answer = body;
                exchange.getResponseHeaders().set("Content-Type", "application/xml");
                exchange.sendResponseHeaders(200, answer.length == 0 ? -1 : answer.length);
                exchange.getResponseBody().write(answer);
                exchange.close();
            });
            server.start();
        }

        URI endpoint() {
            return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
        }

        @Override
        public void close() {
            server.stop(0);
        }
    }
}
