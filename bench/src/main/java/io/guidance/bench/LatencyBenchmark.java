package io.guidance.bench;

import io.guidance.bench.LatencyResult.RateRun;
import io.guidance.event.Event;
import io.guidance.local.importer.TaobaoImporter;
import io.guidance.local.importer.YoochooseImporter;
import io.guidance.pipeline.JobConfig;
import io.guidance.rules.Rule;
import io.guidance.rules.RuleSet;
import io.guidance.rules.RulesParser;
import io.guidance.rules.StallRule;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Latency of the whole product with a real Kafka broker and a real Redis server: the job as {@code
 * guidance demo} runs it ({@link GuidanceJob} on a local MiniCluster, the Kafka events source with
 * live watermarks, the Redis and audit sinks), fed by a paced producer at fixed shares of the
 * stack's sustainable rate.
 *
 * <p>The job runs in a JVM of its own ({@link JobProcess}), as a TaskManager does on a cluster, so
 * that the broker's and the producer's garbage does not land in the job's pauses; the broker, the
 * producer and the Redis subscriber that measures stay in this JVM. Both JVMs read the machine's
 * one wall clock.
 *
 * <p>Events are the real sessions of {@link ScaledEvents}, each stamped at the moment it is sent
 * with the wall-clock time as its {@code ts} (live mode). So a trigger caused by an event (burst,
 * loop, threshold, comeback) has that event's {@code ts}, which is the time the event was produced,
 * and a stall has its deadline as {@code ts} (SPEC sections 3 and 4). Latency is the time the
 * trigger became readable in Redis minus the trigger's {@code ts}.
 *
 * <p>"Readable" is observed with Redis keyspace notifications: a subscriber receives a {@code set}
 * key event for the user key and then for the trigger's {@code written} marker, both from the one
 * atomic write script, and stamps the marker's event with this JVM's wall clock on arrival.
 * Producer stamp and arrival use the same JVM's clock, so the resolution is one millisecond, plus
 * the sub-millisecond loopback hop of the notification. The audit topic gives the list of delivered
 * triggers, so every delivered trigger is matched with its write.
 *
 * <p>The sustainable rate ("max") is measured first: a backlog of events is written to a fresh
 * topic, then a fresh job drains it, and max is the rate at which the detection operator took in
 * events between 10 % and 90 % of the backlog (Kafka in, detection, Redis and audit out, all in the
 * same back-pressured graph). Each paced run then gets a fresh topic, a fresh job and an emptied
 * Redis.
 *
 * <p>The parts: {@link LatencyOptions} (the command line), {@link LatencyStack} (Kafka, Redis and
 * the job), {@link PacedProducer} with {@link StampedEvents}, {@link RedisTriggerWatch} (when each
 * trigger became readable), {@link TriggerLatencies} and {@link Latencies} (matching and
 * percentiles), {@link LatencyPage} (the docs section, chart and trace).
 */
public final class LatencyBenchmark {
    static final String RULES_RESOURCE = "latency-rules.yaml";

    /**
     * Watermarks are emitted every events.watermarkInterval and pass through both partitions'
     * readers: slack.
     */
    static final long WINDOW_END_MARGIN_MS = 500;

    private LatencyBenchmark() {}

    public static LatencyResult run(LatencyOptions o) throws Exception {
        long started = System.nanoTime();
        LatencyResult res = new LatencyResult(o);
        RuleSet rules = loadRules(o);
        res.rules = rules.rules.size();
        res.rulesSource =
                o.rulesFile == null
                        ? "bench/src/main/resources/io/guidance/bench/" + RULES_RESOURCE
                        : o.rulesFile.toString();
        Map<String, String> kindOf = new HashMap<>();
        long longestStall = 0;
        for (Rule r : rules.rules) {
            kindOf.put(r.id, r.kind());
            if (r instanceof StallRule stall) {
                longestStall = Math.max(longestStall, stall.withinMs);
            }
        }
        log("reading %s", o.inputs);
        List<Event> base = interleavedBase(o.inputs);
        res.baseEvents = base.size();

        Path jobDir = o.jobDir != null ? o.jobDir : JobProcess.defaultDir();
        Files.createDirectories(jobDir);
        Path rulesFile = o.rulesFile;
        if (rulesFile == null) {
            rulesFile = jobDir.resolve(RULES_RESOURCE);
            Files.writeString(rulesFile, resourceText(RULES_RESOURCE));
        }
        try (LatencyStack stack = LatencyStack.start();
                JobProcess job =
                        JobProcess.start(o.jobJvmOptions, rulesFile, stack.checkpoints(), jobDir)) {
            res.jobJvmOptions = String.join(" ", job.jvmOptions());
            JobConfig probe =
                    stack.config("probe", o.parallelism, LocalJobHost.jobSettings(o.overrides));
            res.boundMs = probe.maxOutOfOrderness().toMillis();
            res.idleTimeoutMs = probe.idleTimeout().toMillis();
            res.checkpointIntervalMs = probe.checkpointInterval().toMillis();

            if (o.maxRate > 0) {
                res.maxRate = o.maxRate;
            } else {
                Calibration c =
                        calibrate(
                                stack, job, base, o.calibrationEvents, o.parallelism, o.overrides);
                res.maxMeasured = true;
                res.calibrationEvents = c.events();
                res.calibrationMillis = c.millis();
                res.maxRate = c.maxRate();
            }
            long drainMs = res.boundMs + res.idleTimeoutMs + longestStall + 3_000;
            int phase = 0;
            for (double f : o.fractions) {
                double rate = f * res.maxRate;
                int n = (int) Math.max(1, Math.ceil(rate * o.seconds));
                StampedEvents events = StampedEvents.of(ScaledEvents.scale(base, n).events);
                RateRun r =
                        paced(
                                stack,
                                job,
                                "rate" + phase++,
                                events,
                                rate,
                                o,
                                kindOf,
                                res.boundMs,
                                drainMs);
                r.fraction = f;
                res.runs.add(r);
                log(
                        "%3.0f %% of max: %,.0f events/s sent (target %,.0f); %d delivered, %d readable; event -> readable"
                                + " p50 %d p99 %d max %d ms (%d); deadline -> readable p50 %d p99 %d max %d ms (%d);"
                                + " job JVM: %d GC pauses, %d ms in all, longest %d ms;"
                                + " benchmark JVM: %d GC pauses, %d ms in all, longest %d ms",
                        f * 100,
                        r.achievedRate,
                        r.targetRate,
                        r.delivered,
                        r.readable,
                        r.caused.p50,
                        r.caused.p99,
                        r.caused.max,
                        r.caused.count,
                        r.stalls.p50,
                        r.stalls.p99,
                        r.stalls.max,
                        r.stalls.count,
                        r.jobGcPauses,
                        r.jobGcPauseTotalMs,
                        r.jobGcPauseMaxMs,
                        r.gcPauses,
                        r.gcPauseTotalMs,
                        r.gcPauseMaxMs);
            }
        }
        res.totalMillis = (System.nanoTime() - started) / 1_000_000;
        return res;
    }

    /**
     * Both datasets through their importers, the Taobao events shifted so that the two datasets'
     * median times meet: in plain {@code ts} order every YOOCHOOSE click (2014, item views only)
     * would come before every Taobao event (2017, with carts, favourites and purchases), and a run
     * of a minute would see only the first.
     */
    static List<Event> interleavedBase(ScaledEvents.Inputs in) throws IOException {
        List<Event> taobao = new TaobaoImporter().readSorted(in.taobao);
        List<Event> yoochoose = new YoochooseImporter().readSorted(in.yoochoose);
        long shift = yoochoose.get(yoochoose.size() / 2).ts - taobao.get(taobao.size() / 2).ts;
        List<Event> all = new ArrayList<>(yoochoose);
        for (Event e : taobao) {
            all.add(
                    new Event(
                            e.eventId,
                            e.userId,
                            e.sessionId,
                            e.ts + shift,
                            e.type,
                            e.page,
                            e.target,
                            e.props));
        }
        all.sort(Comparator.comparingLong(e -> e.ts)); // stable
        return all;
    }

    static RuleSet loadRules(LatencyOptions o) throws Exception {
        return loadRules(o.rulesFile, RULES_RESOURCE);
    }

    /** {@code file}, or when it is null the rules file {@code resource} bundled with the bench. */
    static RuleSet loadRules(Path file, String resource) throws Exception {
        if (file != null) {
            return RulesParser.parseFile(file);
        }
        return RulesParser.parse(resourceText(resource), resource);
    }

    /** A rules file bundled with the bench. */
    static String resourceText(String resource) throws IOException {
        try (InputStream in = LatencyBenchmark.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException("missing resource " + resource);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    /** The sustainable rate as {@link #calibrate} measured it. */
    record Calibration(long events, long millis, double maxRate) {}

    /**
     * The sustainable rate of the stack: a backlog of {@code events} scaled from {@code base} is
     * written as fast as the producer can, then a fresh job drains it, timed from 10 % to 90 % of
     * the backlog taken in by the detection operator.
     */
    static Calibration calibrate(
            LatencyStack stack, JobHost host, List<Event> base, int events, int parallelism)
            throws Exception {
        return calibrate(stack, host, base, events, parallelism, Map.of());
    }

    /** {@link #calibrate}, the job with {@code overrides} on its settings. */
    static Calibration calibrate(
            LatencyStack stack,
            JobHost host,
            List<Event> base,
            int events,
            int parallelism,
            Map<String, String> overrides)
            throws Exception {
        StampedEvents backlog = StampedEvents.of(ScaledEvents.scale(base, events).events);
        String topic = stack.newPhase("max", parallelism);
        log("calibration: writing a backlog of %,d events to %s", backlog.size(), topic);
        new PacedProducer(stack.producer).backlog(topic, backlog, System.currentTimeMillis());
        host.start(stack.settings("max", parallelism, overrides));
        try {
            long n = backlog.size();
            long t10 = 0;
            long t90 = 0;
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120 + n / 500);
            while (true) {
                long in = host.status().detectRecordsIn();
                long now = System.nanoTime();
                if (t10 == 0 && in >= n / 10) {
                    t10 = now;
                }
                if (t90 == 0 && in >= n * 9 / 10) {
                    t90 = now;
                    break;
                }
                if (now > deadline) {
                    throw new IllegalStateException(
                            "calibration: the job took in only " + in + " of " + n + " events");
                }
                Thread.sleep(5);
            }
            Calibration c =
                    new Calibration(
                            n, (t90 - t10) / 1_000_000, (n * 9 / 10 - n / 10) * 1e9 / (t90 - t10));
            log(
                    "calibration: %,d events drained at %,.0f events/s (from 10 %% to 90 %% of the backlog in %,d ms)",
                    n, c.maxRate(), c.millis());
            return c;
        } finally {
            host.stop();
        }
    }

    /**
     * One run at a fixed rate: a fresh topic, job and Redis; the producer paced; then every trigger
     * matched.
     */
    private static RateRun paced(
            LatencyStack stack,
            JobProcess job,
            String phase,
            StampedEvents events,
            double rate,
            LatencyOptions o,
            Map<String, String> kindOf,
            long boundMs,
            long drainMs)
            throws Exception {
        RateRun r = new RateRun();
        r.targetRate = rate;
        String topic = stack.newPhase(phase, o.parallelism);
        stack.redis().flushAll();
        JobConfig config =
                stack.config(phase, o.parallelism, LocalJobHost.jobSettings(o.overrides));
        PacedProducer.Sent sent;
        try (RedisTriggerWatch watch =
                RedisTriggerWatch.start(stack.redisServer(), LatencyStack.PREFIX)) {
            job.start(stack.settings(phase, o.parallelism, o.overrides));
            JobHealthSampler sampler = new JobHealthSampler(job);
            try {
                Thread.sleep(1_000); // let the source readers take their partitions
                sampler.start();
                log("%s: producing at %,.0f events/s for %d s", phase, rate, o.seconds);
                sent = new PacedProducer(stack.producer).paced(topic, events, rate, o.seconds);
                r.gcPauses = sent.gcPauses();
                r.gcPauseTotalMs = sent.gcPauseTotalMs();
                r.gcPauseMaxMs = sent.gcPauseMaxMs();
                GcLog.Pauses jobPauses = job.gcPauses(sent.fromMillis(), sent.toMillis());
                r.jobGcPauses = jobPauses.count();
                r.jobGcPauseTotalMs = jobPauses.totalMs();
                r.jobGcPauseMaxMs = jobPauses.maxMs();
                r.eventsSent = sent.events();
                r.achievedRate = sent.achievedRate();
                // stalls still open fall due after the input stops: wait until the job has taken
                // in every event and Redis has seen no write for long enough for the idle clock to
                // pass the last deadline
                long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(10);
                while (job.status().detectRecordsIn() < sent.events()
                        || System.currentTimeMillis() - Math.max(sent.toMillis(), watch.lastWrite)
                                < drainMs) {
                    if (System.nanoTime() > deadline) {
                        throw new IllegalStateException(
                                phase + ": the job did not catch up with the input");
                    }
                    Thread.sleep(100);
                }
            } finally {
                sampler.stop();
                job.stop();
            }
            long from = sent.fromMillis() + o.warmupSeconds * 1000L;
            for (long[] x : sampler.samples) {
                r.samples.add((x[0] - from) + "," + x[1] + "," + x[2] + "," + x[3]);
            }
            r.older = watch.older.size();
            // a trigger with ts in the last out-of-orderness bound before the input stopped is
            // evaluated only once event time follows the idle clock: it belongs with those after
            // the input
            TriggerLatencies.measure(
                    r,
                    stack.readAudit(config.auditTopic()),
                    watch.readableAt,
                    kindOf,
                    from,
                    sent.toMillis() - boundMs - WINDOW_END_MARGIN_MS);
        }
        return r;
    }

    static void log(String format, Object... args) {
        System.out.printf(Locale.ROOT, "[latency] " + format + "%n", args);
        System.out.flush();
    }

    public static void main(String[] args) throws Exception {
        System.setProperty("java.awt.headless", "true");
        LatencyOptions o = LatencyOptions.parse(args);
        LatencyResult r = run(o);
        System.out.println();
        System.out.println(LatencyPage.markdown(r));
        Path png = Path.of("benchmarks-latency.png");
        LatencyPage.chart(r, png);
        if (o.trace != null) {
            LatencyPage.writeTrace(r, o.trace);
        }
        log("wrote %s", png);
    }
}
