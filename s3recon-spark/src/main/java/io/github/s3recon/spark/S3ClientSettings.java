package io.github.s3recon.spark;

import io.github.s3recon.S3Clients;
import io.github.s3recon.S3ReconException;
import java.io.Serializable;
import java.lang.reflect.InvocationTargetException;
import java.net.URI;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.auth.credentials.ProfileCredentialsProvider;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3AsyncClient;

/**
 * How a JVM of a Spark job builds the S3 client of one side: credentials from the SDK's default
 * chain, from a named profile, or from a user's {@link S3ClientFactory} class; and optionally an
 * endpoint (an S3-compatible server, reached with path-style requests and the checksum settings
 * such servers need) and a region. It holds no secret, so that it can travel in tasks: each JVM
 * finds the credentials itself (instance roles, environment variables, its own profile files).
 *
 * <p>Immutable, thread-safe and serializable.
 *
 * @param credentials where the credentials come from; not null
 * @param profile the profile's name for {@link Credentials#PROFILE}, else null
 * @param factoryClass the factory's class name for {@link Credentials#FACTORY}, else null
 * @param endpoint the endpoint, or null for AWS
 * @param region the region's id, or null for the SDK's default region chain
 */
public record S3ClientSettings(Credentials credentials, String profile, String factoryClass, URI endpoint,
        String region) implements Serializable {

    private static final long serialVersionUID = 1L;

    /** Where the credentials of a side come from. */
    public enum Credentials {
        /** The SDK's default chain: environment, system properties, profile files, container and instance roles. */
        DEFAULT_CHAIN,
        /** A named profile of the AWS configuration files on each JVM's machine. */
        PROFILE,
        /** A user's {@link S3ClientFactory}, which builds the whole client. */
        FACTORY
    }

    /** Checks the fields against the kind of credentials. */
    public S3ClientSettings {
        S3ReconException.requireSetting(credentials, "credentials");
        if (credentials == Credentials.PROFILE && (profile == null || profile.isBlank())) {
            throw S3ReconException.invalidConfiguration("profile", profile, "must name a profile of ~/.aws/config");
        }
        if (credentials == Credentials.FACTORY && (factoryClass == null || factoryClass.isBlank())) {
            throw S3ReconException.invalidConfiguration("factoryClass", factoryClass,
                    "must name a class implementing " + S3ClientFactory.class.getName());
        }
        if (endpoint != null && (endpoint.getScheme() == null || endpoint.getHost() == null)) {
            throw S3ReconException.invalidConfiguration("endpoint", endpoint, "must be an absolute URL such as"
                    + " https://s3.example.com:9000");
        }
        if (endpoint != null && endpoint.getUserInfo() != null) {
            throw S3ReconException.invalidConfiguration("endpoint", "(an URL with user info)",
                    "must not carry credentials: they would travel in every task");
        }
    }

    /**
     * The SDK's default credential chain, on AWS, in the default region chain.
     *
     * @return the settings
     */
    public static S3ClientSettings defaultChain() {
        return new S3ClientSettings(Credentials.DEFAULT_CHAIN, null, null, null, null);
    }

    /**
     * A named profile, on AWS.
     *
     * @param name the profile's name; not blank
     * @return the settings
     */
    public static S3ClientSettings profile(String name) {
        return new S3ClientSettings(Credentials.PROFILE, name, null, null, null);
    }

    /**
     * A user's factory class, created on each JVM by its public no-argument constructor.
     *
     * @param className the class's binary name; not blank; must implement {@link S3ClientFactory}
     * @return the settings
     */
    public static S3ClientSettings factory(String className) {
        return new S3ClientSettings(Credentials.FACTORY, null, className, null, null);
    }

    /**
     * Returns these settings with an endpoint (an S3-compatible server).
     *
     * @param url the endpoint; not null
     * @return the new settings
     */
    public S3ClientSettings withEndpoint(URI url) {
        return new S3ClientSettings(credentials, profile, factoryClass, S3ReconException.requireSetting(url,
                "endpoint"), region);
    }

    /**
     * Returns these settings with a region.
     *
     * @param id the region's id, e.g. {@code eu-west-1}; not blank
     * @return the new settings
     */
    public S3ClientSettings withRegion(String id) {
        if (id == null || id.isBlank()) {
            throw S3ReconException.invalidConfiguration("region", id, "must be a region id such as eu-west-1");
        }
        return new S3ClientSettings(credentials, profile, factoryClass, endpoint, id);
    }

    /**
     * Builds a client on this JVM.
     *
     * @return a new client, owned by the caller
     * @throws S3ReconException {@link io.github.s3recon.ErrorCode#INVALID_CONFIGURATION} if the
     *     factory class cannot be loaded or created, naming it and the fix
     */
    public S3AsyncClient create() {
        if (credentials == Credentials.FACTORY) {
            return instantiate().create(this);
        }
        AwsCredentialsProvider provider = credentials == Credentials.PROFILE
                ? ProfileCredentialsProvider.create(profile) : DefaultCredentialsProvider.builder().build();
        Region chosen = region == null ? null : Region.of(region);
        if (endpoint != null) {
            return S3Clients.asyncClient(endpoint, chosen == null ? Region.US_EAST_1 : chosen, provider);
        }
        var builder = S3AsyncClient.builder().credentialsProvider(provider);
        if (chosen != null) {
            builder.region(chosen);
        }
        return builder.build();
    }

    private S3ClientFactory instantiate() {
        try {
            Class<?> type = Class.forName(factoryClass, true, classLoader());
            if (!S3ClientFactory.class.isAssignableFrom(type)) {
                throw S3ReconException.invalidConfiguration("factoryClass", factoryClass,
                        "must implement " + S3ClientFactory.class.getName());
            }
            return (S3ClientFactory) type.getConstructor().newInstance();
        } catch (ClassNotFoundException e) {
            throw S3ReconException.invalidConfiguration("factoryClass", factoryClass, "is not on the class path of"
                    + " this JVM: ship its jar with the job (spark-submit --jars)");
        } catch (NoSuchMethodException | InstantiationException | IllegalAccessException e) {
            throw S3ReconException.invalidConfiguration("factoryClass", factoryClass,
                    "must be a public class with a public no-argument constructor");
        } catch (InvocationTargetException e) {
            throw S3ReconException.invalidConfiguration("factoryClass", factoryClass,
                    "failed in its constructor: " + e.getCause());
        }
    }

    private static ClassLoader classLoader() {
        ClassLoader context = Thread.currentThread().getContextClassLoader();
        return context != null ? context : S3ClientSettings.class.getClassLoader();
    }
}
