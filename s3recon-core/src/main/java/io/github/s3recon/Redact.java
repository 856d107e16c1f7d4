package io.github.s3recon;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What may be shown of endpoints, server messages and keys in messages, logs, reports and the
 * database: endpoints without user-info, query or fragment; text without anything that looks like a
 * credential, signature or URL query; keys with control characters escaped, so that a key cannot
 * forge a log line or a report line. Stateless and thread-safe; every method accepts null.
 *
 * <p>The engine passes everything it logs or writes through here; a listener that logs keys or
 * failure messages itself should do the same ({@code Redact.key(event.key())}). Public so that every
 * module and package (events, transfer, inventory) uses this one definition.
 */
public final class Redact {

    /** Longest server message quoted: server messages are quoted, not trusted. */
    private static final int MAX_SERVER_MESSAGE = 300;
    private static final Pattern SECRET_LOOKING = Pattern.compile(
            "(?i)(credential|signature|security-token|x-amz-security-token|authorization|awsaccesskeyid|"
                    + "accesskeyid|secretkey|secret-key|secret_key|secretaccesskey|sessiontoken|password)"
                    + "\\s*[=:]\\s*[^\\s,;&]+"
                    + "|\\b(AKIA|ASIA|AROA|AIDA)[A-Z0-9]{12,}\\b");
    /** A URL in free text: its user-info and its query/fragment are dropped. */
    private static final Pattern URL = Pattern.compile(
            "(?i)\\b([a-z][a-z0-9+.-]*://)([^/\\s@?#]*@)?([^\\s?#]*)([?#][^\\s]*)?");

    private Redact() {
    }

    /**
     * An endpoint as it may be shown: scheme, host, port and path only.
     *
     * @param uri the endpoint; may be null
     * @return the endpoint without user-info, query and fragment, or null for null
     */
    public static String endpoint(URI uri) {
        if (uri == null) {
            return null;
        }
        try {
            return new URI(uri.getScheme(), null, uri.getHost(), uri.getPort(), uri.getPath(), null, null).toString();
        } catch (URISyntaxException | IllegalArgumentException e) {
            return uri.getScheme() + "://" + uri.getHost();
        }
    }

    /**
     * Free text (a server's error message, an exception's message) as it may be shown: URLs lose their
     * user-info and query, what looks like a credential or signature is replaced by {@code [redacted]},
     * control characters are escaped.
     *
     * @param text the text; may be null
     * @return the cleaned text, or null for null
     */
    public static String text(String text) {
        if (text == null) {
            return null;
        }
        Matcher m = URL.matcher(text);
        StringBuilder out = new StringBuilder(text.length());
        while (m.find()) {
            m.appendReplacement(out, Matcher.quoteReplacement(m.group(1) + m.group(3)));
        }
        m.appendTail(out);
        return controls(SECRET_LOOKING.matcher(out).replaceAll("[redacted]"));
    }

    /**
     * A server's message as it may be quoted: {@link #text(String)}, whitespace collapsed, at most
     * 300 characters.
     *
     * @param message the message; may be null
     * @return the cleaned, shortened message, or null for null
     */
    public static String serverMessage(String message) {
        if (message == null) {
            return null;
        }
        String cleaned = text(message.replaceAll("\\s+", " ").trim());
        return cleaned.length() <= MAX_SERVER_MESSAGE ? cleaned : cleaned.substring(0, MAX_SERVER_MESSAGE) + "…";
    }

    /**
     * A key as it may be logged: control characters (C0, DEL, C1, and the Unicode line and paragraph
     * separators) escaped as {@code \n}, {@code \t}, {@code \r} or {@code \}{@code uXXXX}; a backslash
     * stays a backslash. Nothing else changes, so a printable key reads as itself.
     *
     * @param key the key; may be null
     * @return the escaped key, or null for null
     */
    public static String key(String key) {
        return controls(key);
    }

    private static String controls(String s) {
        if (s == null) {
            return null;
        }
        int i = 0;
        while (i < s.length() && !control(s.charAt(i))) {
            i++;
        }
        if (i == s.length()) {
            return s;
        }
        StringBuilder out = new StringBuilder(s.length() + 16).append(s, 0, i);
        for (; i < s.length(); i++) {
            char c = s.charAt(i);
            if (!control(c)) {
                out.append(c);
            } else if (c == '\n') {
                out.append("\\n");
            } else if (c == '\r') {
                out.append("\\r");
            } else if (c == '\t') {
                out.append("\\t");
            } else {
                out.append(String.format("\\u%04X", (int) c));
            }
        }
        return out.toString();
    }

    private static boolean control(char c) {
        return c < 0x20 || (c >= 0x7f && c <= 0x9f) || c == '\u2028' || c == '\u2029';
    }
}
