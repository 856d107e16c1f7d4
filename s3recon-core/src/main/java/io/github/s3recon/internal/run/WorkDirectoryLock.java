package io.github.s3recon.internal.run;

import io.github.s3recon.ErrorCode;
import io.github.s3recon.MigrationState;
import io.github.s3recon.S3ReconException;
import io.github.s3recon.event.MigrationListener;
import io.github.s3recon.event.RunFinished;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.time.Duration;

/**
 * One run at a time per work directory, across processes: an OS file lock, which a killed process
 * releases with its life.
 */
final class WorkDirectoryLock implements AutoCloseable {
    private final FileChannel channel;
    private final FileLock lock;

    private WorkDirectoryLock(FileChannel channel, FileLock lock) {
        this.channel = channel;
        this.lock = lock;
    }

    static WorkDirectoryLock acquire(Path workDirectory, MigrationListener listener, Clock clock) {
        Path file = workDirectory.resolve("s3recon.lock");
        FileChannel channel = null;
        try {
            channel = FileChannel.open(file, StandardOpenOption.CREATE,
                    StandardOpenOption.WRITE);
            FileLock lock = channel.tryLock();
            if (lock != null) {
                return new WorkDirectoryLock(channel, lock);
            }
        } catch (OverlappingFileLockException e) {
            // held by another migration in this JVM: the same answer
        } catch (IOException e) {
            close(channel);
            S3ReconException failure = new S3ReconException(ErrorCode.WORK_DIRECTORY_UNUSABLE, "cannot lock "
                    + file + ": " + e + " (the work directory must be writable)", e);
            listener.onFinished(new RunFinished(clock.instant(), MigrationState.FAILED, Duration.ZERO, failure));
            throw failure;
        }
        close(channel);
        S3ReconException busy = new S3ReconException(ErrorCode.WORK_DIRECTORY_UNUSABLE, "another migration is "
                + "running in the work directory " + workDirectory + " (it holds " + file + "): wait until it "
                + "ends, or give each concurrent migration (e.g. each shard) a work directory of its own");
        listener.onFinished(new RunFinished(clock.instant(), MigrationState.FAILED, Duration.ZERO, busy));
        throw busy;
    }

    private static void close(FileChannel channel) {
        try {
            if (channel != null) {
                channel.close();
            }
        } catch (IOException ignored) {
            // nothing was locked
        }
    }

    @Override
    public void close() {
        try {
            lock.release();
        } catch (IOException ignored) {
            // closing the channel releases it too
        }
        close(channel);
    }
}
