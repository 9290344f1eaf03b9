package io.guidance.bench.jmh;

import io.guidance.bench.report.MachineFacts;
import io.guidance.bench.report.Markdown;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.infra.BenchmarkParams;
import org.openjdk.jmh.results.Result;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;
import org.openjdk.jmh.runner.options.VerboseMode;
import org.openjdk.jmh.util.Version;

/**
 * Runs the microbenchmarks of this package through JMH and renders their results as a markdown
 * section: the time of one operation of each hot path (parse, rule look-up, each detector's
 * per-event step, the delivery decision, trigger JSON) and the serialization of events on the
 * shuffle. One operation is one event, one record or one trigger.
 *
 * <p>{@code --forks N --warmup-iterations N --warmup-ms MS --iterations N --iteration-ms MS
 * --include REGEX --out FILE}
 */
public final class MicroBenchmarks {
    static final String REPRODUCE = "bench/run.sh --sections micro";

    /** The benchmark classes in the order an event meets what they measure. */
    static final List<String> PIPELINE_ORDER =
            List.of(
                    ParseBenchmark.class.getSimpleName(),
                    EventSerdeBenchmark.class.getSimpleName(),
                    RuleMatchBenchmark.class.getSimpleName(),
                    DetectorBenchmark.class.getSimpleName(),
                    DeliveryPolicyBenchmark.class.getSimpleName(),
                    TriggerJsonBenchmark.class.getSimpleName());

    /** How to run; the defaults are a full run. */
    public static final class Options {
        /**
         * 0 runs in this JVM (for tests only: the JIT profile of one benchmark then leaks into the
         * next).
         */
        public int forks = 1;

        /**
         * Ten seconds of warmup: the detector benchmarks run a deep call tree (harness, operator,
         * engine, state backend) that the compiler needs a while for on a busy machine; at a load
         * of 11 on 2 cores, 3 x 1 s left {@code detector=none} at about 21 us per event where 15 s
         * of warmup gave about 5 us.
         */
        public int warmupIterations = 5;

        public long warmupMs = 2_000;
        public int iterations = 5;
        public long iterationMs = 1_000;

        /** Regular expression over the benchmark names; all of this package by default. */
        public String include = MicroBenchmarks.class.getPackageName() + "\\.";

        public VerboseMode verbosity = VerboseMode.NORMAL;

        /** Where to write the markdown, besides standard output; null for nowhere. */
        public Path out;

        public static Options parse(String[] args) {
            Options o = new Options();
            for (int i = 0; i < args.length; i++) {
                String a = args[i];
                switch (a) {
                    case "--forks":
                        o.forks = Integer.parseInt(args[++i]);
                        break;
                    case "--warmup-iterations":
                        o.warmupIterations = Integer.parseInt(args[++i]);
                        break;
                    case "--warmup-ms":
                        o.warmupMs = Long.parseLong(args[++i]);
                        break;
                    case "--iterations":
                        o.iterations = Integer.parseInt(args[++i]);
                        break;
                    case "--iteration-ms":
                        o.iterationMs = Long.parseLong(args[++i]);
                        break;
                    case "--include":
                        o.include = args[++i];
                        break;
                    case "--out":
                        o.out = Path.of(args[++i]);
                        break;
                    default:
                        throw new IllegalArgumentException("unknown argument " + a);
                }
            }
            return o;
        }

        /** JMH's options, named in full: this class's own {@code Options} hides them. */
        org.openjdk.jmh.runner.options.Options jmh() {
            return new OptionsBuilder()
                    .include(include)
                    .mode(Mode.AverageTime)
                    .timeUnit(TimeUnit.NANOSECONDS)
                    .forks(forks)
                    .warmupIterations(warmupIterations)
                    .warmupTime(TimeValue.milliseconds(warmupMs))
                    .measurementIterations(iterations)
                    .measurementTime(TimeValue.milliseconds(iterationMs))
                    .threads(1)
                    .shouldFailOnError(true)
                    .verbosity(verbosity)
                    .build();
        }

        String describe() {
            return String.format(
                    Locale.ROOT,
                    "forks %d, warmup %d x %d ms, measurement %d x %d ms",
                    forks,
                    warmupIterations,
                    warmupMs,
                    iterations,
                    iterationMs);
        }
    }

    private MicroBenchmarks() {}

    /**
     * Runs the benchmarks; results in the order of an event's way through the job, then parameters
     * as declared.
     */
    public static List<RunResult> run(Options o) throws RunnerException {
        Collection<RunResult> results = new Runner(o.jmh()).run();
        List<RunResult> sorted = new ArrayList<>(results);
        sorted.sort(
                Comparator.comparingInt(
                        r -> PIPELINE_ORDER.indexOf(benchmarkClass(r.getParams()))));
        return sorted;
    }

    /** Runs the benchmarks and renders their results. */
    public static String markdown(Options o) throws RunnerException {
        String loadBefore = MachineFacts.loadAverage();
        List<RunResult> results = run(o);
        return markdown(
                o, results, loadBefore + " before, " + MachineFacts.loadAverage() + " after");
    }

    /**
     * The section for {@code results}; {@code load} is the machine's load average around the run,
     * if known: these times are wall-clock times, and other processes on the machine stretch them.
     */
    static String markdown(Options o, List<RunResult> results, String load) {
        StringBuilder md = new StringBuilder();
        md.append("## Microbenchmarks\n\n")
                .append("JMH ")
                .append(jmhVersion())
                .append(", one thread, average time of one operation; ")
                .append(o.describe())
                .append("; Java ")
                .append(System.getProperty("java.version"))
                .append(", ")
                .append(Runtime.getRuntime().availableProcessors())
                .append(" CPUs");
        if (load != null) {
            md.append(", load average (1 min) ").append(load);
        }
        md.append(". Reproduce: `").append(REPRODUCE).append("`.\n\n");
        Markdown.Table table =
                Markdown.table()
                        .left("Benchmark")
                        .right("ns/op")
                        .right("Error (99.9%)")
                        .right("ops/s");
        for (RunResult r : results) {
            Result<?> p = r.getPrimaryResult();
            double ns = p.getScore();
            double error = p.getScoreError();
            table.row(
                    label(r.getParams()),
                    number(ns),
                    Double.isNaN(error) ? "n/a" : "± " + number(error),
                    Markdown.rounded(1e9 / ns));
        }
        md.append(table.render());
        md.append('\n')
                .append(
                        "- `ParseBenchmark`: `EventParser.parse` on the SPEC JSON of real sample events "
                                + "(data/samples), the four event types in turn; `parseBad` on the same events cut in "
                                + "half (`not_json`) or without their sessionId (`missing_field`).\n")
                .append(
                        "- `EventSerdeBenchmark`: one sample event serialized and deserialized again, as on the "
                                + "shuffle from the source to detection: Flink's POJO serializer (`pojo`) against "
                                + "`EventSerializer` (`event`).\n")
                .append(
                        "- `RuleMatchBenchmark`: the rule look-up of the detection engine for one sample event: "
                                + "the rule index's candidates for its type, then their matchers and globs; demo rules "
                                + "(config/rules.yaml) or 100 / 1000 generated rules.\n")
                .append(
                        "- `DetectorBenchmark`: one event through `DetectionFunction` in Flink's keyed operator "
                                + "harness (heap state), with one demo rule of that kind, plus the watermark that evaluates "
                                + "it: dedup, timers, the detector, the delivery policy, and the share of stall deadlines "
                                + "and cleanup that the watermark passes. Scripted visits of 100 users that make the "
                                + "detector open, cancel and fire. `none`: no rule, the engine's own cost.\n")
                .append(
                        "- `DeliveryPolicyBenchmark`: `DeliveryPolicy.decide` for one trigger on keyed heap "
                                + "state; the triggers the demo rules fire on the samples.\n")
                .append("- `TriggerJsonBenchmark`: `TriggerJson.toJson` of those triggers.\n");
        return md.toString();
    }

    /**
     * {@code Class.method}, then the parameters: {@code DetectorBenchmark.onEvent detector=stall}.
     */
    static String label(BenchmarkParams params) {
        String name = params.getBenchmark();
        StringBuilder s =
                new StringBuilder(
                        name.substring(name.lastIndexOf('.', name.lastIndexOf('.') - 1) + 1));
        for (String key : params.getParamsKeys()) {
            s.append(' ').append(key).append('=').append(params.getParam(key));
        }
        return s.toString();
    }

    private static String benchmarkClass(BenchmarkParams params) {
        String name = params.getBenchmark();
        String cls = name.substring(0, name.lastIndexOf('.'));
        return cls.substring(cls.lastIndexOf('.') + 1);
    }

    private static String number(double v) {
        return v >= 100 ? Markdown.rounded(v) : Markdown.format("%.1f", v);
    }

    private static String jmhVersion() {
        return Version.getPlainVersion();
    }

    public static void main(String[] args) throws RunnerException, IOException {
        Options o = Options.parse(args);
        long start = System.nanoTime();
        String md = markdown(o);
        System.out.println();
        System.out.println(md);
        System.out.printf(Locale.ROOT, "took %.0f s%n", (System.nanoTime() - start) / 1e9);
        if (o.out != null) {
            Files.writeString(o.out, md);
        }
    }
}
