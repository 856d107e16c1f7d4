package io.github.s3recon.dashboard;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.function.BooleanSupplier;

/**
 * A headless Chromium driven over the W3C WebDriver protocol with the JDK's HttpClient: chromedriver
 * in a process of its own, one session with a fresh profile. Enough of the protocol for the tests:
 * navigate, find, click, type, run a script, take a screenshot.
 */
final class Chrome implements AutoCloseable {

    private static final String ELEMENT = "element-6066-11e4-a52e-4f735466cecf";
    private static final List<String> BROWSERS = List.of("/usr/bin/chromium", "/usr/bin/chromium-browser",
            "/usr/bin/google-chrome", "/usr/lib/chromium/chromium");
    private static final List<String> DRIVERS = List.of("/usr/bin/chromedriver", "/usr/lib/chromium/chromedriver");

    private final Process driver;
    private final URI base;
    private final String session;
    private final Path profile;

    /** @return why Chromium cannot run here, or empty if it can */
    static Optional<String> unavailable() {
        if (browser().isEmpty()) {
            return Optional.of("no Chromium found at " + BROWSERS + ": apt-get install -y chromium chromium-driver");
        }
        if (driver().isEmpty()) {
            return Optional.of("no chromedriver found at " + DRIVERS + ": apt-get install -y chromium-driver");
        }
        return Optional.empty();
    }

    private static Optional<String> browser() {
        return BROWSERS.stream().filter(p -> Files.isExecutable(Path.of(p))).findFirst();
    }

    private static Optional<String> driver() {
        return DRIVERS.stream().filter(p -> Files.isExecutable(Path.of(p))).findFirst();
    }

    Chrome(Path logDirectory) throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        Files.createDirectories(logDirectory);
        driver = new ProcessBuilder(driver().orElseThrow(), "--port=" + port, "--allowed-ips=127.0.0.1")
                .redirectErrorStream(true).redirectOutput(logDirectory.resolve("chromedriver.log").toFile()).start();
        base = URI.create("http://127.0.0.1:" + port + "/");
        long deadline = System.nanoTime() + 20_000_000_000L;
        while (true) {
            try {
                if (call("GET", "status", null).path("value").path("ready").asBoolean()) {
                    break;
                }
            } catch (UncheckedIOException notYet) {
                // not listening yet
            }
            if (System.nanoTime() > deadline) {
                driver.destroy();
                throw new IllegalStateException("chromedriver did not start in 20 s; see " + logDirectory);
            }
            Thread.sleep(100);
        }
        profile = Files.createTempDirectory("s3recon-chromium-profile");
        ObjectNode caps = Http.JSON.createObjectNode();
        ObjectNode always = caps.putObject("capabilities").putObject("alwaysMatch");
        always.put("browserName", "chrome");
        ObjectNode options = always.putObject("goog:chromeOptions");
        options.put("binary", browser().orElseThrow());
        ArrayNode args = options.putArray("args");
        for (String a : List.of("--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                "--disable-component-update", "--no-first-run", "--disable-dev-shm-usage", "--window-size=1400,1200",
                "--user-data-dir=" + profile)) {
            args.add(a);
        }
        JsonNode created = call("POST", "session", caps);
        session = created.path("value").path("sessionId").asText();
        if (session.isEmpty()) {
            close();
            throw new IllegalStateException("chromedriver made no session: " + created);
        }
    }

    private JsonNode call(String method, String path, JsonNode body) {
        try {
            HttpRequest.Builder b = HttpRequest.newBuilder(base.resolve(path)).timeout(Duration.ofSeconds(60));
            if (body == null) {
                b.method(method, HttpRequest.BodyPublishers.noBody());
            } else {
                b.header("Content-Type", "application/json")
                        .method(method, HttpRequest.BodyPublishers.ofString(Http.JSON.writeValueAsString(body)));
            }
            HttpResponse<String> r = Http.client().send(b.build(), HttpResponse.BodyHandlers.ofString());
            JsonNode json = Http.JSON.readTree(r.body());
            if (r.statusCode() >= 400) {
                throw new IllegalStateException("WebDriver " + method + " " + path + ": " + json.path("value"));
            }
            return json;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private JsonNode session(String method, String path, JsonNode body) {
        return call(method, "session/" + session + "/" + path, body);
    }

    void open(URI uri) {
        session("POST", "url", Http.JSON.createObjectNode().put("url", uri.toString()));
    }

    private String find(String css) {
        JsonNode r = session("POST", "element", Http.JSON.createObjectNode().put("using", "css selector")
                .put("value", css));
        return r.path("value").path(ELEMENT).asText();
    }

    /** Clicks an element; found again if the page re-rendered it between finding and clicking. */
    void click(String css) {
        for (int attempt = 1;; attempt++) {
            try {
                session("POST", "element/" + find(css) + "/click", Http.JSON.createObjectNode());
                return;
            } catch (IllegalStateException e) {
                if (attempt == 5 || !String.valueOf(e.getMessage()).contains("stale element")) {
                    throw e;
                }
            }
        }
    }

    void type(String css, String text) {
        String id = find(css);
        session("POST", "element/" + id + "/clear", Http.JSON.createObjectNode());
        session("POST", "element/" + id + "/value", Http.JSON.createObjectNode().put("text", text));
    }

    /** Sets a select's value the way a user's choice does (firing change). */
    void select(String css, String value) {
        script("const e = document.querySelector(arguments[0]); e.value = arguments[1];"
                + " e.dispatchEvent(new Event('change', {bubbles: true})); return e.value;", css, value);
    }

    String text(String css) {
        return script("const e = document.querySelector(arguments[0]); return e ? e.textContent : null;", css).asText();
    }

    JsonNode script(String script, Object... args) {
        ObjectNode body = Http.JSON.createObjectNode().put("script", script);
        ArrayNode a = body.putArray("args");
        for (Object o : args) {
            a.add(Http.JSON.valueToTree(o));
        }
        return session("POST", "execute/sync", body).path("value");
    }

    /** Waits for a condition that a script returns as true. */
    void waitFor(String what, long millis, String script, Object... args) throws InterruptedException {
        waitFor(what, millis, () -> script(script, args).asBoolean());
    }

    void waitFor(String what, long millis, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + millis * 1_000_000;
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                Path shot = Path.of("target", "screenshots", "failed-" + what.replaceAll("[^A-Za-z0-9]+", "-") + ".png");
                try {
                    screenshot(shot);
                } catch (IOException | RuntimeException e) {
                    shot = null;
                }
                throw new AssertionError("the page did not show " + what + " within " + millis + " ms"
                        + (shot == null ? "" : "; see " + shot));
            }
            Thread.sleep(150);
        }
    }

    /** Saves a PNG of the page from its top. */
    void screenshot(Path file) throws IOException {
        script("window.scrollTo(0, 0); return true;");
        String png = session("GET", "screenshot", null).path("value").asText();
        Files.createDirectories(file.getParent());
        Files.write(file, Base64.getDecoder().decode(png));
    }

    @Override
    public void close() {
        try {
            if (session != null) {
                call("DELETE", "session/" + session, null);
            }
        } catch (RuntimeException ignored) {
            // the browser is going away anyway
        } finally {
            driver.destroy();
            try {
                driver.waitFor();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            deleteQuietly(profile);
        }
    }

    private static void deleteQuietly(Path dir) {
        if (dir == null) {
            return;
        }
        try (var files = Files.walk(dir)) {
            files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException ignored) {
            // a temp directory left behind is harmless
        }
    }
}
