package io.guidance.web;

import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Watches the service's two dependencies, Kafka and Redis, from a daemon thread: each is checked
 * every {@code interval}, and each change is logged once (what is down, where, the likely fix; how
 * long an outage lasted). {@code /healthz} shows the states, {@code /readyz} and the request gates
 * act on them. The service keeps running whatever they are: a restart fixes neither Kafka nor
 * Redis.
 */
final class DependencyMonitor implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(DependencyMonitor.class);

    /** What one check found: up or not, and a sentence saying what (and, when down, the fix). */
    record Outcome(boolean up, String detail) {
        static Outcome up(String detail) {
            return new Outcome(true, detail);
        }

        static Outcome down(String detail) {
            return new Outcome(false, detail);
        }
    }

    /** A dependency's state as last checked, and since when it has been up or down. */
    record State(boolean up, Instant since, String detail) {
        Map<String, Object> toJson() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("up", up);
            m.put("since", since.toString());
            m.put("detail", detail);
            return m;
        }
    }

    /** One watched dependency. */
    static final class Watched {
        private final String name;
        private final Supplier<Outcome> check;
        private volatile State state;

        Watched(String name, Supplier<Outcome> check) {
            this.name = name;
            this.check = check;
            this.state = new State(false, Instant.now(), "not checked yet");
        }

        String name() {
            return name;
        }

        State state() {
            return state;
        }

        boolean up() {
            return state.up();
        }

        /** Runs the check, records the outcome and logs a change. */
        void check(boolean first) {
            Outcome o;
            try {
                o = check.get();
            } catch (RuntimeException e) {
                o = Outcome.down(name + " check failed: " + e);
            }
            if (Thread.currentThread().isInterrupted()) {
                return; // the monitor is closing: the outcome says nothing about the dependency
            }
            State before = state;
            Instant now = Instant.now();
            if (o.up() != before.up() || first) {
                state = new State(o.up(), now, o.detail());
                if (first) {
                    if (o.up()) {
                        LOG.info("{} is up: {}", name, o.detail());
                    } else {
                        LOG.warn(
                                "{} is down at start: {}; the service runs and retries every few"
                                        + " seconds",
                                name,
                                o.detail());
                    }
                } else if (o.up()) {
                    LOG.info(
                            "{} is back after {}: {}",
                            name,
                            human(Duration.between(before.since(), now)),
                            o.detail());
                } else {
                    LOG.warn("{} is down: {}", name, o.detail());
                }
            } else if (!o.detail().equals(before.detail())) {
                // still up or still down, for another reason (e.g. the broker is back but the
                // topic is missing): said once, the outage keeps its start
                state = new State(o.up(), before.since(), o.detail());
                if (!o.up()) {
                    LOG.warn("{} is still down: {}", name, o.detail());
                }
            }
        }
    }

    private final Watched kafka;
    private final Watched redis;
    private final Duration interval;
    private final ScheduledExecutorService timer;
    private volatile boolean stopping;

    DependencyMonitor(Supplier<Outcome> kafka, Supplier<Outcome> redis, Duration interval) {
        this.kafka = new Watched("Kafka", kafka);
        this.redis = new Watched("Redis", redis);
        this.interval = interval;
        this.timer =
                Executors.newSingleThreadScheduledExecutor(
                        r -> {
                            Thread t = new Thread(r, "guidance-web-dependencies");
                            t.setDaemon(true);
                            return t;
                        });
    }

    /**
     * Checks both dependencies once now, so the states are known when the service starts listening,
     * then every {@code interval} in the background.
     */
    void start() {
        kafka.check(true);
        redis.check(true);
        timer.scheduleWithFixedDelay(
                () -> {
                    kafka.check(false);
                    redis.check(false);
                },
                interval.toMillis(),
                interval.toMillis(),
                TimeUnit.MILLISECONDS);
    }

    Watched kafka() {
        return kafka;
    }

    Watched redis() {
        return redis;
    }

    /** From now on the service is not ready, whatever its dependencies: it is stopping. */
    void markStopping() {
        stopping = true;
    }

    boolean stopping() {
        return stopping;
    }

    /** Kafka and Redis up and the service not stopping. */
    boolean ready() {
        return !stopping && kafka.up() && redis.up();
    }

    /**
     * The states as {@code /healthz} and {@code /readyz} show them: {@code status}, then {@code
     * kafka} and {@code redis}, each {@code {"up", "since", "detail"}}.
     */
    Map<String, Object> toJson(String status) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("status", status);
        m.put("kafka", kafka.state().toJson());
        m.put("redis", redis.state().toJson());
        return m;
    }

    @Override
    public void close() {
        timer.shutdownNow();
    }

    static String human(Duration d) {
        long s = d.toSeconds();
        if (s < 1) {
            return d.toMillis() + " ms";
        }
        if (s < 120) {
            return s + " s";
        }
        return (s / 60) + " min " + (s % 60) + " s";
    }
}
