package io.github.s3recon.source;

import io.github.s3recon.ErrorCode;
import io.github.s3recon.S3ReconException;

/**
 * An object the source lists (a URL of a manifest) that its server says does not exist: HTTP 404
 * or 410 on a GET. Never retried. A migration skips such an object, records its URL and status in
 * the run's failures and goes on.
 *
 * <p>The code is {@link ErrorCode#LISTING_FAILED} (there is no code of its own yet); catch this
 * type to tell "not found" apart. The message and {@link #url()} show the URL without user-info,
 * query and fragment.
 */
public final class SourceNotFoundException extends S3ReconException {

    private static final long serialVersionUID = 1L;

    private final String url;
    private final int status;

    /**
     * Creates the exception.
     *
     * @param key the object's key; not null
     * @param url the URL as it may be shown (without secrets); not null
     * @param status the HTTP status, 404 or 410
     */
    public SourceNotFoundException(String key, String url, int status) {
        super(ErrorCode.LISTING_FAILED, "GET " + url + " (key '" + io.github.s3recon.Redact.key(key)
                + "') answered HTTP " + status + (status == 410 ? " Gone" : " Not Found")
                + ": the source object does not exist; it is skipped, not retried");
        this.url = url;
        this.status = status;
    }

    /**
     * Returns the URL as it may be shown.
     *
     * @return the URL without user-info, query and fragment
     */
    public String url() {
        return url;
    }

    /**
     * Returns the HTTP status.
     *
     * @return 404 or 410
     */
    public int status() {
        return status;
    }
}
