package io.github.s3recon.examples.readme;

import io.github.s3recon.DataSize;
import io.github.s3recon.ErrorCode;
import io.github.s3recon.Estimate;
import io.github.s3recon.FixPlan;
import io.github.s3recon.Migration;
import io.github.s3recon.MigrationHistory;
import io.github.s3recon.MigrationResult;
import io.github.s3recon.OverwritePolicy;
import io.github.s3recon.S3Clients;
import io.github.s3recon.S3Location;
import io.github.s3recon.S3ReconException;
import io.github.s3recon.ValidationReport;
import io.github.s3recon.Verification;
import io.github.s3recon.event.MigrationListener;
import io.github.s3recon.inventory.S3InventoryLister;
import io.github.s3recon.spi.CheckpointStore;
import io.github.s3recon.spi.ObjectLister;
import io.github.s3recon.transfer.SizeTieredScheduler;
import java.net.URI;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3AsyncClient;

/**
 * Every Java snippet of the project's {@code README.md}, as code that compiles. The text between a
 * {@code // snippet:NAME} line and the next {@code // end-snippet} line, less its common indentation,
 * is exactly the README's {@code java} block that follows {@code <!-- snippet:NAME -->};
 * {@code ReadmeSnippetsTest} fails when the two drift apart, so change a snippet here and copy it to
 * the README (the test's message shows the text to paste).
 *
 * <p>Snippets after the first use the {@code client}, {@code source}, {@code dest} and
 * {@code workDirectory} of the first one; here they are the methods' parameters, so that the test can
 * run some of them against an embedded S3 server. Not a public API: the methods exist to be read.
 */
public final class ReadmeSnippets {

    private ReadmeSnippets() {
    }

    /** "Use it": a client, two locations, a reconcile and its report. */
    static void reconcile() {
        // snippet:reconcile
        try (S3AsyncClient client = S3Clients.asyncClient(URI.create("http://localhost:9000"), Region.US_EAST_1,
                DefaultCredentialsProvider.builder().build())) {   // or any S3AsyncClient you have for AWS
            S3Location source = S3Location.of(client, "bucket-a");             // whole bucket
            S3Location dest = S3Location.of(client, "bucket-b", "backup/");    // under a prefix
            Path workDirectory = Path.of("/var/lib/s3recon/a-to-b");           // checkpoint, history, plan files
            try (Migration m = Migration.builder().source(source).destination(dest)
                    .workDirectory(workDirectory)
                    .listener(MigrationListener.logging())
                    .build()) {
                MigrationResult r = m.reconcile();        // lists and diffs, writes nothing to either bucket
                r.state();                                // COMPLETED, or COMPLETED_WITH_DIFFERENCES
                r.report().counts();                      // matched, missingInDestination, extraInDestination,
                                                          // sizeMismatch, contentMismatch, stale, unverified
                r.report().writeJson(workDirectory.resolve("report"));   // summary.json + differences.jsonl
            }
        }
        // end-snippet
    }

    /** "Migrate": every option that shapes a run, the dry run, the run, a repair. */
    static void migrate(S3Location source, S3Location dest, Path workDirectory) {
        // snippet:migrate
        try (Migration m = Migration.builder().source(source).destination(dest)
                .workDirectory(workDirectory)
                .transferScheduler(SizeTieredScheduler.builder()          // these are the defaults
                        .smallObjectThreshold(DataSize.ofMebibytes(16)).partSize(DataSize.ofMebibytes(16))
                        .maxInFlightBytes(DataSize.ofMebibytes(256)).smallObjectConcurrency(128)
                        .largeObjectConcurrency(8).build())
                .include("**/*.jpg").exclude("tmp/**")                     // globs on the relative key
                .overwrite(OverwritePolicy.IF_DIFFERENT)                   // ALWAYS, IF_DIFFERENT, NEVER
                .deleteExtraneous(false).maxDeletes(1000)                  // deletions are off by default
                .verification(Verification.CHECKSUM)                       // NONE, SIZE, CHECKSUM, DEEP
                .build()) {
            FixPlan plan = m.plan();                 // the dry run: what run() would copy and delete
            plan.writeShellScript(workDirectory.resolve("fix.sh"));   // or writeJsonLines: aws s3 cp / rm lines
            MigrationResult r = m.run();             // list, diff, copy what differs, list again to verify
            r.report().transfer();                   // copied, skipped, deleted, failed, retries, server-side vs relayed
            MigrationResult again = m.repair(r.report());   // apply a report's fix plan, verify again
        }
        // end-snippet
    }

    /** "Stop, resume, history": a cancel from another thread, and what the work directory remembers. */
    static void resume(S3Location source, S3Location dest, Path workDirectory) {
        // snippet:resume
        try (Migration m = Migration.builder().source(source).destination(dest)
                .workDirectory(workDirectory)                  // same options, same work directory: resumes
                .build()) {
            CompletableFuture.delayedExecutor(10, TimeUnit.MINUTES).execute(m::cancel);   // any thread may cancel
            MigrationResult r = m.run();                       // goes on from the checkpoint, if there is one
        } catch (S3ReconException e) {
            if (e.code() != ErrorCode.CANCELLED) {
                throw e;
            }
            // cancelled: the checkpoint is saved; build the same migration again and run() to resume
        }
        // end-snippet
    }

    /** "Stop, resume, history": the runs of a work directory. */
    static void history(Path workDirectory) {
        // snippet:history
        try (MigrationHistory h = MigrationHistory.open(workDirectory)) {
            for (CheckpointStore.RunRecord run : h.runs()) {  // every run: options (no secrets), state, attempts
                System.out.println(run.runId() + " " + run.state() + ", " + run.attempts() + " attempt(s)");
                h.report(run.runId());                        // its summary.json, once it has finished
                h.log(run.runId());                           // states, resumes, warnings, failed objects
            }
        }
        // end-snippet
    }

    /** "Check first, estimate". */
    static void validateAndEstimate(Migration m) {
        // snippet:validate-estimate
        ValidationReport check = m.validate();   // credentials, list/read the source, write/read/delete a probe
        System.out.println(check.describe());    // object in the destination, versioning and object lock on both
        if (check.passed()) {                    // each check PASS/FAIL/WARN/SKIPPED with a hint; no secrets
            Estimate e = m.estimate();           // full listing: objects, bytes, size histogram by lane
            Estimate s = m.estimate(100_000);    // very large buckets: random key ranges, extrapolated
            System.out.println(e.describe());    // rates measured by listing and reading a few objects, projected duration
        }
        // end-snippet
    }

    /** "Large buckets": an S3 Inventory report instead of listing the source. */
    static void inventory(S3AsyncClient client, S3Location dest, Path workDirectory) {
        // snippet:inventory
        try (ObjectLister inventory = S3InventoryLister.fromManifest(client, "inventory-bucket",
                     "photos-old/daily/2026-11-22T01-00Z/manifest.json");   // checked against manifest.checksum
             Migration m = Migration.builder().source(S3Location.of(client, "photos-old")).sourceLister(inventory)
                     .destination(dest).workDirectory(workDirectory).build()) {
            MigrationResult r = m.reconcile();   // the inventory's rows are sorted in the work directory first
        }
        // end-snippet
    }
}
