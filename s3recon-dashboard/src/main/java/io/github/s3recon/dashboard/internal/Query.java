package io.github.s3recon.dashboard.internal;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/** Query-string parameters, each error naming its parameter. Stateless. */
final class Query {

    private Query() {
    }

    static Map<String, String> parse(String raw) {
        Map<String, String> out = new LinkedHashMap<>();
        if (raw == null || raw.isEmpty()) {
            return out;
        }
        for (String pair : raw.split("&")) {
            int eq = pair.indexOf('=');
            String k = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
            String v = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
            out.put(k, v);
        }
        return out;
    }

    static int integer(Map<String, String> q, String name, int dflt, int min, int max) {
        String v = q.get(name);
        if (v == null || v.isBlank()) {
            return dflt;
        }
        try {
            long n = Long.parseLong(v.strip());
            if (n < min || n > max) {
                throw ApiException.badRequest(name, name + " must be between " + min + " and " + max + ", was " + v);
            }
            return (int) n;
        } catch (NumberFormatException e) {
            throw ApiException.badRequest(name, name + " must be a whole number, was \"" + v + "\"");
        }
    }

    static <E extends Enum<E>> E enumValue(Map<String, String> q, String name, Class<E> type) {
        String v = q.get(name);
        if (v == null || v.isBlank()) {
            return null;
        }
        try {
            return Enum.valueOf(type, v.strip().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw ApiException.badRequest(name, name + " must be one of " + java.util.Arrays.toString(
                    type.getEnumConstants()) + ", was \"" + v + "\"");
        }
    }
}
