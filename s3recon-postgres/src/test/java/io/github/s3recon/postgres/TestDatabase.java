package io.github.s3recon.postgres;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Locale;
import java.util.Properties;
import java.util.UUID;

/**
 * The PostgreSQL server the tests use: {@link PostgresSettings#fromEnvironment()} (the local
 * server on 127.0.0.1:5432, database {@code test}, user {@code postgres} by default; set
 * {@code S3RECON_PG_URL}, {@code S3RECON_PG_USER} and {@code S3RECON_PG_PASSWORD} for another).
 * Tests that need it skip, with the reason, when it cannot be reached. Each test takes a schema of
 * its own and drops it after, so that runs never collide.
 */
final class TestDatabase {

    private static volatile String unreachable;
    private static volatile boolean checked;

    private TestDatabase() {
    }

    /** The settings of the test server; skips the calling test when the server cannot be reached. */
    static PostgresSettings settings() {
        PostgresSettings settings = PostgresSettings.fromEnvironment();
        if (!checked) {
            try {
                connect(settings).close();
                unreachable = null;
            } catch (SQLException e) {
                unreachable = "No PostgreSQL server at " + settings.describe() + " (" + e.getMessage() + "): set "
                        + "S3RECON_PG_URL, S3RECON_PG_USER and S3RECON_PG_PASSWORD to run the PostgreSQL tests.";
            }
            checked = true;
        }
        assumeTrue(unreachable == null, () -> unreachable);
        return settings;
    }

    /** A new schema name, unique to this test run. */
    static String newSchema(String purpose) {
        return ("t_" + purpose + "_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12))
                .toLowerCase(Locale.ROOT);
    }

    static Connection connect(PostgresSettings settings) throws SQLException {
        Properties properties = new Properties();
        properties.setProperty("user", settings.user());
        String password = settings.password();
        if (password != null) {
            properties.setProperty("password", password);
        }
        properties.setProperty("connectTimeout", "5");
        return DriverManager.getConnection(settings.url(), properties);
    }

    /** Drops a test's schema and everything in it. */
    static void dropSchema(PostgresSettings settings, String schema) {
        try (Connection connection = connect(settings); Statement statement = connection.createStatement()) {
            statement.execute("DROP SCHEMA IF EXISTS " + PgSchema.quote(schema) + " CASCADE");
        } catch (SQLException e) {
            throw new IllegalStateException("could not drop the test schema " + schema + ": " + e.getMessage(), e);
        }
    }
}
