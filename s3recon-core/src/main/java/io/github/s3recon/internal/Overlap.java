package io.github.s3recon.internal;

import io.github.s3recon.Redact;
import io.github.s3recon.S3Errors;
import io.github.s3recon.ErrorCode;
import io.github.s3recon.S3Location;
import io.github.s3recon.S3ReconException;
import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.util.Locale;
import java.util.Optional;

/**
 * Refuses a source and a destination that overlap: the same server and bucket, one prefix inside
 * the other. The server is told by the clients' endpoints, never by client instances: two clients
 * of one server are one server, and {@code http://127.0.0.1:9000} is {@code http://localhost:9000/}.
 * Host names are resolved only when two endpoints with the same port and bucket differ in spelling.
 */
public final class Overlap {

    /** Stands for the SDK's own AWS endpoints: bucket names are global there, whatever the region. */
    private static final String AWS = "aws";

    private Overlap() {
    }

    /**
     * Checks that two locations do not overlap.
     *
     * @param source the source; not null
     * @param destination the destination; not null
     * @throws S3ReconException {@link ErrorCode#LOCATIONS_OVERLAP} naming the prefix to change
     */
    public static void check(S3Location source, S3Location destination) {
        if (!source.bucket().equals(destination.bucket())) {
            return;
        }
        String s = source.prefix();
        String d = destination.prefix();
        if (!s.startsWith(d) && !d.startsWith(s)) {
            return;
        }
        if (source.client() != destination.client() && !sameServer(endpoint(source), endpoint(destination))) {
            return;
        }
        String where = S3Errors.endpoint(source).map(u -> " at " + Redact.endpoint(u)).orElse("");
        String fix;
        if (s.equals(d)) {
            fix = "they are the same location: a migration needs two; change the destination's prefix (or bucket)";
        } else if (d.startsWith(s)) {
            fix = "the destination prefix '" + d + "' is inside the source prefix '" + s + "', so a run would copy "
                    + "the source into itself and list its own copies as source objects; change the destination "
                    + "prefix to one that does not start with '" + s + "' (or narrow the source prefix so that it "
                    + "does not contain '" + d + "')";
        } else {
            fix = "the source prefix '" + s + "' is inside the destination prefix '" + d + "', so the destination "
                    + "holds the source: a run with deleteExtraneous would see the source as extraneous copies; "
                    + "change the destination prefix to one that does not contain '" + s + "'";
        }
        throw new S3ReconException(ErrorCode.LOCATIONS_OVERLAP, "source " + source + " and destination " + destination
                + where + " overlap: " + fix);
    }

    /** An endpoint reduced to what tells servers apart: scheme, host, port, path; "aws" for the SDK's default. */
    private record Endpoint(String scheme, String host, int port, String path) {
    }

    private static Endpoint endpoint(S3Location location) {
        Optional<URI> override = S3Errors.endpoint(location);
        if (override.isEmpty() || override.get().getHost() == null) {
            return new Endpoint(AWS, AWS, 0, "");
        }
        URI u = override.get();
        String scheme = u.getScheme() == null ? "https" : u.getScheme().toLowerCase(Locale.ROOT);
        String host = u.getHost().toLowerCase(Locale.ROOT);
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        if (host.endsWith(".")) {
            host = host.substring(0, host.length() - 1);
        }
        if (host.equals("amazonaws.com") || host.endsWith(".amazonaws.com")) {
            return new Endpoint(AWS, AWS, 0, "");
        }
        int port = u.getPort() != -1 ? u.getPort() : "http".equals(scheme) ? 80 : 443;
        String path = u.getPath() == null ? "" : u.getPath().replaceAll("/+$", "");
        return new Endpoint(scheme, host, port, path);
    }

    private static boolean sameServer(Endpoint a, Endpoint b) {
        if (a.equals(b)) {
            return true;
        }
        if (a.port() != b.port() || !a.path().equals(b.path()) || AWS.equals(a.host()) || AWS.equals(b.host())) {
            return false;
        }
        try {
            InetAddress[] first = InetAddress.getAllByName(a.host());
            InetAddress[] second = InetAddress.getAllByName(b.host());
            for (InetAddress x : first) {
                for (InetAddress y : second) {
                    // 127.0.0.1 and ::1 are both this machine: "localhost" may resolve to either.
                    if (x.equals(y) || x.isLoopbackAddress() && y.isLoopbackAddress()) {
                        return true;
                    }
                }
            }
            return false;
        } catch (UnknownHostException | SecurityException e) {
            return false; // a host that does not resolve cannot be shown to be the other one
        }
    }
}
