package io.github.s3recon;

import io.github.s3recon.testkit.EmbeddedS3;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import software.amazon.awssdk.services.s3.model.ChecksumAlgorithm;

/**
 * A deterministic set of mixed objects for migration tests: zero-byte, small, larger than the test
 * scheduler's threshold (single PUT and multipart, with and without checksums), keys with unicode
 * (inside and outside the Basic Multilingual Plane) and URL-special characters, content headers,
 * user metadata and tags.
 */
final class MixedObjects {

    /** The small-object threshold of the test schedulers: objects from this size go multipart. */
    static final int THRESHOLD = 6 * 1024 * 1024;

    private static final String[] DIRECTORIES = {"photos/2024/", "données/été/", "日本/東京/", "emoji/😀/",
        "odd chars/a+b=c&d/", "per%cent/#hash/?q/", "deep/a/b/c/d/e/", ""};

    private MixedObjects() {
    }

    /** One object's key and bytes, as written. */
    record Seeded(String key, byte[] content, boolean tagged, boolean withMetadata) {
    }

    /**
     * Seeds {@code count} small objects plus four large ones into a bucket.
     *
     * @param s3 the server
     * @param bucket the bucket, existing
     * @param count how many small objects
     * @return what was written, in no particular order
     */
    static List<Seeded> seed(EmbeddedS3 s3, String bucket, int count) {
        Random random = new Random(42);
        List<Seeded> seeded = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            String key = DIRECTORIES[i % DIRECTORIES.length] + "object " + i + (i % 3 == 0 ? ".jpg" : ".txt");
            byte[] content = i % 50 == 0 ? new byte[0] : new byte[1 + random.nextInt(4096)];
            random.nextBytes(content);
            boolean tagged = i % 25 == 1;
            boolean meta = i % 20 == 2;
            if (tagged) {
                s3.putTagged(bucket, key, content, Map.of("project", "s3recon", "n", Integer.toString(i)));
            } else if (meta) {
                Map<String, String> metadata = metadata(i);
                s3.put(bucket, key, content, b -> b.contentType("image/jpeg").cacheControl("max-age=60")
                        .contentDisposition("attachment; filename=\"x.jpg\"").contentLanguage("fr")
                        .metadata(metadata));
            } else {
                s3.put(bucket, key, content);
            }
            seeded.add(new Seeded(key, content, tagged, meta));
        }
        byte[] big = new byte[2 * EmbeddedS3.MIN_PART_SIZE + 4321];
        random.nextBytes(big);
        s3.putMultipart(bucket, "large/multipart-crc32.bin", big, EmbeddedS3.MIN_PART_SIZE, ChecksumAlgorithm.CRC32);
        seeded.add(new Seeded("large/multipart-crc32.bin", big, false, false));
        byte[] big2 = big.clone();
        big2[0] ^= 1;
        s3.putMultipart(bucket, "large/multipart-plain.bin", big2, EmbeddedS3.MIN_PART_SIZE, null);
        seeded.add(new Seeded("large/multipart-plain.bin", big2, false, false));
        byte[] single = new byte[THRESHOLD + 1024 * 1024];
        random.nextBytes(single);
        s3.put(bucket, "large/single-put.bin", single, b -> b.contentType("application/octet-stream")
                .metadata(Map.of("origin", "single")));
        seeded.add(new Seeded("large/single-put.bin", single, false, true));
        byte[] tagged = new byte[THRESHOLD + 3];
        random.nextBytes(tagged);
        s3.putTagged(bucket, "large/tagged ünïcode 😀.bin", tagged, Map.of("size", "large"));
        seeded.add(new Seeded("large/tagged ünïcode 😀.bin", tagged, true, false));
        return seeded;
    }

    static Map<String, String> metadata(int i) {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("index", Integer.toString(i));
        m.put("owner", "team-" + (i % 7));
        return m;
    }

    static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
