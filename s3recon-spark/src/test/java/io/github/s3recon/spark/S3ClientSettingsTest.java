package io.github.s3recon.spark;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.s3recon.ErrorCode;
import io.github.s3recon.S3ReconException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.ObjectOutputStream;
import java.net.URI;
import org.junit.jupiter.api.Test;

class S3ClientSettingsTest {

    @Test
    void refusesWhatCannotWorkNamingTheSetting() {
        assertThatThrownBy(() -> S3ClientSettings.profile(" ")).hasMessageContaining("profile");
        assertThatThrownBy(() -> S3ClientSettings.factory("")).hasMessageContaining("factoryClass");
        assertThatThrownBy(() -> S3ClientSettings.defaultChain().withEndpoint(URI.create("no-scheme")))
                .hasMessageContaining("endpoint");
        assertThatThrownBy(() -> S3ClientSettings.defaultChain().withEndpoint(URI.create("https://key:secret@s3.example")))
                .hasMessageContaining("must not carry credentials").hasMessageNotContaining("secret@");
        assertThatThrownBy(() -> S3ClientSettings.defaultChain().withRegion("")).hasMessageContaining("region");
    }

    @Test
    void aFactoryClassThatIsMissingOrWrongIsNamedWithTheFix() {
        assertThatThrownBy(() -> S3ClientSettings.factory("com.example.Missing").create())
                .isInstanceOfSatisfying(S3ReconException.class,
                        e -> assertThat(e.code()).isEqualTo(ErrorCode.INVALID_CONFIGURATION))
                .hasMessageContaining("com.example.Missing").hasMessageContaining("--jars");
        assertThatThrownBy(() -> S3ClientSettings.factory(String.class.getName()).create())
                .hasMessageContaining("must implement");
    }

    @Test
    void buildsAClientWithTheUsersFactoryAndTravelsAsAFewBytes() throws IOException {
        S3ClientSettings settings = S3ClientSettings.factory(TestClientFactory.class.getName())
                .withEndpoint(URI.create("http://127.0.0.1:1")).withRegion("eu-west-1");
        try (var client = settings.create()) {
            assertThat(client.serviceClientConfiguration().endpointOverride()).contains(URI.create("http://127.0.0.1:1"));
        }
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
            out.writeObject(settings);
        }
        assertThat(bytes.size()).isLessThan(1_000);
    }
}
