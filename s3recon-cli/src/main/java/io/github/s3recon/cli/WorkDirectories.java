package io.github.s3recon.cli;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;

/**
 * The default work directory of a source/destination pair: {@code ~/.s3recon/<src>-to-<dst>-<hash>},
 * where the hash is of both servers and both locations (never of a credential), so that the same
 * command line finds the same checkpoint and a second {@code run} resumes the first. The root is
 * {@code S3RECON_HOME} (environment) or the {@code s3recon.home} system property when set.
 * Stateless.
 */
final class WorkDirectories {

    /** The environment variable that moves the root of the default work directories. */
    static final String HOME_VARIABLE = "S3RECON_HOME";

    /** The system property that moves it too (tests). */
    static final String HOME_PROPERTY = "s3recon.home";

    private WorkDirectories() {
    }

    /** Where the default work directories live. */
    static Path root(Map<String, String> env) {
        String home = System.getProperty(HOME_PROPERTY);
        if (home == null || home.isBlank()) {
            home = env.get(HOME_VARIABLE);
        }
        if (home != null && !home.isBlank()) {
            return Path.of(home);
        }
        return Path.of(System.getProperty("user.home"), ".s3recon");
    }

    /**
     * The default work directory of a pair.
     *
     * @param sourceServer what names the source's server (endpoint or AWS region)
     * @param source the source
     * @param destinationServer what names the destination's server
     * @param destination the destination
     * @param env the environment
     * @return the directory (not created)
     */
    static Path of(String sourceServer, S3Url source, String destinationServer, S3Url destination,
            Map<String, String> env) {
        String identity = sourceServer + "\n" + source + "\n" + destinationServer + "\n" + destination;
        return root(env).resolve(safe(source.bucket()) + "-to-" + safe(destination.bucket()) + "-" + hash(identity));
    }

    /**
     * The default work directory of a manifest of URLs and a destination: named after the
     * manifest's file, keyed by its absolute path and the destination.
     *
     * @param manifest the manifest file, absolute
     * @param destinationServer what names the destination's server
     * @param destination the destination
     * @param env the environment
     * @return the directory (not created)
     */
    static Path of(Path manifest, String destinationServer, S3Url destination, Map<String, String> env) {
        String identity = "urls:" + manifest + "\n" + destinationServer + "\n" + destination;
        return root(env).resolve("urls-" + safe(String.valueOf(manifest.getFileName())) + "-to-"
                + safe(destination.bucket()) + "-" + hash(identity));
    }

    /**
     * The default work directory of a source alone ({@code estimate}).
     *
     * @param server what names the server
     * @param source the source
     * @param env the environment
     * @return the directory (not created)
     */
    static Path of(String server, S3Url source, Map<String, String> env) {
        return root(env).resolve(safe(source.bucket()) + "-" + hash(server + "\n" + source));
    }

    private static String safe(String bucket) {
        return bucket.replaceAll("[^A-Za-z0-9._-]", "_");
    }

    private static String hash(String text) {
        try {
            byte[] d = MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(d, 0, 6);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }
}
