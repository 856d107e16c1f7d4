package io.github.s3recon.cli;

/**
 * The program {@code LauncherTest} runs through {@code bin/s3recon} in place of the CLI: prints its
 * arguments, the JVM's options and its collectors, and exits with the status its second argument names (0 without one).
 */
public final class LauncherProbe {

    private LauncherProbe() {
    }

    /**
     * Prints "probe" and the arguments, "jvm" and the JVM's options, "gc" and its collectors' names,
     * then exits.
     *
     * @param args a command name, then optionally the exit status
     */
    public static void main(String[] args) {
        System.out.println("probe " + String.join(" ", args));
        System.out.println("jvm " + java.lang.management.ManagementFactory.getRuntimeMXBean().getInputArguments());
        System.out.println("gc " + java.lang.management.ManagementFactory.getGarbageCollectorMXBeans().stream()
                .map(java.lang.management.GarbageCollectorMXBean::getName).toList());
        System.exit(args.length > 1 ? Integer.parseInt(args[1]) : 0);
    }
}
