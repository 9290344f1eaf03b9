package io.guidance.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The stop-the-world pauses in a JVM's unified GC log, written with the decorators of {@link
 * #option}: every pause a collector reports under the {@code gc} tag (G1's young, mixed, full,
 * remark and cleanup pauses), each stamped with the wall clock at its end. Concurrent phases are
 * not pauses and are not counted.
 */
final class GcLog {
    /** The {@code -Xlog} option that writes such a log to {@code file}, with no rotation. */
    static String option(Path file) {
        return "-Xlog:gc*:file=" + file + ":uptime,timemillis,level,tags:filecount=0";
    }

    /**
     * e.g. {@code [12.345s][1796354893034ms][info][gc ] GC(3) Pause Young (Normal) (G1 Evacuation
     * Pause) 29M->29M(64M) 51.422ms}
     */
    private static final Pattern PAUSE =
            Pattern.compile(
                    "^\\[[^\\]]*\\]\\[(\\d+)ms\\]\\[\\w+\\s*\\]\\[gc\\s*\\] GC\\(\\d+\\) Pause .*"
                            + " (\\d+(?:\\.\\d+)?)ms$");

    private GcLog() {}

    /** How many pauses, their total and their longest, in whole milliseconds (rounded up). */
    record Pauses(long count, long totalMs, long maxMs) {}

    /** The pauses of {@code lines} that overlap the wall-clock interval [from, to]. */
    static Pauses pauses(List<String> lines, long fromMillis, long toMillis) {
        long count = 0;
        double total = 0;
        double max = 0;
        for (String line : lines) {
            Matcher m = PAUSE.matcher(line);
            if (!m.matches()) {
                continue;
            }
            long end = Long.parseLong(m.group(1));
            double ms = Double.parseDouble(m.group(2));
            if (end < fromMillis || end - ms > toMillis) {
                continue;
            }
            count++;
            total += ms;
            max = Math.max(max, ms);
        }
        return new Pauses(count, (long) Math.ceil(total), (long) Math.ceil(max));
    }

    static Pauses pauses(Path log, long fromMillis, long toMillis) throws IOException {
        return pauses(Files.readAllLines(log, StandardCharsets.UTF_8), fromMillis, toMillis);
    }
}
