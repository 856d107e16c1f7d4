package io.github.s3recon.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code bin/s3recon}, the launcher, run by {@code /bin/sh} with this JVM's JDK on a small jar of
 * its own ({@link LauncherProbe}): with {@code S3RECON_CDS=on} (the default on JDK 25 and later) the
 * first command that does work leaves a class-data-sharing archive, which later runs map (checked with {@code -Xshare:on}, which refuses to start without
 * it); other commands, failed commands and {@code S3RECON_CDS=off} leave none; arguments and exit
 * statuses pass through; a missing jar is named; small machines get the serial collector unless
 * the user chose one.
 */
class LauncherTest {

    private static final Path LAUNCHER = Path.of("bin", "s3recon").toAbsolutePath();

    @TempDir
    Path dir;
    private Path jar;
    private Path cds;

    @BeforeEach
    void probeJar() throws IOException {
        Assumptions.assumeTrue(Files.isExecutable(Path.of("/bin/sh")), "needs /bin/sh");
        jar = dir.resolve("s3recon.jar");
        Manifest manifest = new Manifest();
        manifest.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
        manifest.getMainAttributes().put(Attributes.Name.MAIN_CLASS, LauncherProbe.class.getName());
        String entry = LauncherProbe.class.getName().replace('.', '/') + ".class";
        try (OutputStream file = Files.newOutputStream(jar); JarOutputStream out = new JarOutputStream(file, manifest);
                InputStream in = LauncherProbe.class.getClassLoader().getResourceAsStream(entry)) {
            out.putNextEntry(new JarEntry(entry));
            in.transferTo(out);
        }
        cds = dir.resolve("cds");
    }

    @Test
    void aWorkingCommandLeavesAnArchiveThatLaterRunsMap() throws Exception {
        Run first = launch(Map.of("S3RECON_CDS", "on"), "run", "0");
        assertThat(first.exit).isZero();
        assertThat(first.out).contains("probe run 0");
        assertThat(archives()).hasSize(1).allMatch(n -> n.endsWith(".jsa"));

        // -Xshare:on: the JVM refuses to start unless it maps the archive; the probe's own class is in it.
        Run second = launch(Map.of("S3RECON_CDS", "on", "S3RECON_JAVA_OPTS", "-Xshare:on -Xlog:class+load=info"),
                "reconcile", "1");
        assertThat(second.exit).as(second.out).isEqualTo(1);
        assertThat(second.out).contains("probe reconcile 1")
                .containsPattern(Pattern.quote(LauncherProbe.class.getName()) + " source: shared objects file");
        // Any command maps it once it is there.
        Run help = launch(Map.of("S3RECON_CDS", "on", "S3RECON_JAVA_OPTS", "-Xshare:on"), "--help");
        assertThat(help.exit).isZero();
        assertThat(archives()).hasSize(1);
    }

    /** Archives unused for 30 days go when a new one is written; using one renews its time. */
    @Test
    void archivesUnusedForAMonthAreRemoved() throws Exception {
        Files.createDirectories(cds);
        FileTime old = FileTime.from(Instant.now().minus(Duration.ofDays(40)));
        Path stale = Files.writeString(cds.resolve("s3recon-1.jsa"), "x");
        Path stalePartial = Files.writeString(cds.resolve("s3recon-2.jsa.77.partial"), "x");
        Path recent = Files.writeString(cds.resolve("s3recon-3.jsa"), "x");
        Path other = Files.writeString(cds.resolve("notes.txt"), "x");
        for (Path p : List.of(stale, stalePartial, other)) {
            Files.setLastModifiedTime(p, old);
        }
        Files.setLastModifiedTime(recent, FileTime.from(Instant.now().minus(Duration.ofDays(20))));

        assertThat(launch(Map.of("S3RECON_CDS", "on"), "run", "0").exit).isZero();
        assertThat(archives()).hasSize(3).contains("s3recon-3.jsa", "notes.txt")
                .doesNotContain("s3recon-1.jsa", "s3recon-2.jsa.77.partial");
        Path written;
        try (Stream<Path> files = Files.list(cds)) {
            written = files.filter(p -> !p.equals(recent) && !p.equals(other)).findFirst().orElseThrow();
        }
        Files.setLastModifiedTime(written, old);
        assertThat(launch(Map.of("S3RECON_CDS", "on"), "run", "0").exit).isZero();
        assertThat(Files.getLastModifiedTime(written).toInstant()).isAfter(Instant.now().minus(Duration.ofHours(1)));
    }

    /**
     * By default only a JDK of 25 or later gets an archive (with JDK 17 one made long runs costlier),
     * and maps it; from JDK 24 the JVM is told what it would otherwise warn of on every run.
     */
    @Test
    void byDefaultTheJdkDecides() throws Exception {
        boolean newJdk = Runtime.version().feature() >= 25;
        Run run = launch(Map.of(), "run", "0");
        assertThat(run.exit).isZero();
        assertThat(run.out).contains("probe run 0");
        assertThat(archives()).hasSize(newJdk ? 1 : 0);
        Run mapped = launch(Map.of("S3RECON_JAVA_OPTS", "-Xlog:class+load=info"), "run", "0");
        assertThat(mapped.exit).as(mapped.out).isZero();
        assertThat(Pattern.compile(Pattern.quote(LauncherProbe.class.getName()) + " source: shared objects file")
                .matcher(mapped.out).find()).as(mapped.out).isEqualTo(newJdk);
        // JDK 24+ is told that Netty's Unsafe and sqlite-jdbc's native library are allowed (no warnings).
        if (Runtime.version().feature() >= 24) {
            assertThat(run.out).contains("--sun-misc-unsafe-memory-access=allow", "--enable-native-access=ALL-UNNAMED");
        } else {
            assertThat(run.out).doesNotContain("--sun-misc-unsafe-memory-access");
        }
    }

    @Test
    void otherCommandsFailuresAndOffLeaveNoArchiveAndPassTheStatusOn() throws Exception {
        Run help = launch(Map.of("S3RECON_CDS", "on"), "history", "3");
        assertThat(help.exit).isEqualTo(3);
        assertThat(help.out).contains("probe history 3");
        Run failed = launch(Map.of("S3RECON_CDS", "on"), "run", "3");
        assertThat(failed.exit).isEqualTo(3);
        Run off = launch(Map.of("S3RECON_CDS", "off"), "run", "0");
        assertThat(off.exit).isZero();
        assertThat(off.out).contains("probe run 0");
        assertThat(archives()).isEmpty();

        Run missing = launch(Map.of("S3RECON_JAR", dir.resolve("nowhere.jar").toString()), "run");
        assertThat(missing.exit).isEqualTo(2);
        assertThat(missing.out).contains("S3RECON_JAR").contains("./mvnw -B -q package -DskipTests");
    }

    /**
     * With 2 CPUs or fewer (or {@code S3RECON_SERIAL_GC=on}) the JVM runs the serial collector, unless
     * the user's options already choose one (two collectors would stop the JVM from starting); the
     * compiler is left alone (C2's intrinsics are what TLS needs).
     */
    @Test
    void smallMachinesGetTheSerialCollectorUnlessTheUserChoseOne() throws Exception {
        Run on = launch(Map.of("S3RECON_SERIAL_GC", "on"), "run", "0");
        assertThat(on.exit).as(on.out).isZero();
        assertThat(on.out).contains("-XX:+UseSerialGC", "MarkSweepCompact").doesNotContain("Tiered");

        Run parallel = launch(Map.of("S3RECON_SERIAL_GC", "on", "S3RECON_JAVA_OPTS", "-XX:+UseParallelGC"), "run", "0");
        assertThat(parallel.exit).as(parallel.out).isZero();
        assertThat(parallel.out).contains("PS MarkSweep").doesNotContain("UseSerialGC");
        Run tool = launch(Map.of("S3RECON_SERIAL_GC", "on", "JAVA_TOOL_OPTIONS", "-XX:+UseG1GC"), "run", "0");
        assertThat(tool.exit).as(tool.out).isZero();
        assertThat(tool.out).contains("G1").doesNotContain("UseSerialGC");
        Run jdk = launch(Map.of("S3RECON_SERIAL_GC", "on", "JDK_JAVA_OPTIONS", "-XX:+UseParallelGC"), "run", "0");
        assertThat(jdk.exit).as(jdk.out).isZero();
        assertThat(jdk.out).contains("PS MarkSweep").doesNotContain("UseSerialGC");

        Run off = launch(Map.of("S3RECON_SERIAL_GC", "off"), "run", "0");
        assertThat(off.exit).isZero();
        assertThat(off.out).doesNotContain("UseSerialGC");

        // auto: as many CPUs as the JVM sees (the launcher counts affinity and a cgroup quota, as it does).
        Run auto = launch(Map.of(), "run", "0");
        assertThat(auto.out.contains("-XX:+UseSerialGC")).as(auto.out)
                .isEqualTo(Runtime.getRuntime().availableProcessors() <= 2);
    }

    /** The launcher's list of commands that write the archive is the CLI's, less those that do no run. */
    @Test
    void theLauncherKnowsEveryCommandThatRuns() throws IOException {
        Matcher m = Pattern.compile("(?m)^\\s+(reconcile \\|[^)]*)\\)").matcher(Files.readString(LAUNCHER));
        assertThat(m.find()).isTrue();
        Set<String> listed = new TreeSet<>(List.of(m.group(1).split("\\s*\\|\\s*")));
        Set<String> commands = new TreeSet<>(S3ReconCli.commandLine(false).getSubcommands().keySet());
        commands.removeAll(Set.of("history", "cancel", "generate-completion"));
        assertThat(listed).isEqualTo(commands);
    }

    private List<String> archives() throws IOException {
        if (!Files.isDirectory(cds)) {
            return List.of();
        }
        try (Stream<Path> files = Files.list(cds)) {
            return files.map(p -> p.getFileName().toString()).toList();
        }
    }

    private record Run(int exit, String out) {
    }

    private Run launch(Map<String, String> env, String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of("/bin/sh", LAUNCHER.toString()));
        command.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
        pb.environment().put("JAVA_HOME", System.getProperty("java.home"));
        pb.environment().put("S3RECON_JAR", jar.toString());
        pb.environment().put("S3RECON_CDS_DIR", cds.toString());
        pb.environment().remove("S3RECON_JAVA_OPTS");
        pb.environment().remove("S3RECON_CDS");
        pb.environment().remove("JAVA_TOOL_OPTIONS");
        pb.environment().remove("JDK_JAVA_OPTIONS");
        pb.environment().remove("S3RECON_SERIAL_GC");
        pb.environment().putAll(env);
        Process p = pb.start();
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        return new Run(p.exitValue(), out);
    }
}
