package io.github.s3recon.dashboard.internal;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** Reading request bodies field by field, each error naming its field; one shared mapper. Stateless. */
final class Json {

    static final ObjectMapper MAPPER = new ObjectMapper();

    private Json() {
    }

    static ObjectNode object() {
        return MAPPER.createObjectNode();
    }

    static ArrayNode array() {
        return MAPPER.createArrayNode();
    }

    static JsonNode parse(String text) {
        try {
            return MAPPER.readTree(text);
        } catch (JsonProcessingException e) {
            return null;
        }
    }

    /** Parses a request body that must be a JSON object (an empty body is an empty object). */
    static ObjectNode body(byte[] body) {
        if (body.length == 0) {
            return object();
        }
        try {
            JsonNode n = MAPPER.readTree(body);
            if (n instanceof ObjectNode o) {
                return o;
            }
        } catch (java.io.IOException e) {
            // Jackson's message quotes the input; the answer says what to send instead.
            throw ApiException.badRequest(null, "the request body is not valid JSON: send one JSON object");
        }
        throw ApiException.badRequest(null, "the request body must be a JSON object");
    }

    static ObjectNode child(ObjectNode parent, String name, String path) {
        JsonNode n = parent.get(name);
        if (n == null || n.isNull()) {
            throw ApiException.badRequest(path, path + " is required: an object");
        }
        if (!(n instanceof ObjectNode o)) {
            throw ApiException.badRequest(path, path + " must be an object");
        }
        return o;
    }

    static String text(ObjectNode o, String name, String path, boolean required) {
        JsonNode n = o.get(name);
        if (n == null || n.isNull() || (n.isTextual() && n.asText().isBlank())) {
            if (required) {
                throw ApiException.badRequest(path, path + " is required");
            }
            return null;
        }
        if (!n.isTextual()) {
            throw ApiException.badRequest(path, path + " must be a string");
        }
        return n.asText().strip();
    }

    static boolean bool(ObjectNode o, String name, String path, boolean dflt) {
        JsonNode n = o.get(name);
        if (n == null || n.isNull()) {
            return dflt;
        }
        if (!n.isBoolean()) {
            throw ApiException.badRequest(path, path + " must be true or false, was " + n);
        }
        return n.asBoolean();
    }

    static Long integer(ObjectNode o, String name, String path, long min, long max) {
        JsonNode n = o.get(name);
        if (n == null || n.isNull() || (n.isTextual() && n.asText().isBlank())) {
            return null;
        }
        long v;
        if (n.isIntegralNumber()) {
            v = n.asLong();
        } else if (n.isTextual() && n.asText().strip().matches("-?\\d{1,18}")) {
            v = Long.parseLong(n.asText().strip());
        } else {
            throw ApiException.badRequest(path, path + " must be a whole number, was " + n);
        }
        if (v < min || v > max) {
            throw ApiException.badRequest(path, path + " must be between " + min + " and " + max + ", was " + v);
        }
        return v;
    }

    static <E extends Enum<E>> E enumValue(ObjectNode o, String name, String path, Class<E> type, E dflt) {
        String s = text(o, name, path, false);
        if (s == null) {
            return dflt;
        }
        try {
            return Enum.valueOf(type, s.toUpperCase(Locale.ROOT).replace('-', '_'));
        } catch (IllegalArgumentException e) {
            List<String> names = new ArrayList<>();
            for (E v : type.getEnumConstants()) {
                names.add(v.name());
            }
            throw ApiException.badRequest(path, path + " must be one of " + names + ", was \"" + s + "\"");
        }
    }

    /** A list of strings given as a JSON array or as one string of comma- or line-separated items. */
    static List<String> strings(ObjectNode o, String name, String path) {
        JsonNode n = o.get(name);
        List<String> out = new ArrayList<>();
        if (n == null || n.isNull()) {
            return out;
        }
        if (n.isTextual()) {
            for (String s : n.asText().split("[,\\n]")) {
                if (!s.isBlank()) {
                    out.add(s.strip());
                }
            }
            return out;
        }
        if (!n.isArray()) {
            throw ApiException.badRequest(path, path + " must be a list of strings");
        }
        for (JsonNode item : n) {
            if (!item.isTextual() || item.asText().isBlank()) {
                throw ApiException.badRequest(path, path + " must hold non-empty strings only");
            }
            out.add(item.asText().strip());
        }
        return out;
    }
}
