package io.github.s3recon.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Whether the progress goes to a terminal. The progress is written to standard error, so that is
 * the stream that must be a terminal: {@code System.console()} asks about standard input and output
 * instead, which drew the bar's escape codes into a file given as {@code 2>log} and printed plain
 * lines on a terminal when only the output was redirected ({@code plan > plan.sh}).
 */
final class Terminal {

    private Terminal() {
    }

    /**
     * On Linux, reads where {@code /proc/self/fd/2} points (a {@code /dev/pts/N} or {@code /dev/tty*}
     * is a terminal); elsewhere, or where that cannot be read, falls back to {@code System.console()}.
     */
    static boolean stderr() {
        try {
            String target = Files.readSymbolicLink(Path.of("/proc/self/fd/2")).toString();
            return target.startsWith("/dev/pts/") || target.startsWith("/dev/tty") || target.equals("/dev/console");
        } catch (IOException | UnsupportedOperationException | SecurityException e) {
            return System.console() != null;
        }
    }
}
