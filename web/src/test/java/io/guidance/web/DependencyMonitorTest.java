package io.guidance.web;

import static org.assertj.core.api.Assertions.assertThat;

import io.guidance.web.DependencyMonitor.Outcome;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * Readiness follows both dependencies and the stop; an outage keeps the instant it began while its
 * reason changes, and ends with a new instant.
 */
class DependencyMonitorTest {
    private final AtomicReference<Outcome> kafka =
            new AtomicReference<>(Outcome.up("topic t, 2 partitions"));
    private final AtomicReference<Outcome> redis = new AtomicReference<>(Outcome.up("PING"));

    /** Checks run only when the test says so: the background interval is an hour. */
    private DependencyMonitor monitor() {
        return new DependencyMonitor(kafka::get, redis::get, Duration.ofHours(1));
    }

    @Test
    void notReadyBeforeTheFirstCheckThenReadyWhenBothAreUp() {
        try (DependencyMonitor m = monitor()) {
            assertThat(m.ready()).isFalse();
            assertThat(m.kafka().state().detail()).isEqualTo("not checked yet");

            m.start();

            assertThat(m.ready()).isTrue();
            assertThat(m.kafka().state().detail()).isEqualTo("topic t, 2 partitions");
        }
    }

    @Test
    void eitherDependencyDownOrTheStopMakesItNotReady() {
        try (DependencyMonitor m = monitor()) {
            m.start();
            redis.set(Outcome.down("Redis at h:1 cannot be reached"));
            m.redis().check(false);
            assertThat(m.ready()).isFalse();
            assertThat(m.kafka().up()).isTrue();

            redis.set(Outcome.up("PING"));
            m.redis().check(false);
            assertThat(m.ready()).isTrue();

            kafka.set(Outcome.down("Kafka at h:2 cannot be reached"));
            m.kafka().check(false);
            assertThat(m.ready()).isFalse();

            kafka.set(Outcome.up("topic t, 2 partitions"));
            m.kafka().check(false);
            m.markStopping();
            assertThat(m.kafka().up()).isTrue();
            assertThat(m.redis().up()).isTrue();
            assertThat(m.ready()).isFalse();
        }
    }

    @Test
    void anOutageKeepsItsStartWhileItsReasonChangesAndEndsWithANewInstant() throws Exception {
        try (DependencyMonitor m = monitor()) {
            kafka.set(Outcome.down("Kafka at h:2 cannot be reached"));
            m.start();
            DependencyMonitor.State down = m.kafka().state();

            kafka.set(Outcome.down("topic t does not exist at h:2"));
            awaitClockTick(down);
            m.kafka().check(false);
            DependencyMonitor.State missingTopic = m.kafka().state();

            kafka.set(Outcome.up("topic t, 2 partitions"));
            m.kafka().check(false);
            DependencyMonitor.State back = m.kafka().state();

            assertThat(missingTopic.up()).isFalse();
            assertThat(missingTopic.detail()).isEqualTo("topic t does not exist at h:2");
            assertThat(missingTopic.since()).isEqualTo(down.since());
            assertThat(back.up()).isTrue();
            assertThat(back.since()).isAfter(down.since());
        }
    }

    @Test
    void aCheckThatThrowsCountsAsDown() {
        try (DependencyMonitor m =
                new DependencyMonitor(
                        () -> {
                            throw new IllegalStateException("boom");
                        },
                        redis::get,
                        Duration.ofHours(1))) {
            m.start();
            assertThat(m.kafka().up()).isFalse();
            assertThat(m.kafka().state().detail()).contains("boom");
            assertThat(m.ready()).isFalse();
        }
    }

    @Test
    void theJsonNamesEachDependencysState() {
        try (DependencyMonitor m = monitor()) {
            redis.set(Outcome.down("Redis at h:1 cannot be reached"));
            m.start();

            Map<String, Object> json = m.toJson("ok");

            assertThat(json).containsOnlyKeys("status", "kafka", "redis");
            assertThat(json.get("status")).isEqualTo("ok");
            @SuppressWarnings("unchecked")
            Map<String, Object> r = (Map<String, Object>) json.get("redis");
            assertThat(r).containsOnlyKeys("up", "since", "detail");
            assertThat(r.get("up")).isEqualTo(false);
            assertThat(r.get("detail")).isEqualTo("Redis at h:1 cannot be reached");
            assertThat(r.get("since")).isEqualTo(m.redis().state().since().toString());
        }
    }

    /** Waits until the clock has moved past {@code state}'s instant, so a later one differs. */
    private static void awaitClockTick(DependencyMonitor.State state) throws InterruptedException {
        while (!java.time.Instant.now().isAfter(state.since())) {
            Thread.sleep(1);
        }
    }
}
