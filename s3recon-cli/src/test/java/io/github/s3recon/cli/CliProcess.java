package io.github.s3recon.cli;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Runs the command line in a JVM of its own, as an operator would: the fat jar when the
 * {@code s3recon.cli.jar} system property names it, else the main class on the test class path.
 * The child's environment has no {@code AWS_*} or {@code S3RECON_HOME} of the parent's: each test
 * says what it gives.
 */
final class CliProcess {

    /** A finished command: its status and what it printed. */
    record Result(int exit, String out, String err) {
        /** The lines of stderr but blank ones and the JVM's own note of JAVA_TOOL_OPTIONS. */
        List<String> errLines() {
            return err.lines().filter(l -> !l.isBlank() && !l.startsWith("Picked up JAVA_TOOL_OPTIONS")).toList();
        }
    }

    private final Process process;
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();
    private final Thread outPump;
    private final Thread errPump;

    private CliProcess(Process process) {
        this.process = process;
        this.outPump = pump(process.getInputStream(), out);
        this.errPump = pump(process.getErrorStream(), err);
    }

    static CliProcess start(Map<String, String> env, String... args) {
        return launch(env, command(args));
    }

    /**
     * Starts the command on a pseudo-terminal, as in an operator's shell: util-linux
     * {@code script} gives it one for stdin, stdout and stderr, so both streams arrive merged
     * (with the terminal's CR LF line ends) in {@link Result#out()}.
     */
    static CliProcess startOnTerminal(Map<String, String> env, String... args) {
        String line = command(args).stream().map(a -> "'" + a.replace("'", "'\\''") + "'")
                .collect(java.util.stream.Collectors.joining(" "));
        return launch(env, List.of("script", "-qefc", line, "/dev/null"));
    }

    /** As {@link #startOnTerminal}, with the child's standard error sent to {@code stderr} instead. */
    static CliProcess startOnTerminal(Path stderr, Map<String, String> env, String... args) {
        String line = command(args).stream().map(a -> "'" + a.replace("'", "'\\''") + "'")
                .collect(java.util.stream.Collectors.joining(" "));
        String file = "'" + stderr.toString().replace("'", "'\\''") + "'";
        return launch(env, List.of("script", "-qefc", line + " 2>" + file, "/dev/null"));
    }

    /** Whether {@link #startOnTerminal} can run here. */
    static boolean terminalAvailable() {
        return java.nio.file.Files.isExecutable(Path.of("/usr/bin/script"));
    }

    private static List<String> command(String... args) {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.add("-XX:TieredStopAtLevel=1");
        command.add("-XX:+UseSerialGC");
        String jar = System.getProperty("s3recon.cli.jar");
        if (jar != null && !jar.isBlank()) {
            command.add("-jar");
            command.add(jar);
        } else {
            String cp = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
            command.add("-cp");
            // The jar has no Logback; the test class path has it for S3Mock (Spring Boot) only.
            command.add(java.util.Arrays.stream(cp.split(java.io.File.pathSeparator))
                    .filter(e -> !e.contains("logback"))
                    .collect(java.util.stream.Collectors.joining(java.io.File.pathSeparator)));
            command.add(S3ReconCli.class.getName());
        }
        command.addAll(List.of(args));
        return command;
    }

    private static CliProcess launch(Map<String, String> env, List<String> command) {
        ProcessBuilder pb = new ProcessBuilder(command);
        pb.environment().keySet().removeIf(k -> k.startsWith("AWS_") || k.equals("S3RECON_HOME"));
        pb.environment().putAll(env);
        try {
            return new CliProcess(pb.start());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static Result run(Map<String, String> env, String... args) {
        return start(env, args).waitFor(180);
    }

    long pid() {
        return process.pid();
    }

    synchronized String errSoFar() {
        synchronized (err) {
            return err.toString(StandardCharsets.UTF_8);
        }
    }

    /** Sends SIGINT, as Ctrl+C in a terminal does. */
    void interrupt() throws IOException, InterruptedException {
        Process kill = new ProcessBuilder("kill", "-INT", Long.toString(process.pid())).inheritIO().start();
        if (kill.waitFor() != 0) {
            throw new IllegalStateException("kill -INT failed");
        }
    }

    Result waitFor(long seconds) {
        try {
            if (!process.waitFor(seconds, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new AssertionError("the command did not end within " + seconds + " s; stderr so far:\n" + errSoFar());
            }
            outPump.join(10_000);
            errPump.join(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
        synchronized (out) {
            synchronized (err) {
                return new Result(process.exitValue(), out.toString(StandardCharsets.UTF_8),
                        err.toString(StandardCharsets.UTF_8));
            }
        }
    }

    private static Thread pump(InputStream in, ByteArrayOutputStream to) {
        Thread t = new Thread(() -> {
            byte[] buffer = new byte[8192];
            try (in) {
                int n;
                while ((n = in.read(buffer)) > 0) {
                    synchronized (to) {
                        to.write(buffer, 0, n);
                    }
                }
            } catch (IOException ignored) {
                // The process ended.
            }
        }, "cli-pump");
        t.setDaemon(true);
        t.start();
        return t;
    }
}
