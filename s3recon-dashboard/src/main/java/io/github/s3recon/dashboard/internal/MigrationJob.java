package io.github.s3recon.dashboard.internal;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.s3recon.FixPlan;
import io.github.s3recon.Migration;
import io.github.s3recon.MigrationState;
import io.github.s3recon.dashboard.MigrationMetrics;
import io.github.s3recon.event.MigrationListener;
import io.github.s3recon.event.PhaseFinished;
import io.github.s3recon.event.PhaseStarted;
import io.github.s3recon.event.ProgressSnapshot;
import io.github.s3recon.event.RunFinished;
import io.github.s3recon.event.RunResumed;
import java.nio.file.Path;
import java.time.Instant;
import java.util.EnumMap;
import java.util.Map;

/**
 * One migration the dashboard manages: its spec, its work directory, and what it is doing now (the
 * action in flight, each phase's latest progress, the last outcome). At most one action at a time.
 * Thread-safe: the engine's threads update it through {@link #tracker()}, request threads read it.
 */
public final class MigrationJob {

    /** What a job can be asked to do in the background. */
    public enum Action {
        /** {@code Migration.run()}: copy, verify; resumes an unfinished run. */
        RUN,
        /** {@code Migration.plan()}: the dry run, writes nothing. */
        PLAN,
        /** {@code Migration.reconcile()}: list and diff only. */
        RECONCILE
    }

    private final String id;
    private final MigrationSpec spec;
    private final Path workDirectory;
    private final Instant createdAt;
    private final MigrationMetrics metrics;
    private final Map<MigrationState, ObjectNode> phases = new EnumMap<>(MigrationState.class);
    private Migration current;
    private Action action;
    private MigrationState state;
    private String runId;
    private String errorCode;
    private String error;
    private Instant actionStartedAt;
    private FixPlan lastPlan;
    private String check;

    MigrationJob(String id, MigrationSpec spec, Path workDirectory, Instant createdAt, MigrationMetrics metrics) {
        this.id = id;
        this.spec = spec;
        this.workDirectory = workDirectory;
        this.createdAt = createdAt;
        this.metrics = metrics;
    }

    /** @return the job's id (also its work directory's name) */
    public String id() {
        return id;
    }

    /** @return what it migrates */
    public MigrationSpec spec() {
        return spec;
    }

    /** @return its work directory */
    public Path workDirectory() {
        return workDirectory;
    }

    MigrationMetrics metrics() {
        return metrics;
    }

    /** Marks the job busy with a migration; false if it already is. */
    synchronized boolean begin(Action a, Migration m, Instant now) {
        if (current != null || check != null) {
            return false;
        }
        current = m;
        action = a;
        actionStartedAt = now;
        state = MigrationState.INITIALIZING;
        errorCode = null;
        error = null;
        phases.clear();
        return true;
    }

    /** Marks the job busy with a check (validate, estimate, trial); false if it is busy. */
    synchronized boolean beginCheck(String checkId) {
        if (current != null || check != null) {
            return false;
        }
        check = checkId;
        return true;
    }

    synchronized boolean checking() {
        return check != null;
    }

    synchronized void endCheck(String checkId) {
        if (checkId.equals(check)) {
            check = null;
        }
    }

    synchronized void end(MigrationState finalState, String code, String message, FixPlan plan) {
        current = null;
        if (finalState != null) {
            state = finalState;
        }
        errorCode = code;
        error = message;
        if (plan != null) {
            lastPlan = plan;
        }
    }

    /** @return the running migration, or null */
    synchronized Migration current() {
        return current;
    }

    synchronized FixPlan lastPlan() {
        return lastPlan;
    }

    /** @return a listener that keeps this job's phases and state current */
    MigrationListener tracker() {
        return new MigrationListener() {
            @Override
            public void onPhaseStarted(PhaseStarted e) {
                synchronized (MigrationJob.this) {
                    state = e.phase();
                    ObjectNode p = Json.object();
                    p.put("phase", e.phase().name());
                    p.put("status", "RUNNING");
                    p.put("startedAt", e.at().toString());
                    phases.put(e.phase(), p);
                }
            }

            @Override
            public void onProgress(ProgressSnapshot e) {
                synchronized (MigrationJob.this) {
                    ObjectNode p = phases.computeIfAbsent(e.phase(), k -> {
                        ObjectNode n = Json.object();
                        n.put("phase", k.name());
                        n.put("status", "RUNNING");
                        return n;
                    });
                    p.put("objectsDone", e.objectsDone());
                    p.put("objectsTotal", e.objectsTotal());
                    p.put("bytesDone", e.bytesDone());
                    p.put("bytesTotal", e.bytesTotal());
                    p.put("objectsPerSecond", e.objectsPerSecond());
                    p.put("bytesPerSecond", e.bytesPerSecond());
                    p.put("fractionDone", e.fractionDone());
                    if (e.eta() == null) {
                        p.putNull("etaMillis");
                    } else {
                        p.put("etaMillis", e.eta().toMillis());
                    }
                    p.put("describe", e.describe());
                }
            }

            @Override
            public void onPhaseFinished(PhaseFinished e) {
                synchronized (MigrationJob.this) {
                    ObjectNode p = phases.computeIfAbsent(e.phase(), k -> Json.object().put("phase", k.name()));
                    p.put("status", "DONE");
                    p.put("objects", e.objects());
                    p.put("bytes", e.bytes());
                    p.put("durationMillis", e.duration().toMillis());
                    p.put("fractionDone", 1.0);
                    p.putNull("etaMillis");
                }
            }

            @Override
            public void onResumed(RunResumed e) {
                synchronized (MigrationJob.this) {
                    runId = e.runId();
                }
            }

            @Override
            public void onFinished(RunFinished e) {
                synchronized (MigrationJob.this) {
                    state = e.state();
                }
            }
        };
    }

    /** @param latestRunId the newest run of the work directory, or null @return the job as the API shows it */
    synchronized ObjectNode toJson(String latestRunId) {
        ObjectNode n = Json.object();
        n.put("id", id);
        n.put("createdAt", createdAt.toString());
        n.set("spec", spec.toJson());
        n.put("workDirectory", workDirectory.toString());
        n.put("status", current == null ? "IDLE" : "RUNNING");
        n.put("check", check); // the id of the check in progress, or null
        n.put("action", action == null ? null : action.name());
        n.put("actionStartedAt", actionStartedAt == null ? null : actionStartedAt.toString());
        n.put("state", state == null ? null : state.name());
        n.put("runId", latestRunId != null ? latestRunId : runId);
        n.put("errorCode", errorCode);
        n.put("error", error);
        var ps = n.putArray("phases");
        phases.values().forEach(p -> ps.add(p.deepCopy()));
        if (lastPlan != null) {
            ObjectNode p = n.putObject("plan");
            p.put("copies", lastPlan.copies());
            p.put("recopies", lastPlan.recopies());
            p.put("deletes", lastPlan.deletes());
            p.put("bytesToCopy", lastPlan.bytesToCopy());
        }
        return n;
    }
}
