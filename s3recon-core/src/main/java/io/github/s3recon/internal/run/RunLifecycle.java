package io.github.s3recon.internal.run;

import io.github.s3recon.ErrorCode;
import io.github.s3recon.MigrationState;
import io.github.s3recon.Redact;
import io.github.s3recon.S3ReconException;
import io.github.s3recon.event.PhaseFinished;
import io.github.s3recon.event.PhaseStarted;
import io.github.s3recon.event.RunFinished;
import io.github.s3recon.event.RunResumed;
import io.github.s3recon.event.StateChanged;
import io.github.s3recon.internal.RunConfiguration;
import io.github.s3recon.internal.RunSettings;
import io.github.s3recon.spi.CheckpointStore;
import io.github.s3recon.spi.CheckpointStore.LogLine;
import io.github.s3recon.spi.CheckpointStore.RunKind;
import io.github.s3recon.spi.CheckpointStore.RunRecord;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The record of one run in the checkpoint store, from its start (or resume) to its end: its state
 * transitions (durable, logged, announced), its log, its phase events, its resume state, and how
 * it ends (completed, failed, cancelled, or abandoned for a new run).
 *
 * <p>Only a run of kind {@link RunKind#RUN} resumes: it keeps a resume state until it completes.
 * Runs of other kinds forget their progress (and abort their uploads) when they stop.
 *
 * <p>Used by the run's own thread; the state and record are volatile for {@link #state()} readers.
 */
final class RunLifecycle {

    private static final Logger LOG = LoggerFactory.getLogger(RunLifecycle.class);
    private static final DateTimeFormatter RUN_ID = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss.SSS'Z'")
            .withZone(ZoneOffset.UTC);

    private final RunContext run;
    private final String id;
    private final Path directory;
    private final Instant startedAt;
    private final boolean resumed;
    private volatile RunRecord record;
    private volatile MigrationState state;
    private ResumeState resume;

    private RunLifecycle(RunContext run, RunRecord record, ResumeState resume, boolean resumed) {
        this.run = run;
        this.record = record;
        this.id = record.runId();
        this.directory = run.settings.workDirectory().resolve("runs").resolve(id);
        this.startedAt = record.startedAt();
        this.resume = resume;
        this.resumed = resumed;
    }

    String id() {
        return id;
    }

    Path directory() {
        return directory;
    }

    Instant startedAt() {
        return startedAt;
    }

    RunKind kind() {
        return record.kind();
    }

    /** Whether this attempt goes on from an earlier one's checkpoint. */
    boolean resumed() {
        return resumed;
    }

    /** Where the run is, as its checkpoint says. */
    ResumeState resume() {
        return resume;
    }

    MigrationState state() {
        return state;
    }

    // ---- begin --------------------------------------------------------------------------------

    /**
     * Refuses to go on when the work directory holds an unfinished run that cannot be resumed by
     * these settings: one of another configuration that has started writing, or one an older version
     * of s3recon wrote; unless a new run is asked for.
     *
     * @throws S3ReconException {@link ErrorCode#RESUME_CONFLICT} naming what differs and what to do
     */
    static void checkResumable(RunSettings settings) {
        if (settings.newRun()) {
            return;
        }
        CheckpointStore checkpoints = settings.checkpoints();
        RunRecord unfinished = unfinished(checkpoints);
        if (unfinished == null) {
            return;
        }
        ResumeState state = readable(settings, unfinished);
        RunConfiguration configuration = RunConfiguration.of(settings);
        if (unfinished.configurationHash().equals(configuration.hash()) || state.stage() == Stage.PLAN) {
            return; // the same run, resumed; or one that wrote nothing, which a new run simply replaces
        }
        throw new S3ReconException(ErrorCode.RESUME_CONFLICT, "the work directory " + settings.workDirectory()
                + " holds unfinished run " + unfinished.runId() + " (" + unfinished.state() + ", started "
                + unfinished.startedAt() + ") with another configuration: "
                + String.join("; ", configuration.changesFrom(unfinished.configuration()))
                + ". Resume it by building the migration with its options again, or abandon it with "
                + "Migration.builder().newRun(true) (its multipart uploads are aborted), or use another work directory");
    }

    /** The newest run of kind RUN that has not finished (it still has its resume state). */
    private static RunRecord unfinished(CheckpointStore checkpoints) {
        RunRecord found = null;
        for (RunRecord r : checkpoints.runs()) {
            if (r.kind() == RunKind.RUN && checkpoints.resumeState(r.runId()).isPresent()) {
                found = r;
            }
        }
        return found;
    }

    /** The resume state of an unfinished run, or a refusal naming newRun(true) when this version cannot read it. */
    private static ResumeState readable(RunSettings settings, RunRecord unfinished) {
        byte[] bytes = settings.checkpoints().resumeState(unfinished.runId()).orElseThrow();
        try {
            return ResumeCodec.decode(bytes, settings.workDirectory().resolve("runs").resolve(unfinished.runId()),
                    settings::sourceSummary, settings.destination());
        } catch (ResumeCodec.Unreadable e) {
            throw new S3ReconException(ErrorCode.RESUME_CONFLICT, "the work directory " + settings.workDirectory()
                    + " holds unfinished run " + unfinished.runId() + " (" + unfinished.state() + ", started "
                    + unfinished.startedAt() + "), whose checkpoint cannot be resumed: " + e.getMessage()
                    + ". Start a new run with Migration.builder().newRun(true) (the unfinished run's multipart "
                    + "uploads are aborted; nothing already copied is copied again), or use another work directory", e);
        }
    }

    /**
     * Creates the run's record, or takes up the unfinished run of the same configuration. Runs of
     * other kinds left unfinished by a stopped process are closed as failed first.
     */
    static RunLifecycle begin(RunContext run, RunKind kind, UploadJournal uploads) {
        RunSettings settings = run.settings;
        CheckpointStore checkpoints = run.checkpoints;
        Instant now = run.clock.instant();
        RunConfiguration configuration = RunConfiguration.of(settings);
        for (RunRecord r : checkpoints.runs()) {
            if (r.kind() != RunKind.RUN && !r.state().isTerminal()) {
                uploads.abortAll(r.runId(), run.destination.bucket(), run.destination.prefix());
                checkpoints.updateRun(new RunRecord(r.runId(), r.kind(), r.configuration(), r.configurationHash(),
                        MigrationState.FAILED, r.startedAt(), now, now, r.summary(),
                        "the process stopped before the run ended", r.attempts()));
                checkpoints.clearProgress(r.runId());
            }
        }
        if (kind == RunKind.RUN) {
            RunRecord unfinished = unfinished(checkpoints);
            if (unfinished != null) {
                if (!settings.newRun() && unfinished.configurationHash().equals(configuration.hash())) {
                    ResumeState resume = readable(settings, unfinished);
                    RunRecord record = new RunRecord(unfinished.runId(), kind, configuration.json(),
                            configuration.hash(), MigrationState.INITIALIZING, unfinished.startedAt(), now, null,
                            null, null, unfinished.attempts() + 1);
                    checkpoints.updateRun(record);
                    return new RunLifecycle(run, record, resume, true);
                }
                abandon(run, unfinished, now, uploads);
            }
        }
        String runId = RUN_ID.format(now) + "-" + Integer.toHexString(ThreadLocalRandom.current().nextInt());
        RunRecord record = new RunRecord(runId, kind, configuration.json(), configuration.hash(),
                MigrationState.INITIALIZING, now, now, null, null, null, 1);
        checkpoints.createRun(record);
        RunLifecycle lifecycle = new RunLifecycle(run, record, ResumeState.STARTED, false);
        if (kind == RunKind.RUN) {
            lifecycle.save(ResumeState.STARTED);
        }
        return lifecycle;
    }

    /** Gives up an unfinished run for a new one: aborts its uploads, forgets its progress, keeps its history. */
    private static void abandon(RunContext run, RunRecord old, Instant at, UploadJournal uploads) {
        String bucket = RunConfiguration.field(old.configuration(), "destination", "bucket");
        String prefix = RunConfiguration.field(old.configuration(), "destination", "prefix");
        uploads.abortAll(old.runId(), bucket == null ? run.destination.bucket() : bucket, prefix == null ? "" : prefix);
        MigrationState ended = old.state().isTerminal() ? old.state() : MigrationState.CANCELLED;
        run.checkpoints.updateRun(new RunRecord(old.runId(), old.kind(), old.configuration(), old.configurationHash(),
                ended, old.startedAt(), at, old.endedAt() != null ? old.endedAt() : at, old.summary(),
                "abandoned for a new run", old.attempts()));
        run.checkpoints.log(old.runId(), new LogLine(at, "INFO", "abandoned for a new run"));
        run.checkpoints.clearProgress(old.runId());
        LOG.info("abandoned unfinished run {} for a new run", old.runId());
    }

    /** Makes the run's directory and, for a resumed run, says so (its log, the RESUMED event). */
    void started() {
        transition(MigrationState.INITIALIZING);
        try {
            Files.createDirectories(directory);
        } catch (IOException e) {
            throw new S3ReconException(ErrorCode.WORK_DIRECTORY_UNUSABLE, "cannot create " + directory + ": " + e
                    + " (the work directory must be writable, with free space)", e);
        }
        if (resumed) {
            run.resumed(true);
            log("INFO", "resuming at stage " + resume.stage().name().toLowerCase(java.util.Locale.ROOT) + " (attempt " + record.attempts() + ")");
            run.listener.onResumed(new RunResumed(run.clock.instant(), id, resume.stage().state(), record.attempts()));
        }
    }

    // ---- during the run -----------------------------------------------------------------------

    /** Saves where the run is, durably, when the run can resume; otherwise only remembers it. */
    void save(ResumeState state) {
        resume = state;
        if (record.kind() == RunKind.RUN) {
            run.checkpoints.saveResumeState(id, ResumeCodec.encode(state));
            run.checkpoints.flush();
        }
    }

    /** Moves to a state: the run's record (durably), its log and the listeners. */
    void transition(MigrationState to) {
        MigrationState from = state;
        state = to;
        Instant now = run.clock.instant();
        RunRecord r = record;
        record = new RunRecord(r.runId(), r.kind(), r.configuration(), r.configurationHash(), to, r.startedAt(), now,
                null, r.summary(), r.error(), r.attempts());
        run.checkpoints.updateRun(record);
        run.checkpoints.log(id, new LogLine(now, "INFO", "state " + to));
        run.listener.onStateChanged(new StateChanged(now, from, to));
    }

    /** Appends to the run's log, without secrets. */
    void log(String level, String message) {
        run.checkpoints.log(id, new LogLine(run.clock.instant(), level, Redact.text(message)));
    }

    /** Tells the listeners that a phase began; returns when. */
    Instant phaseStarted(MigrationState phase) {
        Instant now = run.clock.instant();
        run.listener.onPhaseStarted(new PhaseStarted(now, phase));
        return now;
    }

    /** Tells the listeners that a phase ended normally, with its counts and duration. */
    void phaseFinished(MigrationState phase, Instant started, long objects, long bytes) {
        Instant now = run.clock.instant();
        Duration took = Duration.between(started, now);
        run.listener.onPhaseFinished(new PhaseFinished(now, phase, Math.max(0, objects), Math.max(0, bytes),
                took.isNegative() ? Duration.ZERO : took));
    }

    // ---- end ----------------------------------------------------------------------------------

    /**
     * Ends the run as it finished: its progress forgotten (uploads aborted), the record with the
     * summary, the log, the listeners.
     */
    void completed(MigrationState terminal, String summaryJson, String summary, UploadJournal uploads) {
        uploads.abortAll(id, run.destination.bucket(), run.destination.prefix());
        run.checkpoints.clearProgress(id);
        state = terminal;
        Instant now = run.clock.instant();
        RunRecord r = record;
        record = new RunRecord(r.runId(), r.kind(), r.configuration(), r.configurationHash(), terminal, r.startedAt(),
                now, now, summaryJson, null, r.attempts());
        run.checkpoints.updateRun(record);
        log("INFO", summary);
        LOG.info("{} {} of {} to {}", r.kind().name().toLowerCase(java.util.Locale.ROOT), summary, run.settings.sourceName(),
                run.destination);
        run.checkpoints.flush();
        run.listener.onFinished(new RunFinished(now, terminal, Duration.between(startedAt, now), null));
    }

    /** Ends the run as FAILED; a run that does not resume forgets its progress. Throws the failure. */
    S3ReconException failed(S3ReconException failure, UploadJournal uploads) {
        state = MigrationState.FAILED;
        Instant now = run.clock.instant();
        try {
            log("ERROR", failure.getMessage());
            if (record.kind() != RunKind.RUN) {
                forget(uploads);
            }
            RunRecord r = record;
            record = new RunRecord(r.runId(), r.kind(), r.configuration(), r.configurationHash(), MigrationState.FAILED,
                    r.startedAt(), now, now, r.summary(), Redact.text(failure.getMessage()), r.attempts());
            run.checkpoints.updateRun(record);
        } catch (RuntimeException storeFailure) {
            failure.addSuppressed(storeFailure);
        }
        run.listener.onFinished(new RunFinished(now, MigrationState.FAILED, Duration.between(startedAt, now), failure));
        return failure;
    }

    /** Ends the run as CANCELLED: a RUN keeps its checkpoint to be resumed. Returns the failure to throw. */
    S3ReconException cancelled(Throwable cause, UploadJournal uploads) {
        state = MigrationState.CANCELLED;
        Instant now = run.clock.instant();
        boolean resumable = record.kind() == RunKind.RUN;
        S3ReconException failure = new S3ReconException(ErrorCode.CANCELLED, "the "
                + record.kind().name().toLowerCase(java.util.Locale.ROOT) + " of " + run.settings.sourceName() + " to "
                + run.destination + " was cancelled" + (resumable ? "; its checkpoint is saved: build the migration "
                        + "again on " + run.settings.workDirectory() + " and call run() to resume it" : ""),
                cause instanceof RunContext.Cancelled ? null : cause);
        try {
            log("INFO", "cancelled");
            if (!resumable) {
                forget(uploads);
            }
            RunRecord r = record;
            record = new RunRecord(r.runId(), r.kind(), r.configuration(), r.configurationHash(),
                    MigrationState.CANCELLED, r.startedAt(), now, now, r.summary(), null, r.attempts());
            run.checkpoints.updateRun(record);
        } catch (RuntimeException storeFailure) {
            failure.addSuppressed(storeFailure);
        }
        run.listener.onFinished(new RunFinished(now, MigrationState.CANCELLED, Duration.between(startedAt, now),
                failure));
        return failure;
    }

    /** Ends what a run that will not resume left: its multipart uploads, its checkpoints. */
    private void forget(UploadJournal uploads) {
        uploads.abortAll(id, run.destination.bucket(), run.destination.prefix());
        run.checkpoints.clearProgress(id);
    }

    /** A failure to read one of the run's own checkpoints: the way out is a new run. */
    S3ReconException corrupt(String what, Exception e) {
        return new S3ReconException(ErrorCode.STORE_FAILED, "the checkpoint '" + what + "' of run " + id
                + " cannot be read (" + e.getMessage() + "); start a new run with Migration.builder().newRun(true)", e);
    }

    /** The run's record as it is now. */
    Optional<RunRecord> record() {
        return Optional.ofNullable(record);
    }
}
