package io.github.s3recon.transfer;

import io.github.s3recon.S3Location;

/**
 * One S3 request of a transfer, as failure messages name it.
 *
 * @param location the side it addresses
 * @param source whether that is the source (else the destination)
 * @param operation the S3 operation, e.g. {@code GetObject}
 * @param key the full key
 * @param copySource for a server-side copy, the source object as {@code s3://bucket/key}; else null
 */
record Step(S3Location location, boolean source, String operation, String key, String copySource) {

    String side() {
        return source ? "source" : "destination";
    }

    String object() {
        return "s3://" + location.bucket() + "/" + io.github.s3recon.Redact.key(key);
    }

    /** Names the object or objects of the request, e.g. {@code s3://a/k to s3://b/k} for a copy. */
    String objects() {
        return copySource == null ? object() : io.github.s3recon.Redact.key(copySource) + " to " + object();
    }
}
