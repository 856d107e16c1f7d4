package io.github.s3recon.dashboard;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.s3recon.Checksum;
import io.github.s3recon.ChecksumAlgorithm;
import io.github.s3recon.ChecksumType;
import io.github.s3recon.Difference;
import io.github.s3recon.ErrorCode;
import io.github.s3recon.MigrationState;
import io.github.s3recon.ObjectEntry;
import io.github.s3recon.S3ReconException;
import io.github.s3recon.TransferAction;
import io.github.s3recon.TransferMode;
import io.github.s3recon.event.DifferenceFound;
import io.github.s3recon.event.MigrationEvent;
import io.github.s3recon.event.ObjectCopied;
import io.github.s3recon.event.ObjectDeleted;
import io.github.s3recon.event.ObjectFailed;
import io.github.s3recon.event.PhaseFinished;
import io.github.s3recon.event.PhaseStarted;
import io.github.s3recon.event.ProgressSnapshot;
import io.github.s3recon.event.RunFinished;
import io.github.s3recon.event.RunResumed;
import io.github.s3recon.event.StateChanged;
import io.github.s3recon.event.TransferRetried;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** The documented JSON form of each event, field by field, and that no secret gets through. */
class EventJsonTest {

    private static final Instant AT = Instant.parse("2026-12-07T10:00:00Z");

    private static JsonNode json(MigrationEvent e) throws Exception {
        String text = EventJson.toJson(e);
        assertThat(text).doesNotContain("\n");
        JsonNode n = Http.JSON.readTree(text);
        assertThat(n.path("at").asText()).isEqualTo("2026-12-07T10:00:00Z");
        assertThat(n.path("type").asText()).isEqualTo(EventJson.type(e));
        return n;
    }

    @Test
    void everyEventHasItsDocumentedForm() throws Exception {
        JsonNode state = json(new StateChanged(AT, null, MigrationState.LISTING));
        assertThat(state.path("type").asText()).isEqualTo("stateChanged");
        assertThat(state.path("from").isNull()).isTrue();
        assertThat(state.path("to").asText()).isEqualTo("LISTING");

        assertThat(json(new PhaseStarted(AT, MigrationState.TRANSFERRING)).path("phase").asText())
                .isEqualTo("TRANSFERRING");
        JsonNode finished = json(new PhaseFinished(AT, MigrationState.LISTING, 10, 2048, Duration.ofMillis(1500)));
        assertThat(finished.path("type").asText()).isEqualTo("phaseFinished");
        assertThat(finished.path("objects").asLong()).isEqualTo(10);
        assertThat(finished.path("bytes").asLong()).isEqualTo(2048);
        assertThat(finished.path("durationMillis").asLong()).isEqualTo(1500);

        JsonNode progress = json(new ProgressSnapshot(AT, MigrationState.TRANSFERRING, 5, 20, 500, -1, 2.5, 250,
                Duration.ofSeconds(6), 20, 2000, 15, 1500, Duration.ofSeconds(2), true));
        assertThat(progress.path("type").asText()).isEqualTo("progress");
        assertThat(progress.path("objectsDone").asLong()).isEqualTo(5);
        assertThat(progress.path("objectsTotal").asLong()).isEqualTo(20);
        assertThat(progress.path("bytesTotal").asLong()).isEqualTo(-1);
        assertThat(progress.path("etaMillis").asLong()).isEqualTo(6000);
        assertThat(progress.path("fractionDone").asDouble()).isEqualTo(0.25);
        assertThat(progress.path("elapsedMillis").asLong()).isEqualTo(2000);
        assertThat(progress.path("resumed").asBoolean()).isTrue();
        assertThat(json(new ProgressSnapshot(AT, MigrationState.LISTING, 0, -1, 0, -1, 0, 0, null, 0, 0, 0, 0,
                Duration.ZERO)).path("etaMillis").isNull()).isTrue();

        Checksum crc = Checksum.of(ChecksumAlgorithm.CRC64NVME, ChecksumType.FULL_OBJECT, "AAAAAAAAAAA=");
        ObjectEntry src = new ObjectEntry("a/b.txt", 3, "etag1", AT, "STANDARD", crc);
        ObjectEntry dst = new ObjectEntry("a/b.txt", 4, "etag2", AT, "STANDARD", null);
        JsonNode diff = json(new DifferenceFound(AT, new Difference.SizeMismatch(src, dst))).path("difference");
        assertThat(diff.path("type").asText()).isEqualTo("SIZE_MISMATCH");
        assertThat(diff.path("key").asText()).isEqualTo("a/b.txt");
        assertThat(diff.path("source").path("size").asLong()).isEqualTo(3);
        assertThat(diff.path("source").path("checksum").path("algorithm").asText()).isEqualTo("CRC64NVME");
        assertThat(diff.path("destination").path("checksum").isNull()).isTrue();
        assertThat(json(new DifferenceFound(AT, new Difference.MissingInDestination(src))).path("difference")
                .path("destination").isNull()).isTrue();

        JsonNode copied = json(new ObjectCopied(AT, "k\n2", 99, TransferMode.RELAY, 2, crc));
        assertThat(copied.path("key").asText()).isEqualTo("k\n2"); // escaped by JSON, whole in the value
        assertThat(copied.path("mode").asText()).isEqualTo("RELAY");
        assertThat(copied.path("attempts").asInt()).isEqualTo(2);
        assertThat(copied.path("checksum").path("value").asText()).isEqualTo("AAAAAAAAAAA=");
        assertThat(json(new ObjectDeleted(AT, "gone", 1)).path("type").asText()).isEqualTo("objectDeleted");

        S3ReconException error = new S3ReconException(ErrorCode.ACCESS_DENIED,
                "403 for http://user:hunter2@host/b?X-Amz-Signature=abcdef0123");
        JsonNode failed = json(new ObjectFailed(AT, "k", TransferAction.RECOPY, error, 3));
        assertThat(failed.path("action").asText()).isEqualTo("RECOPY");
        assertThat(failed.path("error").path("code").asText()).isEqualTo("ACCESS_DENIED");
        assertThat(failed.toString()).doesNotContain("hunter2").doesNotContain("abcdef0123");

        JsonNode retry = json(new TransferRetried(AT, "k", 1, "503 SlowDown", Duration.ofMillis(250)));
        assertThat(retry.path("type").asText()).isEqualTo("retry");
        assertThat(retry.path("backoffMillis").asLong()).isEqualTo(250);
        JsonNode resumed = json(new RunResumed(AT, "run-1", MigrationState.TRANSFERRING, 2));
        assertThat(resumed.path("runId").asText()).isEqualTo("run-1");
        assertThat(resumed.path("attempt").asInt()).isEqualTo(2);

        JsonNode done = json(new RunFinished(AT, MigrationState.COMPLETED, Duration.ofSeconds(3), null));
        assertThat(done.path("type").asText()).isEqualTo("finished");
        assertThat(done.path("error").isNull()).isTrue();
        JsonNode cancelled = json(new RunFinished(AT, MigrationState.CANCELLED, Duration.ofSeconds(3),
                new S3ReconException(ErrorCode.CANCELLED, "cancelled: run again to resume")));
        assertThat(cancelled.path("error").path("code").asText()).isEqualTo("CANCELLED");
    }
}
