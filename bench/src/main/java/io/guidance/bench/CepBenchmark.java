package io.guidance.bench;

import io.guidance.bench.ThroughputBenchmark.Run;
import io.guidance.bench.cep.CepHesitationJob;
import io.guidance.event.Event;
import io.guidance.event.EventParser;
import io.guidance.pipeline.JobConfig;
import io.guidance.rules.RuleSet;
import io.guidance.rules.RulesParser;
import org.apache.flink.api.common.JobExecutionResult;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.functions.RichMapFunction;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * The full pipeline against the baseline a Flink user would write: the hesitation rules ({@code stall},
 * {@code burst}, {@code loop}) of the rules file as Flink CEP patterns ({@link CepHesitationJob}). Both run on the
 * same pre-serialized events, the same source and the same environment as {@link ThroughputBenchmark}; the pipeline
 * gets only the hesitation rules of the file, so both do the same detection work. The limit is measured alongside.
 *
 * <p>{@code bench/cep.sh --events N --runs R --parallelism 1,2 --rules FILE --taobao FILE --yoochoose FILE}
 */
public final class CepBenchmark {
    static final String DETECTIONS = "cep-detections";

    private CepBenchmark() {}

    /**
     * The stall, burst and loop rules of {@code rules} as CEP patterns ({@link CepHesitationJob#build}); the run's
     * events are those parsed, its triggers the CEP detections.
     */
    public static Run cep(byte[][] events, int parallelism, RuleSet rules) throws Exception {
        ArraySource.load(events);
        CountingSink.reset();
        JobConfig config = JobConfig.defaults();
        StreamExecutionEnvironment env = ThroughputBenchmark.environment(parallelism);
        DataStream<Event> parsed = ThroughputBenchmark.source(env)
                .map(new CountedParse()).returns(Types.POJO(Event.class)).name("parse")
                .assignTimestampsAndWatermarks(CepHesitationJob.watermarks(config.maxOutOfOrderness()))
                .name("event time");
        CepHesitationJob.build(parsed, rules, config.detection().sessionTimeoutMs)
                .sinkTo(new CountingSink<>(DETECTIONS)).name("discard detections");
        JobExecutionResult r = env.execute("bench cep p" + parallelism + " rules " + rules.rules.size());
        return new Run(CountingSink.count(ThroughputBenchmark.EVENTS_IN), r.getNetRuntime(),
                CountingSink.count(DETECTIONS), 0, 0);
    }

    /** {@link EventParser}, counting the events parsed; the benchmark events are all valid. */
    static final class CountedParse extends RichMapFunction<byte[], Event> {
        private static final long serialVersionUID = 1L;
        private transient EventParser parser;
        private transient long n;

        @Override
        public void open(OpenContext ctx) {
            parser = new EventParser();
            n = 0;
        }

        @Override
        public Event map(byte[] raw) {
            EventParser.Result r = parser.parse(raw);
            if (!r.ok()) {
                throw new IllegalStateException("bad benchmark event: " + r.reason + " " + r.detail);
            }
            n++;
            return r.event;
        }

        @Override
        public void close() {
            CountingSink.add(ThroughputBenchmark.EVENTS_IN, n);
        }
    }

    // ---------------------------------------------------------------- the command

    /** What to run. */
    public static final class Options {
        public int events = 1_000_000;
        public int runs = 3;
        public int[] parallelisms = {1, 2};
        public ScaledEvents.Inputs inputs = ScaledEvents.Inputs.defaults();
        public Path rulesFile = ScaledEvents.repositoryRoot().resolve("config/rules.yaml");
        public String command = "";

        static Options parse(String[] args) {
            Options o = new Options();
            o.command = String.join(" ", args);
            Path taobao = null;
            Path yoochoose = null;
            for (int i = 0; i < args.length; i++) {
                String a = args[i];
                switch (a) {
                    case "--events": o.events = Integer.parseInt(args[++i].replace("_", "")); break;
                    case "--runs": o.runs = Integer.parseInt(args[++i]); break;
                    case "--parallelism":
                        o.parallelisms = Arrays.stream(args[++i].split(",")).map(String::trim)
                                .mapToInt(Integer::parseInt).toArray();
                        break;
                    case "--taobao": taobao = Path.of(args[++i]); break;
                    case "--yoochoose": yoochoose = Path.of(args[++i]); break;
                    case "--rules": o.rulesFile = Path.of(args[++i]); break;
                    default: throw new IllegalArgumentException("unknown argument " + a);
                }
            }
            if (taobao != null || yoochoose != null) {
                ScaledEvents.Inputs d = ScaledEvents.Inputs.defaults();
                o.inputs = new ScaledEvents.Inputs(taobao != null ? taobao : d.taobao,
                        yoochoose != null ? yoochoose : d.yoochoose);
            }
            return o;
        }
    }

    /** Everything measured. */
    public static final class Results {
        public final Options options;
        public ScaledEvents.Scaled scaled;
        /** The hesitation rules both sides ran. */
        public RuleSet rules;
        /** Per parallelism (index as in options.parallelisms): the runs. */
        public final List<List<Run>> limit = new ArrayList<>();
        public final List<List<Run>> pipeline = new ArrayList<>();
        public final List<List<Run>> cep = new ArrayList<>();

        Results(Options options) {
            this.options = options;
        }
    }

    public static Results run(Options o) throws Exception {
        Results res = new Results(o);
        ThroughputBenchmark.log("reading %s", o.inputs);
        List<Event> base = ScaledEvents.readBase(o.inputs);
        ThroughputBenchmark.log("scaling %,d real events to %,d", base.size(), o.events);
        res.scaled = ScaledEvents.scale(base, o.events);
        byte[][] all = res.scaled.events;
        res.rules = CepHesitationJob.hesitationRules(RulesParser.parseFile(o.rulesFile));
        for (int p : o.parallelisms) {
            List<Run> l = new ArrayList<>();
            List<Run> f = new ArrayList<>();
            List<Run> c = new ArrayList<>();
            for (int i = 0; i < o.runs; i++) {
                l.add(measured("limit p" + p, ThroughputBenchmark.limit(all, p), all.length));
                f.add(measured("pipeline p" + p, ThroughputBenchmark.pipeline(all, p, res.rules), all.length));
                c.add(measured("cep p" + p, cep(all, p, res.rules), all.length));
            }
            res.limit.add(l);
            res.pipeline.add(f);
            res.cep.add(c);
        }
        ArraySource.load(new byte[0][]);
        return res;
    }

    /** Logs a run; fails unless it processed exactly the {@code fed} events, none dead-lettered or duplicate. */
    private static Run measured(String what, Run r, long fed) {
        ThroughputBenchmark.log("%-12s %,12d events in %,7d ms: %,10.0f events/s (triggers %,d)",
                what, r.events, r.millis, r.eventsPerSecond(), r.triggers);
        if (r.events != fed || r.deadLetters != 0 || r.duplicates != 0) {
            throw new IllegalStateException(what + ": fed " + fed + " events, processed " + r.events + ", dead letters "
                    + r.deadLetters + ", duplicates " + r.duplicates);
        }
        System.gc();
        return r;
    }

    /** A docs section: the pipeline with the hesitation rules against the same rules in Flink CEP. */
    public static String markdown(Results r) {
        Options o = r.options;
        StringBuilder md = new StringBuilder();
        md.append("## Full pipeline and Flink CEP\n\n")
          .append(String.format(Locale.ROOT, "The %d hesitation rules of `%s` (%s), on the same %,d scaled events, ",
                  r.rules.rules.size(), ScaledEvents.repositoryRoot().relativize(o.rulesFile.toAbsolutePath()),
                  String.join(", ", r.rules.rules.stream().map(x -> x.id + " (" + x.kind() + ")").toList()),
                  r.scaled.events.length))
          .append("source and settings as above:\n\n")
          .append("- **pipeline**: `GuidanceTopology.build` with only these rules: validate, dedup, detect, delivery ")
          .append("policy; every trigger counts, delivered or suppressed.\n")
          .append("- **CEP**: `CepHesitationJob`, each rule as a Flink CEP pattern on its own filtered, keyed stream: a ")
          .append("stall is a timed-out partial match, a burst `times(count)` with `skipPastLastEvent`, a loop ")
          .append("`times(times - 1)` of the first value after a keyed step that drops refreshes, and a keyed step ")
          .append("after it that empties the window; bounded-out-of-orderness watermarks; one detection per match. ")
          .append("`CepBenchmarkTest` checks on the repository samples that both find the same (rule, user, session, ts).\n\n")
          .append("Triggers per run can differ by a few between runs at parallelism above 1: the source hands one ")
          .append("session's events to several subtasks, so events with equal `ts` reach the detection in varying order.\n\n")
          .append(String.format(Locale.ROOT, "Reproduce: `bench/cep.sh %s` (median of %d runs; every run is "
                  + "listed).%n%n", o.command, o.runs))
          .append("| parallelism | limit events/s | pipeline (hesitation rules) events/s | CEP events/s | pipeline / CEP "
                  + "| pipeline triggers per run | CEP detections per run | pipeline runs | CEP runs |\n")
          .append("|---:|---:|---:|---:|---:|---:|---:|---|---|\n");
        for (int i = 0; i < o.parallelisms.length; i++) {
            List<Run> f = r.pipeline.get(i);
            List<Run> c = r.cep.get(i);
            double fm = ThroughputBenchmark.median(f);
            double cm = ThroughputBenchmark.median(c);
            md.append(String.format(Locale.ROOT, "| %d | %,.0f | %,.0f | %,.0f | %.2f | %,d | %,d | %s | %s |%n",
                    o.parallelisms[i], ThroughputBenchmark.median(r.limit.get(i)), fm, cm, fm / cm,
                    f.get(0).triggers, c.get(0).triggers, list(f), list(c)));
        }
        md.append('\n');
        return md.toString();
    }

    private static String list(List<Run> runs) {
        List<String> parts = new ArrayList<>();
        for (Run x : runs) {
            parts.add(String.format(Locale.ROOT, "%,.0f", x.eventsPerSecond()));
        }
        return String.join(", ", parts);
    }

    public static void main(String[] args) throws Exception {
        Options o = Options.parse(args);
        Results r = run(o);
        System.out.println();
        System.out.println(markdown(r));
    }
}
