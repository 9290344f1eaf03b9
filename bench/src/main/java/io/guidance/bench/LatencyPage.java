package io.guidance.bench;

import io.guidance.bench.LatencyResult.RateRun;
import io.guidance.bench.report.LineChart;
import io.guidance.bench.report.MachineFacts;
import io.guidance.bench.report.Markdown;
import java.awt.Insets;
import java.awt.Stroke;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import java.util.function.ToLongFunction;

/** What the latency benchmark writes: its docs section, its chart and its trace files. */
final class LatencyPage {
    private LatencyPage() {}

    // ---------------------------------------------------------------- report

    /** A docs section: the method, the sustainable rate, and latency per rate and kind. */
    static String markdown(LatencyResult r) {
        LatencyOptions o = r.options;
        StringBuilder md = new StringBuilder();
        md.append("## Latency with Kafka and Redis\n\n")
                .append(
                        "The production job (`GuidanceJob`: Kafka source with live watermarks, detection, Redis and audit sinks) ")
                .append("on a local MiniCluster at parallelism ")
                .append(o.parallelism)
                .append(
                        ", with a Kafka broker (`EmbeddedKafka`) and a real `redis-server` (`LocalRedis`), as ")
                .append("`guidance demo` runs them, all on this machine. ")
                .append(
                        "**TaskManager in its own JVM**, as on a cluster: the job (JobManager and TaskManager of the MiniCluster) runs ")
                .append("in a child JVM (`JobProcess`, options `")
                .append(r.jobJvmOptions)
                .append(
                        "`: the heap the size of docker/flink's TaskManager process, with a GC log; between two runs it collects its heap, so each job starts on a clean heap with a warm JIT); the broker, the ")
                .append(
                        "producer and the Redis subscriber that measures run in the benchmark's JVM (options `")
                .append(MachineFacts.jvmOptions())
                .append(
                        "`), so neither's garbage pauses the other. The producer's stamps and the subscriber's arrivals both come from the benchmark JVM's clock. ")
                .append("Settings are the job's defaults: ")
                .append("`events.maxOutOfOrderness` ")
                .append(r.boundMs)
                .append(" ms, `events.idleTimeout` ")
                .append(r.idleTimeoutMs)
                .append(" ms, exactly-once checkpoints every ")
                .append(r.checkpointIntervalMs)
                .append(" ms, `redis.flushInterval` 50 ms")
                .append(
                        o.overrides.isEmpty()
                                ? ""
                                : "; for this run, on top of them (`--set`): `"
                                        + String.join(
                                                "`, `",
                                                o.overrides.entrySet().stream()
                                                        .map(e -> e.getKey() + "=" + e.getValue())
                                                        .toList())
                                        + "`")
                .append(".\n\n")
                .append("**Input.** The real sessions of ")
                .append(Markdown.count(r.baseEvents))
                .append(
                        " events (Taobao and YOOCHOOSE, `ScaledEvents`), in their real order, each stamped at the moment it ")
                .append(
                        "is sent with the wall clock as its `ts` (live mode), keyed by user, from a producer paced to a fixed ")
                .append(
                        "rate. The sessions therefore pass far faster than they happened, so the rules are those of ")
                .append(
                        "config/rules.yaml with the stall waits cut to 4 s and 5 s and the comeback gap to 10 s (`")
                .append(r.rulesSource)
                .append("`, ")
                .append(r.rules)
                .append(" rules), so that stalls fall due during a run.\n\n")
                .append(
                        "**Latency.** A trigger caused by an event (burst, loop, threshold, comeback) has the event's `ts`, ")
                .append(
                        "which is its produce time; a stall has its deadline. Latency = when the trigger became readable in Redis ")
                .append(
                        "minus that `ts`. Readable is observed with Redis keyspace notifications (`notify-keyspace-events E$`): ")
                .append(
                        "the atomic write script sets the user key and then the trigger's `written` marker, and a subscriber ")
                .append(
                        "stamps the marker's `set` event on arrival with the same JVM clock that stamped the events. ")
                .append(
                        "Resolution 1 ms plus the loopback hop of the notification (well under 1 ms). Every delivered trigger ")
                .append(
                        "of the audit topic is matched with its write. Percentiles are nearest-rank over the triggers whose ")
                .append("`ts` falls between ")
                .append(o.warmupSeconds)
                .append(" s after the producer started and ")
                .append("the out-of-orderness bound + ")
                .append(LatencyBenchmark.WINDOW_END_MARGIN_MS)
                .append(" ms before it stopped. Triggers ")
                .append(
                        "with a later `ts` (events of the last moments, stalls due after the input stopped) are evaluated only ")
                .append(
                        "once event time follows the clock after `events.idleTimeout` with no input; they are listed apart, as ")
                .append("\"after the input\".\n\n")
                .append(
                        "The Taobao events are shifted so that the two datasets' median times meet (`interleavedBase`): in ")
                .append(
                        "plain `ts` order the YOOCHOOSE clicks (2014, item views only) would all come before the Taobao events ")
                .append("(2017, with carts, favourites and purchases).\n\n");
        if (r.maxMeasured) {
            md.append(
                            Markdown.format(
                                    "**Max.** %,.0f events/s: a backlog of %,d events written to a fresh topic ",
                                    r.maxRate, r.calibrationEvents))
                    .append(
                            Markdown.format(
                                    "first, then drained by a fresh job; the rate at which the detection "
                                            + "operator took in events from 10 %% to 90 %% of the backlog (%,d ms). ",
                                    r.calibrationMillis))
                    .append(
                            "Kafka in, detection, and the Redis and audit sinks are one back-pressured graph, so this is the rate ")
                    .append("at which Kafka-in to Redis-out keeps up.\n\n");
        } else {
            md.append(
                    Markdown.format(
                            "**Max.** %,.0f events/s, given with `--max-rate`.\n\n", r.maxRate));
        }
        md.append(
                Markdown.format(
                        "Target: p99 below `events.maxOutOfOrderness` + %d ms = **%,d ms**.%n%n",
                        LatencyResult.TARGET_SLACK_MS, r.targetMs()));
        Markdown.Table table =
                Markdown.table()
                        .right("share of max")
                        .right("events/s sent")
                        .right("delivered")
                        .right("readable")
                        .left("event → readable p50 / p99 / max ms (n)")
                        .left("deadline → readable p50 / p99 / max ms (n)")
                        .left("p99 within target")
                        .left("after the input: max ms (n)")
                        .left("job JVM GC pauses while sending: n, total / longest ms")
                        .left(
                                "benchmark JVM (broker, producer, subscriber) GC pauses: n, total / longest ms");
        for (RateRun x : r.runs) {
            boolean ok = x.caused.p99 <= r.targetMs() && x.stalls.p99 <= r.targetMs();
            table.row(
                    Markdown.format("%.0f %%", x.fraction * 100),
                    Markdown.format("%,.0f (target %,.0f)", x.achievedRate, x.targetRate),
                    Markdown.count(x.delivered),
                    Markdown.count(x.readable),
                    cell(x.caused),
                    cell(x.stalls),
                    ok ? "yes" : "**no**",
                    x.afterInput.count == 0
                            ? "-"
                            : Markdown.format("%,d (%d)", x.afterInput.max, x.afterInput.count),
                    Markdown.format(
                            "%d, %,d / %,d", x.jobGcPauses, x.jobGcPauseTotalMs, x.jobGcPauseMaxMs),
                    Markdown.format("%d, %,d / %,d", x.gcPauses, x.gcPauseTotalMs, x.gcPauseMaxMs));
        }
        md.append(table.render());
        md.append(
                        "\nThe job JVM's pauses are every stop-the-world pause of its GC log (`-Xlog:gc*`: young, mixed, remark, ")
                .append(
                        "cleanup, full) that overlaps the sending; the benchmark JVM's are its collectors' notifications.\n");
        md.append("\n![latency against input rate](benchmarks-latency.png)\n\n");
        md.append(
                Markdown.runLine(
                        "benchmark JVM options `"
                                + MachineFacts.jvmOptions()
                                + "`, job JVM options `"
                                + r.jobJvmOptions
                                + "`",
                        r.totalMillis,
                        "latency",
                        o.command));
        return md.toString();
    }

    private static String cell(Latencies l) {
        return l.count == 0
                ? "-"
                : Markdown.format("%,d / %,d / %,d (%,d)", l.p50, l.p99, l.max, l.count);
    }

    /**
     * Latency (p50, p99, max of both kinds) against the rate sent, with the target as a dashed
     * line.
     */
    static void chart(LatencyResult r, Path png) throws IOException {
        double xMax = 1;
        double yMax = r.targetMs();
        for (RateRun x : r.runs) {
            xMax = Math.max(xMax, Math.max(x.achievedRate, x.targetRate));
            yMax = Math.max(yMax, Math.max(x.caused.max, x.stalls.max));
        }
        LineChart chart =
                new LineChart(900, 560, new Insets(70, 90, 70, 230))
                        .title(
                                "guidance: latency vs input rate (Kafka in, Redis out)",
                                Markdown.format(
                                        "parallelism %d, max %,.0f events/s, %d s per rate (shared machine: noisy)",
                                        r.options.parallelism, r.maxRate, r.options.seconds))
                        .xAxis(
                                "events per second sent",
                                LineChart.Axis.linear(LineChart.niceCeiling(xMax * 1.05)))
                        .yAxis("latency (ms)", LineChart.niceCeiling(yMax * 1.1))
                        .level(
                                Markdown.format("target %,d ms", r.targetMs()),
                                r.targetMs(),
                                LineChart.RED,
                                LineChart.dashed(2f, 8f, 6f));
        String[] statistics = {"p50", "p99", "max"};
        List<ToLongFunction<Latencies>> values = List.of(l -> l.p50, l -> l.p99, l -> l.max);
        Stroke[] strokes = {
            LineChart.solid(3f), LineChart.dashed(2.5f, 10f, 5f), LineChart.dashed(2.5f, 2f, 4f)
        };
        for (int s = 0; s < statistics.length; s++) {
            chart.line(
                    line(r, x -> x.caused, values.get(s))
                            .legend("event: " + statistics[s] + " (event → Redis)")
                            .drawn(LineChart.BLUE, strokes[s]));
        }
        for (int s = 0; s < statistics.length; s++) {
            chart.line(
                    line(r, x -> x.stalls, values.get(s))
                            .legend("stall: " + statistics[s] + " (deadline → Redis)")
                            .drawn(LineChart.ORANGE, strokes[s]));
        }
        chart.write(png);
    }

    /** One statistic of one kind per run, at the rate achieved; no point where there is none. */
    private static LineChart.Line line(
            LatencyResult r,
            Function<RateRun, Latencies> kind,
            ToLongFunction<Latencies> statistic) {
        double[] xs = new double[r.runs.size()];
        double[] ys = new double[r.runs.size()];
        for (int i = 0; i < xs.length; i++) {
            RateRun x = r.runs.get(i);
            Latencies l = kind.apply(x);
            xs[i] = x.achievedRate;
            ys[i] = l.count == 0 ? Double.NaN : statistic.applyAsLong(l);
        }
        return LineChart.Line.of(xs, ys);
    }

    /**
     * The trace files: {@code trace} gets one line per trigger of the audit topics, {@code
     * trace.samples.csv} the job's restarts and checkpoints every 100 ms.
     */
    static void writeTrace(LatencyResult r, Path trace) throws IOException {
        List<String> lines = new ArrayList<>();
        lines.add("share of max,ms after the measured window opened,rule,kind,status,latency ms");
        for (RateRun x : r.runs) {
            for (String t : x.trace) {
                lines.add(x.fraction + "," + t);
            }
        }
        Files.write(trace, lines);
        List<String> samples = new ArrayList<>();
        samples.add(
                "share of max,ms after the measured window opened,restarts,failed checkpoints,"
                        + "completed checkpoints");
        for (RateRun x : r.runs) {
            for (String t : x.samples) {
                samples.add(x.fraction + "," + t);
            }
        }
        Files.write(Path.of(trace + ".samples.csv"), samples);
    }
}
