package io.guidance.pipeline.redis;

import static io.guidance.pipeline.redis.Triggers.delivered;
import static io.guidance.pipeline.redis.Triggers.expiringAt;
import static io.guidance.pipeline.redis.Triggers.suppressed;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.guidance.redis.RedisSettings;
import io.guidance.trigger.Trigger;
import io.guidance.trigger.TriggerJson;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.flink.api.connector.sink2.SinkWriter;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.RedisClient;

/**
 * The writer against a real redis-server: what front ends find in Redis (SPEC section 5) and how
 * outages behave.
 */
class TriggerRedisSinkWriterTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final SinkWriter.Context NO_CONTEXT =
            new SinkWriter.Context() {
                @Override
                public long currentWatermark() {
                    return Long.MIN_VALUE;
                }

                @Override
                public Long timestamp() {
                    return null;
                }
            };

    private static TestRedis redis;

    private final List<SinkWriter<Trigger>> writers = new ArrayList<>();
    private final ExecutorService background = Executors.newSingleThreadExecutor();
    private RedisClient inspect;

    /** When the test began; triggers fire a little before it so that they are live, not expired. */
    private long now;

    @BeforeAll
    static void startRedis() throws Exception {
        redis = new TestRedis();
        redis.start();
    }

    @AfterAll
    static void stopRedis() {
        redis.close();
    }

    @BeforeEach
    void cleanRedis() throws Exception {
        redis.start(); // a failed outage test may have left it stopped
        inspect = RedisClient.create(redis.host(), redis.port());
        inspect.flushAll();
        now = System.currentTimeMillis();
    }

    @AfterEach
    void closeEverything() throws Exception {
        for (SinkWriter<Trigger> w : writers) {
            w.close();
        }
        background.shutdownNow();
        assertThat(background.awaitTermination(10, TimeUnit.SECONDS))
                .as("background writer ended")
                .isTrue();
        inspect.close();
    }

    @Test
    void writesDeliveredTriggerAsJsonThatExpiresAtItsExpiresAt() throws Exception {
        Trigger stall = delivered("checkout-stall", "u1", now - 5_000);
        var metrics = new TestWriterInitContext();
        SinkWriter<Trigger> writer = open(settings(), metrics);

        writer.write(stall, NO_CONTEXT);
        writer.flush(false);
        long after = System.currentTimeMillis();

        String value = inspect.get("guidance:user:u1");
        assertThat(value).isEqualTo(TriggerJson.toJson(stall));
        JsonNode json = JSON.readTree(value);
        assertThat(json.get("triggerId").asText())
                .isEqualTo("checkout-stall|u1|session-u1|" + (now - 5_000));
        assertThat(json.get("ts").asLong()).isEqualTo(now - 5_000);
        assertThat(json.get("expiresAt").asLong()).isEqualTo(now - 5_000 + 600_000);
        assertThat(json.get("status").asText()).isEqualTo("delivered");
        assertThat(json.get("reason").get("within").isNumber()).isTrue();

        assertThat(inspect.pexpireTime("guidance:user:u1")).isEqualTo(stall.expiresAt);
        assertThat(inspect.pttl("guidance:user:u1"))
                .isBetween(stall.expiresAt - after - 1_000, stall.expiresAt - now);
        String marker = "guidance:written:" + stall.triggerId;
        assertThat(inspect.exists(marker)).isTrue();
        assertThat(inspect.pexpireTime(marker)).isGreaterThanOrEqualTo(stall.expiresAt);

        assertThat(metrics.metrics.count("redisWritten")).isEqualTo(1);
        assertThat(metrics.metrics.count("redisDuplicates")).isZero();
        assertThat(metrics.metrics.gaugeValue("redisPendingTriggers")).isEqualTo(0);
    }

    @Test
    void usesTheConfiguredKeyPrefix() throws Exception {
        SinkWriter<Trigger> writer =
                open(
                        settings().toBuilder().keyPrefix("shop1").build(),
                        new TestWriterInitContext());

        writer.write(delivered("checkout-stall", "u1", now), NO_CONTEXT);
        writer.flush(false);

        assertThat(inspect.exists("shop1:user:u1")).isTrue();
        assertThat(inspect.exists("guidance:user:u1")).isFalse();
    }

    @Test
    void neverWritesATriggerIdTwiceEvenAfterItWasAcknowledgedOrTheJobRestarted() throws Exception {
        Trigger stall = delivered("checkout-stall", "u1", now - 5_000);
        var first = new TestWriterInitContext();
        SinkWriter<Trigger> writer = open(settings(), first);
        writer.write(stall, NO_CONTEXT);
        writer.flush(false);
        inspect.del(
                "guidance:user:u1"); // what a front end's acknowledgement does after showing the
        // guide

        writer.write(stall, NO_CONTEXT);
        writer.flush(false);
        assertThat(inspect.exists("guidance:user:u1")).isFalse();
        assertThat(first.metrics.count("redisWritten")).isEqualTo(1);
        assertThat(first.metrics.count("redisDuplicates")).isEqualTo(1);

        var afterRestart = new TestWriterInitContext();
        SinkWriter<Trigger> replaying = open(settings(), afterRestart);
        replaying.write(stall, NO_CONTEXT);
        replaying.flush(true);
        assertThat(inspect.exists("guidance:user:u1")).isFalse();
        assertThat(afterRestart.metrics.count("redisWritten")).isZero();
        assertThat(afterRestart.metrics.count("redisDuplicates")).isEqualTo(1);
    }

    @Test
    void dropsAndCountsAnExpiredTrigger() throws Exception {
        var context = new TestWriterInitContext();
        SinkWriter<Trigger> writer = open(settings(), context);

        writer.write(
                expiringAt(delivered("checkout-stall", "u1", now - 700_000), now - 100_000),
                NO_CONTEXT);
        writer.flush(false);

        assertThat(inspect.dbSize()).isZero();
        assertThat(context.metrics.count("redisExpiredDropped")).isEqualTo(1);
        assertThat(context.metrics.count("redisWritten")).isZero();
    }

    @Test
    void keepsTheNewerTriggerWhenAnOlderOneArrivesLater() throws Exception {
        Trigger older = delivered("checkout-stall", "u1", now - 60_000);
        Trigger newer = delivered("plan-loop", "u1", now - 1_000);
        var context = new TestWriterInitContext();
        SinkWriter<Trigger> writer = open(settings(), context);

        writer.write(newer, NO_CONTEXT);
        writer.flush(false);
        writer.write(older, NO_CONTEXT);
        writer.flush(false);

        assertThat(inspect.get("guidance:user:u1")).isEqualTo(TriggerJson.toJson(newer));
        assertThat(inspect.pexpireTime("guidance:user:u1")).isEqualTo(newer.expiresAt);
        assertThat(context.metrics.count("redisOlderSkipped")).isEqualTo(1);

        // The older one is marked too: once the newer one is acknowledged, a replay must not
        // surface it.
        assertThat(inspect.exists("guidance:written:" + older.triggerId)).isTrue();
        inspect.del("guidance:user:u1");
        writer.write(older, NO_CONTEXT);
        writer.flush(false);
        assertThat(inspect.exists("guidance:user:u1")).isFalse();
        assertThat(context.metrics.count("redisDuplicates")).isEqualTo(1);
    }

    @Test
    void aNewerTriggerReplacesTheUsersCurrentOne() throws Exception {
        Trigger older = delivered("checkout-stall", "u1", now - 60_000);
        Trigger newer = delivered("plan-loop", "u1", now - 1_000);
        SinkWriter<Trigger> writer = open(settings(), new TestWriterInitContext());

        writer.write(older, NO_CONTEXT);
        writer.flush(false);
        writer.write(newer, NO_CONTEXT);
        writer.flush(false);

        assertThat(inspect.get("guidance:user:u1")).isEqualTo(TriggerJson.toJson(newer));
        assertThat(inspect.pexpireTime("guidance:user:u1")).isEqualTo(newer.expiresAt);
    }

    @Test
    void ignoresSuppressedTriggers() throws Exception {
        var context = new TestWriterInitContext();
        SinkWriter<Trigger> writer = open(settings(), context);

        writer.write(suppressed("checkout-stall", "u1", now, "min_gap"), NO_CONTEXT);
        writer.flush(false);

        assertThat(inspect.dbSize()).isZero();
        assertThat(context.metrics.count("redisNotDeliveredIgnored")).isEqualTo(1);
        assertThat(context.metrics.count("redisWritten")).isZero();
    }

    @Test
    void writesWhenTheBufferReachesTheBatchSizeAndOnFlush() throws Exception {
        var context = new TestWriterInitContext();
        SinkWriter<Trigger> writer = open(settings().toBuilder().batchSize(3).build(), context);

        writer.write(delivered("checkout-stall", "u1", now), NO_CONTEXT);
        writer.write(delivered("checkout-stall", "u2", now), NO_CONTEXT);
        assertThat(inspect.dbSize()).isZero();
        assertThat(context.metrics.gaugeValue("redisPendingTriggers")).isEqualTo(2);

        writer.write(delivered("checkout-stall", "u3", now), NO_CONTEXT);
        assertThat(userKeys())
                .containsExactlyInAnyOrder(
                        "guidance:user:u1", "guidance:user:u2", "guidance:user:u3");

        writer.write(delivered("checkout-stall", "u4", now), NO_CONTEXT);
        assertThat(inspect.exists("guidance:user:u4")).isFalse();
        writer.flush(false);
        assertThat(inspect.exists("guidance:user:u4")).isTrue();
        assertThat(context.metrics.count("redisWritten")).isEqualTo(4);
    }

    @Test
    void aTriggerBelowTheBatchSizeIsWrittenByTheTimerWithoutWaitingForACheckpoint()
            throws Exception {
        var context = new TestWriterInitContext();
        SinkWriter<Trigger> writer = open(settings().toBuilder().batchSize(10).build(), context);
        writer.write(delivered("checkout-stall", "u1", now), NO_CONTEXT);
        writer.write(delivered("checkout-stall", "u2", now), NO_CONTEXT);

        assertThat(userKeys()).as("nothing written before the timer").isEmpty();
        assertThat(context.timers.scheduled()).as("one timer serves both").isEqualTo(1);

        context.timers.fireAll();

        assertThat(userKeys()).containsExactlyInAnyOrder("guidance:user:u1", "guidance:user:u2");
        assertThat(context.metrics.count("redisWritten")).isEqualTo(2);
        assertThat(context.timers.scheduled()).as("an empty buffer needs no timer").isZero();
    }

    @Test
    void flushRetriesWhileRedisIsDownAndThenWritesEveryUnexpiredTriggerExactlyOnce()
            throws Exception {
        var context = new TestWriterInitContext();
        SinkWriter<Trigger> writer = open(settings().toBuilder().batchSize(10).build(), context);
        List<Trigger> live = new ArrayList<>();
        for (int i = 0; i < 25; i++) {
            live.add(delivered("checkout-stall", "user-" + i, now - i));
        }
        Trigger shortLived = expiringAt(delivered("rage-click", "user-short", now), now + 1_000);

        redis.stop();
        Future<?> flushed =
                background.submit(
                        () -> {
                            for (Trigger t : live) {
                                writer.write(t, NO_CONTEXT);
                            }
                            writer.write(live.get(3), NO_CONTEXT); // replayed after a restart
                            writer.write(shortLived, NO_CONTEXT);
                            writer.flush(false);
                            return null;
                        });

        await("retries while Redis is down", () -> context.metrics.count("redisRetries") >= 2);
        await(
                "the short-lived trigger leaves the buffer once expired",
                () ->
                        Integer.valueOf(26)
                                .equals(context.metrics.gaugeValue("redisPendingTriggers")));
        assertThat(flushed).as("flush waits for Redis").isNotDone();
        assertThat(context.metrics.count("redisWriteErrors")).isPositive();

        redis.restart();
        flushed.get(15, TimeUnit.SECONDS);

        try (RedisClient after = RedisClient.create(redis.host(), redis.port())) {
            for (Trigger t : live) {
                assertThat(after.get("guidance:user:" + t.userId)).isEqualTo(TriggerJson.toJson(t));
                assertThat(after.pexpireTime("guidance:user:" + t.userId)).isEqualTo(t.expiresAt);
            }
            assertThat(after.exists("guidance:user:user-short")).isFalse();
            // Exactly once: two SETs (value and marker) per trigger, none for the replay or the
            // expired one.
            assertThat(commandCalls(after, "set")).isEqualTo(2L * live.size());
        }
        assertThat(context.metrics.count("redisWritten")).isEqualTo(25);
        assertThat(context.metrics.count("redisDuplicates")).isEqualTo(1);
        assertThat(context.metrics.count("redisExpiredDropped")).isEqualTo(1);
        assertThat(context.metrics.gaugeValue("redisPendingTriggers")).isEqualTo(0);
    }

    @Test
    void writeBlocksOnceMoreThanMaxPendingTriggersWaitForRedis() throws Exception {
        var context = new TestWriterInitContext();
        SinkWriter<Trigger> writer =
                open(settings().toBuilder().batchSize(2).maxPending(5).build(), context);
        AtomicInteger accepted = new AtomicInteger();

        redis.stop();
        Future<?> producer =
                background.submit(
                        () -> {
                            for (int i = 0; i < 10; i++) {
                                writer.write(
                                        delivered("checkout-stall", "user-" + i, now), NO_CONTEXT);
                                accepted.incrementAndGet();
                            }
                            writer.flush(true);
                            return null;
                        });

        await("retries while Redis is down", () -> context.metrics.count("redisRetries") >= 2);
        assertThat(accepted).as("writes accepted before back-pressure").hasValue(5);
        assertThat(context.metrics.gaugeValue("redisPendingTriggers")).isEqualTo(6);
        assertThat(producer).isNotDone();

        redis.restart();
        producer.get(15, TimeUnit.SECONDS);

        assertThat(accepted).hasValue(10);
        assertThat(context.metrics.count("redisWritten")).isEqualTo(10);
        assertThat(context.metrics.count("redisExpiredDropped")).isZero();
        try (RedisClient after = RedisClient.create(redis.host(), redis.port())) {
            for (int i = 0; i < 10; i++) {
                assertThat(after.exists("guidance:user:user-" + i)).as("user-" + i).isTrue();
            }
        }
    }

    @Test
    void closeReturnsPromptlyWhileAFlushWaitsForRedis() throws Exception {
        var context = new TestWriterInitContext();
        // Long waits between attempts: close must not sit them out.
        SinkWriter<Trigger> writer =
                open(
                        settings().toBuilder()
                                .retryBackoff(Duration.ofSeconds(20), Duration.ofSeconds(60))
                                .build(),
                        context);

        redis.stop();
        Future<?> flushed =
                background.submit(
                        () -> {
                            writer.write(delivered("checkout-stall", "u1", now), NO_CONTEXT);
                            writer.flush(false);
                            return null;
                        });
        await("a failed attempt", () -> context.metrics.count("redisWriteErrors") >= 1);

        assertTimeoutPreemptively(Duration.ofSeconds(5), writer::close);
        assertThatThrownBy(() -> flushed.get(5, TimeUnit.SECONDS))
                .isInstanceOf(ExecutionException.class)
                .hasCauseInstanceOf(IOException.class);
    }

    @Test
    void closeReturnsPromptlyWhenRedisWasNeverReachable() throws Exception {
        redis.stop();
        var context = new TestWriterInitContext();
        SinkWriter<Trigger> writer = open(settings(), context);
        writer.write(delivered("checkout-stall", "u1", now), NO_CONTEXT);

        assertTimeoutPreemptively(Duration.ofSeconds(5), writer::close);
        assertThat(context.metrics.count("redisWriteErrors")).isEqualTo(1);
    }

    private RedisSettings settings() {
        return RedisSettings.builder()
                .host(redis.host())
                .port(redis.port())
                .timeout(Duration.ofSeconds(1))
                .retryBackoff(Duration.ofMillis(50), Duration.ofMillis(400))
                .build();
    }

    private SinkWriter<Trigger> open(RedisSettings settings, TestWriterInitContext context)
            throws IOException {
        SinkWriter<Trigger> writer = new TriggerRedisSink(settings).createWriter(context);
        writers.add(writer);
        return writer;
    }

    private List<String> userKeys() {
        return new ArrayList<>(inspect.keys("guidance:user:*"));
    }

    private static long commandCalls(RedisClient client, String command) {
        Matcher m =
                Pattern.compile("cmdstat_" + command + ":calls=(\\d+)")
                        .matcher(client.info("commandstats"));
        return m.find() ? Long.parseLong(m.group(1)) : 0;
    }

    private static void await(String what, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!condition.getAsBoolean()) {
            assertThat(System.nanoTime()).as("waiting for " + what).isLessThan(deadline);
            Thread.sleep(20);
        }
    }
}
