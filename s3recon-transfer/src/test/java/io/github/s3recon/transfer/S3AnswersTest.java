package io.github.s3recon.transfer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.s3.model.Tag;

/** The direct path's reading of S3's answers (its requests are exercised end to end by RelayCopyTest). */
class S3AnswersTest {

    @Test
    void readsATagSetAsS3WritesIt() {
        String xml = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
                + "<Tagging xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\"><TagSet>"
                + "<Tag><Key>project</Key><Value>s3recon &amp; friends</Value></Tag>"
                + "<Tag><Key>été</Key><Value></Value></Tag>"
                + "</TagSet></Tagging>";
        assertThat(S3Answers.parseTagging(xml.getBytes(StandardCharsets.UTF_8))).containsExactly(
                Tag.builder().key("project").value("s3recon & friends").build(),
                Tag.builder().key("été").value("").build());
    }

    @Test
    void anEmptyTagSetIsNoTags() {
        assertThat(S3Answers.parseTagging("<Tagging><TagSet/></Tagging>".getBytes(StandardCharsets.UTF_8)))
                .isEmpty();
        assertThat(S3Answers.parseTagging(new byte[0])).as("S3Mock's answer for an untagged object").isEmpty();
    }

    @Test
    void anUnreadableAnswerGoesToTheSdk() {
        assertThatThrownBy(() -> S3Answers.parseTagging("<Tagging><TagSet><Tag>".getBytes(StandardCharsets.UTF_8)))
                .isInstanceOf(DirectRelay.DirectFailure.class);
        assertThatThrownBy(() -> S3Answers.parseTagging(
                "<Tagging><TagSet><Tag><Value>v</Value></Tag></TagSet></Tagging>".getBytes(StandardCharsets.UTF_8)))
                .isInstanceOf(DirectRelay.DirectFailure.class).hasMessageContaining("without a Key");
        assertThatThrownBy(() -> S3Answers.parseTagging(("<!DOCTYPE x [<!ENTITY e SYSTEM \"file:///etc/passwd\">]>"
                + "<Tagging><TagSet><Tag><Key>&e;</Key></Tag></TagSet></Tagging>").getBytes(StandardCharsets.UTF_8)))
                .isInstanceOf(DirectRelay.DirectFailure.class);
    }

    @Test
    void readsTheCodeAndMessageOfAnErrorDocument() {
        String xml = "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Error><Code>SlowDown</Code>"
                + "<Message>Please reduce your request rate.</Message><Resource>/b/k</Resource></Error>";
        assertThat(S3Answers.errorOf(xml.getBytes(StandardCharsets.UTF_8)))
                .containsExactly("SlowDown", "Please reduce your request rate.");
        assertThat(S3Answers.errorOf("<html>busy</html>".getBytes(StandardCharsets.UTF_8))).containsOnlyNulls();
        assertThat(S3Answers.errorOf(new byte[0])).containsOnlyNulls();
    }

    /** S3 may answer a long CopyObject 200, keep the connection alive with spaces, then fail it. */
    @Test
    void tellsACopyResultFromAnErrorDocumentAfterSpaces() {
        byte[] failed = ("   \n  <?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>InternalError</Code>"
                + "<Message>We encountered an internal error.</Message></Error>").getBytes(StandardCharsets.UTF_8);
        assertThat(S3Answers.rootOf(S3Answers.withoutLeadingSpace(failed))).isEqualTo("Error");
        assertThat(S3Answers.errorOf(S3Answers.withoutLeadingSpace(failed)))
                .containsExactly("InternalError", "We encountered an internal error.");
        byte[] copied = ("<?xml version=\"1.0\"?><CopyObjectResult><ETag>\"abc\"</ETag></CopyObjectResult>")
                .getBytes(StandardCharsets.UTF_8);
        assertThat(S3Answers.rootOf(S3Answers.withoutLeadingSpace(copied))).isEqualTo("CopyObjectResult");
        assertThat(S3Answers.rootOf(new byte[0])).isNull();
        assertThat(S3Answers.rootOf("not xml".getBytes(StandardCharsets.UTF_8))).isNull();
    }
}
