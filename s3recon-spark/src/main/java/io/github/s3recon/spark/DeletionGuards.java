package io.github.s3recon.spark;

import io.github.s3recon.ErrorCode;
import io.github.s3recon.S3ReconException;

/**
 * The single-JVM engine's deletion guards, checked on the driver on the whole job's plan before any
 * task writes: an empty source deletes nothing unless allowed, and no more than {@code maxDeletes}
 * objects nor more than {@code maxDeletePercent} of the destination. Stateless.
 */
final class DeletionGuards {

    private DeletionGuards() {
    }

    static void check(JobSettings job, long deletes, long sourceObjects, long destinationObjects) {
        if (deletes == 0) {
            return;
        }
        String where = "s3://" + job.destinationBucket() + "/" + job.destinationPrefix();
        String look = "; no task has written anything. Run plan() to see the planned deletions";
        if (sourceObjects == 0 && !job.allowEmptySource()) {
            throw new S3ReconException(ErrorCode.EMPTY_SOURCE, "the source s3://" + job.sourceBucket() + "/"
                    + job.sourcePrefix() + " listed no object, so the job's plan deletes all " + deletes
                    + " objects under " + where + look + ". Check the source, its prefix, the filters and the"
                    + " credentials; to really empty the destination, set allowEmptySource(true),"
                    + " maxDeletePercent(100) and maxDeletes(" + deletes + ") or more");
        }
        if (deletes > job.maxDeletes()) {
            throw new S3ReconException(ErrorCode.TOO_MANY_DELETES, "the job's plan deletes " + deletes
                    + " objects from " + where + ", more than maxDeletes (" + job.maxDeletes() + ")" + look
                    + ". Check the source and the filters, then raise maxDeletes to " + deletes + " or more, or turn"
                    + " deleteExtraneous off");
        }
        if (job.maxDeletePercent() < 100 && deletes * 100 > job.maxDeletePercent() * destinationObjects) {
            long percent = (deletes * 100 + destinationObjects - 1) / Math.max(1, destinationObjects);
            throw new S3ReconException(ErrorCode.TOO_MANY_DELETES, "the job's plan deletes " + deletes + " of the "
                    + destinationObjects + " objects under " + where + " (" + percent + "%), more than"
                    + " maxDeletePercent (" + job.maxDeletePercent() + "%)" + look + ". Check the source and the"
                    + " filters, then raise maxDeletePercent to " + Math.min(100, percent) + " or more, or turn"
                    + " deleteExtraneous off");
        }
    }
}
