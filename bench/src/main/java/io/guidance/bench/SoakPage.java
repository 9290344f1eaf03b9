package io.guidance.bench;

import io.guidance.bench.SoakResult.Sample;
import io.guidance.bench.SoakResult.Trend;
import io.guidance.bench.report.LineChart;
import io.guidance.bench.report.MachineFacts;
import io.guidance.bench.report.Markdown;
import java.awt.Color;
import java.awt.Insets;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.function.ToDoubleFunction;

/** What the soak writes: its docs section, its headline and its chart. */
final class SoakPage {
    /** The chart, next to docs/benchmarks.md like the other sections' charts. */
    static final String CHART = "benchmarks-soak.png";

    private static final double MB = 1024 * 1024;
    private static final Color LIGHT_BLUE = new Color(150, 190, 225);

    private SoakPage() {}

    /** "flat", or what grows and by how much. */
    static String verdict(SoakResult r) {
        Trend heap = r.heapFloor();
        Trend checkpoints = r.checkpoints();
        if (!heap.judged() || !checkpoints.judged()) {
            return Markdown.format(
                    "too short to judge: %d collections that took back old regions and %d samples of"
                            + " the checkpoint size after the warm-up, %d of each needed",
                    heap.n(), checkpoints.n(), SoakResult.MIN_SAMPLES);
        }
        if (heap.flat() && checkpoints.flat()) {
            return "flat";
        }
        StringBuilder growing = new StringBuilder("growing:");
        if (!heap.flat()) {
            growing.append(
                    Markdown.format(
                            " heap after old-region GC %+,.1f MB per minute (%+.1f %% of its mean)",
                            heap.slopePerMinute() / MB, heap.percentPerMinute()));
        }
        if (!checkpoints.flat()) {
            growing.append(heap.flat() ? "" : ";")
                    .append(
                            Markdown.format(
                                    " checkpoint size %+,.1f MB per minute (%+.1f %% of its mean)",
                                    checkpoints.slopePerMinute() / MB,
                                    checkpoints.percentPerMinute()));
        }
        return growing.toString();
    }

    static String headline(SoakResult r) {
        Sample last = r.last();
        Trend heap = r.heapFloor();
        Trend checkpoints = r.checkpoints();
        return Markdown.format(
                "Soak, %d min at %.0f %% of the %,.0f events/s maximum (%,.0f events/s sent): heap after"
                        + " old-region GC %,.0f to %,.0f MB (%+.1f %%/min), checkpoints %,.0f to %,.0f MB (%+.1f"
                        + " %%/min) after the warm-up: %s; %,d checkpoints, %,d failed, %,d restarts.",
                Math.round(r.options.seconds / 60.0),
                r.options.fraction * 100,
                r.maxRate,
                r.sent.achievedRate(),
                heap.first() / MB,
                heap.last() / MB,
                heap.percentPerMinute(),
                checkpoints.first() / MB,
                checkpoints.last() / MB,
                checkpoints.percentPerMinute(),
                verdict(r),
                last.completedCheckpoints(),
                last.failedCheckpoints(),
                last.restarts());
    }

    static String markdown(SoakResult r) {
        SoakOptions o = r.options;
        Sample last = r.last();
        StringBuilder md = new StringBuilder();
        md.append("## Soak\n\n")
                .append(
                        Markdown.format(
                                "The production job with Kafka, Redis and exactly-once checkpoints every %,d ms"
                                        + " to a local directory (HashMap state backend), the stack of the latency"
                                        + " section, at parallelism %d, held at %.0f %% of the %s maximum of %,.0f"
                                        + " events/s for %,d s. Does the heap or the state keep growing once warmed up?\n\n",
                                r.checkpointIntervalMs,
                                o.parallelism,
                                o.fraction * 100,
                                r.maxMeasured ? "measured" : "given",
                                r.maxRate,
                                o.seconds))
                .append(
                        Markdown.format(
                                "**Input.** A fixed population of %,d users coming back: the %,d real events of"
                                        + " the latency section (Taobao and YOOCHOOSE) sent lap after lap, %d laps"
                                        + " in all, each lap with event and session ids of its own and the same"
                                        + " user ids, each event stamped with the wall clock as it is sent. A lap"
                                        + " is built while the one before is sent, so the producer's memory does"
                                        + " not grow with the run.\n\n",
                                r.users, r.baseEvents, r.laps))
                .append(
                        Markdown.format(
                                "**Rules and settings.** `%s` (%d rules%s); `events.sessionTimeout`,"
                                        + " `events.dedupWindow` and `events.feedbackGrace` %s. The"
                                        + " sessions pass far faster than they happened, so the job's real"
                                        + " retentions (30 min for a session, 1 h for an event id) would let the"
                                        + " state grow for an hour, longer than the soak; with these a session's and"
                                        + " an event id's state end within about two minutes (a trigger id's in"
                                        + " the live guide funnel: the trigger's ttl, cut to a minute, plus the"
                                        + " grace), and what remains"
                                        + " per user (first and last seen, threshold counts, deliveries) is bounded"
                                        + " by the population. Session ids too: while a threshold nudge can fire"
                                        + " on a session start (SPEC: a session is new when its id was never"
                                        + " seen for the user) the job keeps every session id of the user, and"
                                        + " each lap brings every user back in a new session; it stops once every"
                                        + " such rule's `sinceFirstSeen` window has closed for the user, so the"
                                        + " window of `three-purchases` is cut to 2 minutes here. (A `rolling`"
                                        + " nudge keeps them until the user is idle for `events.userRetention`:"
                                        + " one entry per visit.)\n\n",
                                r.rulesSource,
                                r.rules,
                                o.rulesFile != null
                                        ? ""
                                        : ": the latency section's rules (stall waits and the"
                                                + " comeback gap in seconds) with the burst and loop"
                                                + " windows cut to 30 s, the threshold's to 2 min and the ttl to 1 min",
                                o.retention))
                .append(
                        Markdown.format(
                                "**Measured** every %d s: the heap in use right after the most recent"
                                        + " collection (every heap pool, from the collectors' notifications; no"
                                        + " collection is forced), and right after the most recent one that made"
                                        + " the old generation smaller (under G1 a mixed or full collection). A"
                                        + " young collection leaves the dead objects of old regions in place, so"
                                        + " the first series climbs between mixed collections whatever the live"
                                        + " data; the second is the floor a leak would raise, and is the one judged."
                                        + " The soak's JVM (`%s`) starts G1's concurrent cycles early so that mixed"
                                        + " collections come often; it holds Flink, the Kafka broker and the"
                                        + " producer. Also the size of the last completed checkpoint (Flink's"
                                        + " `lastCheckpointFullSize`), its duration, completed and failed"
                                        + " checkpoints, restarts, events sent per second, and the events sent but"
                                        + " not yet taken in by the detection operator.\n\n",
                                o.sampleSeconds, MachineFacts.jvmOptions()))
                .append(
                        Markdown.format(
                                "**Flat** means: after the first %d s (the warm-up, left out of the table),"
                                        + " the least-squares slope of the heap after each old-region collection"
                                        + " and of the checkpoint size (every sample) is at most %.0f %% of the"
                                        + " series' mean per minute, with at least %d points of each.\n\n",
                                o.warmupSeconds,
                                SoakResult.FLAT_PERCENT_PER_MINUTE,
                                SoakResult.MIN_SAMPLES))
                .append("**Verdict: ")
                .append(verdict(r))
                .append(".**\n\n")
                .append("![heap after GC and checkpoint size over the soak](")
                .append(CHART)
                .append(")\n\n");
        Markdown.Table t =
                Markdown.table()
                        .left(Markdown.format("after %d s", o.warmupSeconds))
                        .right("first")
                        .right("last")
                        .right("min")
                        .right("max")
                        .right("mean")
                        .right("slope per minute")
                        .right("% of mean per minute");
        row(t, "heap after old-region GC (MB)", r.heapFloor(), MB);
        row(t, "heap after any GC (MB)", r.heap(), MB);
        row(t, "checkpoint size (MB)", r.checkpoints(), MB);
        row(t, "checkpoint duration (ms)", r.trend(s -> s.checkpointMs(), true), 1);
        row(t, "events sent per second", r.trend(Sample::sentPerSecond, false), 1);
        row(t, "events not yet taken in", r.trend(s -> s.behind(), false), 1);
        md.append(t.render()).append('\n');
        md.append(
                Markdown.facts()
                        .row("events sent", Markdown.count(r.sent.events()))
                        .row(
                                "rate",
                                Markdown.format(
                                        "%,.0f events/s sent, %,.0f asked",
                                        r.sent.achievedRate(), r.targetRate))
                        .row("checkpoints completed", Markdown.count(last.completedCheckpoints()))
                        .row("checkpoints failed", Markdown.count(last.failedCheckpoints()))
                        .row("restarts", Markdown.count(last.restarts()))
                        .row(
                                "GC pauses while sending",
                                Markdown.format(
                                        "%,d, %,d ms in all, longest %,d ms",
                                        r.sent.gcPauses(),
                                        r.sent.gcPauseTotalMs(),
                                        r.sent.gcPauseMaxMs()))
                        .row("samples", Markdown.count(r.samples.size()))
                        .render());
        md.append('\n')
                .append(
                        "Options (`bench/run.sh --sections soak --soak-OPTION V`): `seconds` (600), `fraction`"
                                + " (0.5), `max-rate` (events/s; measured when absent), `warmup` (180 s), "
                                + "`sample-seconds` (5), `retention` (1m), `calibration-events`, `parallelism` (2),"
                                + " `rules`, `taobao`, `yoochoose`. The section runs in a G1 JVM of its own.\n");
        return md.toString();
    }

    private static void row(Markdown.Table t, String name, Trend x, double unit) {
        if (x.n() == 0) {
            t.row(name, "-", "-", "-", "-", "-", "-", "-");
            return;
        }
        t.row(
                name,
                Markdown.format("%,.1f", x.first() / unit),
                Markdown.format("%,.1f", x.last() / unit),
                Markdown.format("%,.1f", x.min() / unit),
                Markdown.format("%,.1f", x.max() / unit),
                Markdown.format("%,.1f", x.mean() / unit),
                Markdown.format("%+,.2f", x.slopePerMinute() / unit),
                Markdown.format("%+.2f %%", x.percentPerMinute()));
    }

    /** Heap after GC and checkpoint size (MB) against minutes, every sample. */
    static void chart(SoakResult r, Path png) throws IOException {
        double xMax = Math.max(1, r.options.seconds / 60.0);
        double yMax = 1;
        for (Sample s : r.samples) {
            xMax = Math.max(xMax, s.minutes());
            yMax = Math.max(yMax, Math.max(s.heapAfterGc(), s.checkpointBytes()) / MB);
        }
        new LineChart(900, 560, new Insets(70, 90, 70, 230))
                .title(
                        "guidance: soak at constant rate (Kafka in, Redis out, checkpoints)",
                        Markdown.format(
                                "%,.0f events/s (%.0f %% of max), %,d users; warm-up: first %d s",
                                r.sent.achievedRate(),
                                r.options.fraction * 100,
                                r.users,
                                r.options.warmupSeconds))
                // whole minutes at the ticks: five ticks over a multiple of five minutes
                .xAxis("minutes", LineChart.Axis.linear(5 * Math.ceil(xMax / 5)))
                .yAxis("MB", LineChart.niceCeiling(yMax * 1.1))
                .line(
                        series(r.samples, Sample::heapAfterGc, "heap after any GC", LIGHT_BLUE)
                                .drawn(LIGHT_BLUE, LineChart.solid(1.5f)))
                .line(floor(r.samples))
                .line(
                        series(
                                r.samples,
                                Sample::checkpointBytes,
                                "checkpoint size",
                                LineChart.ORANGE))
                .write(png);
    }

    /** One point per collection that took back old regions, at the first sample that saw it. */
    private static LineChart.Line floor(List<Sample> samples) {
        double[] xs = new double[samples.size()];
        double[] ys = new double[samples.size()];
        long seen = 0;
        for (int i = 0; i < xs.length; i++) {
            Sample s = samples.get(i);
            xs[i] = s.minutes();
            ys[i] = s.reclaims() > seen ? s.heapAfterReclaim() / MB : Double.NaN;
            seen = s.reclaims();
        }
        return LineChart.Line.of(xs, ys)
                .legend("heap after old-region GC")
                .drawn(LineChart.BLUE, LineChart.solid(3f))
                .points(7);
    }

    /** One point per sample, in MB; none where the value is not there yet. */
    private static LineChart.Line series(
            List<Sample> samples, ToDoubleFunction<Sample> bytes, String legend, Color color) {
        double[] xs = new double[samples.size()];
        double[] ys = new double[samples.size()];
        for (int i = 0; i < xs.length; i++) {
            xs[i] = samples.get(i).minutes();
            double v = bytes.applyAsDouble(samples.get(i));
            ys[i] = v > 0 ? v / MB : Double.NaN;
        }
        return LineChart.Line.of(xs, ys)
                .legend(legend)
                .drawn(color, LineChart.solid(2.5f))
                .points(4);
    }
}
