package io.github.s3recon.internal.relay;

import io.github.s3recon.KeyRange;
import io.github.s3recon.ObjectEntry;
import io.github.s3recon.Redact;
import io.github.s3recon.S3Errors;
import io.github.s3recon.S3Location;
import io.github.s3recon.TrialReport;
import io.github.s3recon.event.ObjectCopied;
import io.github.s3recon.event.ObjectDeleted;
import io.github.s3recon.event.ObjectFailed;
import io.github.s3recon.event.TransferRetried;
import io.github.s3recon.spi.ObjectSource;
import io.github.s3recon.spi.TransferOutcomes;
import java.io.IOException;
import java.io.InputStream;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Predicate;
import java.util.stream.Stream;
import software.amazon.awssdk.core.async.AsyncResponseTransformer;

/**
 * A trial of a migration: the first {@code n} objects the source lists in scope are relayed
 * ({@link RelaySession}) under a trial prefix of the destination, read back and compared with the
 * source byte for byte, then deleted, whatever happened. Nothing else is written. The rate is that
 * of the copies alone.
 */
public final class Trial {

    private final ObjectSource source;
    private final S3Location destination;
    private final String trialPrefix;
    private final Predicate<String> filter;
    private final Clock clock;

    /**
     * Prepares a trial.
     *
     * @param source the migration's source; not null
     * @param destination the migration's destination; not null
     * @param trialPrefix appended to the destination's prefix; not null, not empty
     * @param filter the keys in scope; not null
     * @param clock times the copies; not null
     */
    public Trial(ObjectSource source, S3Location destination, String trialPrefix, Predicate<String> filter,
            Clock clock) {
        this.source = source;
        this.destination = destination;
        this.trialPrefix = trialPrefix;
        this.filter = filter;
        this.clock = clock;
    }

    /**
     * Runs the trial.
     *
     * @param n how many objects to try; positive
     * @return the report
     */
    public TrialReport run(int n) {
        S3Location at = S3Location.of(destination.client(), destination.bucket(), destination.prefix() + trialPrefix);
        List<ObjectEntry> picked = new ArrayList<>();
        try (Stream<ObjectEntry> listed = source.list(KeyRange.ALL)) {
            listed.filter(e -> filter.test(e.key())).limit(n).forEach(picked::add);
        }
        Map<String, String> failed = new ConcurrentHashMap<>();
        Map<String, Long> copied = new ConcurrentHashMap<>();
        TransferOutcomes outcomes = new TransferOutcomes() {
            @Override
            public void copied(ObjectCopied e) {
                copied.put(e.key(), e.bytes());
            }

            @Override
            public void deleted(ObjectDeleted e) {
            }

            @Override
            public void failed(ObjectFailed e) {
                failed.put(e.key(), e.error().getMessage());
            }

            @Override
            public void retried(TransferRetried e) {
            }
        };
        long started = System.nanoTime();
        RelaySession.Settings defaults = RelaySession.Settings.defaults();
        try (RelaySession session = new RelaySession(source, at, outcomes, clock, defaults)) {
            picked.forEach(session::copy);
            session.awaitCompletion();
        }
        Duration elapsed = Duration.ofNanos(System.nanoTime() - started);
        List<String> failures = new ArrayList<>();
        int verified = 0;
        int leftBehind = 0;
        long bytes = 0;
        for (ObjectEntry e : picked) {
            String key = "'" + Redact.key(e.key()) + "'";
            if (failed.containsKey(e.key())) {
                failures.add(key + ": copy failed: " + failed.get(e.key()));
            }
            if (copied.containsKey(e.key())) {
                bytes += copied.get(e.key());
                String why = verify(at, e);
                if (why == null) {
                    verified++;
                } else {
                    failures.add(key + ": " + why);
                }
            }
            // Deleted whatever happened: a failed copy may have left an object (or an upload, aborted by the session).
            String fullKey = at.fullKey(e.key());
            try {
                at.client().deleteObject(b -> b.bucket(at.bucket()).key(fullKey)).join();
            } catch (RuntimeException x) {
                leftBehind++;
                failures.add(key + ": could not be deleted from " + at + ": "
                        + S3Errors.translate(S3Errors.unwrap(x), at, "DeleteObject").getMessage());
            }
        }
        return new TrialReport(source.describe(), at.toString(), picked.size(), copied.size(), verified, bytes, elapsed,
                failures, leftBehind);
    }

    /** Compares the copy with the source byte for byte; null when equal, else why not. */
    private String verify(S3Location at, ObjectEntry e) {
        String fullKey = at.fullKey(e.key());
        try (InputStream a = io.github.s3recon.internal.SourceReads.open(source, e, 0, -1);
                InputStream b = at.client().getObject(r -> r.bucket(at.bucket()).key(fullKey),
                        AsyncResponseTransformer.toBlockingInputStream()).join()) {
            byte[] x = new byte[64 * 1024];
            byte[] y = new byte[x.length];
            long offset = 0;
            while (true) {
                int n = a.readNBytes(x, 0, x.length);
                int m = b.readNBytes(y, 0, n == 0 ? 1 : n);
                if (n != m || !Arrays.equals(x, 0, n, y, 0, m)) {
                    return "the copy differs from the source at or after byte " + offset;
                }
                if (n == 0) {
                    return null;
                }
                offset += n;
            }
        } catch (IOException | RuntimeException x) {
            return "could not be read back to verify: " + Redact.text(String.valueOf(x.getMessage()));
        }
    }
}
