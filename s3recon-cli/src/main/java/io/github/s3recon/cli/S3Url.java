package io.github.s3recon.cli;

import io.github.s3recon.S3ReconException;

/**
 * A location as an operator writes it on the command line: {@code s3://bucket} or
 * {@code s3://bucket/prefix}. The prefix is kept as written (S3 matches it on the raw key, so
 * {@code s3://b/data} also selects {@code data-2/x}; end it with {@code /} for one folder).
 *
 * @param bucket the bucket name; not empty
 * @param prefix the key prefix; empty for the whole bucket
 */
public record S3Url(String bucket, String prefix) {

    /**
     * Parses a location.
     *
     * @param text the argument, e.g. {@code s3://photos/2024/}; not null
     * @param what which argument it is ("SRC", "DST"), named in the error message
     * @return the location
     * @throws S3ReconException with {@code INVALID_CONFIGURATION} naming the argument if it is not
     *     an {@code s3://bucket[/prefix]} URL
     */
    public static S3Url parse(String text, String what) {
        if (text == null || !text.startsWith("s3://") || text.length() == "s3://".length()
                || text.charAt("s3://".length()) == '/') {
            throw S3ReconException.invalidConfiguration(what, text,
                    "must be an S3 location like s3://bucket or s3://bucket/prefix/");
        }
        String rest = text.substring("s3://".length());
        int slash = rest.indexOf('/');
        return slash < 0 ? new S3Url(rest, "") : new S3Url(rest.substring(0, slash), rest.substring(slash + 1));
    }

    @Override
    public String toString() {
        return "s3://" + bucket + "/" + prefix;
    }
}
