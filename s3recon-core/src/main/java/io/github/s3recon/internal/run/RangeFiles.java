package io.github.s3recon.internal.run;

import io.github.s3recon.ErrorCode;
import io.github.s3recon.S3ReconException;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Locale;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The files of a listing pass in the run's directory: one differences file (and one plan file) per
 * key range, written by the range's thread, then joined in range order (and so in key order) into
 * the pass's files.
 */
final class RangeFiles {

    private static final Logger LOG = LoggerFactory.getLogger(RangeFiles.class);
    static final String DIFFERENCES = "range-";
    static final String PLAN = "plan-";

    private RangeFiles() {
    }

    static Path file(Path runDirectory, String kind, int index) {
        return runDirectory.resolve(String.format(Locale.ROOT, "%s%06d.jsonl", kind, index));
    }

    /** Whether a range's file holds at least the bytes its checkpoint recorded (else the range starts over). */
    static boolean holds(Path file, long bytes) {
        try {
            return Files.exists(file) && Files.size(file) >= bytes;
        } catch (IOException e) {
            return false;
        }
    }

    /**
     * Joins the range files of one kind into one, and forces it (and its directory entry) to disk: a
     * resumed run reads the plan from it after the checkpoint says the plan stage is over.
     */
    static void concatenate(Path runDirectory, String kind, int ranges, Path into) {
        try (FileChannel out = FileChannel.open(into, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            for (int i = 0; i < ranges; i++) {
                try (FileChannel part = FileChannel.open(file(runDirectory, kind, i), StandardOpenOption.READ)) {
                    long size = part.size();
                    for (long at = 0; at < size; ) {
                        at += part.transferTo(at, size - at, out);
                    }
                }
            }
            out.force(true);
        } catch (IOException e) {
            throw new S3ReconException(ErrorCode.REPORT_FAILED, "cannot write " + into + ": " + e
                    + " (check free disk space in the work directory)", e);
        }
        forceDirectory(runDirectory);
    }

    /** Makes a new file's directory entry durable (where the platform allows opening a directory). */
    static void forceDirectory(Path directory) {
        try (FileChannel dir = FileChannel.open(directory, StandardOpenOption.READ)) {
            dir.force(true);
        } catch (IOException | UnsupportedOperationException e) {
            LOG.debug("cannot force the directory {} to disk (not supported here)", directory, e);
        }
    }

    static void delete(Path runDirectory, int ranges) {
        for (int i = 0; i < ranges; i++) {
            try {
                Files.deleteIfExists(file(runDirectory, DIFFERENCES, i));
                Files.deleteIfExists(file(runDirectory, PLAN, i));
            } catch (IOException e) {
                LOG.debug("cannot delete a range file in {}", runDirectory, e);
            }
        }
    }

    /** The size of a file the run wrote. */
    static long size(Path file) {
        try {
            return Files.size(file);
        } catch (IOException e) {
            throw new S3ReconException(ErrorCode.REPORT_FAILED, "cannot read the size of " + file + ": " + e, e);
        }
    }
}
