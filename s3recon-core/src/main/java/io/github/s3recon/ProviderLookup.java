package io.github.s3recon;

import java.util.Iterator;
import java.util.Optional;
import java.util.ServiceLoader;

/**
 * Finds the implementations of core's SPIs that other modules register in
 * {@code META-INF/services} ({@code s3recon-inventory}: lister and stores; {@code s3recon-transfer}:
 * the transfer scheduler). Core's own class loader is asked first, then the thread's context class
 * loader, so that both a flat class path and an application server find them. Stateless.
 */
final class ProviderLookup {

    private ProviderLookup() {
    }

    /**
     * Returns the first provider of a type.
     *
     * @param type the provider interface
     * @param instead what the caller can pass instead, for the message, e.g. {@code "pass an instance to the builder"}
     * @param <T> the provider type
     * @return the provider
     * @throws S3ReconException with {@link ErrorCode#MISSING_PROVIDER} if none is on the class path
     */
    static <T> T require(Class<T> type, String instead) {
        return find(type).orElseThrow(() -> new S3ReconException(ErrorCode.MISSING_PROVIDER, "no "
                + type.getSimpleName() + " on the class path: add the io.github.s3recon:s3recon-inventory "
                + "dependency, or " + instead));
    }

    /**
     * Returns the first provider of a type, if there is one.
     *
     * @param type the provider interface
     * @param <T> the provider type
     * @return the provider, or empty
     */
    static <T> Optional<T> find(Class<T> type) {
        Iterator<T> found = ServiceLoader.load(type, ProviderLookup.class.getClassLoader()).iterator();
        if (!found.hasNext()) {
            found = ServiceLoader.load(type).iterator();
        }
        return found.hasNext() ? Optional.of(found.next()) : Optional.empty();
    }
}
