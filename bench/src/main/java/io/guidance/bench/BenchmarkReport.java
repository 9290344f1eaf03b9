package io.guidance.bench;

import io.guidance.bench.ThroughputBenchmark.Results;
import io.guidance.bench.ThroughputBenchmark.Run;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;
import javax.imageio.ImageIO;
import org.apache.flink.runtime.util.EnvironmentInformation;

/** docs/benchmarks.md and the rule-scaling chart, written from the measured results. */
final class BenchmarkReport {
    private BenchmarkReport() {}

    /** The machine and versions the numbers were measured on. */
    static String machine() {
        StringBuilder md = new StringBuilder();
        md.append("| | |\n|---|---|\n")
                .append("| date | ")
                .append(ZonedDateTime.now().format(DateTimeFormatter.ISO_OFFSET_DATE_TIME))
                .append(" |\n")
                .append("| CPU | ")
                .append(cpuModel())
                .append(" |\n")
                .append("| `nproc` | ")
                .append(command("nproc"))
                .append(" |\n")
                .append("| logical CPUs in /proc/cpuinfo | ")
                .append(cpuCount())
                .append(" |\n")
                .append("| memory (MemTotal) | ")
                .append(memTotal())
                .append(" |\n")
                .append("| OS | ")
                .append(System.getProperty("os.name"))
                .append(' ')
                .append(System.getProperty("os.version"))
                .append(" |\n")
                .append("| Java | ")
                .append(System.getProperty("java.vm.name"))
                .append(' ')
                .append(System.getProperty("java.runtime.version"))
                .append(" |\n")
                .append(
                        "| JVM options of the run that wrote this page (the latency section names its own) | `")
                .append(
                        String.join(
                                " ",
                                java.lang.management.ManagementFactory.getRuntimeMXBean()
                                        .getInputArguments()))
                .append("` |\n")
                .append("| JVM max heap | ")
                .append(Runtime.getRuntime().maxMemory() / (1024 * 1024))
                .append(" MiB |\n")
                .append("| Flink | ")
                .append(EnvironmentInformation.getVersion())
                .append(" (local MiniCluster, one JVM) |\n")
                .append("| guidance commit | ")
                .append(command("git", "rev-parse", "--short", "HEAD"))
                .append(" |\n");
        return md.toString();
    }

    /** One stamp per section: when, on which commit, under what load it was measured. */
    static String stamp(String loadBefore) {
        return String.format(
                Locale.ROOT,
                "_Measured %s on commit %s; load average %s before, %s after._%n%n",
                ZonedDateTime.now().withNano(0).format(DateTimeFormatter.ISO_OFFSET_DATE_TIME),
                command("git", "rev-parse", "--short", "HEAD"),
                loadBefore,
                loadAverage());
    }

    /** The 1-minute load average, from /proc/loadavg. */
    static String loadAverage() {
        try {
            return Files.readString(Path.of("/proc/loadavg")).split(" ")[0];
        } catch (IOException | RuntimeException e) {
            return "unknown";
        }
    }

    /** Input, and limit against full pipeline against Flink CEP. */
    static String throughput(Results r) {
        ThroughputBenchmark.Options o = r.options;
        StringBuilder md = new StringBuilder();
        ScaledEvents.Scaled s = r.scaled;
        md.append("### Input\n\n")
                .append(
                        String.format(
                                Locale.ROOT,
                                "Real events read with the importers of `guidance import` from `%s` and `%s`: "
                                        + "%,d events. Scaled to **%,d events** with %d copies: copy k has the user, session and event ids "
                                        + "`id~k` and is shifted by k seconds, so every session keeps its real timing and the copies "
                                        + "interleave; sorted by `ts`, serialized as SPEC JSON in memory beforehand (%,d bytes, %.0f bytes per event). "
                                        + "A bounded source gives subtask i of p the events i, i+p, i+2p, ..., so every subtask reads in `ts` order.\n\n",
                                o.inputs.taobao,
                                o.inputs.yoochoose,
                                s.baseEvents,
                                s.events.length,
                                s.copies,
                                s.totalBytes,
                                s.totalBytes / (double) Math.max(1, s.events.length)));

        md.append(
                        "Settings: checkpointing off, HashMap state backend, object reuse on (no operator of these graphs keeps ")
                .append(
                        "or changes a record it passed on; the detection operator gets its events through the network, ")
                .append(
                        "deserialized into fresh objects). Events per second = events / the job's net runtime ")
                .append(
                        "(`JobExecutionResult.getNetRuntime()`, from job start to end, so it includes deploying the tasks). ")
                .append(
                        String.format(
                                Locale.ROOT,
                                "Median of %d runs; every run is listed.%n%n",
                                o.runs));

        md.append("### Limit, full pipeline and Flink CEP\n\n")
                .append(
                        "- **limit**: deserialize the bytes (`EventParser`), `keyBy` session, discard.\n")
                .append(
                        String.format(
                                Locale.ROOT,
                                "- **pipeline**: `GuidanceTopology.build` with the %d rules of config/rules.yaml "
                                        + "(an empty rules stream, as in a replay): validate, the live watermarks of the production job (bounded out-of-orderness, emitted "
                                        + "every `events.watermarkInterval` (50 ms) by Flink's periodic watermark timer; not the replay's watermark after every event), dedup, keyBy user, "
                                        + "detect and deliver; triggers, dead letters and duplicates go to sinks that discard and count.%n",
                                r.configRules))
                .append(
                        String.format(
                                Locale.ROOT,
                                "- **hesitation**: the same pipeline with only the %d stall, burst and loop "
                                        + "rules (%s).%n",
                                r.hesitationRules.rules.size(),
                                r.hesitationRules.rules.stream()
                                        .map(x -> x.id)
                                        .collect(Collectors.joining(", "))))
                .append(
                        "- **CEP**: the same hesitation rules as Flink CEP patterns (`CepHesitationJob`): a stall is a timed-out ")
                .append(
                        "partial match, a burst `times(count)` with `skipPastLastEvent`, a loop `times(times - 1)` after a keyed ")
                .append(
                        "step that drops refreshes; bounded-out-of-orderness watermarks, one detection per match, a sink that ")
                .append(
                        "discards. `CepBenchmarkTest` checks on the repository samples that CEP and the pipeline find the same ")
                .append(
                        "(rule, user, session, ts). CEP has no delivery policy, dedup or validation: it does less work.\n\n")
                .append(
                        String.format(
                                Locale.ROOT,
                                "Median of %d runs (CEP: %d); every run is listed.%n%n",
                                o.runs,
                                Math.min(o.runs, o.cepRuns)))
                .append(
                        "| parallelism | limit | pipeline | **pipeline / limit** | hesitation | CEP | **pipeline / CEP** | hesitation / CEP | triggers per run (pipeline; hesitation; CEP) |\n")
                .append("|---:|---:|---:|---:|---:|---:|---:|---:|---|\n");
        for (int i = 0; i < r.limit.size(); i++) {
            double lm = ThroughputBenchmark.median(r.limit.get(i));
            double fm = ThroughputBenchmark.median(r.pipeline.get(i));
            double hm = ThroughputBenchmark.median(r.hesitation.get(i));
            double cm = ThroughputBenchmark.median(r.cep.get(i));
            md.append(
                    String.format(
                            Locale.ROOT,
                            "| %d | %,.0f | %,.0f | **%.2f** | %,.0f | %,.0f | **%.2f** | %.2f | %,d; %,d; %,d |%n",
                            o.parallelisms[i],
                            lm,
                            fm,
                            fm / lm,
                            hm,
                            cm,
                            fm / cm,
                            hm / cm,
                            r.pipeline.get(i).get(0).triggers,
                            r.hesitation.get(i).get(0).triggers,
                            r.cep.get(i).get(0).triggers));
        }
        md.append(
                "\nEvents per second. Every run:\n\n| parallelism | graph | runs |\n|---:|---|---|\n");
        for (int i = 0; i < r.limit.size(); i++) {
            int p = o.parallelisms[i];
            md.append("| ")
                    .append(p)
                    .append(" | limit | ")
                    .append(list(r.limit.get(i)))
                    .append(" |\n")
                    .append("| ")
                    .append(p)
                    .append(" | pipeline | ")
                    .append(list(r.pipeline.get(i)))
                    .append(" |\n")
                    .append("| ")
                    .append(p)
                    .append(" | hesitation | ")
                    .append(list(r.hesitation.get(i)))
                    .append(" |\n")
                    .append("| ")
                    .append(p)
                    .append(" | CEP | ")
                    .append(list(r.cep.get(i)))
                    .append(" |\n");
        }
        md.append(
                        "\nNo run dead-lettered or deduplicated an event (the benchmark fails otherwise). Trigger counts may differ ")
                .append(
                        "slightly between parallelisms: the source splits the input by position, so events of one user with ")
                .append(
                        "equal `ts` (the Taobao data has second resolution) can come from both source subtasks, and equal `ts` ")
                .append("are evaluated in arrival order (SPEC section 2).\n");
        int one = indexOf(o.parallelisms, 1);
        int two = indexOf(o.parallelisms, 2);
        if (one >= 0 && two >= 0 && r.limit.size() == o.parallelisms.length) {
            md.append(
                    String.format(
                            Locale.ROOT,
                            "%nRatio parallelism 2 / parallelism 1: limit **%.2f**, pipeline **%.2f**. "
                                    + "Both subtasks, the JobManager and the benchmark's own threads share %s cores, so a ratio "
                                    + "well below 2 is expected here.%n",
                            ThroughputBenchmark.median(r.limit.get(two))
                                    / ThroughputBenchmark.median(r.limit.get(one)),
                            ThroughputBenchmark.median(r.pipeline.get(two))
                                    / ThroughputBenchmark.median(r.pipeline.get(one)),
                            command("nproc")));
        }
        return md.toString();
    }

    /** Events per second against the number of rules. */
    static String rules(Results r) {
        ThroughputBenchmark.Options o = r.options;
        StringBuilder md = new StringBuilder();
        md.append("### Rule scaling\n\n")
                .append(
                        String.format(
                                Locale.ROOT,
                                "The full pipeline at parallelism %d on %,d events, scaled from the same real events in the same way, "
                                        + "with generated rules: the eight rules of config/rules.yaml (all five kinds: stall, burst, loop, "
                                        + "threshold, comeback) taking turns, each with its own id and guide and varied event types and "
                                        + "thresholds (`GeneratedRules`). One rule is a burst over item pages by category.%n%n",
                                o.ruleParallelism,
                                r.ruleEventCount))
                .append(
                        "| rules | events/s | vs 1 rule | runs | triggers per run | triggers per event |\n|---:|---:|---:|---|---:|---:|\n");
        double base = r.rules.isEmpty() ? 1 : ThroughputBenchmark.median(r.rules.get(0));
        for (int i = 0; i < o.ruleCounts.length; i++) {
            List<Run> runs = r.rules.get(i);
            double m = ThroughputBenchmark.median(runs);
            md.append(
                    String.format(
                            Locale.ROOT,
                            "| %d | %,.0f | %.2f | %s | %,d | %.2f |%n",
                            o.ruleCounts[i],
                            m,
                            m / base,
                            list(runs),
                            runs.get(0).triggers,
                            runs.get(0).triggers / (double) Math.max(1, r.ruleEventCount)));
        }
        md.append(
                        "\nEvery trigger a rule raises is emitted, including those the delivery policy holds back (they ")
                .append(
                        "feed the audit topic in production), so the cost of many rules is largely the cost of their triggers: ")
                .append("see the last column.\n")
                .append(
                        "\n![events per second against the number of rules](benchmarks-rules.png)\n");
        return md.toString();
    }

    private static int indexOf(int[] a, int v) {
        for (int i = 0; i < a.length; i++) {
            if (a[i] == v) return i;
        }
        return -1;
    }

    private static String list(List<Run> runs) {
        return runs.stream()
                .map(x -> String.format(Locale.ROOT, "%,.0f", x.eventsPerSecond()))
                .collect(Collectors.joining("; "));
    }

    // ---------------------------------------------------------------- machine facts

    static String cpuModel() {
        try {
            return Files.readAllLines(Path.of("/proc/cpuinfo")).stream()
                    .filter(l -> l.startsWith("model name"))
                    .findFirst()
                    .map(l -> l.substring(l.indexOf(':') + 1).trim())
                    .orElse("unknown");
        } catch (IOException e) {
            return "unknown";
        }
    }

    private static String cpuCount() {
        try {
            return Long.toString(
                    Files.readAllLines(Path.of("/proc/cpuinfo")).stream()
                            .filter(l -> l.startsWith("processor"))
                            .count());
        } catch (IOException e) {
            return "unknown";
        }
    }

    static String memTotal() {
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
                    .orElse("unknown");
        } catch (IOException | NumberFormatException e) {
            return "unknown";
        }
    }

    static String command(String... cmd) {
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            String out;
            try (BufferedReader in =
                    new BufferedReader(
                            new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                out = in.lines().collect(Collectors.joining(" ")).trim();
            }
            return p.waitFor() == 0 && !out.isEmpty() ? out : "unknown";
        } catch (IOException e) {
            return "unknown";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "unknown";
        }
    }

    // ---------------------------------------------------------------- chart

    /** Events per second against the number of rules, log-scaled x axis; drawn headless. */
    static void chart(Results r, Path png) throws IOException {
        int w = 900;
        int h = 560;
        int left = 110;
        int right = 40;
        int top = 70;
        int bottom = 80;
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
        g.setRenderingHint(
                RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, w, h);

        int[] counts = r.options.ruleCounts;
        double[] eps = new double[counts.length];
        double max = 1;
        for (int i = 0; i < counts.length; i++) {
            eps[i] = ThroughputBenchmark.median(r.rules.get(i));
            max = Math.max(max, eps[i]);
        }
        double yMax = niceCeiling(max * 1.1);
        double xMin = Math.log10(Math.max(1, min(counts)));
        double xMax = Math.log10(Math.max(10, max(counts)));
        if (xMax - xMin < 1e-9) {
            xMax = xMin + 1;
        }
        int plotW = w - left - right;
        int plotH = h - top - bottom;

        g.setColor(Color.BLACK);
        g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 20));
        center(g, "guidance: throughput vs number of rules", w / 2, 32);
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 14));
        center(
                g,
                String.format(
                        Locale.ROOT,
                        "full pipeline, parallelism %d, %,d events, median of %d runs (shared machine: noisy)",
                        r.options.ruleParallelism,
                        r.ruleEventCount,
                        r.options.runs),
                w / 2,
                54);

        // grid and y labels
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 13));
        FontMetrics fm = g.getFontMetrics();
        for (int i = 0; i <= 5; i++) {
            double v = yMax * i / 5;
            int y = top + plotH - (int) Math.round(plotH * i / 5.0);
            g.setColor(new Color(225, 225, 225));
            g.drawLine(left, y, left + plotW, y);
            g.setColor(Color.BLACK);
            String label = String.format(Locale.ROOT, "%,.0f", v);
            g.drawString(label, left - 8 - fm.stringWidth(label), y + fm.getAscent() / 2 - 2);
        }
        // x ticks at the measured rule counts
        for (int c : counts) {
            int x =
                    left
                            + (int)
                                    Math.round(
                                            plotW
                                                    * (Math.log10(Math.max(1, c)) - xMin)
                                                    / (xMax - xMin));
            g.setColor(new Color(225, 225, 225));
            g.drawLine(x, top, x, top + plotH);
            g.setColor(Color.BLACK);
            center(g, Integer.toString(c), x, top + plotH + 20);
        }
        g.setColor(Color.BLACK);
        g.drawRect(left, top, plotW, plotH);
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 15));
        center(g, "number of rules (log scale)", left + plotW / 2, h - 25);
        Graphics2D rot = (Graphics2D) g.create();
        rot.rotate(-Math.PI / 2);
        rot.setFont(g.getFont());
        FontMetrics rf = rot.getFontMetrics();
        rot.drawString(
                "events per second",
                -(top + plotH / 2) - rf.stringWidth("events per second") / 2,
                24);
        rot.dispose();

        // the line and the points, each labelled with its value
        g.setStroke(new BasicStroke(3f));
        g.setColor(new Color(31, 119, 180));
        int px = -1;
        int py = -1;
        g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 13));
        for (int i = 0; i < counts.length; i++) {
            int x =
                    left
                            + (int)
                                    Math.round(
                                            plotW
                                                    * (Math.log10(Math.max(1, counts[i])) - xMin)
                                                    / (xMax - xMin));
            int y = top + plotH - (int) Math.round(plotH * eps[i] / yMax);
            if (px >= 0) {
                g.drawLine(px, py, x, y);
            }
            g.fillOval(x - 6, y - 6, 12, 12);
            String label = String.format(Locale.ROOT, "%,.0f", eps[i]);
            int lx =
                    Math.min(
                            Math.max(x - g.getFontMetrics().stringWidth(label) / 2, left + 4),
                            left + plotW - 4 - g.getFontMetrics().stringWidth(label));
            g.drawString(label, lx, y - 12 < top + 14 ? y + 24 : y - 12);
            px = x;
            py = y;
        }
        g.dispose();
        ImageIO.write(img, "png", png.toFile());
    }

    private static void center(Graphics2D g, String s, int x, int y) {
        g.drawString(s, x - g.getFontMetrics().stringWidth(s) / 2, y);
    }

    private static double niceCeiling(double v) {
        double p = Math.pow(10, Math.floor(Math.log10(v)));
        for (double m : new double[] {1, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10}) {
            if (m * p >= v) {
                return m * p;
            }
        }
        return 10 * p;
    }

    private static int min(int[] a) {
        int m = Integer.MAX_VALUE;
        for (int v : a) m = Math.min(m, v);
        return m;
    }

    private static int max(int[] a) {
        int m = Integer.MIN_VALUE;
        for (int v : a) m = Math.max(m, v);
        return m;
    }
}
