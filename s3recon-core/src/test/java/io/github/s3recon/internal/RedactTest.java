package io.github.s3recon.internal;

import io.github.s3recon.Redact;
import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import org.junit.jupiter.api.Test;

class RedactTest {

    @Test
    void endpointsLoseUserInfoQueryAndFragment() {
        assertThat(Redact.endpoint(URI.create("https://AKIAABCDEFGHIJKLMNOP:s3cr3t@minio.example.com:9000/s3/?token=t#f")))
                .isEqualTo("https://minio.example.com:9000/s3/");
        assertThat(Redact.endpoint(URI.create("http://127.0.0.1:9000"))).isEqualTo("http://127.0.0.1:9000");
        assertThat(Redact.endpoint(null)).isNull();
    }

    @Test
    void textLosesUrlUserInfoQueriesAndWhatLooksLikeACredential() {
        String said = "GET https://user:pass@host:9000/b/k?X-Amz-Signature=abcdef&X-Amz-Credential=AKIAABCDEFGHIJKLMNOP"
                + " failed; Credential=AKIAABCDEFGHIJKLMNOP/20260101/us-east-1/s3/aws4_request, Signature=0123abcd"
                + " secretKey: hunter2 and ASIAABCDEFGHIJKLMNOP";
        String cleaned = Redact.text(said);
        assertThat(cleaned).contains("https://host:9000/b/k failed")
                .doesNotContain("pass").doesNotContain("X-Amz-Signature").doesNotContain("AKIA")
                .doesNotContain("ASIA").doesNotContain("0123abcd").doesNotContain("hunter2");
        assertThat(Redact.text("no secret here: s3://bucket/key")).isEqualTo("no secret here: s3://bucket/key");
    }

    @Test
    void keysKeepTheirCharactersButCannotForgeALogLine() {
        assertThat(Redact.key("photos/été 2024/a+b.jpg")).isEqualTo("photos/été 2024/a+b.jpg");
        assertThat(Redact.key("a\nINFO forged line\r\tb\u001b[31m\u0085\u2028"))
                .isEqualTo("a\\nINFO forged line\\r\\tb\\u001B[31m\\u0085\\u2028").doesNotContain("\n");
        assertThat(Redact.key("back\\slash")).isEqualTo("back\\slash");
    }

    @Test
    void serverMessagesAreCollapsedAndShortened() {
        String longMessage = "word ".repeat(200);
        assertThat(Redact.serverMessage(longMessage)).hasSize(301).endsWith("…");
        assertThat(Redact.serverMessage("two\n\nlines")).isEqualTo("two lines");
    }
}
