package io.github.s3recon.dashboard.internal;

import io.github.s3recon.Redact;
import io.github.s3recon.S3Clients;
import java.net.URI;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3AsyncClient;

/**
 * The named S3 endpoints migrations can use. Credentials given through the API go into the
 * endpoint's client and nowhere else: not kept in a field, not written, not answered. Clients built
 * here are closed with the registry; clients a host passed in are the host's. Thread-safe.
 */
public final class EndpointRegistry implements AutoCloseable {

    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,62}");

    /** One endpoint: what the API shows about it, and its client. */
    public record Endpoint(String name, String url, String region, String credentials, S3AsyncClient client,
            boolean owned) {
    }

    private final Map<String, Endpoint> endpoints = new LinkedHashMap<>();

    /**
     * Adds an endpoint whose client the host built (embedding).
     *
     * @param name its name
     * @param client its client, not closed by the registry
     * @param description what the API shows as its URL (e.g. the endpoint URL), no secret
     */
    public synchronized void add(String name, S3AsyncClient client, String description) {
        checkName(name);
        endpoints.put(name, new Endpoint(name, description, "", "given by the host", client, false));
    }

    /**
     * Adds (or replaces) an endpoint from what a user typed, building its client.
     *
     * @param name its name
     * @param url the endpoint URL, or null/blank for AWS's own endpoint of the region
     * @param region the region, e.g. us-east-1
     * @param accessKeyId an access key id, or null to use the default credential chain
     * @param secretAccessKey its secret; required with an access key id
     * @return the endpoint
     */
    public Endpoint add(String name, String url, String region, String accessKeyId, String secretAccessKey) {
        checkName(name);
        if (region == null || !region.matches("[a-z0-9-]{1,40}")) {
            throw ApiException.badRequest("region", "region must be a region name such as us-east-1");
        }
        URI uri = null;
        if (url != null) {
            try {
                uri = new URI(url);
            } catch (java.net.URISyntaxException e) {
                throw ApiException.badRequest("url", "url is not a URL: give e.g. http://127.0.0.1:9000");
            }
            if (!("http".equals(uri.getScheme()) || "https".equals(uri.getScheme())) || uri.getHost() == null) {
                throw ApiException.badRequest("url", "url must be an http:// or https:// URL with a host, e.g. "
                        + "http://127.0.0.1:9000");
            }
            if (uri.getUserInfo() != null || uri.getQuery() != null) {
                throw ApiException.badRequest("url", "url must hold no user info and no query: give the "
                        + "credentials in accessKeyId and secretAccessKey");
            }
        }
        if ((accessKeyId == null) != (secretAccessKey == null)) {
            throw ApiException.badRequest(accessKeyId == null ? "accessKeyId" : "secretAccessKey",
                    "give both accessKeyId and secretAccessKey, or neither to use the server's default credentials");
        }
        AwsCredentialsProvider credentials = accessKeyId == null ? DefaultCredentialsProvider.builder().build()
                : StaticCredentialsProvider.create(AwsBasicCredentials.create(accessKeyId, secretAccessKey));
        Region r = Region.of(region);
        S3AsyncClient client = uri == null
                ? S3AsyncClient.builder().region(r).credentialsProvider(credentials).build()
                : S3Clients.asyncClient(uri, r, credentials);
        Endpoint e = new Endpoint(name, uri == null ? "(AWS " + region + ")" : Redact.endpoint(uri), region,
                accessKeyId == null ? "default chain" : "given (not shown)", client, true);
        Endpoint old;
        synchronized (this) {
            old = endpoints.put(name, e);
        }
        if (old != null && old.owned()) {
            old.client().close();
        }
        return e;
    }

    /**
     * @param name an endpoint's name
     * @param field the request field that named it, for the error
     * @return the endpoint
     */
    public synchronized Endpoint get(String name, String field) {
        Endpoint e = endpoints.get(name);
        if (e == null) {
            throw ApiException.badRequest(field, field + ": there is no endpoint named \"" + name
                    + "\"; add it first (known: " + endpoints.keySet() + ")");
        }
        return e;
    }

    /** @param name an endpoint's name @return whether it exists */
    public synchronized boolean has(String name) {
        return endpoints.containsKey(name);
    }

    /** @return every endpoint, in the order added */
    public synchronized List<Endpoint> all() {
        return new ArrayList<>(endpoints.values());
    }

    private static void checkName(String name) {
        if (name == null || !NAME.matcher(name).matches()) {
            throw ApiException.badRequest("name", "name must be 1-63 letters, digits, '.', '_' or '-', starting "
                    + "with a letter or digit");
        }
    }

    /** Closes the clients this registry built. */
    @Override
    public synchronized void close() {
        for (Endpoint e : endpoints.values()) {
            if (e.owned()) {
                e.client().close();
            }
        }
        endpoints.clear();
    }
}
