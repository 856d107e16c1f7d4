package io.github.s3recon.postgres;

import io.github.s3recon.S3ReconException;
import java.io.Serializable;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.Map;
import java.util.Properties;
import java.util.regex.Pattern;

/**
 * Where {@link PostgresCheckpointStore} keeps its tables: a JDBC URL, a user, the name of the
 * environment variable that holds the password, a schema and the size of the connection pool.
 *
 * <p><b>No secret.</b> The settings never hold a password, so they may be logged, serialised and
 * sent to other JVMs (e.g. Spark executors), each of which reads the password from its own
 * environment when it opens the store. A URL that carries a password ({@code password=} in its
 * query, or {@code user:password@} before the host) is refused. Without the variable set the
 * driver's other means apply (a {@code ~/.pgpass} file, trust authentication).
 *
 * <p>Immutable and thread-safe; validated in the constructor, whose checks name the setting and
 * the fix.
 *
 * @param url the JDBC URL, {@code jdbc:postgresql://host:port/database}; not null, without a password
 * @param user the database user; not null, not blank
 * @param passwordVariable the name of the environment variable holding the password; not null,
 *     not blank (an unset or empty variable means no password)
 * @param schema the schema of the store's tables, created when missing; a lower-case SQL
 *     identifier ({@code [a-z_][a-z0-9_]*}, at most 63 characters)
 * @param maximumPoolSize the most connections the store's pool opens, 1 to 100
 */
public record PostgresSettings(String url, String user, String passwordVariable, String schema, int maximumPoolSize)
        implements Serializable {

    private static final long serialVersionUID = 1L;

    /** The URL when {@code S3RECON_PG_URL} is unset: the local server's {@code test} database. */
    public static final String DEFAULT_URL = "jdbc:postgresql://127.0.0.1:5432/test";

    /** The user when {@code S3RECON_PG_USER} is unset. */
    public static final String DEFAULT_USER = "postgres";

    /** The environment variable that holds the password by default. */
    public static final String DEFAULT_PASSWORD_VARIABLE = "S3RECON_PG_PASSWORD";

    /** The schema when {@code S3RECON_PG_SCHEMA} is unset. */
    public static final String DEFAULT_SCHEMA = "s3recon";

    /** The pool size by default: writes are batched, so few connections are ever busy at once. */
    public static final int DEFAULT_MAXIMUM_POOL_SIZE = 4;

    private static final Pattern SCHEMA = Pattern.compile("[a-z_][a-z0-9_]{0,62}");
    // password=..., in the query (&, ?) or in pgjdbc's property syntax (;), any case.
    private static final Pattern PASSWORD_PARAMETER = Pattern.compile("(?i)([?&;]password=)[^&;#]*");
    // //user:password@host
    private static final Pattern USER_INFO = Pattern.compile("(//[^/@:?]*:)[^/@?]*@");

    /** Checks every setting. */
    public PostgresSettings {
        if (url == null || !url.startsWith("jdbc:postgresql:")) {
            throw S3ReconException.invalidConfiguration("url", url == null ? null : redact(url),
                    "must be a PostgreSQL JDBC URL, jdbc:postgresql://host:port/database");
        }
        if (!redact(url).equals(url)) {
            throw S3ReconException.invalidConfiguration("url", redact(url), "must not carry a password: put"
                    + " the password in the environment variable named by passwordVariable ("
                    + DEFAULT_PASSWORD_VARIABLE + " by default) or in ~/.pgpass");
        }
        if (user == null || user.isBlank()) {
            throw S3ReconException.invalidConfiguration("user", user, "must name a database user, e.g. postgres");
        }
        if (passwordVariable == null || passwordVariable.isBlank()) {
            throw S3ReconException.invalidConfiguration("passwordVariable", passwordVariable,
                    "must name an environment variable, e.g. " + DEFAULT_PASSWORD_VARIABLE);
        }
        if (schema == null || !SCHEMA.matcher(schema).matches()) {
            throw S3ReconException.invalidConfiguration("schema", schema,
                    "must be a lower-case SQL identifier: a letter or _, then letters, digits or _, at most 63");
        }
        if (maximumPoolSize < 1 || maximumPoolSize > 100) {
            throw S3ReconException.invalidConfiguration("maximumPoolSize", maximumPoolSize, "must be 1 to 100");
        }
    }

    /**
     * Settings with the defaults: the local server, user {@value #DEFAULT_USER}, the password in
     * {@value #DEFAULT_PASSWORD_VARIABLE}, schema {@value #DEFAULT_SCHEMA}, a pool of
     * {@value #DEFAULT_MAXIMUM_POOL_SIZE}.
     *
     * @param url the JDBC URL; not null, without a password
     * @return the settings
     */
    public static PostgresSettings of(String url) {
        return new PostgresSettings(url, DEFAULT_USER, DEFAULT_PASSWORD_VARIABLE, DEFAULT_SCHEMA,
                DEFAULT_MAXIMUM_POOL_SIZE);
    }

    /**
     * Settings from the process's environment: {@code S3RECON_PG_URL} (default {@value #DEFAULT_URL}),
     * {@code S3RECON_PG_USER} (default {@value #DEFAULT_USER}), {@code S3RECON_PG_SCHEMA} (default
     * {@value #DEFAULT_SCHEMA}); the password is read from {@value #DEFAULT_PASSWORD_VARIABLE} when
     * the store opens.
     *
     * @return the settings
     * @throws S3ReconException {@link io.github.s3recon.ErrorCode#INVALID_CONFIGURATION} naming the
     *     variable whose value is unusable
     */
    public static PostgresSettings fromEnvironment() {
        return fromEnvironment(System.getenv());
    }

    /** {@link #fromEnvironment()} on a given environment (tests). */
    static PostgresSettings fromEnvironment(Map<String, String> environment) {
        return new PostgresSettings(value(environment, "S3RECON_PG_URL", DEFAULT_URL),
                value(environment, "S3RECON_PG_USER", DEFAULT_USER), DEFAULT_PASSWORD_VARIABLE,
                value(environment, "S3RECON_PG_SCHEMA", DEFAULT_SCHEMA), DEFAULT_MAXIMUM_POOL_SIZE);
    }

    private static String value(Map<String, String> environment, String name, String fallback) {
        String value = environment.get(name);
        return value == null || value.isBlank() ? fallback : value.trim();
    }

    /**
     * Returns these settings with another schema (e.g. one per tenant, or per test).
     *
     * @param newSchema the schema; see the record's rules
     * @return the new settings
     */
    public PostgresSettings withSchema(String newSchema) {
        return new PostgresSettings(url, user, passwordVariable, newSchema, maximumPoolSize);
    }

    /**
     * Returns these settings with another pool size.
     *
     * @param size 1 to 100
     * @return the new settings
     */
    public PostgresSettings withMaximumPoolSize(int size) {
        return new PostgresSettings(url, user, passwordVariable, schema, size);
    }

    /**
     * Returns these settings with another user.
     *
     * @param newUser the user; not blank
     * @return the new settings
     */
    public PostgresSettings withUser(String newUser) {
        return new PostgresSettings(url, newUser, passwordVariable, schema, maximumPoolSize);
    }

    /**
     * Returns a JDBC URL with any password in it replaced by {@code ***}, for messages.
     *
     * @param url a URL, or null
     * @return the URL without its password, or null
     */
    public static String redact(String url) {
        if (url == null) {
            return null;
        }
        String redacted = PASSWORD_PARAMETER.matcher(url).replaceAll("$1***");
        return USER_INFO.matcher(redacted).replaceAll("$1***@");
    }

    /**
     * Opens a plain JDBC connection with these settings (no pool), the password read from the
     * environment now; for tools that keep tables of their own beside the store's.
     *
     * @return the connection, in auto-commit mode, owned by the caller
     * @throws SQLException when the server cannot be reached or refuses the user; the message
     *     carries no password
     */
    public Connection connect() throws SQLException {
        Properties properties = new Properties();
        properties.setProperty("user", user);
        String secret = password();
        if (secret != null) {
            properties.setProperty("password", secret);
        }
        return DriverManager.getConnection(url, properties);
    }

    /**
     * Where the store is, for messages: the URL, the user and the schema; never a password.
     *
     * @return the description
     */
    public String describe() {
        return url + " (user " + user + ", schema " + schema + ")";
    }

    /** The password from the environment, or null; read only when a pool is created. */
    String password() {
        String value = System.getenv(passwordVariable);
        return value == null || value.isEmpty() ? null : value;
    }

    @Override
    public String toString() {
        return "PostgresSettings[url=" + url + ", user=" + user + ", passwordVariable=" + passwordVariable
                + ", schema=" + schema + ", maximumPoolSize=" + maximumPoolSize + "]";
    }
}
