package io.guidance.pipeline.discover;

import io.guidance.discover.Cell;
import io.guidance.discover.DiscoveryQuery;
import io.guidance.discover.Ranking;
import io.guidance.discover.Tally;
import io.guidance.discover.UserEvent;
import io.guidance.discover.UserHistory;
import io.guidance.discover.UserSummary;
import io.guidance.event.EventParser;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.function.Consumer;
import org.apache.flink.api.common.JobExecutionResult;
import org.apache.flink.api.common.RuntimeExecutionMode;
import org.apache.flink.api.common.accumulators.LongCounter;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.functions.AggregateFunction;
import org.apache.flink.api.common.functions.MapPartitionFunction;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.functions.RichFlatMapFunction;
import org.apache.flink.api.common.functions.RichMapFunction;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.connector.file.src.FileSource;
import org.apache.flink.connector.file.src.reader.TextLineInputFormat;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.datastream.BroadcastStream;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.co.BroadcastProcessFunction;
import org.apache.flink.streaming.api.functions.sink.v2.DiscardingSink;
import org.apache.flink.util.Collector;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Discovery (SPEC section 8) as a Flink batch job, so that a history too big for one machine runs
 * on a cluster: {@code flink run -c io.guidance.pipeline.discover.DiscoveryJob
 * guidance-pipeline-VERSION-job.jar --events DIR --out DIR}.
 *
 * <p>The graph, in {@link RuntimeExecutionMode#BATCH}:
 *
 * <ol>
 *   <li>A file source over JSON Lines (one file or a directory), parsed by the job's own {@link
 *       EventParser}; a bad line is counted ({@value #BAD_LINES}) and dropped, never fatal.
 *   <li>{@code end}, the largest ts: a maximum per partition, then broadcast. A broadcast input of
 *       a batch job is read to its end before the other input starts, so every user below sees the
 *       final {@code end} without a second pass over the data.
 *   <li>Keyed by user: the user's events, all at once, become one {@link UserSummary} ({@link
 *       UserHistory}); the batch shuffle sorts by user, so one user's events are in memory at a
 *       time.
 *   <li>With {@code end} known, each summary is marked in or out of the cohort.
 *   <li>Combiners: each partition adds its summaries into one {@link Tally} (a few kilobytes), and
 *       a single task adds the partitions' tallies up. No step holds more than one user's events or
 *       one tally.
 * </ol>
 *
 * <p>The ranked cells come back to the client (the CLI, or the {@code flink run} client), which
 * writes the outputs ({@link DiscoveryOutput}).
 */
public final class DiscoveryJob {
    private static final Logger LOG = LoggerFactory.getLogger(DiscoveryJob.class);

    public static final String NAME = "guidance-discover";
    static final String EVENTS_READ = "discover.eventsRead";
    static final String BAD_LINES = "discover.badLines";
    static final String USERS_READ = "discover.usersRead";
    static final String TALLY = "discover.tally";

    private static final MapStateDescriptor<String, Long> END =
            new MapStateDescriptor<>("end", Types.STRING, Types.LONG);

    /** How far a run has got: counts of what was read so far. */
    public record Progress(long eventsRead, long badLines, long usersRead) {}

    /** What a run found. */
    public record Result(
            DiscoveryQuery query,
            List<Cell> ranked,
            Tally tally,
            long eventsRead,
            long badLines,
            long elapsedMs) {

        /** Actions asked for by {@code --actions} that no event in the input has. */
        public List<String> unknownActions() {
            List<String> unknown = new ArrayList<>();
            if (query.actions() != null) {
                for (String a : query.actions()) {
                    if (!List.of(tally.actions).contains(a)) {
                        unknown.add(a);
                    }
                }
            }
            return unknown;
        }
    }

    private DiscoveryJob() {}

    /**
     * Runs discovery over {@code events} (a file or a directory of JSON Lines files; a Flink path,
     * so {@code s3://} and {@code hdfs://} work on a cluster).
     *
     * @param parallelism 0 for the environment's default
     * @param progress called about once a second while the job runs, from another thread
     */
    public static Result run(
            String events, DiscoveryQuery query, int parallelism, Consumer<Progress> progress)
            throws Exception {
        long started = System.currentTimeMillis();
        Configuration conf = new Configuration();
        conf.setString("pipeline.generic-types", "false");
        conf.setString("restart-strategy.type", "none");
        // accumulators travel with heartbeats: report progress once a second, not every ten
        conf.setString("heartbeat.interval", "1000 ms");
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
        env.setRuntimeMode(RuntimeExecutionMode.BATCH);
        if (parallelism > 0) {
            env.setParallelism(parallelism);
        }
        build(env, events, query);
        LOG.info("discovery over {} starting: {}", events, query);
        JobClient client = env.executeAsync(NAME);
        Thread reporter = progressReporter(client, progress);
        try {
            JobExecutionResult done = client.getJobExecutionResult().get();
            reporter.interrupt();
            reporter.join();
            Tally tally = done.getAccumulatorResult(TALLY);
            if (tally == null) {
                tally = new Tally(); // no input at all
            }
            long eventsRead = counter(done.getAllAccumulatorResults(), EVENTS_READ);
            long badLines = counter(done.getAllAccumulatorResults(), BAD_LINES);
            if (progress != null) {
                progress.accept(new Progress(eventsRead, badLines, tally.users));
            }
            List<Cell> ranked = Ranking.rank(tally.cells(query));
            long elapsed = System.currentTimeMillis() - started;
            LOG.info(
                    "discovery done in {} ms: {} events, {} bad lines, {} users, {} cells",
                    elapsed,
                    eventsRead,
                    badLines,
                    tally.users,
                    ranked.size());
            return new Result(query, ranked, tally, eventsRead, badLines, elapsed);
        } catch (ExecutionException e) {
            throw e.getCause() instanceof Exception c ? c : e;
        } finally {
            reporter.interrupt();
        }
    }

    /** The graph: events in, the total tally in the accumulator {@value #TALLY}. */
    static void build(StreamExecutionEnvironment env, String events, DiscoveryQuery query) {
        FileSource<String> source =
                FileSource.forRecordStreamFormat(
                                new TextLineInputFormat(),
                                new org.apache.flink.core.fs.Path(events))
                        .build();
        DataStream<UserEvent> parsed =
                env.fromSource(source, WatermarkStrategy.noWatermarks(), "events")
                        .uid("discover-source")
                        .flatMap(new ParseEvents())
                        .returns(UserEvent.class)
                        .uid("discover-parse")
                        .name("parse");
        BroadcastStream<Long> end =
                parsed.map(e -> e.ts)
                        .returns(Types.LONG)
                        .name("ts")
                        .fullWindowPartition()
                        .reduce(Math::max)
                        .name("end per partition")
                        .broadcast(END);
        DataStream<UserSummary> summaries =
                parsed.keyBy(e -> e.userId, Types.STRING)
                        .fullWindowPartition()
                        .mapPartition(new Summarize(query))
                        .returns(UserSummary.class)
                        .name("per user");
        summaries
                .connect(end)
                .process(new MarkCohort(query))
                .returns(UserSummary.class)
                .name("cohort")
                .fullWindowPartition()
                .aggregate(new AddUp(query))
                .returns(Tally.class)
                .name("tally per partition")
                .fullWindowPartition()
                .reduce(Tally::merge)
                .returns(Tally.class)
                .name("tally")
                .setParallelism(1)
                .map(new PublishTally())
                .returns(Tally.class)
                .name("publish")
                .setParallelism(1)
                .sinkTo(new DiscardingSink<>())
                .name("done")
                .setParallelism(1);
    }

    /**
     * Hands the total to the client through an accumulator: one value of a few kilobytes, with the
     * job's result, and no collect sink whose fetcher outlives a local cluster.
     */
    static final class PublishTally extends RichMapFunction<Tally, Tally> {
        private transient TallyAccumulator total;

        @Override
        public void open(OpenContext context) {
            total = new TallyAccumulator();
            getRuntimeContext().addAccumulator(TALLY, total);
        }

        @Override
        public Tally map(Tally t) {
            total.add(t);
            return t;
        }
    }

    /** Lines to events; bad lines are counted and dropped. */
    static final class ParseEvents extends RichFlatMapFunction<String, UserEvent> {
        private transient EventParser parser;
        private transient LongCounter eventsRead;
        private transient LongCounter badLines;

        @Override
        public void open(OpenContext context) {
            parser = new EventParser();
            eventsRead = new LongCounter();
            badLines = new LongCounter();
            getRuntimeContext().addAccumulator(EVENTS_READ, eventsRead);
            getRuntimeContext().addAccumulator(BAD_LINES, badLines);
        }

        @Override
        public void flatMap(String line, Collector<UserEvent> out) {
            if (line.isBlank()) {
                return;
            }
            EventParser.Result r = parser.parse(line.getBytes(StandardCharsets.UTF_8));
            if (r.ok()) {
                eventsRead.add(1);
                out.collect(UserEvent.of(r.event));
            } else {
                badLines.add(1);
            }
        }
    }

    /** One user's events to the user's summary. */
    static final class Summarize implements MapPartitionFunction<UserEvent, UserSummary> {
        private static final long serialVersionUID = 1L;
        private final DiscoveryQuery query;

        Summarize(DiscoveryQuery query) {
            this.query = query;
        }

        @Override
        public void mapPartition(Iterable<UserEvent> events, Collector<UserSummary> out) {
            out.collect(UserHistory.summarize(events, query));
        }
    }

    /** Marks each summary in or out of the cohort once {@code end} (broadcast first) is known. */
    static final class MarkCohort extends BroadcastProcessFunction<UserSummary, Long, UserSummary> {
        private static final long serialVersionUID = 1L;
        private final long retentionToMs;
        private transient LongCounter usersRead;

        MarkCohort(DiscoveryQuery query) {
            this.retentionToMs = query.retentionToMs;
        }

        @Override
        public void open(OpenContext context) {
            usersRead = new LongCounter();
            getRuntimeContext().addAccumulator(USERS_READ, usersRead);
        }

        @Override
        public void processBroadcastElement(
                Long partitionEnd, Context ctx, Collector<UserSummary> out) throws Exception {
            Long end = ctx.getBroadcastState(END).get("end");
            ctx.getBroadcastState(END)
                    .put("end", end == null ? partitionEnd : Math.max(end, partitionEnd));
        }

        @Override
        public void processElement(UserSummary s, ReadOnlyContext ctx, Collector<UserSummary> out)
                throws Exception {
            Long end = ctx.getBroadcastState(END).get("end");
            if (end == null) {
                throw new IllegalStateException("a user arrived before end was known");
            }
            usersRead.add(1);
            s.inCohort = s.firstSeen + retentionToMs <= end;
            out.collect(s);
        }
    }

    /** The combiner: a partition's summaries into one tally. */
    static final class AddUp implements AggregateFunction<UserSummary, Tally, Tally> {
        private static final long serialVersionUID = 1L;
        private final DiscoveryQuery query;

        AddUp(DiscoveryQuery query) {
            this.query = query;
        }

        @Override
        public Tally createAccumulator() {
            return new Tally();
        }

        @Override
        public Tally add(UserSummary s, Tally t) {
            t.add(s, query);
            return t;
        }

        @Override
        public Tally getResult(Tally t) {
            return t;
        }

        @Override
        public Tally merge(Tally a, Tally b) {
            return a.merge(b);
        }
    }

    private static Thread progressReporter(JobClient client, Consumer<Progress> progress) {
        Thread t =
                new Thread(
                        () -> {
                            while (progress != null && !Thread.currentThread().isInterrupted()) {
                                try {
                                    Thread.sleep(1000);
                                    Map<String, Object> acc = client.getAccumulators().get();
                                    progress.accept(
                                            new Progress(
                                                    counter(acc, EVENTS_READ),
                                                    counter(acc, BAD_LINES),
                                                    counter(acc, USERS_READ)));
                                } catch (InterruptedException e) {
                                    return;
                                } catch (Exception e) {
                                    // the job is finishing or gone: the final counts come from
                                    // its result
                                    return;
                                }
                            }
                        },
                        "discover-progress");
        t.setDaemon(true);
        t.start();
        return t;
    }

    private static long counter(Map<String, Object> accumulators, String name) {
        Object v = accumulators == null ? null : accumulators.get(name);
        return v instanceof Number n ? n.longValue() : 0;
    }

    /**
     * {@code flink run -c io.guidance.pipeline.discover.DiscoveryJob JOB_JAR --events PATH --out
     * DIR [--retention FROM-TO] [--counts LIST] [--days LIST] [--actions LIST] [--retained-by TYPE]
     * [--parallelism N]}: the outputs are written by the client, on its own disk.
     */
    public static void main(String[] args) throws Exception {
        Map<String, String> o = new java.util.HashMap<>();
        for (int i = 0; i + 1 < args.length; i += 2) {
            if (!args[i].startsWith("--")) {
                throw new IllegalArgumentException("expected --name value, got " + args[i]);
            }
            o.put(args[i].substring(2), args[i + 1]);
        }
        if (!o.containsKey("events") || !o.containsKey("out") || args.length % 2 != 0) {
            throw new IllegalArgumentException(
                    "usage: DiscoveryJob --events PATH --out DIR [--retention FROM-TO]"
                            + " [--counts LIST] [--days LIST] [--actions LIST] [--retained-by TYPE]"
                            + " [--parallelism N]");
        }
        DiscoveryQuery query =
                DiscoveryQuery.of(
                        o.get("retention"),
                        o.get("counts"),
                        o.get("days"),
                        o.get("actions"),
                        o.get("retained-by"));
        Result r =
                run(
                        o.get("events"),
                        query,
                        Integer.parseInt(o.getOrDefault("parallelism", "0")),
                        null);
        if (!r.unknownActions().isEmpty()) {
            throw new IllegalArgumentException("no events of --actions " + r.unknownActions());
        }
        DiscoveryOutput.write(r, Path.of(o.get("out")), o.get("events"));
    }
}
