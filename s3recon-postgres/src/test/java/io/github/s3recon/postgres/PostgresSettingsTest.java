package io.github.s3recon.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.s3recon.ErrorCode;
import io.github.s3recon.S3ReconException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.ObjectOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PostgresSettingsTest {

    @Test
    void defaultsToTheLocalServerAndReadsTheEnvironment() {
        PostgresSettings defaults = PostgresSettings.fromEnvironment(Map.of());
        assertThat(defaults.url()).isEqualTo("jdbc:postgresql://127.0.0.1:5432/test");
        assertThat(defaults.user()).isEqualTo("postgres");
        assertThat(defaults.schema()).isEqualTo("s3recon");
        assertThat(defaults.passwordVariable()).isEqualTo("S3RECON_PG_PASSWORD");

        PostgresSettings set = PostgresSettings.fromEnvironment(Map.of("S3RECON_PG_URL", "jdbc:postgresql://db:6543/x",
                "S3RECON_PG_USER", "svc", "S3RECON_PG_SCHEMA", "tenant_7"));
        assertThat(set).isEqualTo(new PostgresSettings("jdbc:postgresql://db:6543/x", "svc", "S3RECON_PG_PASSWORD",
                "tenant_7", 4));
    }

    @Test
    void refusesAUrlThatCarriesAPasswordWithoutQuotingIt() {
        for (String url : new String[] {"jdbc:postgresql://db/x?user=a&password=hunter2",
                "jdbc:postgresql://db/x?PASSWORD=hunter2&ssl=true", "jdbc:postgresql://a:hunter2@db/x"}) {
            assertThatThrownBy(() -> PostgresSettings.of(url))
                    .isInstanceOfSatisfying(S3ReconException.class,
                            e -> assertThat(e.code()).isEqualTo(ErrorCode.INVALID_CONFIGURATION))
                    .hasMessageContaining("url").hasMessageContaining("must not carry a password")
                    .hasMessageContaining("S3RECON_PG_PASSWORD").hasMessageNotContaining("hunter2");
        }
    }

    @Test
    void redactsPasswordsInUrls() {
        assertThat(PostgresSettings.redact("jdbc:postgresql://db/x?user=a&password=s3cr3t&ssl=true"))
                .isEqualTo("jdbc:postgresql://db/x?user=a&password=***&ssl=true");
        assertThat(PostgresSettings.redact("jdbc:postgresql://u:s3cr3t@db:5432/x"))
                .isEqualTo("jdbc:postgresql://u:***@db:5432/x");
        assertThat(PostgresSettings.redact("jdbc:postgresql://db/x")).isEqualTo("jdbc:postgresql://db/x");
    }

    @Test
    void namesTheSettingAndTheRuleForBadValues() {
        assertThatThrownBy(() -> PostgresSettings.of("jdbc:mysql://db/x")).hasMessageContaining("url")
                .hasMessageContaining("jdbc:postgresql://");
        assertThatThrownBy(() -> PostgresSettings.of(PostgresSettings.DEFAULT_URL).withSchema("Bad-Name"))
                .hasMessageContaining("schema").hasMessageContaining("Bad-Name").hasMessageContaining("identifier");
        assertThatThrownBy(() -> PostgresSettings.of(PostgresSettings.DEFAULT_URL).withSchema("x\"; DROP"))
                .hasMessageContaining("schema");
        assertThatThrownBy(() -> PostgresSettings.of(PostgresSettings.DEFAULT_URL).withMaximumPoolSize(0))
                .hasMessageContaining("maximumPoolSize").hasMessageContaining("1 to 100");
        assertThatThrownBy(() -> PostgresSettings.of(PostgresSettings.DEFAULT_URL).withUser(" "))
                .hasMessageContaining("user");
    }

    @Test
    void serialisesWithoutASecret() throws IOException {
        PostgresSettings settings = PostgresSettings.of("jdbc:postgresql://db/x");
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
            out.writeObject(settings);
        }
        // Only the variable's name travels; each JVM reads the password from its own environment.
        assertThat(new String(bytes.toByteArray(), StandardCharsets.ISO_8859_1)).contains("S3RECON_PG_PASSWORD");
        assertThat(settings.toString()).contains("passwordVariable=S3RECON_PG_PASSWORD");
    }
}
