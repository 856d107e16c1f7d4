package io.github.s3recon.dashboard.internal;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import java.io.IOException;
import java.io.InputStream;
import java.util.Map;

/**
 * The page: {@code index.html}, {@code app.js}, {@code app.css} from the module's resources. No build
 * step: the files are served as written. Anything else is a 404. Thread-safe.
 */
public final class StaticHandler implements HttpHandler {

    private static final String BASE = "/io/github/s3recon/dashboard/static/";
    private static final Map<String, String> FILES = Map.of(
            "index.html", "text/html; charset=utf-8",
            "app.js", "text/javascript; charset=utf-8",
            "app.css", "text/css; charset=utf-8");

    @Override
    public void handle(HttpExchange x) throws IOException {
        String path = x.getRequestURI().getPath();
        String name = path.equals("/") ? "index.html" : path.substring(1);
        String type = FILES.get(name);
        if (type == null || !(x.getRequestMethod().equals("GET") || x.getRequestMethod().equals("HEAD"))) {
            Exchanges.error(x, ApiException.notFound("no such page: " + path));
            return;
        }
        byte[] body;
        try (InputStream in = StaticHandler.class.getResourceAsStream(BASE + name)) {
            if (in == null) {
                Exchanges.error(x, new ApiException(500, "INTERNAL", null, "the page's file " + name
                        + " is missing from the jar"));
                return;
            }
            body = in.readAllBytes();
        }
        x.getResponseHeaders().set("Content-Security-Policy", "default-src 'self'; style-src 'self'; "
                + "script-src 'self'; img-src 'self' data:; connect-src 'self'");
        Exchanges.send(x, 200, type, body);
    }
}
