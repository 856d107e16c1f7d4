package io.github.s3recon.dashboard;

import io.github.s3recon.testkit.EmbeddedS3;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;

/**
 * The dashboard demo: starts an embedded S3 server with a source bucket of 1,000 objects and a
 * destination that has part of them (and every kind of difference), and a dashboard on
 * {@code http://127.0.0.1:8080/} with that server as the endpoint {@code embedded}. Open the page,
 * go to "New migration", pick {@code demo-source} and {@code demo-destination}, and start.
 *
 * <pre>./mvnw -B -q -pl s3recon-dashboard -am -DskipTests test-compile exec:java</pre>
 *
 * <p>Arguments (optional): the port (default 8080; 0 for a free one) and the work root (default
 * {@code target/dashboard-demo}). Ctrl+C stops it; the runs stay in the work root's history.
 */
public final class DashboardDemo {

    private DashboardDemo() {
    }

    /**
     * Runs the demo until the JVM is stopped.
     *
     * @param args optional port and work root
     * @throws Exception if it cannot start
     */
    public static void main(String[] args) throws Exception {
        int port = args.length > 0 ? Integer.parseInt(args[0]) : 8080;
        Path root = Path.of(args.length > 1 ? args[1] : "target/dashboard-demo");
        System.out.println("s3recon dashboard demo: starting an embedded S3 server...");
        EmbeddedS3 s3 = EmbeddedS3.start();
        System.out.println("Seeding demo-source (1,000 objects) and demo-destination...");
        DemoBuckets.seed(s3, "demo-source", "demo-destination", 1_000, 16 * 1024);
        Dashboard dashboard = Dashboard.builder().port(port).workRoot(root)
                .endpoint("embedded", s3.asyncClient(), s3.endpoint() + " (embedded S3, demo)").start();
        CountDownLatch stop = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            dashboard.close(); // cancels what runs: its checkpoint is saved
            try {
                s3.close();
            } catch (IllegalStateException alreadyClosed) {
                // the S3 server's own shutdown hook may have stopped it first
            }
            stop.countDown();
        }, "dashboard-demo-shutdown"));
        System.out.println();
        System.out.println("Dashboard at " + dashboard.uri() + "  (Ctrl+C to stop)");
        System.out.println("New migration: endpoint 'embedded', demo-source -> demo-destination, then Start.");
        stop.await();
    }
}
