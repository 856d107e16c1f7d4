package io.github.s3recon.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.s3recon.testkit.FaultInjectingProxy;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Endpoints and credentials the way operators configure the AWS CLI: flags for both sides and per
 * side, {@code ~/.aws} files (a home of the test's own), {@code AWS_CONFIG_FILE},
 * {@code AWS_SHARED_CREDENTIALS_FILE}, {@code AWS_PROFILE} and {@code AWS_ENDPOINT_URL(_S3)}.
 * Each side's server is a proxy in front of the embedded server that accepts one access key only,
 * so a request signed with the other side's key is refused and counted.
 */
class CliConnectionTest extends CliTestBase {

    private static final String SOURCE_KEY = "AKIASOURCETEAM000001";
    private static final String SOURCE_SECRET = "SourceSecretNeverShown/0123456789abcdefgh";
    private static final String BACKUP_KEY = "AKIABACKUPTEAM000002";
    private static final String BACKUP_SECRET = "BackupSecretNeverShown/0123456789abcdefgh";

    /** Writes the two teams' profiles into {@code dir/credentials} and {@code dir/config}. */
    private static void writeAwsFiles(Path dir) throws Exception {
        Files.createDirectories(dir);
        Files.writeString(dir.resolve("credentials"), "[source-team]\naws_access_key_id = " + SOURCE_KEY
                + "\naws_secret_access_key = " + SOURCE_SECRET + "\n\n[backup-team]\naws_access_key_id = " + BACKUP_KEY
                + "\naws_secret_access_key = " + BACKUP_SECRET + "\n");
        Files.writeString(dir.resolve("config"), "[profile source-team]\nregion = us-east-1\n\n"
                + "[profile backup-team]\nregion = us-east-1\n");
    }

    /** The environment without the test credentials: only the profiles give any. */
    private Map<String, String> profilesOnly(Path state) {
        Map<String, String> env = env();
        env.remove("AWS_ACCESS_KEY_ID");
        env.remove("AWS_SECRET_ACCESS_KEY");
        env.remove("AWS_REGION");
        env.put("AWS_EC2_METADATA_DISABLED", "true");
        env.put("S3RECON_HOME", state.toString());
        return env;
    }

    @Test
    void eachSideHasItsOwnEndpointAndProfileFromTheAwsDirectoryOfHome() throws Exception {
        seed("conn-src", 4, "");
        s3.createBucket("conn-dst");
        Path user = home.resolve("user");
        writeAwsFiles(user.resolve(".aws"));
        // The home of a user of its own: ~/.aws for the SDK (HOME), ~/.s3recon for s3recon (user.home).
        Path state = user.resolve(".s3recon");
        Map<String, String> env = profilesOnly(state);
        env.remove("S3RECON_HOME");
        env.put("HOME", user.toString());
        env.put("JAVA_TOOL_OPTIONS", "-Duser.home=" + user);
        try (FaultInjectingProxy source = FaultInjectingProxy.start(s3.endpoint()).acceptOnlyAccessKey(SOURCE_KEY);
                FaultInjectingProxy backup = FaultInjectingProxy.start(s3.endpoint()).acceptOnlyAccessKey(BACKUP_KEY)) {
            // The flags for both sides name nothing that works: the per-side flags win.
            CliProcess.Result run = CliProcess.run(env, "run", "--endpoint-url", "http://127.0.0.1:1",
                    "--profile", "nobody", "--source-endpoint-url", source.endpoint().toString(), "--source-profile",
                    "source-team", "--destination-endpoint-url", backup.endpoint().toString(), "--destination-profile",
                    "backup-team", "s3://conn-src", "s3://conn-dst");
            assertThat(run.exit()).as(run.err()).isZero();
            assertThat(run.out()).contains("COMPLETED: 0 differences").contains("copied 4 objects");
            assertThat(source.forwardedCount()).isPositive();
            assertThat(backup.forwardedCount()).isPositive();
            assertThat(source.rejectedCount() + backup.rejectedCount()).isZero();
            assertThat(s3.client().listObjectsV2(l -> l.bucket("conn-dst")).contents()).hasSize(4);
            // The pair's default work directory, under ~/.s3recon.
            try (Stream<Path> dirs = Files.list(state)) {
                assertThat(dirs.toList()).singleElement()
                        .satisfies(d -> assertThat(d.getFileName().toString()).startsWith("conn-src-to-conn-dst-"));
            }

            // The profiles swapped: each side's server refuses the other team's key, in one line.
            CliProcess.Result swapped = CliProcess.run(env, "reconcile", "--source-endpoint-url",
                    source.endpoint().toString(), "--source-profile", "backup-team", "--destination-endpoint-url",
                    backup.endpoint().toString(), "--destination-profile", "source-team", "--work-dir",
                    home.resolve("swapped").toString(), "s3://conn-src", "s3://conn-dst");
            assertThat(swapped.exit()).as(swapped.err()).isEqualTo(ExitCodes.FAILED);
            assertThat(swapped.errLines()).singleElement().asString().startsWith("s3recon: ");
            assertThat(source.rejectedCount()).isPositive();

            CliProcess.Result unknown = CliProcess.run(env, "reconcile", "--endpoint-url", source.endpoint().toString(),
                    "--profile", "nobody", "s3://conn-src", "s3://conn-dst");
            assertThat(unknown.exit()).isEqualTo(ExitCodes.FAILED);
            assertThat(unknown.errLines()).singleElement().asString().contains("profile 'nobody'")
                    .contains("--profile");

            CliProcess.Result region = CliProcess.run(env, "reconcile", "--source-region", "EU_WEST",
                    "--endpoint-url", source.endpoint().toString(), "--profile", "source-team", "s3://conn-src",
                    "s3://conn-dst");
            assertThat(region.exit()).isEqualTo(ExitCodes.USAGE);
            assertThat(region.errLines()).singleElement().asString().contains("--source-region").contains("us-east-1");

            // The secrets of the files are in no output and nowhere in the state s3recon keeps.
            for (CliProcess.Result r : List.of(run, swapped, unknown, region)) {
                assertThat(r.out() + r.err()).doesNotContain(SOURCE_SECRET).doesNotContain(BACKUP_SECRET);
            }
            assertNoFileHolds(state, SOURCE_SECRET);
            assertNoFileHolds(state, BACKUP_SECRET);
            assertNoFileHolds(home.resolve("swapped"), BACKUP_SECRET);
        }
    }

    @Test
    void theEnvironmentAloneConfiguresBothSides() throws Exception {
        seed("conn-env-src", 3, "");
        s3.createBucket("conn-env-dst");
        Path aws = home.resolve("aws");
        writeAwsFiles(aws);
        Path state = home.resolve("state");
        Map<String, String> env = profilesOnly(state);
        env.put("AWS_CONFIG_FILE", aws.resolve("config").toString());
        env.put("AWS_SHARED_CREDENTIALS_FILE", aws.resolve("credentials").toString());
        env.put("AWS_PROFILE", "source-team");
        try (FaultInjectingProxy server = FaultInjectingProxy.start(s3.endpoint()).acceptOnlyAccessKey(SOURCE_KEY)) {
            env.put("AWS_ENDPOINT_URL", "http://127.0.0.1:1"); // AWS_ENDPOINT_URL_S3 wins, as for the AWS CLI
            env.put("AWS_ENDPOINT_URL_S3", server.endpoint().toString());

            // No flag at all: the environment names the server, the profile and the credentials.
            CliProcess.Result before = CliProcess.run(env, "reconcile", "s3://conn-env-src", "s3://conn-env-dst");
            assertThat(before.exit()).as(before.err()).isEqualTo(ExitCodes.DIFFERENCES);
            CliProcess.Result run = CliProcess.run(env, "run", "-q", "s3://conn-env-src", "s3://conn-env-dst");
            assertThat(run.exit()).as(run.err()).isZero();
            assertThat(server.forwardedCount()).isPositive();
            assertThat(server.rejectedCount()).isZero();
            // One default work directory for the pair, under S3RECON_HOME, used by both commands.
            try (Stream<Path> dirs = Files.list(state)) {
                assertThat(dirs.toList()).singleElement()
                        .satisfies(d -> assertThat(d.getFileName().toString()).startsWith("conn-env-src-to-conn-env-dst-"));
            }

            // Another profile in AWS_PROFILE: the server refuses its key.
            env.put("AWS_PROFILE", "backup-team");
            CliProcess.Result refused = CliProcess.run(env, "reconcile", "s3://conn-env-src", "s3://conn-env-dst");
            assertThat(refused.exit()).isEqualTo(ExitCodes.FAILED);
            assertThat(refused.errLines()).singleElement().asString().startsWith("s3recon: ");
            for (CliProcess.Result r : List.of(before, run, refused)) {
                assertThat(r.out() + r.err()).doesNotContain(SOURCE_SECRET).doesNotContain(BACKUP_SECRET);
            }
            assertNoFileHolds(state, SOURCE_SECRET);
            assertNoFileHolds(state, BACKUP_SECRET);
        }
    }
}
