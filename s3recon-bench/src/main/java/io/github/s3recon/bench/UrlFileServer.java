package io.github.s3recon.bench;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;

/**
 * An HTTP server of generated files, in a process of its own, for the URL-manifest benchmark
 * (s3recon's {@link UrlHarness} against rclone's {@code http} backend): {@code small/NNNNN.jpg}
 * of about {@code small-kib} KiB each and {@code large/NN.bin} of {@code large-mib} MiB each,
 * their bytes generated from their name as they are sent (nothing held in memory), with
 * {@code Content-Length}, {@code Content-Type}, {@code Accept-Ranges: bytes} and ranges. Writes the
 * URL manifest ({@code urls.txt}) and rclone's {@code --files-from} list ({@code files.txt}) into
 * the output directory, prints {@code UrlFileServer at <url>}, then serves until killed.
 *
 * <pre>
 * java -cp benchmarks.jar io.github.s3recon.bench.UrlFileServer OUT_DIR [small=20000] [small-kib=50] [large=20] [large-mib=64]
 * </pre>
 */
public final class UrlFileServer {

    private UrlFileServer() {
    }

    /**
     * Starts the server.
     *
     * @param args output directory, small count, small size in KiB, large count, large size in MiB
     * @throws Exception if the server or the lists cannot be made
     */
    public static void main(String[] args) throws Exception {
        Path out = Path.of(args[0]);
        int small = args.length > 1 ? Integer.parseInt(args[1]) : 20_000;
        long smallBytes = (args.length > 2 ? Long.parseLong(args[2]) : 50) * 1024;
        int large = args.length > 3 ? Integer.parseInt(args[3]) : 20;
        long largeBytes = (args.length > 4 ? Long.parseLong(args[4]) : 64) << 20;
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 256);
        server.setExecutor(Executors.newFixedThreadPool(64));
        server.createContext("/", x -> serve(x, smallBytes, largeBytes, small, large));
        server.start();
        String base = "http://127.0.0.1:" + server.getAddress().getPort() + "/";
        List<String> files = new ArrayList<>();
        for (int i = 0; i < small; i++) {
            files.add(String.format("small/%05d.jpg", i));
        }
        for (int i = 0; i < large; i++) {
            files.add(String.format("large/%02d.bin", i));
        }
        Files.createDirectories(out);
        Files.write(out.resolve("files.txt"), files, StandardCharsets.UTF_8);
        Files.write(out.resolve("urls.txt"), files.stream().map(f -> base + f).toList(), StandardCharsets.UTF_8);
        System.out.println("UrlFileServer at " + base);
        System.out.flush();
        Thread.currentThread().join();
    }

    /** The size of a file: small ones vary by up to 1/8 around the size, from their number. */
    private static long size(String path, long smallBytes, long largeBytes) {
        if (path.startsWith("large/")) {
            return largeBytes;
        }
        int n = Integer.parseInt(path.substring(6, 11));
        return smallBytes - smallBytes / 8 + (n * 7919L) % (smallBytes / 4 + 1);
    }

    private static void serve(HttpExchange x, long smallBytes, long largeBytes, int small, int large)
            throws IOException {
        try (x) {
            String path = x.getRequestURI().getPath().substring(1);
            if (path.isEmpty() || path.equals("small/") || path.equals("large/")) {
                index(x, path, small, large); // rclone's http backend lists directories as HTML pages
                return;
            }
            if (!path.matches("small/\\d{5}\\.jpg|large/\\d{2}\\.bin")) {
                x.sendResponseHeaders(404, -1);
                return;
            }
            long size = size(path, smallBytes, largeBytes);
            long from = 0;
            long to = size; // exclusive
            int status = 200;
            var h = x.getResponseHeaders();
            h.set("Content-Type", path.endsWith(".jpg") ? "image/jpeg" : "application/octet-stream");
            h.set("Accept-Ranges", "bytes");
            h.set("Last-Modified", "Wed, 01 May 2024 12:00:00 GMT");
            String range = x.getRequestHeaders().getFirst("Range");
            if (range != null && range.startsWith("bytes=")) {
                String[] r = range.substring(6).split("-", -1);
                from = Long.parseLong(r[0]);
                to = r[1].isEmpty() ? size : Math.min(size, Long.parseLong(r[1]) + 1);
                if (from >= size) {
                    h.set("Content-Range", "bytes */" + size);
                    x.sendResponseHeaders(416, -1);
                    return;
                }
                status = 206;
                h.set("Content-Range", "bytes " + from + "-" + (to - 1) + "/" + size);
            }
            if (x.getRequestMethod().equals("HEAD")) {
                h.set("Content-Length", Long.toString(to - from));
                x.sendResponseHeaders(status, -1);
                return;
            }
            x.sendResponseHeaders(status, to - from);
            byte[] pattern = pattern(path);
            OutputStream body = x.getResponseBody();
            long at = from;
            while (at < to) {
                int offset = (int) (at % pattern.length);
                int n = (int) Math.min(pattern.length - offset, to - at);
                body.write(pattern, offset, n);
                at += n;
            }
        }
    }

    /** A directory as an HTML page of links, as web servers list them. */
    private static void index(HttpExchange x, String path, int small, int large) throws IOException {
        StringBuilder html = new StringBuilder("<html><body>\n");
        if (path.isEmpty()) {
            html.append("<a href=\"small/\">small/</a>\n<a href=\"large/\">large/</a>\n");
        } else {
            boolean isSmall = path.equals("small/");
            for (int i = 0; i < (isSmall ? small : large); i++) {
                String name = isSmall ? String.format("%05d.jpg", i) : String.format("%02d.bin", i);
                html.append("<a href=\"").append(name).append("\">").append(name).append("</a>\n");
            }
        }
        byte[] body = html.append("</body></html>\n").toString().getBytes(StandardCharsets.UTF_8);
        x.getResponseHeaders().set("Content-Type", "text/html; charset=utf-8");
        x.sendResponseHeaders(200, x.getRequestMethod().equals("HEAD") ? -1 : body.length);
        if (!x.getRequestMethod().equals("HEAD")) {
            x.getResponseBody().write(body);
        }
    }

    /** 64 KiB of bytes from the name: each file's content differs, repeating every 64 KiB. */
    private static byte[] pattern(String path) {
        byte[] p = new byte[64 * 1024];
        new java.util.Random(path.hashCode()).nextBytes(p);
        return p;
    }
}
