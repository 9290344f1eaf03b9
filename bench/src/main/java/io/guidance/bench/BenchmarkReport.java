package io.guidance.bench;

import io.guidance.bench.ThroughputBenchmark.Results;
import io.guidance.bench.ThroughputBenchmark.Run;
import io.guidance.bench.report.LineChart;
import io.guidance.bench.report.MachineFacts;
import io.guidance.bench.report.Markdown;
import java.awt.Insets;
import java.io.IOException;
import java.nio.file.Path;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.stream.Collectors;
import org.apache.flink.runtime.util.EnvironmentInformation;

/** docs/benchmarks.md and the rule-scaling chart, written from the measured results. */
final class BenchmarkReport {
    private BenchmarkReport() {}

    /** The machine and versions the numbers were measured on. */
    static String machine() {
        return Markdown.facts()
                .row("date", ZonedDateTime.now().format(DateTimeFormatter.ISO_OFFSET_DATE_TIME))
                .row("CPU", MachineFacts.cpuModel())
                .row("`nproc`", MachineFacts.command("nproc"))
                .row("logical CPUs in /proc/cpuinfo", MachineFacts.cpuCount())
                .row("memory (MemTotal)", MachineFacts.memTotal())
                .row("OS", System.getProperty("os.name") + ' ' + System.getProperty("os.version"))
                .row(
                        "Java",
                        System.getProperty("java.vm.name")
                                + ' '
                                + System.getProperty("java.runtime.version"))
                .row(
                        "JVM options of the run that wrote this page (the latency section names its own)",
                        "`" + MachineFacts.jvmOptions() + "`")
                .row("JVM max heap", Runtime.getRuntime().maxMemory() / (1024 * 1024) + " MiB")
                .row(
                        "Flink",
                        EnvironmentInformation.getVersion()
                                + " (local MiniCluster in the benchmark JVM; the latency section runs the job in a JVM of its own)")
                .row("guidance commit", MachineFacts.commit())
                .render();
    }

    /** One stamp per section: when, on which commit, under what load it was measured. */
    static String stamp(String loadBefore) {
        return Markdown.format(
                "_Measured %s on commit %s; load average %s before, %s after._%n%n",
                ZonedDateTime.now().withNano(0).format(DateTimeFormatter.ISO_OFFSET_DATE_TIME),
                MachineFacts.commit(),
                loadBefore,
                MachineFacts.loadAverage());
    }

    /** Input, and limit against full pipeline against Flink CEP. */
    static String throughput(Results r) {
        ThroughputBenchmark.Options o = r.options;
        StringBuilder md = new StringBuilder();
        ScaledEvents.Scaled s = r.scaled;
        md.append("### Input\n\n")
                .append(
                        Markdown.format(
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
                .append(Markdown.format("Median of %d runs; every run is listed.%n%n", o.runs));

        md.append("### Limit, full pipeline and Flink CEP\n\n")
                .append(
                        "- **limit**: deserialize the bytes (`EventParser`), `keyBy` session, discard.\n")
                .append(
                        Markdown.format(
                                "- **pipeline**: `GuidanceTopology.build` with the %d rules of config/rules.yaml "
                                        + "(an empty rules stream, as in a replay): validate, the live watermarks of the production job (bounded out-of-orderness, emitted "
                                        + "every `events.watermarkInterval` (50 ms) by Flink's periodic watermark timer; not the replay's watermark after every event), dedup, keyBy user, "
                                        + "detect and deliver; triggers, dead letters and duplicates go to sinks that discard and count.%n",
                                r.configRules))
                .append(
                        Markdown.format(
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
                        Markdown.format(
                                "Median of %d runs (CEP: %d); every run is listed.%n%n",
                                o.runs, Math.min(o.runs, o.cepRuns)));
        Markdown.Table ratios =
                Markdown.table()
                        .right("parallelism")
                        .right("limit")
                        .right("pipeline")
                        .right("**pipeline / limit**")
                        .right("hesitation")
                        .right("CEP")
                        .right("**pipeline / CEP**")
                        .right("hesitation / CEP")
                        .left("triggers per run (pipeline; hesitation; CEP)");
        Markdown.Table every = Markdown.table().right("parallelism").left("graph").left("runs");
        for (int i = 0; i < r.limit.size(); i++) {
            double lm = ThroughputBenchmark.median(r.limit.get(i));
            double fm = ThroughputBenchmark.median(r.pipeline.get(i));
            double hm = ThroughputBenchmark.median(r.hesitation.get(i));
            double cm = ThroughputBenchmark.median(r.cep.get(i));
            int p = o.parallelisms[i];
            ratios.row(
                    p,
                    Markdown.rounded(lm),
                    Markdown.rounded(fm),
                    Markdown.format("**%.2f**", fm / lm),
                    Markdown.rounded(hm),
                    Markdown.rounded(cm),
                    Markdown.format("**%.2f**", fm / cm),
                    Markdown.format("%.2f", hm / cm),
                    Markdown.format(
                            "%,d; %,d; %,d",
                            r.pipeline.get(i).get(0).triggers,
                            r.hesitation.get(i).get(0).triggers,
                            r.cep.get(i).get(0).triggers));
            every.row(p, "limit", list(r.limit.get(i)))
                    .row(p, "pipeline", list(r.pipeline.get(i)))
                    .row(p, "hesitation", list(r.hesitation.get(i)))
                    .row(p, "CEP", list(r.cep.get(i)));
        }
        md.append(ratios.render())
                .append("\nEvents per second. Every run:\n\n")
                .append(every.render());
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
                    Markdown.format(
                            "%nRatio parallelism 2 / parallelism 1: limit **%.2f**, pipeline **%.2f**. "
                                    + "Both subtasks, the JobManager and the benchmark's own threads share %s cores, so a ratio "
                                    + "well below 2 is expected here.%n",
                            ThroughputBenchmark.median(r.limit.get(two))
                                    / ThroughputBenchmark.median(r.limit.get(one)),
                            ThroughputBenchmark.median(r.pipeline.get(two))
                                    / ThroughputBenchmark.median(r.pipeline.get(one)),
                            MachineFacts.command("nproc")));
        }
        if (!r.rocksdbLimit.isEmpty()) {
            md.append(rocksdb(r));
        }
        return md.toString();
    }

    /** The same on RocksDB: the limit with one value state against the full pipeline. */
    static String rocksdb(Results r) {
        ThroughputBenchmark.Options o = r.options;
        StringBuilder md = new StringBuilder();
        md.append("\n### On RocksDB\n\n")
                .append(
                        Markdown.format(
                                "The backend an SRE switches to once state outgrows the heap: the same settings with "
                                        + "`state.backend.type: rocksdb` (Flink's defaults otherwise: timers in RocksDB, managed memory "
                                        + "of the local MiniCluster for its caches and write buffers), on the first %,d events of the "
                                        + "same scaling. **limit with one value state**: deserialize, `keyBy` user, read and update one "
                                        + "`ValueState<Long>` per event, discard: the least a keyed job with state costs on RocksDB. "
                                        + "**pipeline**: as above. Median of %d runs; every run is listed.%n%n",
                                r.rocksdbEventCount, o.rocksdbRuns));
        Markdown.Table t =
                Markdown.table()
                        .right("parallelism")
                        .right("limit with one value state")
                        .right("pipeline")
                        .right("**pipeline / limit with one value state**")
                        .right("pipeline on RocksDB / on the heap")
                        .left("runs (limit; pipeline)")
                        .left("triggers per run");
        for (int i = 0; i < r.rocksdbLimit.size(); i++) {
            double lm = ThroughputBenchmark.median(r.rocksdbLimit.get(i));
            double pm = ThroughputBenchmark.median(r.rocksdbPipeline.get(i));
            double heap = i < r.pipeline.size() ? ThroughputBenchmark.median(r.pipeline.get(i)) : 0;
            t.row(
                    o.parallelisms[i],
                    Markdown.rounded(lm),
                    Markdown.rounded(pm),
                    Markdown.format("**%.2f**", pm / lm),
                    heap > 0 ? Markdown.format("%.2f", pm / heap) : "",
                    list(r.rocksdbLimit.get(i)) + "; " + list(r.rocksdbPipeline.get(i)),
                    Markdown.format("%,d", r.rocksdbPipeline.get(i).get(0).triggers));
        }
        md.append(t.render());
        return md.toString();
    }

    /** Events per second against the number of rules: the realistic set, then the stress set. */
    static String rules(Results r) {
        ThroughputBenchmark.Options o = r.options;
        StringBuilder md = new StringBuilder();
        md.append("### Rule scaling\n\n")
                .append(
                        Markdown.format(
                                "The full pipeline at parallelism %d on %,d events, scaled from the same real events in the same way, "
                                        + "with two generated rule sets (`GeneratedRules`) of 1 to %,d rules, run in turn: medians of %d "
                                        + "runs each, after one unreported warm-up run.%n%n",
                                o.ruleParallelism,
                                r.ruleEventCount,
                                o.ruleCounts[o.ruleCounts.length - 1],
                                o.runs))
                .append("#### Realistic: rules per category\n\n")
                .append(
                        Markdown.format(
                                "A shop's rules written per product category, one rule for each of the %,d most frequent Taobao "
                                        + "categories of the input (`props.category`; %,d categories in all, the YOOCHOOSE events have none): "
                                        + "of every ten rules, seven stalls (`start: {type: page_view, props.category: C}`, progress an "
                                        + "add-to-cart or a purchase of C), two bursts and one loop over the item views of C. Rules are "
                                        + "indexed by the values their matchers name, so an event meets only the rules of its own "
                                        + "category.%n%n",
                                o.ruleCounts[o.ruleCounts.length - 1], r.categories.size()))
                .append(table(r, r.categoryRules))
                .append("\n#### Stress: every rule fires\n\n")
                .append(
                        "The eight rules of config/rules.yaml (all five kinds: stall, burst, loop, threshold, comeback) "
                                + "taking turns, each with its own id and guide and varied event types and thresholds: nearly "
                                + "every rule acts on every event of its type, so the triggers grow with the rules.\n\n")
                .append(table(r, r.rules));
        md.append(
                        "\nEvery trigger a rule raises is emitted, including those the delivery policy holds back (they ")
                .append(
                        "feed the audit topic in production), so the cost of many rules is largely the cost of their triggers: ")
                .append("see the last column.\n")
                .append(
                        "\n![events per second against the number of rules](benchmarks-rules.png)\n");
        return md.toString();
    }

    private static String table(Results r, List<List<Run>> perCount) {
        Markdown.Table table =
                Markdown.table()
                        .right("rules")
                        .right("events/s")
                        .right("vs 1 rule")
                        .left("runs")
                        .right("triggers per run")
                        .right("triggers per event");
        double base = perCount.isEmpty() ? 1 : ThroughputBenchmark.median(perCount.get(0));
        for (int i = 0; i < r.options.ruleCounts.length; i++) {
            List<Run> runs = perCount.get(i);
            double m = ThroughputBenchmark.median(runs);
            table.row(
                    r.options.ruleCounts[i],
                    Markdown.rounded(m),
                    Markdown.format("%.2f", m / base),
                    list(runs),
                    Markdown.count(runs.get(0).triggers),
                    Markdown.format(
                            "%.2f", runs.get(0).triggers / (double) Math.max(1, r.ruleEventCount)));
        }
        return table.render();
    }

    private static int indexOf(int[] a, int v) {
        for (int i = 0; i < a.length; i++) {
            if (a[i] == v) return i;
        }
        return -1;
    }

    private static String list(List<Run> runs) {
        return runs.stream()
                .map(x -> Markdown.rounded(x.eventsPerSecond()))
                .collect(Collectors.joining("; "));
    }

    // ---------------------------------------------------------------- chart

    /** Events per second against the number of rules, log-scaled x axis. */
    static void chart(Results r, Path png) throws IOException {
        int[] counts = r.options.ruleCounts;
        double[] xs = new double[counts.length];
        double[] realistic = new double[counts.length];
        double[] stress = new double[counts.length];
        double max = 1;
        for (int i = 0; i < counts.length; i++) {
            xs[i] = counts[i];
            realistic[i] = ThroughputBenchmark.median(r.categoryRules.get(i));
            stress[i] = ThroughputBenchmark.median(r.rules.get(i));
            max = Math.max(max, Math.max(realistic[i], stress[i]));
        }
        new LineChart(900, 560, new Insets(70, 110, 80, 230))
                .title(
                        "guidance: throughput vs number of rules",
                        Markdown.format(
                                "full pipeline, parallelism %d, %,d events, median of %d runs (shared machine: noisy)",
                                r.options.ruleParallelism, r.ruleEventCount, r.options.runs))
                .xAxis("number of rules (log scale)", LineChart.Axis.log10(counts))
                .yAxis("events per second", LineChart.niceCeiling(max * 1.1))
                .line(
                        LineChart.Line.of(xs, realistic)
                                .legend("realistic: per category")
                                .drawn(LineChart.BLUE, LineChart.solid(2.5f))
                                .points(12)
                                .valueLabels())
                .line(
                        LineChart.Line.of(xs, stress)
                                .legend("stress: every rule fires")
                                .drawn(LineChart.ORANGE, LineChart.dashed(2f, 8f, 6f))
                                .points(10)
                                .valueLabels())
                .write(png);
    }
}
