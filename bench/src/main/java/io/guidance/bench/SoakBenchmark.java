package io.guidance.bench;

import io.guidance.event.Event;
import io.guidance.event.EventJson;
import io.guidance.pipeline.JobConfig;
import io.guidance.pipeline.Uids;
import io.guidance.rules.RuleSet;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.IntFunction;
import org.apache.flink.core.execution.JobClient;

/**
 * The soak: the production job with Kafka, Redis and checkpoints ({@link LatencyStack}) at a
 * constant share of its maximum rate for minutes, sampling the JVM's heap after garbage collection
 * and the size of the job's checkpoints, to show whether either keeps growing once warmed up.
 *
 * <p>Input is a fixed population of users coming back: the real sessions of the latency benchmark
 * (Taobao and YOOCHOOSE, {@link LatencyBenchmark#interleavedBase}) are sent lap after lap, each lap
 * with event and session ids of its own ({@code id~lap}) and the same user ids, each event stamped
 * with the wall clock as it is sent ({@link PacedProducer}). A lap is built while the one before is
 * sent, so memory does not grow with the duration. The maximum rate is {@code --max-rate} or
 * measured as the latency benchmark measures it ({@link LatencyBenchmark#calibrate}).
 */
final class SoakBenchmark {
    static final String RULES_RESOURCE = "soak-rules.yaml";

    private SoakBenchmark() {}

    static SoakResult run(SoakOptions o) throws Exception {
        long started = System.nanoTime();
        SoakResult res = new SoakResult(o);
        RuleSet rules = LatencyBenchmark.loadRules(o.rulesFile, RULES_RESOURCE);
        res.rules = rules.rules.size();
        res.rulesSource =
                o.rulesFile == null
                        ? "bench/src/main/resources/io/guidance/bench/" + RULES_RESOURCE
                        : o.rulesFile.toString();
        log("reading %s", o.inputs);
        List<Event> base = LatencyBenchmark.interleavedBase(o.inputs);
        res.baseEvents = base.size();
        Set<String> users = new HashSet<>();
        base.forEach(e -> users.add(e.userId));
        res.users = users.size();

        try (LatencyStack stack = LatencyStack.start()) {
            if (o.maxRate > 0) {
                res.maxRate = o.maxRate;
            } else {
                res.maxRate =
                        LatencyBenchmark.calibrate(
                                        stack,
                                        stack.inThisJvm(rules),
                                        base,
                                        o.calibrationEvents,
                                        o.parallelism)
                                .maxRate();
                res.maxMeasured = true;
            }
            res.targetRate = o.fraction * res.maxRate;
            String topic = stack.newPhase("soak", o.parallelism);
            JobConfig config =
                    stack.config(
                            "soak",
                            o.parallelism,
                            Map.of(
                                    "events.sessionTimeout", o.retention,
                                    "events.dedupWindow", o.retention,
                                    "events.feedbackGrace", o.retention));
            res.checkpointIntervalMs = config.checkpointInterval().toMillis();
            AtomicLong sentSoFar = new AtomicLong();
            JobClient job = stack.startJob(config, rules);
            ScheduledExecutorService sampler =
                    Executors.newSingleThreadScheduledExecutor(daemon("bench-soak-sampler"));
            try (Laps laps = new Laps(base);
                    GcPauses gc = GcPauses.start()) {
                Thread.sleep(1_000); // let the source readers take their partitions
                long t0 = System.currentTimeMillis();
                long[] previous = {t0, 0};
                sampler.scheduleAtFixedRate(
                        () -> {
                            try {
                                res.samples.add(
                                        sample(config.jobName(), t0, previous, sentSoFar, gc));
                            } catch (RuntimeException e) {
                                log("sample failed: %s", e);
                            }
                        },
                        o.sampleSeconds,
                        o.sampleSeconds,
                        TimeUnit.SECONDS);
                log(
                        "producing at %,.0f events/s (%.0f %% of %,.0f) for %d s to %s",
                        res.targetRate, o.fraction * 100, res.maxRate, o.seconds, topic);
                res.sent =
                        new PacedProducer(stack.producer)
                                .paced(topic, laps, res.targetRate, o.seconds, sentSoFar);
                res.laps = laps.started();
            } finally {
                sampler.shutdown();
                sampler.awaitTermination(1, TimeUnit.MINUTES);
                stack.stopJob(job, config.jobName());
            }
        }
        res.totalMillis = (System.nanoTime() - started) / 1_000_000;
        SoakResult.Sample last = res.last();
        log(
                "%,d events sent at %,.0f events/s in %d laps; %d samples; %d checkpoints, %d failed, %d restarts",
                res.sent.events(),
                res.sent.achievedRate(),
                res.laps,
                res.samples.size(),
                last.completedCheckpoints(),
                last.failedCheckpoints(),
                last.restarts());
        return res;
    }

    /** Lap {@code k} of the base events: ids and sessions of its own, the same users. */
    static StampedEvents lap(List<Event> base, int k) {
        String suffix = "~" + k;
        byte[][] json = new byte[base.size()][];
        for (int i = 0; i < json.length; i++) {
            Event e = base.get(i);
            json[i] =
                    EventJson.toJsonBytes(
                            new Event(
                                    e.eventId + suffix,
                                    e.userId,
                                    e.sessionId == null ? null : e.sessionId + suffix,
                                    e.ts,
                                    e.type,
                                    e.page,
                                    e.target,
                                    e.props));
        }
        return StampedEvents.of(json);
    }

    /** One look at the job's checkpoints and restarts, its intake, and the heap after GC. */
    private static SoakResult.Sample sample(
            String job, long t0, long[] previous, AtomicLong sentSoFar, GcPauses gc) {
        long now = System.currentTimeMillis();
        long sent = sentSoFar.get();
        double rate = (sent - previous[1]) * 1000.0 / Math.max(1, now - previous[0]);
        previous[0] = now;
        previous[1] = sent;
        return new SoakResult.Sample(
                (now - t0) / 1000.0,
                gc.heapAfterLast(),
                gc.heapAfterReclaim(),
                gc.reclaims(),
                JobMetrics.gaugeSum(job, "lastCheckpointFullSize"),
                JobMetrics.gaugeSum(job, "lastCheckpointDuration"),
                JobMetrics.gaugeSum(job, "numberOfCompletedCheckpoints"),
                JobMetrics.gaugeSum(job, "numberOfFailedCheckpoints"),
                JobMetrics.gaugeSum(job, "numRestarts"),
                sent,
                JobMetrics.counter(job, Uids.DETECT, "numRecordsIn"),
                rate);
    }

    /** The laps in order, each built on a thread of its own while the one before is sent. */
    private static final class Laps implements IntFunction<StampedEvents>, AutoCloseable {
        private final List<Event> base;
        private final ExecutorService builder =
                Executors.newSingleThreadExecutor(daemon("bench-soak-laps"));
        private StampedEvents first;
        private Future<StampedEvents> next;
        private int started;

        /** Builds lap 0 at once, so that the producer's clock starts with it ready. */
        Laps(List<Event> base) {
            this.base = base;
            this.first = lap(base, 0);
            this.next = builder.submit(() -> lap(base, 1));
        }

        int started() {
            return started;
        }

        /** Lap {@code k}; the producer asks for 0, 1, 2, ... in order. */
        @Override
        public StampedEvents apply(int k) {
            if (k != started) {
                throw new IllegalStateException("lap " + k + " asked for after " + started);
            }
            started = k + 1;
            if (k == 0) {
                StampedEvents lap = first;
                first = null;
                return lap;
            }
            try {
                StampedEvents lap = next.get();
                next = builder.submit(() -> lap(base, k + 1));
                return lap;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while building lap " + k, e);
            } catch (ExecutionException e) {
                throw new IllegalStateException("could not build lap " + k, e.getCause());
            }
        }

        @Override
        public void close() {
            builder.shutdownNow();
        }
    }

    private static ThreadFactory daemon(String name) {
        return r -> {
            Thread t = new Thread(r, name);
            t.setDaemon(true);
            return t;
        };
    }

    static void log(String format, Object... args) {
        System.out.printf(Locale.ROOT, "[soak] " + format + "%n", args);
        System.out.flush();
    }
}
