package io.guidance.bench.report;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * The machine a benchmark ran on, as the pages state it: each fact is "unknown" when it cannot be
 * read, so that a report is never lost to a missing file or command.
 */
public final class MachineFacts {
    private static final String UNKNOWN = "unknown";

    private MachineFacts() {}

    public static String cpuModel() {
        try {
            return Files.readAllLines(Path.of("/proc/cpuinfo")).stream()
                    .filter(l -> l.startsWith("model name"))
                    .findFirst()
                    .map(l -> l.substring(l.indexOf(':') + 1).trim())
                    .orElse(UNKNOWN);
        } catch (IOException e) {
            return UNKNOWN;
        }
    }

    /** Logical CPUs listed in /proc/cpuinfo (which may be more than this process may use). */
    public static String cpuCount() {
        try {
            return Long.toString(
                    Files.readAllLines(Path.of("/proc/cpuinfo")).stream()
                            .filter(l -> l.startsWith("processor"))
                            .count());
        } catch (IOException e) {
            return UNKNOWN;
        }
    }

    /** MemTotal of /proc/meminfo in GiB, one decimal. */
    public static String memTotal() {
        try {
            return Files.readAllLines(Path.of("/proc/meminfo")).stream()
                    .filter(l -> l.startsWith("MemTotal"))
                    .findFirst()
                    .map(
                            l -> {
                                long kb = Long.parseLong(l.replaceAll("[^0-9]", ""));
                                return String.format(
                                        Locale.ROOT, "%.1f GiB", kb / (1024.0 * 1024.0));
                            })
                    .orElse(UNKNOWN);
        } catch (IOException | NumberFormatException e) {
            return UNKNOWN;
        }
    }

    /** The 1-minute load average, from /proc/loadavg. */
    public static String loadAverage() {
        try {
            return Files.readString(Path.of("/proc/loadavg")).split(" ")[0];
        } catch (IOException | RuntimeException e) {
            return UNKNOWN;
        }
    }

    /** The options this JVM was started with, space-separated. */
    public static String jvmOptions() {
        return String.join(" ", ManagementFactory.getRuntimeMXBean().getInputArguments());
    }

    /** The short hash of the checked-out commit. */
    public static String commit() {
        return command("git", "rev-parse", "--short", "HEAD");
    }

    /** What a command prints, on one line; "unknown" when it fails or prints nothing. */
    public static String command(String... cmd) {
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            String out;
            try (BufferedReader in =
                    new BufferedReader(
                            new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                out = in.lines().collect(Collectors.joining(" ")).trim();
            }
            return p.waitFor() == 0 && !out.isEmpty() ? out : UNKNOWN;
        } catch (IOException e) {
            return UNKNOWN;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return UNKNOWN;
        }
    }
}
