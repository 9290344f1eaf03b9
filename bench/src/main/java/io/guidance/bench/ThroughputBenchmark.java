package io.guidance.bench;

import io.guidance.bench.cep.CepHesitationJob;
import io.guidance.event.Event;
import io.guidance.event.EventParser;
import io.guidance.event.SourceRecord;
import io.guidance.pipeline.GuidanceTopology;
import io.guidance.pipeline.JobConfig;
import io.guidance.rules.RuleSet;
import io.guidance.rules.RulesParser;
import io.guidance.rules.RulesUpdate;
import io.guidance.time.ClickstreamWatermarks;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.flink.api.common.JobExecutionResult;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.functions.RichMapFunction;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.PrimitiveArrayTypeInfo;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;

/**
 * Events per second of the guidance graph on a local MiniCluster, fed from memory with real
 * clickstream data scaled up by {@link ScaledEvents}:
 *
 * <ol>
 *   <li>the limit: deserialize the bytes ({@link EventParser}), keyBy session, discard;
 *   <li>the full pipeline: {@link GuidanceTopology#build} with the rules of config/rules.yaml,
 *       sinks that discard, and the watermarks the production job uses ({@link
 *       ClickstreamWatermarks#live}, emitted by Flink's periodic watermark timer), not the replay's
 *       watermark after every event: that one costs a watermark through the network and a pass over
 *       the timer queue per event, which the job never pays;
 *   <li>the hesitation rules (stall, burst, loop) alone, in the pipeline and as Flink CEP patterns
 *       ({@link CepBenchmark}), the library a Flink user would otherwise reach for;
 *   <li>rule scaling: the full pipeline with 1, 10, 100, 1000 generated rules ({@link
 *       GeneratedRules}): a shop's rules written per product category (realistic), and rules that
 *       nearly all act on every event of their type (stress).
 * </ol>
 *
 * Checkpointing is off. Object reuse is on: in these graphs no operator keeps or changes a record
 * it has passed on (the chained hops are source, parse, watermarks, validate and the discarding
 * sinks; the keyed detection operator receives its events through the network, deserialized into
 * fresh objects, before it keeps any in state).
 *
 * <p>Run by {@link Benchmarks} (sections {@code throughput} and {@code rules}), with {@code
 * --events N --runs R --cep-runs C --parallelism 1,2 --rule-counts 1,10,100,1000 --rule-events M
 * --rule-parallelism P --rocksdb-events N --rocksdb-runs R --taobao FILE --yoochoose FILE --rules
 * FILE} ({@code --rocksdb-events 0} leaves out the RocksDB rows).
 */
public final class ThroughputBenchmark {
    static final String EVENTS_IN = "events-in";
    static final String TRIGGERS = "triggers";
    static final String DEAD_LETTERS = "dead-letters";
    static final String DUPLICATES = "duplicates";
    static final String KEYED_OUT = "keyed-out";
    static final String EXPERIMENT_RECORDS = "experiment-records";

    /** One measured run. */
    public static final class Run {
        public final long events;
        public final long millis;
        public final long triggers;
        public final long deadLetters;
        public final long duplicates;

        /** Exposures and conversions, for runs with experiments. */
        public long records;

        Run(long events, long millis, long triggers, long deadLetters, long duplicates) {
            this.events = events;
            this.millis = millis;
            this.triggers = triggers;
            this.deadLetters = deadLetters;
            this.duplicates = duplicates;
        }

        public double eventsPerSecond() {
            return events * 1000.0 / Math.max(1, millis);
        }
    }

    private ThroughputBenchmark() {}

    // ---------------------------------------------------------------- the graphs

    static StreamExecutionEnvironment environment(int parallelism) {
        return environment(parallelism, "hashmap");
    }

    /**
     * Flink settings that replace the benchmark's own in every environment below: for experiments
     * with a knob ({@code PipelineProfile --flink-set KEY=VALUE}); empty in the published sections.
     */
    static final Map<String, String> FLINK_OVERRIDES = new java.util.LinkedHashMap<>();

    /** A local environment with the state backend {@code backend} (hashmap or rocksdb). */
    static StreamExecutionEnvironment environment(int parallelism, String backend) {
        Configuration c = new Configuration();
        c.setString("parallelism.default", Integer.toString(parallelism));
        c.setString("pipeline.generic-types", "false");
        c.setString("pipeline.object-reuse", "true");
        c.setString("pipeline.max-parallelism", "128");
        c.setString("state.backend.type", backend);
        c.setString("restart-strategy.type", "none");
        // the production job's watermark interval (events.watermarkInterval)
        c.setString(
                "pipeline.auto-watermark-interval",
                JobConfig.defaults().watermarkInterval().toMillis() + " ms");
        // checkpointing stays off: no execution.checkpointing.interval
        FLINK_OVERRIDES.forEach(c::setString);
        return StreamExecutionEnvironment.getExecutionEnvironment(c);
    }

    static DataStream<byte[]> source(StreamExecutionEnvironment env) {
        return env.fromSource(
                new ArraySource(),
                WatermarkStrategy.noWatermarks(),
                "scaled events",
                PrimitiveArrayTypeInfo.BYTE_PRIMITIVE_ARRAY_TYPE_INFO);
    }

    /** Deserialize, keyBy session, discard: what any keyed job on these bytes costs at least. */
    public static Run limit(byte[][] events, int parallelism) throws Exception {
        ArraySource.load(events);
        CountingSink.reset();
        StreamExecutionEnvironment env = environment(parallelism);
        source(env)
                .map(new ParseEvent())
                .returns(TypeInformation.of(Event.class))
                .name("parse")
                .keyBy(e -> e.sessionId)
                .sinkTo(new CountingSink<>(KEYED_OUT))
                .name("discard");
        JobExecutionResult r = env.execute("bench limit p" + parallelism);
        return new Run(CountingSink.count(KEYED_OUT), r.getNetRuntime(), 0, 0, 0);
    }

    /**
     * The limit of a keyed job with state: deserialize, keyBy user (as the pipeline keys), read and
     * update one {@code ValueState<Long>} per event, discard.
     */
    public static Run limitWithState(byte[][] events, int parallelism, String backend)
            throws Exception {
        ArraySource.load(events);
        CountingSink.reset();
        StreamExecutionEnvironment env = environment(parallelism, backend);
        source(env)
                .map(new ParseEvent())
                .returns(TypeInformation.of(Event.class))
                .name("parse")
                .keyBy(e -> e.userId)
                .process(new CountPerUser())
                .name("one value state")
                .sinkTo(new CountingSink<>(KEYED_OUT))
                .name("discard");
        JobExecutionResult r =
                env.execute("bench limit with state " + backend + " p" + parallelism);
        return new Run(CountingSink.count(KEYED_OUT), r.getNetRuntime(), 0, 0, 0);
    }

    /** Reads and updates one value state per event: the user's event count. */
    static final class CountPerUser extends KeyedProcessFunction<String, Event, Event> {
        private static final long serialVersionUID = 1L;
        private transient ValueState<Long> count;

        @Override
        public void open(OpenContext ctx) {
            count = getRuntimeContext().getState(new ValueStateDescriptor<>("count", Types.LONG));
        }

        @Override
        public void processElement(Event e, Context ctx, Collector<Event> out) throws Exception {
            Long n = count.value();
            count.update(n == null ? 1L : n + 1);
            out.collect(e);
        }
    }

    /** The production graph with {@code rules}; the run's events are those that entered it. */
    public static Run pipeline(byte[][] events, int parallelism, RuleSet rules) throws Exception {
        return pipeline(events, parallelism, rules, "hashmap");
    }

    /**
     * The production graph with {@code rules} on a state backend; experiment records are counted as
     * {@link Run#records}.
     */
    public static Run pipeline(byte[][] events, int parallelism, RuleSet rules, String backend)
            throws Exception {
        ArraySource.load(events);
        CountingSink.reset();
        JobConfig config = JobConfig.defaults();
        StreamExecutionEnvironment env = environment(parallelism, backend);
        DataStream<SourceRecord> records =
                source(env)
                        .map(new ParseRecord())
                        .returns(SourceRecord.class)
                        .name("parse")
                        .assignTimestampsAndWatermarks(
                                ClickstreamWatermarks.live(
                                        config.maxOutOfOrderness(),
                                        config.idleTimeout(),
                                        config.startupIdleTimeout()))
                        .name("event time");
        // no rule changes: an empty rules stream that ends with the input, as in a replay
        DataStream<RulesUpdate> noRuleUpdates =
                records.flatMap((SourceRecord r, Collector<RulesUpdate> none) -> {})
                        .returns(RulesUpdate.class)
                        .name("no rule updates");
        GuidanceTopology.Outputs out =
                GuidanceTopology.build(records, noRuleUpdates, rules, 0, config.detection());
        out.triggers.sinkTo(new CountingSink<>(TRIGGERS)).name("discard triggers");
        out.deadLetters.sinkTo(new CountingSink<>(DEAD_LETTERS)).name("discard dead letters");
        out.duplicates.sinkTo(new CountingSink<>(DUPLICATES)).name("discard duplicates");
        out.experiments
                .sinkTo(new CountingSink<>(EXPERIMENT_RECORDS))
                .name("discard experiment records");
        JobExecutionResult r =
                env.execute("bench pipeline p" + parallelism + " rules " + rules.rules.size());
        Run run =
                new Run(
                        CountingSink.count(EVENTS_IN),
                        r.getNetRuntime(),
                        CountingSink.count(TRIGGERS),
                        CountingSink.count(DEAD_LETTERS),
                        CountingSink.count(DUPLICATES));
        run.records = CountingSink.count(EXPERIMENT_RECORDS);
        return run;
    }

    static final class ParseEvent extends RichMapFunction<byte[], Event> {
        private static final long serialVersionUID = 1L;
        private transient EventParser parser;

        @Override
        public void open(OpenContext ctx) {
            parser = new EventParser();
        }

        @Override
        public Event map(byte[] raw) {
            EventParser.Result r = parser.parse(raw);
            if (!r.ok()) {
                throw new IllegalStateException(
                        "bad benchmark event: " + r.reason + " " + r.detail);
            }
            return r.event;
        }
    }

    static final class ParseRecord extends RichMapFunction<byte[], SourceRecord> {
        private static final long serialVersionUID = 1L;
        private transient EventParser parser;
        private transient long n;
        private transient int subtask;

        @Override
        public void open(OpenContext ctx) {
            parser = new EventParser();
            n = 0;
            subtask = getRuntimeContext().getTaskInfo().getIndexOfThisSubtask();
        }

        @Override
        public SourceRecord map(byte[] raw) {
            return SourceRecord.of(parser.parse(raw), raw, "bench", subtask, n++);
        }

        @Override
        public void close() {
            CountingSink.add(EVENTS_IN, n);
        }
    }

    // ---------------------------------------------------------------- the command

    /** What to run. */
    public static final class Options {
        public int events = 10_000_000;
        public int runs = 3;

        /** Runs of the Flink CEP baseline per parallelism: it is the slowest graph by far. */
        public int cepRuns = 1;

        public int[] parallelisms = {1, 2};

        /** Which parts to measure: limit, pipeline and CEP throughput; rule scaling. */
        public boolean throughput = true;

        public boolean ruleScaling = true;
        public int[] ruleCounts = {1, 10, 100, 1000};

        /**
         * Enough for a thousand rules (27 triggers per event) to finish in minutes, as
         * docs/benchmarks.md is measured.
         */
        public int ruleEvents = 1_000_000;

        public int ruleParallelism = 1;

        /**
         * The RocksDB rows: a smaller input (RocksDB runs at a fraction of the heap's speed) and
         * their own number of runs; 0 events leaves them out.
         */
        public int rocksdbEvents = 1_000_000;

        public int rocksdbRuns = 2;

        public ScaledEvents.Inputs inputs = ScaledEvents.Inputs.defaults();
        public Path rulesFile = ScaledEvents.repositoryRoot().resolve("config/rules.yaml");
        public String command = "";

        public static Options parse(String[] args) {
            Options o = new Options();
            o.command = String.join(" ", args);
            Path taobao = null;
            Path yoochoose = null;
            for (int i = 0; i < args.length; i++) {
                String a = args[i];
                switch (a) {
                    case "--events":
                        o.events = Integer.parseInt(args[++i].replace("_", ""));
                        break;
                    case "--runs":
                        o.runs = Integer.parseInt(args[++i]);
                        break;
                    case "--cep-runs":
                        o.cepRuns = Integer.parseInt(args[++i]);
                        break;
                    case "--parallelism":
                        o.parallelisms = ints(args[++i]);
                        break;
                    case "--rule-counts":
                        o.ruleCounts = ints(args[++i]);
                        break;
                    case "--rule-events":
                        o.ruleEvents = Integer.parseInt(args[++i].replace("_", ""));
                        break;
                    case "--rocksdb-events":
                        o.rocksdbEvents = Integer.parseInt(args[++i].replace("_", ""));
                        break;
                    case "--rocksdb-runs":
                        o.rocksdbRuns = Integer.parseInt(args[++i]);
                        break;
                    case "--rule-parallelism":
                        o.ruleParallelism = Integer.parseInt(args[++i]);
                        break;
                    case "--taobao":
                        taobao = Path.of(args[++i]);
                        break;
                    case "--yoochoose":
                        yoochoose = Path.of(args[++i]);
                        break;
                    case "--rules":
                        o.rulesFile = Path.of(args[++i]);
                        break;
                    default:
                        throw new IllegalArgumentException("unknown argument " + a);
                }
            }
            o.inputs = ScaledEvents.Inputs.defaultsOr(taobao, yoochoose);
            return o;
        }

        private static int[] ints(String csv) {
            return Arrays.stream(csv.split(","))
                    .map(String::trim)
                    .mapToInt(Integer::parseInt)
                    .toArray();
        }
    }

    /** Everything measured. */
    public static final class Results {
        public final Options options;
        public ScaledEvents.Scaled scaled;
        public int configRules;

        /** Per parallelism (index as in options.parallelisms): the runs. */
        public final List<List<Run>> limit = new ArrayList<>();

        public final List<List<Run>> pipeline = new ArrayList<>();

        /**
         * The stall, burst and loop rules only, in the pipeline and in Flink CEP (index as in
         * options.parallelisms).
         */
        public RuleSet hesitationRules;

        public final List<List<Run>> hesitation = new ArrayList<>();
        public final List<List<Run>> cep = new ArrayList<>();

        /**
         * On RocksDB, per parallelism: the limit that also reads and updates one value state per
         * event, and the full pipeline, on the first {@link Options#rocksdbEvents} events.
         */
        public final List<List<Run>> rocksdbLimit = new ArrayList<>();

        public final List<List<Run>> rocksdbPipeline = new ArrayList<>();
        public long rocksdbEventCount;

        /**
         * Per rule count (index as in options.ruleCounts): the runs with the stress set, {@link
         * GeneratedRules#of}.
         */
        public final List<List<Run>> rules = new ArrayList<>();

        /**
         * Per rule count (index as in options.ruleCounts): the runs with the realistic set, rules
         * per category ({@link GeneratedRules#perCategory}).
         */
        public final List<List<Run>> categoryRules = new ArrayList<>();

        /** The categories of the input, most frequent first: the realistic set's. */
        public List<String> categories = List.of();

        public long ruleEventCount;

        Results(Options options) {
            this.options = options;
        }
    }

    public static Results run(Options o) throws Exception {
        Results res = new Results(o);
        log("reading %s", o.inputs);
        List<Event> base = ScaledEvents.readBase(o.inputs);
        log("scaling %,d real events to %,d", base.size(), o.events);
        res.scaled = ScaledEvents.scale(base, o.throughput ? o.events : o.ruleEvents);
        byte[][] all = res.scaled.events;
        RuleSet configRules = RulesParser.parseFile(o.rulesFile);
        res.configRules = configRules.rules.size();

        res.hesitationRules = CepHesitationJob.hesitationRules(configRules);
        for (int p : o.throughput ? o.parallelisms : new int[0]) {
            List<Run> l = new ArrayList<>();
            List<Run> f = new ArrayList<>();
            List<Run> h = new ArrayList<>();
            List<Run> c = new ArrayList<>();
            for (int i = 0; i < o.runs; i++) {
                l.add(measured("limit p" + p, limit(all, p), all.length));
                f.add(measured("pipeline p" + p, pipeline(all, p, configRules), all.length));
                h.add(
                        measured(
                                "hesitation p" + p,
                                pipeline(all, p, res.hesitationRules),
                                all.length));
                if (i < o.cepRuns) {
                    c.add(
                            measured(
                                    "cep p" + p,
                                    CepBenchmark.cep(all, p, res.hesitationRules),
                                    all.length));
                }
            }
            res.limit.add(l);
            res.pipeline.add(f);
            res.hesitation.add(h);
            res.cep.add(c);
        }

        if (o.throughput && o.rocksdbEvents > 0) {
            byte[][] input =
                    o.rocksdbEvents >= all.length
                            ? all
                            : ScaledEvents.scale(base, o.rocksdbEvents).events;
            res.rocksdbEventCount = input.length;
            for (int p : o.parallelisms) {
                List<Run> l = new ArrayList<>();
                List<Run> f = new ArrayList<>();
                for (int i = 0; i < o.rocksdbRuns; i++) {
                    l.add(
                            measured(
                                    "rocksdb limit+state p" + p,
                                    limitWithState(input, p, "rocksdb"),
                                    input.length));
                    f.add(
                            measured(
                                    "rocksdb pipeline p" + p,
                                    pipeline(input, p, configRules, "rocksdb"),
                                    input.length));
                }
                res.rocksdbLimit.add(l);
                res.rocksdbPipeline.add(f);
            }
        }

        // its own, smaller scaling of the same data, so that it too spans both datasets
        byte[][] ruleInput =
                o.ruleEvents >= all.length ? all : ScaledEvents.scale(base, o.ruleEvents).events;
        res.ruleEventCount = ruleInput.length;
        res.categories = GeneratedRules.categoriesByFrequency(base);
        if (o.ruleScaling && o.ruleCounts.length > 0) {
            // one unreported run first, so that the first row does not carry the JIT's warm-up
            measured(
                    "warm-up p" + o.ruleParallelism,
                    pipeline(
                            ruleInput,
                            o.ruleParallelism,
                            GeneratedRules.perCategory(o.ruleCounts[0], res.categories)),
                    ruleInput.length);
        }
        for (int n : o.ruleScaling ? o.ruleCounts : new int[0]) {
            RuleSet perCategory = GeneratedRules.perCategory(n, res.categories);
            RuleSet stress = GeneratedRules.of(n);
            List<Run> realistic = new ArrayList<>();
            List<Run> every = new ArrayList<>();
            for (int i = 0; i < o.runs; i++) {
                realistic.add(
                        measured(
                                n + " category rules p" + o.ruleParallelism,
                                pipeline(ruleInput, o.ruleParallelism, perCategory),
                                ruleInput.length));
                every.add(
                        measured(
                                n + " stress rules p" + o.ruleParallelism,
                                pipeline(ruleInput, o.ruleParallelism, stress),
                                ruleInput.length));
            }
            res.categoryRules.add(realistic);
            res.rules.add(every);
        }
        ArraySource.load(new byte[0][]);
        return res;
    }

    /**
     * Logs a run; fails unless it processed exactly the {@code fed} events, none dead-lettered or
     * duplicate.
     */
    static Run measured(String what, Run r, long fed) {
        log(
                "%-24s %,12d events in %,7d ms: %,10.0f events/s (triggers %,d, dead letters %,d, duplicates %,d)",
                what,
                r.events,
                r.millis,
                r.eventsPerSecond(),
                r.triggers,
                r.deadLetters,
                r.duplicates);
        if (r.events != fed || r.deadLetters != 0 || r.duplicates != 0) {
            throw new IllegalStateException(
                    what
                            + ": fed "
                            + fed
                            + " events, processed "
                            + r.events
                            + ", dead letters "
                            + r.deadLetters
                            + ", duplicates "
                            + r.duplicates);
        }
        System.gc();
        return r;
    }

    static double median(List<Run> runs) {
        double[] v = runs.stream().mapToDouble(Run::eventsPerSecond).sorted().toArray();
        return v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
    }

    static void log(String format, Object... args) {
        System.out.printf(Locale.ROOT, "[bench] " + format + "%n", args);
        System.out.flush();
    }
}
