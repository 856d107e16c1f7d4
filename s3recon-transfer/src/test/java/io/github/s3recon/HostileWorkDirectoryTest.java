package io.github.s3recon;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.s3recon.testkit.EmbeddedS3;
import io.github.s3recon.transfer.SizeTieredScheduler;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * A work directory the engine cannot use: read-only, or holding a damaged database. Each gets a
 * clear error that names the directory or file and the fix, and neither bucket is touched.
 */
class HostileWorkDirectoryTest {

    private final EmbeddedS3 s3 = EmbeddedS3.shared();

    @TempDir
    Path temp;

    private String src;
    private String dst;

    private void seed() {
        src = MigrationRunTest.bucket(s3, "hostile-src");
        dst = MigrationRunTest.bucket(s3, "hostile-dst");
        for (int i = 0; i < 5; i++) {
            s3.put(src, "k" + i, ("v" + i).getBytes(UTF_8));
        }
        s3.put(dst, "extra", "x".getBytes(UTF_8));
    }

    private Migration.Builder builder(Path work) {
        return Migration.builder().source(S3Location.of(s3.asyncClient(), src))
                .destination(S3Location.of(s3.asyncClient(), dst)).workDirectory(work)
                .transferScheduler(SizeTieredScheduler.builder().build()).deleteExtraneous(true);
    }

    private Map<String, Long> listing(String bucket) {
        Map<String, Long> m = new TreeMap<>();
        for (S3Object o : s3.client().listObjectsV2Paginator(b -> b.bucket(bucket)).contents()) {
            m.put(o.key(), o.size());
        }
        return m;
    }

    @Test
    void aReadOnlyWorkDirectoryIsRefusedWithItsName() throws Exception {
        seed();
        Path work = Files.createDirectories(temp.resolve("read-only"));
        boolean immutable = makeReadOnly(work);
        try {
            Map<String, Long> before = listing(dst);
            assertThatThrownBy(() -> {
                try (Migration m = builder(work).build()) {
                    m.run();
                }
            }).isInstanceOfSatisfying(S3ReconException.class, e -> {
                assertThat(e.code()).isIn(ErrorCode.WORK_DIRECTORY_UNUSABLE);
                assertThat(e.getMessage()).contains(work.toString()).containsIgnoringCase("writable");
            });
            assertThat(listing(dst)).isEqualTo(before);
        } finally {
            undo(work, immutable);
        }
    }

    @Test
    void aDamagedDatabaseIsRefusedWithItsNameAndTheFix() throws Exception {
        seed();
        Path work = Files.createDirectories(temp.resolve("damaged"));
        byte[] garbage = new byte[64 * 1024];
        new java.util.Random(3).nextBytes(garbage);
        System.arraycopy("SQLite format 3\0".getBytes(UTF_8), 0, garbage, 0, 16);
        Files.write(work.resolve("s3recon.db"), garbage);
        Map<String, Long> before = listing(dst);
        assertThatThrownBy(() -> {
            try (Migration m = builder(work).build()) {
                m.run();
            }
        }).isInstanceOfSatisfying(S3ReconException.class, e -> {
            assertThat(e.code()).isEqualTo(ErrorCode.STORE_FAILED);
            assertThat(e.getMessage()).contains("s3recon.db");
        });
        assertThat(listing(dst)).isEqualTo(before);
        assertThat(Files.readAllBytes(work.resolve("s3recon.db"))).as("the damaged file is left as it was")
                .isEqualTo(garbage);
    }

    /** Read-only for this process: permissions where they bind, the immutable attribute for root. */
    private static boolean makeReadOnly(Path dir) throws IOException, InterruptedException {
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("r-xr-xr-x"));
        if (!Files.isWritable(dir) && !canCreateIn(dir)) {
            return false;
        }
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
        Process chattr = new ProcessBuilder("chattr", "+i", dir.toString()).redirectErrorStream(true).start();
        boolean set = chattr.waitFor() == 0 && !canCreateIn(dir);
        Assumptions.assumeTrue(set, "cannot make a directory read-only here: permissions do not bind (root) and "
                + "chattr +i is not available; the read-only work directory test is skipped");
        return true;
    }

    private static boolean canCreateIn(Path dir) {
        try {
            Files.delete(Files.createFile(dir.resolve("probe")));
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private static void undo(Path dir, boolean immutable) throws IOException, InterruptedException {
        if (immutable) {
            new ProcessBuilder("chattr", "-i", dir.toString()).redirectErrorStream(true).start().waitFor();
        }
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
    }
}
