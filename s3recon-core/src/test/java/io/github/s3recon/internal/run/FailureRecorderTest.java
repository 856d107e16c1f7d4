package io.github.s3recon.internal.run;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.s3recon.ErrorCode;
import io.github.s3recon.S3ReconException;
import io.github.s3recon.TransferAction;
import io.github.s3recon.event.ObjectCopied;
import io.github.s3recon.event.ObjectDeleted;
import io.github.s3recon.event.ObjectFailed;
import io.github.s3recon.event.TransferRetried;
import io.github.s3recon.spi.TransferOutcomes;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The failures file: one JSON line per failed object, written even when the next receiver throws. */
class FailureRecorderTest {

    @TempDir
    Path dir;

    private static ObjectFailed failed(String key) {
        return new ObjectFailed(Instant.EPOCH, key, TransferAction.COPY,
                new S3ReconException(ErrorCode.COPY_FAILED, "no luck with " + key), 3);
    }

    @Test
    void writesEachFailureAfterPassingItOnEvenIfTheNextReceiverThrows() {
        Path file = dir.resolve("failures.jsonl");
        TransferOutcomes throwing = new TransferOutcomes() {
            @Override
            public void copied(ObjectCopied event) {
            }

            @Override
            public void deleted(ObjectDeleted event) {
            }

            @Override
            public void failed(ObjectFailed event) {
                throw new IllegalStateException("receiver bug");
            }

            @Override
            public void retried(TransferRetried event) {
            }
        };
        try (FailureRecorder recorder = new FailureRecorder(throwing, file)) {
            assertThatThrownBy(() -> recorder.failed(failed("a"))).hasMessage("receiver bug");
            assertThatThrownBy(() -> recorder.failed(failed("b"))).hasMessage("receiver bug");
        }
        assertThat(lines(file)).hasSize(2).satisfies(l -> {
            assertThat(l.get(0)).contains("\"key\":\"a\"").contains("\"code\":\"COPY_FAILED\"")
                    .contains("\"attempts\":3");
            assertThat(l.get(1)).contains("\"key\":\"b\"");
        });
    }

    @Test
    void writesNoFileWithoutFailures() {
        Path file = dir.resolve("failures.jsonl");
        try (FailureRecorder recorder = new FailureRecorder(TransferOutcomes.NONE, file)) {
            recorder.copied(new ObjectCopied(Instant.EPOCH, "c", 1, io.github.s3recon.TransferMode.SERVER_SIDE, 1,
                    null));
        }
        assertThat(file).doesNotExist();
    }

    private static List<String> lines(Path file) {
        try {
            return Files.readAllLines(file).stream().filter(l -> !l.isBlank()).toList();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
