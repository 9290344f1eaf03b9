package io.guidance.bench;

import io.guidance.bench.ThroughputBenchmark.Run;
import io.guidance.bench.cep.CepHesitationJob;
import io.guidance.event.Event;
import io.guidance.event.EventParser;
import io.guidance.pipeline.JobConfig;
import io.guidance.rules.RuleSet;
import org.apache.flink.api.common.JobExecutionResult;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.functions.RichMapFunction;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * The full pipeline against the baseline a Flink user would write: the hesitation rules ({@code
 * stall}, {@code burst}, {@code loop}) of the rules file as Flink CEP patterns ({@link
 * CepHesitationJob}). Both run on the same pre-serialized events, the same source and the same
 * environment as {@link ThroughputBenchmark}; the pipeline gets only the hesitation rules of the
 * file, so both do the same detection work. {@link ThroughputBenchmark} measures it beside the
 * limit and the full pipeline.
 */
public final class CepBenchmark {
    static final String DETECTIONS = "cep-detections";

    private CepBenchmark() {}

    /**
     * The stall, burst and loop rules of {@code rules} as CEP patterns ({@link
     * CepHesitationJob#build}); the run's events are those parsed, its triggers the CEP detections.
     */
    public static Run cep(byte[][] events, int parallelism, RuleSet rules) throws Exception {
        ArraySource.load(events);
        CountingSink.reset();
        JobConfig config = JobConfig.defaults();
        StreamExecutionEnvironment env = ThroughputBenchmark.environment(parallelism);
        DataStream<Event> parsed =
                ThroughputBenchmark.source(env)
                        .map(new CountedParse())
                        .returns(TypeInformation.of(Event.class))
                        .name("parse")
                        .assignTimestampsAndWatermarks(
                                CepHesitationJob.watermarks(config.maxOutOfOrderness()))
                        .name("event time");
        CepHesitationJob.build(parsed, rules, config.detection().sessionTimeoutMs)
                .sinkTo(new CountingSink<>(DETECTIONS))
                .name("discard detections");
        JobExecutionResult r =
                env.execute("bench cep p" + parallelism + " rules " + rules.rules.size());
        return new Run(
                CountingSink.count(ThroughputBenchmark.EVENTS_IN),
                r.getNetRuntime(),
                CountingSink.count(DETECTIONS),
                0,
                0);
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
                throw new IllegalStateException(
                        "bad benchmark event: " + r.reason + " " + r.detail);
            }
            n++;
            return r.event;
        }

        @Override
        public void close() {
            CountingSink.add(ThroughputBenchmark.EVENTS_IN, n);
        }
    }
}
