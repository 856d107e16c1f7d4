package io.github.s3recon.bench;

import io.github.s3recon.testkit.EmbeddedS3;

/**
 * Runs an {@link EmbeddedS3} server (Adobe S3Mock) in a process of its own, so that copy clients
 * (s3recon's {@link CopyHarness}, rclone) are measured against the same server without it in their
 * process. Prints {@code EmbeddedS3 at <endpoint>}, then serves until killed.
 *
 * <pre>
 * java -Xmx2g -cp s3recon-bench/target/benchmarks.jar io.github.s3recon.bench.EmbeddedServer
 * </pre>
 */
public final class EmbeddedServer {

    private EmbeddedServer() {
    }

    /**
     * Starts the server.
     *
     * @param args none
     * @throws InterruptedException never, in practice: the server runs until the process is killed
     */
    public static void main(String[] args) throws InterruptedException {
        EmbeddedS3 s3 = EmbeddedS3.start();
        Runtime.getRuntime().addShutdownHook(new Thread(s3::close));
        System.out.println("EmbeddedS3 at " + s3.endpoint());
        System.out.flush();
        Thread.currentThread().join();
    }
}
