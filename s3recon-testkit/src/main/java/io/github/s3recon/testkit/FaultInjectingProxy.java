package io.github.s3recon.testkit;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Objects;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A real HTTP proxy on the loopback interface that forwards S3 requests to a target server and,
 * by configuration, answers some of them itself the way S3 does when things go wrong.
 *
 * <p>It forwards one request per connection (it asks the target to close after each response),
 * so that every request can be inspected; clients reconnect as they would after any
 * {@code Connection: close}.
 *
 * <p>Faults available: rejecting every access key but one with S3's 403
 * {@code InvalidAccessKeyId}, as a server does for wrong credentials.
 *
 * <p>Thread-safe; settings can change while requests flow.
 */
public final class FaultInjectingProxy implements AutoCloseable {

    private static final Pattern ACCESS_KEY = Pattern.compile("Credential=([^/,\\s]+)/");

    private final URI target;
    private final ServerSocket server;
    private final ExecutorService connections;
    private final AtomicLong requests = new AtomicLong();
    private volatile String acceptedAccessKey;

    private FaultInjectingProxy(URI target) throws IOException {
        this.target = target;
        this.server = new ServerSocket(0, 128, InetAddress.getLoopbackAddress());
        AtomicInteger threads = new AtomicInteger();
        this.connections = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "fault-proxy-" + threads.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        connections.execute(this::acceptLoop);
    }

    /**
     * Starts a proxy in front of a server.
     *
     * @param target the server's endpoint, e.g. {@link EmbeddedS3#endpoint()}; not null
     * @return the running proxy; the caller closes it
     */
    public static FaultInjectingProxy start(URI target) {
        Objects.requireNonNull(target, "target");
        try {
            return new FaultInjectingProxy(target);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException("cannot open the proxy's port", e);
        }
    }

    /**
     * Returns the proxy's endpoint, to give to clients instead of the target's.
     *
     * @return e.g. {@code http://127.0.0.1:40123}
     */
    public URI endpoint() {
        return URI.create("http://127.0.0.1:" + server.getLocalPort());
    }

    /**
     * Answers every request signed with another access key id with 403 {@code InvalidAccessKeyId}.
     *
     * @param accessKeyId the only accepted key id, or null to accept every key again
     * @return this proxy
     */
    public FaultInjectingProxy acceptOnlyAccessKey(String accessKeyId) {
        this.acceptedAccessKey = accessKeyId;
        return this;
    }

    /**
     * Returns how many requests reached the proxy, answered or forwarded.
     *
     * @return the count
     */
    public long requestCount() {
        return requests.get();
    }

    private void acceptLoop() {
        while (!server.isClosed()) {
            try {
                Socket client = server.accept();
                connections.execute(() -> handle(client));
            } catch (IOException e) {
                return; // closed
            }
        }
    }

    private void handle(Socket client) {
        try (client) {
            InputStream in = new java.io.BufferedInputStream(client.getInputStream());
            String head = readHead(in);
            if (head == null) {
                return;
            }
            requests.incrementAndGet();
            String accepted = acceptedAccessKey;
            if (accepted != null) {
                Matcher m = ACCESS_KEY.matcher(head);
                String presented = m.find() ? m.group(1) : null;
                if (!accepted.equals(presented)) {
                    answer(client.getOutputStream(), head, 403, "InvalidAccessKeyId",
                            "The AWS Access Key Id you provided does not exist in our records.");
                    return;
                }
            }
            forward(client, in, head);
        } catch (IOException e) {
            // The client or the target went away; the client sees the reset as S3 clients do.
        }
    }

    private void forward(Socket client, InputStream clientIn, String head) throws IOException {
        try (Socket upstream = new Socket()) {
            upstream.connect(new InetSocketAddress(target.getHost(), target.getPort()), 5_000);
            OutputStream upOut = upstream.getOutputStream();
            upOut.write(withConnectionClose(head).getBytes(StandardCharsets.ISO_8859_1));
            upOut.flush();
            connections.execute(() -> {
                try {
                    clientIn.transferTo(upOut);
                } catch (IOException e) {
                    // Either side closed; the response copy below ends too.
                }
            });
            try {
                upstream.getInputStream().transferTo(client.getOutputStream());
            } catch (SocketException e) {
                // Reset by one side.
            }
        }
    }

    private static String withConnectionClose(String head) {
        StringBuilder out = new StringBuilder(head.length() + 20);
        for (String line : head.split("\r\n")) {
            if (line.isEmpty() || line.toLowerCase(Locale.ROOT).startsWith("connection:")) {
                continue;
            }
            out.append(line).append("\r\n");
        }
        return out.append("Connection: close\r\n\r\n").toString();
    }

    private static void answer(OutputStream out, String head, int status, String code, String message)
            throws IOException {
        byte[] body = ("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>" + code + "</Code><Message>"
                + message + "</Message><RequestId>fault-injecting-proxy</RequestId></Error>")
                .getBytes(StandardCharsets.UTF_8);
        boolean isHead = head.startsWith("HEAD ");
        String response = "HTTP/1.1 " + status + " " + reason(status) + "\r\n"
                + "Content-Type: application/xml\r\n"
                + "x-amz-request-id: fault-injecting-proxy\r\n"
                + "Content-Length: " + (isHead ? 0 : body.length) + "\r\n"
                + "Connection: close\r\n\r\n";
        out.write(response.getBytes(StandardCharsets.ISO_8859_1));
        if (!isHead) {
            out.write(body);
        }
        out.flush();
    }

    private static String reason(int status) {
        return switch (status) {
            case 403 -> "Forbidden";
            case 500 -> "Internal Server Error";
            case 503 -> "Slow Down";
            default -> "Error";
        };
    }

    /** Reads up to and including the blank line that ends an HTTP request head. */
    private static String readHead(InputStream in) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream(1024);
        int state = 0;
        int b;
        while ((b = in.read()) != -1) {
            head.write(b);
            state = switch (state) {
                case 0, 2 -> b == '\r' ? state + 1 : 0;
                case 1 -> b == '\n' ? 2 : 0;
                case 3 -> b == '\n' ? 4 : 0;
                default -> 0;
            };
            if (state == 4) {
                return head.toString(StandardCharsets.ISO_8859_1);
            }
            if (head.size() > 64 * 1024) {
                throw new IOException("request head over 64 KiB");
            }
        }
        return null;
    }

    /** Stops accepting and closes the proxy. */
    @Override
    public void close() {
        try {
            server.close();
        } catch (IOException e) {
            // Closing a server socket fails only if already closed.
        }
        connections.shutdownNow();
    }
}
