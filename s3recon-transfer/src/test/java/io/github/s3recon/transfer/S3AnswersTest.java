package io.github.s3recon.transfer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.List;
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

    /**
     * Plain answers are read without the XML reader (a pattern over the start of the document);
     * whatever the patterns take must be what the reader says, and what they do not take goes to it.
     */
    @Test
    void thePlainPathsAgreeWithTheXmlReader() throws Exception {
        String ns = " xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\"";
        for (String doc : List.of("<CopyObjectResult><ETag>x</ETag></CopyObjectResult>",
                "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<CopyObjectResult" + ns + ">",
                "<?xml version='1.0'?><Error><Code>C</Code></Error>", "<s3:CopyPartResult xmlns:s3='u'>",
                "<Empty/>", "<A  b = \"1\"\tc='2' >", "<!-- note --><Error>", "<?pi x?><Error>",
                "<A b=\"<\">", "<A b>", "<A b=1>", "<1A>", "\uFEFF<Error>", "<Élan>", "<A\n/>",
                "<!DOCTYPE Error><Error>", "<Error", "plain")) {
            byte[] bytes = doc.getBytes(StandardCharsets.UTF_8);
            assertThat(S3Answers.rootOf(bytes)).as(doc).isEqualTo(staxRoot(bytes));
        }
        for (String empty : List.of("<Tagging><TagSet></TagSet></Tagging>", "<Tagging" + ns + "><TagSet/></Tagging>",
                "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Tagging" + ns + ">\n  <TagSet>\n  </TagSet>\n</Tagging>\n")) {
            assertThat(S3Answers.parseTagging(empty.getBytes(StandardCharsets.UTF_8))).as(empty).isEmpty();
        }
        // Near misses go to the reader, which finds their tags.
        assertThat(S3Answers.parseTagging(("<Tagging><TagSet><Tag><Key>a</Key><Value>b</Value></Tag></TagSet></Tagging>")
                .getBytes(StandardCharsets.UTF_8))).containsExactly(Tag.builder().key("a").value("b").build());
        assertThat(S3Answers.parseTagging(("<Tagging><TagSet><!-- x --><Tag><Key>a</Key></Tag></TagSet></Tagging>")
                .getBytes(StandardCharsets.UTF_8))).containsExactly(Tag.builder().key("a").value("").build());
        assertThat(S3Answers.parseTagging(("<s3:Tagging xmlns:s3=\"u\"><s3:TagSet><s3:Tag><s3:Key>a</s3:Key></s3:Tag>"
                + "</s3:TagSet></s3:Tagging>").getBytes(StandardCharsets.UTF_8)))
                .containsExactly(Tag.builder().key("a").value("").build());
    }

    private static String staxRoot(byte[] xml) {
        try {
            javax.xml.stream.XMLInputFactory f = javax.xml.stream.XMLInputFactory.newFactory();
            f.setProperty(javax.xml.stream.XMLInputFactory.SUPPORT_DTD, false);
            javax.xml.stream.XMLStreamReader r = f.createXMLStreamReader(new java.io.ByteArrayInputStream(xml));
            while (r.hasNext()) {
                if (r.next() == javax.xml.stream.XMLStreamConstants.START_ELEMENT) {
                    return r.getLocalName();
                }
            }
        } catch (javax.xml.stream.XMLStreamException | RuntimeException e) {
            // no root
        }
        return null;
    }

    /**
     * A thread reuses its reader from one document to the next (the JDK's StAX implementation is
     * forced here: the test class path also has Woodstox, which a factory picks first); documents
     * read well, badly, or abandoned half-way leave nothing behind for the next one.
     */
    @Test
    void oneThreadReadsDocumentAfterDocumentWithTheJdksReader() throws Exception {
        String property = "javax.xml.stream.XMLInputFactory";
        String before = System.getProperty(property);
        System.setProperty(property, "com.sun.xml.internal.stream.XMLInputFactoryImpl");
        java.util.concurrent.atomic.AtomicReference<Throwable> failure = new java.util.concurrent.atomic.AtomicReference<>();
        // A new thread: the factory is made per thread, on its first document.
        Thread reader = new Thread(() -> {
            try {
                for (int i = 0; i < 200; i++) {
                    String key = "k" + i + (i % 3 == 0 ? " &amp; é" : "");
                    byte[] tagging = ("<?xml version=\"1.0\" encoding=\"UTF-8\"?><Tagging><TagSet><Tag><Key>" + key
                            + "</Key><Value>v" + i + "</Value></Tag></TagSet></Tagging>").getBytes(StandardCharsets.UTF_8);
                    assertThat(S3Answers.parseTagging(tagging)).containsExactly(
                            Tag.builder().key(key.replace("&amp;", "&")).value("v" + i).build());
                    // The root only: the reader stops after the first element, the rest unread.
                    assertThat(S3Answers.rootOf(("<CopyObjectResult><ETag>\"" + i + "\"</ETag></CopyObjectResult>")
                            .getBytes(StandardCharsets.UTF_8))).isEqualTo("CopyObjectResult");
                    assertThat(S3Answers.errorOf(("<Error><Code>C" + i + "</Code><Message>m</Message></Error>")
                            .getBytes(StandardCharsets.UTF_8))).containsExactly("C" + i, "m");
                    if (i % 7 == 0) {
                        assertThat(S3Answers.errorOf("<html><p>busy".getBytes(StandardCharsets.UTF_8))).containsOnlyNulls();
                        assertThatThrownBy(() -> S3Answers.parseTagging("<Tagging><TagSet><Tag><Key>x</Ke"
                                .getBytes(StandardCharsets.UTF_8))).isInstanceOf(DirectRelay.DirectFailure.class);
                        assertThat(S3Answers.rootOf("not xml".getBytes(StandardCharsets.UTF_8))).isNull();
                    }
                }
            } catch (Throwable e) {
                failure.set(e);
            }
        });
        try {
            reader.start();
            reader.join();
        } finally {
            if (before == null) {
                System.clearProperty(property);
            } else {
                System.setProperty(property, before);
            }
        }
        if (failure.get() != null) {
            throw new AssertionError(failure.get());
        }
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
