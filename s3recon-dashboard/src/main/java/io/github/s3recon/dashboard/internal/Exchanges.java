package io.github.s3recon.dashboard.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/** Writing answers: JSON, JSON errors, text and files. Stateless. */
final class Exchanges {

    private Exchanges() {
    }

    static void json(HttpExchange x, int status, JsonNode body) throws IOException {
        send(x, status, "application/json; charset=utf-8", Json.MAPPER.writeValueAsBytes(body));
    }

    static void error(HttpExchange x, ApiException e) throws IOException {
        ObjectNode n = Json.object();
        ObjectNode err = n.putObject("error");
        err.put("status", e.status());
        err.put("code", e.code());
        err.put("field", e.field());
        err.put("message", e.getMessage());
        json(x, e.status(), n);
    }

    static void send(HttpExchange x, int status, String contentType, byte[] body) throws IOException {
        x.getResponseHeaders().set("Content-Type", contentType);
        x.getResponseHeaders().set("Cache-Control", "no-store");
        x.getResponseHeaders().set("X-Content-Type-Options", "nosniff");
        x.sendResponseHeaders(status, body.length == 0 ? -1 : body.length);
        if (body.length > 0) {
            try (OutputStream out = x.getResponseBody()) {
                out.write(body);
            }
        }
        x.close();
    }

    static void text(HttpExchange x, String contentType, String filename, String body) throws IOException {
        x.getResponseHeaders().set("Content-Disposition", "attachment; filename=\"" + filename + "\"");
        send(x, 200, contentType, body.getBytes(StandardCharsets.UTF_8));
    }

    /** Streams a file of any size as a download. */
    static void file(HttpExchange x, String contentType, String filename, Path file) throws IOException {
        x.getResponseHeaders().set("Content-Type", contentType);
        x.getResponseHeaders().set("Content-Disposition", "attachment; filename=\"" + filename + "\"");
        x.getResponseHeaders().set("Cache-Control", "no-store");
        long size = Files.size(file);
        x.sendResponseHeaders(200, size == 0 ? -1 : size);
        if (size > 0) {
            try (OutputStream out = x.getResponseBody()) {
                Files.copy(file, out);
            }
        }
        x.close();
    }
}
