package io.guidance.bench;

import io.guidance.bench.StateResult.Backend;
import io.guidance.bench.StateResult.Phase;
import io.guidance.detect.StateSizeVisit;
import io.guidance.event.Event;
import io.guidance.event.EventJson;
import io.guidance.event.SourceRecord;
import io.guidance.pipeline.GuidanceTopology;
import io.guidance.pipeline.JobConfig;
import io.guidance.pipeline.Uids;
import io.guidance.rules.RuleSet;
import io.guidance.rules.RulesParser;
import io.guidance.rules.RulesUpdate;
import io.guidance.time.ClickstreamWatermarks;
import java.lang.management.ManagementFactory;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import org.apache.flink.api.common.JobID;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.typeinfo.PrimitiveArrayTypeInfo;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.runtime.checkpoint.CompletedCheckpointStats;
import org.apache.flink.runtime.execution.ExecutionState;
import org.apache.flink.runtime.executiongraph.AccessExecutionVertex;
import org.apache.flink.runtime.jobgraph.JobGraph;
import org.apache.flink.runtime.minicluster.MiniCluster;
import org.apache.flink.runtime.minicluster.MiniClusterConfiguration;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.util.Collector;

/**
 * What state costs at scale, on the HashMap and the RocksDB state backends: the production graph
 * ({@link GuidanceTopology} with the rules of config/rules.yaml) on a local MiniCluster with
 * checkpoints to a local directory, fed {@code N} users with one visit each: the visit
 * docs/state-size.md is measured with ({@link StateSizeVisit}, twelve events touching every rule
 * kind), all users interleaved in {@code ts} order.
 *
 * <p>The job stays up between phases ({@link GatedSource}) and a checkpoint is triggered after
 * each:
 *
 * <ol>
 *   <li>empty: the job running, no event yet (the baseline subtracted from the others);
 *   <li>during the visit: all events evaluated, every session active;
 *   <li>after the visit: event time 2 h on (past the dedup window and the session timeout), within
 *       24 h of a delivery;
 *   <li>idle: event time 25 h on, what a tracked user keeps for {@code events.userRetention}.
 * </ol>
 *
 * Event time moves on with one clock event per subtask. Per phase: the completed checkpoint's state
 * size and end-to-end duration (Flink's checkpoint statistics) and the bytes in its directory; the
 * live size: on HashMap the heap in use after a full GC, on RocksDB its estimate of live SST data
 * plus its memtables (RocksDB native metrics).
 *
 * <p>{@code --sessions N --backends hashmap,rocksdb --parallelism P --visit-only rocksdb
 * --cleanup-sessions M --rules FILE}
 */
public final class StateBenchmark {
    static final long T0 = 1_700_000_000_000L;
    static final long HOUR = 3_600_000L;
    static final String[] PHASES = {
        "empty", "during the visit", "after the visit (2 h on)", "idle (25 h on)"
    };
    private static final String JOB = "bench-state";

    private StateBenchmark() {}

    // ---------------------------------------------------------------- the run

    public static StateResult run(StateOptions o) throws Exception {
        long started = System.nanoTime();
        StateResult res = new StateResult(o);
        RuleSet rules = RulesParser.parseFile(o.rulesFile);
        res.rules = rules.rules.size();
        log("generating %,d visits of %d events", o.sessions, StateSizeVisit.EVENTS);
        byte[][] events =
                events(
                        o.sessions,
                        o.parallelism,
                        JobConfig.defaults().maxOutOfOrderness().toMillis());
        res.users = o.sessions;
        res.events = (long) o.sessions * StateSizeVisit.EVENTS;
        for (String backend : o.backends) {
            res.backends.add(
                    measure(
                            backend,
                            events,
                            o.sessions,
                            o.parallelism,
                            rules,
                            !o.visitOnly.contains(backend)));
        }
        events = null;
        for (String backend : o.backends) {
            if (o.visitOnly.contains(backend)) {
                byte[][] small =
                        events(
                                o.cleanupSessions,
                                o.parallelism,
                                JobConfig.defaults().maxOutOfOrderness().toMillis());
                res.backends.add(
                        measure(backend, small, o.cleanupSessions, o.parallelism, rules, true));
            }
        }
        GatedSource.load(new byte[0][]);
        res.totalMillis = (System.nanoTime() - started) / 1_000_000;
        return res;
    }

    /**
     * The visits of {@code users} users ({@code user-0}, ...; user u starts at {@code T0 + (u % 60)
     * s}, as in StateSizeTest) sorted by {@code ts}, then one clock event per subtask 2 h on and
     * one 25 h on.
     */
    static byte[][] events(int users, int parallelism, long boundMs) {
        int n = users * StateSizeVisit.EVENTS;
        if (n % parallelism != 0) {
            throw new IllegalArgumentException(
                    "the number of visit events must be a multiple of the parallelism");
        }
        byte[][] raw = new byte[n][];
        long[] order = new long[n];
        int i = 0;
        for (int u = 0; u < users; u++) {
            String user = "user-" + u;
            for (Event e :
                    StateSizeVisit.events(
                            user,
                            user + "-s1",
                            T0 + (u % 60) * 1_000L,
                            (long) u * StateSizeVisit.EVENTS)) {
                raw[i] = EventJson.toJsonBytes(e);
                order[i] = ((e.ts - T0) << 32) | i;
                i++;
            }
        }
        Arrays.parallelSort(order);
        byte[][] out = new byte[n + 2 * parallelism][];
        for (int k = 0; k < n; k++) {
            out[k] = raw[(int) (order[k] & 0xffff_ffffL)];
        }
        for (int k = 0; k < parallelism; k++) {
            out[n + k] = clock("clock-2h-" + k, T0 + 2 * HOUR + boundMs + 1);
            out[n + parallelism + k] = clock("clock-25h-" + k, T0 + 25 * HOUR + boundMs + 1);
        }
        return out;
    }

    private static byte[] clock(String id, long ts) {
        return EventJson.toJsonBytes(
                new Event(
                        id,
                        "bench-clock",
                        "bench-clock-s",
                        ts,
                        "page_ping",
                        null,
                        null,
                        new HashMap<>()));
    }

    private static Backend measure(
            String backendName,
            byte[][] events,
            int users,
            int parallelism,
            RuleSet rules,
            boolean allPhases)
            throws Exception {
        Backend b = new Backend(backendName, users);
        int visitEvents = users * StateSizeVisit.EVENTS;
        log(
                "%s: %,d users, %s",
                backendName, users, allPhases ? "all phases" : "empty and during the visit only");
        Path dir = Files.createTempDirectory("guidance-bench-state-");
        GatedSource.load(events);
        CountingSink.reset();
        Configuration conf = configuration(backendName, dir, parallelism);
        MiniCluster cluster =
                new MiniCluster(
                        new MiniClusterConfiguration.Builder()
                                .setConfiguration(conf)
                                .setNumTaskManagers(1)
                                .setNumSlotsPerTaskManager(parallelism)
                                .build());
        cluster.start();
        try {
            StreamExecutionEnvironment env =
                    StreamExecutionEnvironment.getExecutionEnvironment(conf);
            define(env, rules);
            JobGraph graph = env.getStreamGraph().getJobGraph();
            JobID job = graph.getJobID();
            cluster.submitJob(graph).get();
            long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(3);
            while (JobMetrics.registered(JOB, Uids.DETECT, "numRecordsIn") < parallelism) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("the state job did not start");
                }
                Thread.sleep(50);
            }
            waitRunning(cluster, job);
            log("%s: job running", backendName);
            b.phases.add(phase(PHASES[0], cluster, job, backendName));

            long feed = System.nanoTime();
            feed(visitEvents, visitEvents);
            b.feedMillis = (System.nanoTime() - feed) / 1_000_000;
            b.events = visitEvents;
            log("%s: %,d events evaluated in %,d ms", backendName, visitEvents, b.feedMillis);
            b.phases.add(phase(PHASES[1], cluster, job, backendName));

            if (allPhases) {
                // event time 2 h on, then 25 h on: every user's cleanup timers fire
                long t = System.nanoTime();
                feed(visitEvents + parallelism, visitEvents + parallelism);
                b.phases.add(phase(PHASES[2], cluster, job, backendName));
                b.cleanupMillis = (System.nanoTime() - t) / 1_000_000;
                t = System.nanoTime();
                feed(visitEvents + 2 * parallelism, visitEvents + 2 * parallelism);
                b.phases.add(phase(PHASES[3], cluster, job, backendName));
                b.cleanupMillis += (System.nanoTime() - t) / 1_000_000;
            }

            if (allPhases) {
                GatedSource.finish();
                cluster.requestJobResult(job).get(30, TimeUnit.MINUTES);
                b.triggers = CountingSink.count(ThroughputBenchmark.TRIGGERS);
            } else {
                // ending the input would send the final watermark, firing every user's timers:
                // cancel instead
                cluster.cancelJob(job).get(5, TimeUnit.MINUTES);
                cluster.requestJobResult(job)
                        .get(5, TimeUnit.MINUTES); // terminated: nothing writes to dir any more
                b.triggers = -1;
            }
            for (Phase p : b.phases) {
                log(
                        "%s %-26s checkpoint %,13d bytes in %,6d ms (directory %,13d); live %,13d bytes; heap %,13d",
                        backendName,
                        p.name,
                        p.stateBytes,
                        p.durationMs,
                        p.directoryBytes,
                        p.liveBytes,
                        p.heapBytes);
            }
        } finally {
            cluster.close();
            JobMetrics.forget(JOB);
            FileTrees.delete(dir);
        }
        return b;
    }

    static Configuration configuration(String backend, Path dir, int parallelism) {
        Configuration c = new Configuration();
        c.setString("parallelism.default", Integer.toString(parallelism));
        c.setString("pipeline.generic-types", "false");
        c.setString("pipeline.object-reuse", "true");
        c.setString("pipeline.max-parallelism", "128");
        c.setString("restart-strategy.type", "none");
        c.setString("state.backend.type", backend);
        // checkpoints only when the benchmark triggers them, full ones on both backends, to a local
        // directory
        c.setString("execution.checkpointing.interval", "1 d");
        c.setString("execution.checkpointing.timeout", "30 min");
        c.setString("execution.checkpointing.incremental", "false");
        c.setString("execution.checkpointing.dir", dir.resolve("checkpoints").toUri().toString());
        c.setString("state.backend.rocksdb.localdir", dir.resolve("rocksdb").toString());
        c.setString("state.backend.rocksdb.metrics.estimate-live-data-size", "true");
        c.setString("state.backend.rocksdb.metrics.cur-size-all-mem-tables", "true");
        c.setString("taskmanager.numberOfTaskSlots", Integer.toString(parallelism));
        // RocksDB's block cache and write buffers come from managed memory; the local default (128
        // MiB) starves it
        c.setString("taskmanager.memory.managed.size", "1g");
        c.setString("rest.bind-port", "0");
        c.setString("pipeline.name", JOB);
        return JobMetrics.enable(c);
    }

    /** The production topology on the gated source; sinks that count and discard. */
    private static void define(StreamExecutionEnvironment env, RuleSet rules) {
        JobConfig config = JobConfig.defaults();
        DataStream<SourceRecord> records =
                env.fromSource(
                                new GatedSource(),
                                WatermarkStrategy.noWatermarks(),
                                "visits",
                                PrimitiveArrayTypeInfo.BYTE_PRIMITIVE_ARRAY_TYPE_INFO)
                        .map(new ThroughputBenchmark.ParseRecord())
                        .returns(SourceRecord.class)
                        .name("parse")
                        .assignTimestampsAndWatermarks(
                                ClickstreamWatermarks.forReplay(config.maxOutOfOrderness()))
                        .name("event time");
        DataStream<RulesUpdate> noRuleUpdates =
                records.flatMap((SourceRecord r, Collector<RulesUpdate> none) -> {})
                        .returns(RulesUpdate.class)
                        .name("no rule updates");
        GuidanceTopology.Outputs out =
                GuidanceTopology.build(records, noRuleUpdates, rules, 0, config.detection());
        out.triggers
                .sinkTo(new CountingSink<>(ThroughputBenchmark.TRIGGERS))
                .name("discard triggers");
        out.deadLetters
                .sinkTo(new CountingSink<>(ThroughputBenchmark.DEAD_LETTERS))
                .name("discard dead letters");
        out.duplicates
                .sinkTo(new CountingSink<>(ThroughputBenchmark.DUPLICATES))
                .name("discard duplicates");
    }

    /**
     * Opens the gate to {@code limit} and waits until the detection operator has taken in {@code
     * expected} events.
     */
    private static void feed(int limit, long expected) throws InterruptedException {
        GatedSource.openTo(limit);
        long deadline = System.nanoTime() + TimeUnit.HOURS.toNanos(2);
        while (JobMetrics.counter(JOB, Uids.DETECT, "numRecordsIn") < expected) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException(
                        "the state job did not take in " + expected + " events");
            }
            Thread.sleep(20);
        }
    }

    /** Takes a checkpoint and measures what the job holds now. */
    private static Phase phase(String name, MiniCluster cluster, JobID job, String backend)
            throws Exception {
        Phase p = new Phase(name);
        CompletedCheckpointStats before = latestCheckpoint(cluster, job);
        long previous = before == null ? -1 : before.getCheckpointId();
        String location = cluster.triggerCheckpoint(job).get(30, TimeUnit.MINUTES);
        CompletedCheckpointStats stats = latestCheckpoint(cluster, job);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (stats == null || stats.getCheckpointId() <= previous) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("no statistics for the checkpoint at " + location);
            }
            Thread.sleep(50);
            stats = latestCheckpoint(cluster, job);
        }
        p.checkpointId = stats.getCheckpointId();
        p.stateBytes = stats.getStateSize();
        p.durationMs = stats.getEndToEndDuration();
        p.directoryBytes =
                FileTrees.size(
                        location.startsWith("file:")
                                ? Path.of(URI.create(location))
                                : Path.of(location));
        p.heapBytes = heapAfterGc();
        if (backend.equals("rocksdb")) {
            Thread.sleep(6_000); // RocksDB's native metrics are refreshed every 5 s
            p.liveBytes =
                    JobMetrics.gaugeSum(JOB, "rocksdb.estimate-live-data-size")
                            + JobMetrics.gaugeSum(JOB, "rocksdb.cur-size-all-mem-tables");
        } else {
            p.liveBytes = p.heapBytes;
        }
        log(
                "%s: %s: checkpoint %d, %,d bytes in %,d ms",
                backend, name, p.checkpointId, p.stateBytes, p.durationMs);
        return p;
    }

    /** Checkpoints are refused until every task runs (the metrics exist a little earlier). */
    private static void waitRunning(MiniCluster cluster, JobID job) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(3);
        while (true) {
            boolean running = true;
            for (AccessExecutionVertex v :
                    cluster.getExecutionGraph(job).get().getAllExecutionVertices()) {
                running &= v.getExecutionState() == ExecutionState.RUNNING;
            }
            if (running) {
                return;
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("the state job's tasks did not all start");
            }
            Thread.sleep(50);
        }
    }

    private static CompletedCheckpointStats latestCheckpoint(MiniCluster cluster, JobID job)
            throws Exception {
        return cluster.getExecutionGraph(job)
                .get()
                .getCheckpointStatsSnapshot()
                .getHistory()
                .getLatestCompletedCheckpoint();
    }

    private static long heapAfterGc() throws InterruptedException {
        long used = Long.MAX_VALUE;
        for (int i = 0; i < 3; i++) {
            System.gc();
            Thread.sleep(200);
            used =
                    Math.min(
                            used,
                            ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed());
        }
        return used;
    }

    static void log(String format, Object... args) {
        System.out.printf(Locale.ROOT, "[state] " + format + "%n", args);
        System.out.flush();
    }

    public static void main(String[] args) throws Exception {
        StateOptions o = StateOptions.parse(args);
        StateResult r = run(o);
        String md = StatePage.markdown(r);
        System.out.println();
        System.out.println(md);
    }
}
