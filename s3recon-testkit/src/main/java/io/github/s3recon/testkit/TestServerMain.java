package io.github.s3recon.testkit;

import java.net.URI;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CountDownLatch;

/**
 * Runs one test S3 server in a process of its own, for tests that need a server outside the JVM
 * under test (a second process, a restart, a crash) or a shell script:
 *
 * <pre>
 * java -cp TESTKIT_CLASSPATH io.github.s3recon.testkit.TestServerMain \
 *     --kind s3proxy|s3mock [--port N] [--access-key A --secret-key S] [--bucket B] [--data-dir D]
 * </pre>
 *
 * <p>When the server is ready it prints one line on standard output,
 * {@code S3RECON_TEST_SERVER kind=<kind> endpoint=http://127.0.0.1:<port>}, and runs until the
 * process is killed (the store in {@code --data-dir} is kept; without it a temporary one is
 * deleted on a normal kill). It listens on 127.0.0.1 only. {@code --port} 0 or absent picks a free
 * port. With {@code --access-key} and {@code --secret-key}, {@code s3proxy} checks AWS Signature V4
 * against them and answers 403 to other credentials; {@code s3mock} accepts any credentials (S3Mock
 * does not check signatures), so it refuses keys rather than silently ignore them. {@code --bucket}
 * creates that bucket before the line is printed. Bad arguments print a message on standard error
 * and exit with status 2. The secret is never printed.
 */
public final class TestServerMain {

    /** The first word of the line printed when the server is ready. */
    public static final String READY_PREFIX = "S3RECON_TEST_SERVER";

    private TestServerMain() {
    }

    /**
     * Starts the server and blocks until the process is killed.
     *
     * @param args the options described on the class
     * @throws InterruptedException never in practice: the main thread waits forever
     */
    public static void main(String[] args) throws InterruptedException {
        Map<String, String> options;
        int port;
        try {
            options = parse(args);
            port = Integer.parseInt(options.getOrDefault("--port", "0"));
            if (port < 0 || port > 65535) {
                throw new IllegalArgumentException("--port must be 0 to 65535, was " + port);
            }
        } catch (IllegalArgumentException e) {
            System.err.println("TestServerMain: " + e.getMessage());
            System.err.println("usage: --kind s3proxy|s3mock [--port N] [--access-key A --secret-key S]"
                    + " [--bucket B] [--data-dir D]");
            System.exit(2);
            return;
        }
        String kind = options.get("--kind");
        String accessKey = options.get("--access-key");
        String secretKey = options.get("--secret-key");
        Path data = options.containsKey("--data-dir") ? Path.of(options.get("--data-dir")) : null;
        String bucket = options.get("--bucket");
        AutoCloseable server;
        URI endpoint;
        if (kind.equals("s3proxy")) {
            EmbeddedS3Proxy s3 = EmbeddedS3Proxy.start(port, accessKey, secretKey, data);
            if (bucket != null) {
                s3.createBucket(bucket);
            }
            server = s3;
            endpoint = s3.endpoint();
        } else {
            EmbeddedS3 s3 = EmbeddedS3.start(port, data);
            if (bucket != null) {
                s3.createBucket(bucket);
            }
            server = s3;
            endpoint = s3.endpoint();
        }
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                server.close();
            } catch (Exception ignored) {
                // The process is ending anyway.
            }
        }, "test-server-shutdown"));
        System.out.println(READY_PREFIX + " kind=" + kind + " endpoint=" + endpoint);
        System.out.flush();
        new CountDownLatch(1).await();
    }

    private static Map<String, String> parse(String[] args) {
        Map<String, String> options = new HashMap<>();
        for (int i = 0; i < args.length; i += 2) {
            String name = args[i];
            if (!name.matches("--(kind|port|access-key|secret-key|bucket|data-dir)")) {
                throw new IllegalArgumentException("unknown option '" + name + "'");
            }
            if (i + 1 >= args.length) {
                throw new IllegalArgumentException(name + " needs a value");
            }
            options.put(name, args[i + 1]);
        }
        String kind = options.get("--kind");
        if (!"s3proxy".equals(kind) && !"s3mock".equals(kind)) {
            throw new IllegalArgumentException("--kind must be s3proxy or s3mock, was " + kind);
        }
        if (options.containsKey("--access-key") != options.containsKey("--secret-key")) {
            throw new IllegalArgumentException("give both --access-key and --secret-key, or neither");
        }
        if (kind.equals("s3mock") && options.containsKey("--access-key")) {
            throw new IllegalArgumentException("s3mock does not check credentials; use --kind s3proxy to"
                    + " test credentials, or leave out --access-key and --secret-key");
        }
        return options;
    }
}
