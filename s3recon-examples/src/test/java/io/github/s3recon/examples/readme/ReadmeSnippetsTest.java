package io.github.s3recon.examples.readme;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import io.github.s3recon.Migration;
import io.github.s3recon.MigrationHistory;
import io.github.s3recon.MigrationState;
import io.github.s3recon.S3Location;
import io.github.s3recon.testkit.EmbeddedS3;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * The README's Java snippets are {@link ReadmeSnippets}' marked regions, character for character,
 * so what a reader copies compiles; its Maven coordinates are the build's; and some snippets run
 * against an embedded S3 server.
 */
class ReadmeSnippetsTest {

    private static final Path SNIPPETS = Path.of("s3recon-examples", "src", "main", "java", "io", "github",
            "s3recon", "examples", "readme", "ReadmeSnippets.java");
    private static final Pattern SOURCE_REGION = Pattern.compile(
            "^[ \\t]*// snippet:([\\w-]+)[ \\t]*\\n(.*?)^[ \\t]*// end-snippet[ \\t]*$",
            Pattern.MULTILINE | Pattern.DOTALL);
    private static final Pattern README_MARKER = Pattern.compile("^<!-- snippet:([\\w-]+) -->$");

    @TempDir
    Path work;

    @Test
    void everyJavaBlockOfTheReadmeIsASnippetThatCompiles() throws IOException {
        Path root = projectRoot();
        List<String> problems = problems(Files.readString(root.resolve("README.md")),
                Files.readString(root.resolve(SNIPPETS)));
        if (!problems.isEmpty()) {
            fail(String.join("\n\n", problems));
        }
    }

    @Test
    void aDriftAStrayBlockAndAMissingSnippetAreEachNamed() {
        String source = """
                class X {
                    void a() {
                        // snippet:first
                        int x = 1;   // one

                        x++;
                        // end-snippet
                    }
                    // snippet:second
                    int y;
                    // end-snippet
                }
                """;
        String readme = """
                <!-- snippet:first -->
                ```java
                int x = 2;   // one

                x++;
                ```

                ```java
                stray();
                ```

                ```bash
                echo not checked
                ```
                """;
        assertThat(problems(readme, source)).satisfiesExactly(
                drift -> assertThat(drift).startsWith("README.md's snippet 'first' differs")
                        .contains("- int x = 2;   // one\n+ int x = 1;   // one\n  \n  x++;"),
                missing -> assertThat(missing).startsWith("snippet 'second'")
                        .contains("<!-- snippet:second -->\n```java\nint y;\n```"),
                stray -> assertThat(stray).contains("(unmarked, line 8)"));
        String fixed = readme.replace("int x = 2", "int x = 1").replace("```java\nstray();\n```\n", "")
                + "<!-- snippet:second -->\n```java\nint y;\n```\n";
        assertThat(problems(fixed, source)).isEmpty();
    }

    /** What is wrong between the README's java blocks and the source's snippet regions; empty if nothing. */
    static List<String> problems(String readme, String source) {
        Map<String, String> regions = sourceRegions(source);
        Map<String, String> blocks = readmeBlocks(readme);
        List<String> problems = new ArrayList<>();
        if (regions.isEmpty()) {
            problems.add("no // snippet:NAME ... // end-snippet region in " + SNIPPETS);
        }
        for (Map.Entry<String, String> region : regions.entrySet()) {
            String block = blocks.get(region.getKey());
            if (block == null) {
                problems.add("snippet '" + region.getKey() + "' of " + SNIPPETS + " is not in README.md: add\n"
                        + "<!-- snippet:" + region.getKey() + " -->\n```java\n" + region.getValue() + "```");
            } else if (!block.equals(region.getValue())) {
                problems.add("README.md's snippet '" + region.getKey() + "' differs from " + SNIPPETS
                        + " (- README, + code):\n" + diff(block, region.getValue()));
            }
        }
        for (String name : blocks.keySet()) {
            if (name.startsWith("(unmarked")) {
                problems.add("README.md has a java block " + name + " without a <!-- snippet:NAME --> line before it;"
                        + " every java block is a snippet region of " + SNIPPETS);
            } else if (!regions.containsKey(name)) {
                problems.add("README.md has a java block '" + name + "' that is not a snippet region of " + SNIPPETS
                        + ": write it there between // snippet:" + name + " and // end-snippet");
            }
        }
        return problems;
    }

    @Test
    void theReadmeGivesTheBuildsCoordinates() throws IOException {
        Path root = projectRoot();
        String pom = Files.readString(root.resolve("pom.xml"));
        Matcher parent = Pattern.compile("<artifactId>s3recon-parent</artifactId>\\s*<version>([^<]+)</version>")
                .matcher(pom);
        assertThat(parent.find()).as("the parent pom's version").isTrue();
        String version = parent.group(1);
        String readme = Files.readString(root.resolve("README.md"));

        Matcher dependency = Pattern.compile("<groupId>([^<]+)</groupId>\\s*<artifactId>(s3recon-[^<]+)</artifactId>"
                + "\\s*<version>([^<]+)</version>").matcher(readme);
        int found = 0;
        while (dependency.find()) {
            found++;
            assertThat(dependency.group(1)).as(dependency.group()).isEqualTo("io.github.s3recon");
            assertThat(root.resolve(dependency.group(2)).resolve("pom.xml")).as("module " + dependency.group(2))
                    .exists();
            assertThat(dependency.group(3)).as(dependency.group()).isEqualTo(version);
        }
        assertThat(found).as("<dependency> blocks in README.md").isPositive();
        Matcher gradle = Pattern.compile("\"io\\.github\\.s3recon:(s3recon-[\\w-]+):([^\"]+)\"").matcher(readme);
        assertThat(gradle.find()).as("a Gradle dependency line in README.md").isTrue();
        assertThat(root.resolve(gradle.group(1)).resolve("pom.xml")).exists();
        assertThat(gradle.group(2)).isEqualTo(version);
    }

    @Test
    void theMigrateValidateResumeAndHistorySnippetsRun() {
        EmbeddedS3 s3 = EmbeddedS3.shared();
        String sourceBucket = "readme-src-" + System.nanoTime();
        String destinationBucket = "readme-dst-" + System.nanoTime();
        s3.createBucket(sourceBucket);
        s3.createBucket(destinationBucket);
        s3.put(sourceBucket, "photos/a.jpg", "a".repeat(100).getBytes(StandardCharsets.UTF_8));
        s3.put(sourceBucket, "photos/b.jpg", "b".repeat(200).getBytes(StandardCharsets.UTF_8));
        s3.put(sourceBucket, "tmp/c.jpg", "c".getBytes(StandardCharsets.UTF_8));
        s3.put(sourceBucket, "notes.txt", "d".getBytes(StandardCharsets.UTF_8));
        S3Location source = S3Location.of(s3.asyncClient(), sourceBucket);
        S3Location dest = S3Location.of(s3.asyncClient(), destinationBucket, "backup/");

        Path filtered = work.resolve("filtered");
        ReadmeSnippets.migrate(source, dest, filtered);
        assertThat(destinationKeys(s3, destinationBucket)).containsExactly("backup/photos/a.jpg", "backup/photos/b.jpg");
        assertThat(filtered.resolve("fix.sh")).exists();

        Path whole = work.resolve("whole");
        try (Migration m = Migration.builder().source(source).destination(dest).workDirectory(whole).build()) {
            ReadmeSnippets.validateAndEstimate(m);
        }
        ReadmeSnippets.resume(source, dest, whole);
        assertThat(destinationKeys(s3, destinationBucket)).containsExactly("backup/notes.txt",
                "backup/photos/a.jpg", "backup/photos/b.jpg", "backup/tmp/c.jpg");
        ReadmeSnippets.history(whole);
        try (MigrationHistory h = MigrationHistory.open(whole)) {
            assertThat(h.latest().orElseThrow().state()).isEqualTo(MigrationState.COMPLETED);
        }
    }

    private static List<String> destinationKeys(EmbeddedS3 s3, String bucket) {
        return s3.client().listObjectsV2Paginator(b -> b.bucket(bucket)).contents().stream().map(S3Object::key)
                .toList();
    }

    /** The directory holding README.md and this module, from the module's or the project's directory. */
    static Path projectRoot() {
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            if (Files.isRegularFile(dir.resolve("README.md")) && Files.isRegularFile(dir.resolve(SNIPPETS))) {
                return dir;
            }
        }
        throw new IllegalStateException("no README.md with " + SNIPPETS + " beside it in "
                + Path.of("").toAbsolutePath() + " or above");
    }

    /** Each region's text, de-indented by its lines' common indentation, by name. */
    static Map<String, String> sourceRegions(String source) {
        Map<String, String> regions = new LinkedHashMap<>();
        Matcher m = SOURCE_REGION.matcher(source.replace("\r\n", "\n"));
        while (m.find()) {
            if (regions.put(m.group(1), dedent(m.group(2))) != null) {
                throw new IllegalStateException("two snippet regions named '" + m.group(1) + "' in " + SNIPPETS);
            }
        }
        return regions;
    }

    /**
     * The README's java blocks by the name of the marker line before each; a java block without a
     * marker is named after its line, so that it fails as a block that is no snippet.
     */
    static Map<String, String> readmeBlocks(String readme) {
        Map<String, String> blocks = new LinkedHashMap<>();
        String[] lines = readme.replace("\r\n", "\n").split("\n", -1);
        for (int i = 0; i < lines.length; i++) {
            if (!lines[i].strip().equals("```java")) {
                continue;
            }
            Matcher marker = i > 0 ? README_MARKER.matcher(lines[i - 1].strip()) : null;
            String name = marker != null && marker.matches() ? marker.group(1) : "(unmarked, line " + (i + 1) + ")";
            StringBuilder body = new StringBuilder();
            int j = i + 1;
            while (j < lines.length && !lines[j].strip().equals("```")) {
                body.append(lines[j]).append('\n');
                j++;
            }
            if (blocks.put(name, body.toString()) != null) {
                throw new IllegalStateException("two README.md blocks marked snippet:" + name);
            }
            i = j;
        }
        return blocks;
    }

    private static String dedent(String text) {
        String[] lines = text.split("\n", -1);
        int indent = Integer.MAX_VALUE;
        for (String line : lines) {
            if (!line.isBlank()) {
                indent = Math.min(indent, line.length() - line.stripLeading().length());
            }
        }
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < lines.length - 1; i++) { // the text ends with a newline: the last piece is empty
            String line = lines[i];
            out.append(line.isBlank() ? "" : line.substring(indent).stripTrailing()).append('\n');
        }
        return out.toString();
    }

    /** A line diff (longest common subsequence), '-' for lines only in a, '+' only in b. */
    static String diff(String a, String b) {
        String[] x = a.split("\n", -1);
        String[] y = b.split("\n", -1);
        int[][] common = new int[x.length + 1][y.length + 1];
        for (int i = x.length - 1; i >= 0; i--) {
            for (int j = y.length - 1; j >= 0; j--) {
                common[i][j] = x[i].equals(y[j]) ? common[i + 1][j + 1] + 1
                        : Math.max(common[i + 1][j], common[i][j + 1]);
            }
        }
        StringBuilder out = new StringBuilder();
        int i = 0;
        int j = 0;
        while (i < x.length || j < y.length) {
            if (i < x.length && j < y.length && x[i].equals(y[j])) {
                out.append("  ").append(x[i++]).append('\n');
                j++;
            } else if (i < x.length && (j == y.length || common[i + 1][j] >= common[i][j + 1])) {
                out.append("- ").append(x[i++]).append('\n');
            } else {
                out.append("+ ").append(y[j++]).append('\n');
            }
        }
        return out.toString();
    }
}
