package io.github.s3recon.internal;

import java.net.URI;

/**
 * Moved to {@link io.github.s3recon.Redact}; kept as a delegate so that the modules that call it
 * here keep compiling until they switch. Stateless and thread-safe; every method accepts null.
 */
public final class Redact {

    private Redact() {
    }

    /**
     * See {@link io.github.s3recon.Redact#endpoint(URI)}.
     *
     * @param uri the endpoint; may be null
     * @return the endpoint without user-info, query and fragment, or null for null
     */
    public static String endpoint(URI uri) {
        return io.github.s3recon.Redact.endpoint(uri);
    }

    /**
     * See {@link io.github.s3recon.Redact#text(String)}.
     *
     * @param text the text; may be null
     * @return the cleaned text, or null for null
     */
    public static String text(String text) {
        return io.github.s3recon.Redact.text(text);
    }

    /**
     * See {@link io.github.s3recon.Redact#serverMessage(String)}.
     *
     * @param message the message; may be null
     * @return the cleaned, shortened message, or null for null
     */
    public static String serverMessage(String message) {
        return io.github.s3recon.Redact.serverMessage(message);
    }

    /**
     * See {@link io.github.s3recon.Redact#key(String)}.
     *
     * @param key the key; may be null
     * @return the escaped key, or null for null
     */
    public static String key(String key) {
        return io.github.s3recon.Redact.key(key);
    }
}
