package io.guidance.pipeline.redis;

import static io.guidance.pipeline.redis.Triggers.delivered;
import static org.assertj.core.api.Assertions.assertThat;

import io.guidance.local.LocalRedis;
import io.guidance.redis.RedisSettings;
import io.guidance.redis.TriggerInbox;
import io.guidance.redis.TriggerInbox.Ack;
import io.guidance.redis.TriggerWriteScript;
import io.guidance.trigger.Trigger;
import io.guidance.trigger.TriggerJson;
import org.apache.flink.api.connector.sink2.SinkWriter;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.RedisClient;

/**
 * The front end's side of SPEC section 5 against a real redis-server: read the pending trigger,
 * acknowledge it, and an acknowledged trigger id is never written again, whoever writes it and
 * whether or not the user key still exists.
 */
class TriggerInboxTest {
    /** SPEC section 5 / the write script: the marker outlives the trigger by a minute. */
    private static final long MARKER_GRACE = 60_000L;

    private static final long ONE_DAY = 86_400_000L;
    private static final RedisSettings SETTINGS_TEMPLATE = RedisSettings.builder().build();

    private static LocalRedis redis;

    private RedisSettings settings;
    private RedisClient client;
    private TriggerInbox inbox;

    /** Triggers fire a little before this, so that they are live for ten more minutes. */
    private long now;

    @BeforeAll
    static void startRedis() throws Exception {
        redis = LocalRedis.start();
    }

    @AfterAll
    static void stopRedis() {
        if (redis != null) {
            redis.close();
        }
    }

    @BeforeEach
    void connect() {
        settings = SETTINGS_TEMPLATE.toBuilder().host(redis.host()).port(redis.port()).build();
        client = RedisClient.create(redis.host(), redis.port());
        client.flushAll();
        inbox = new TriggerInbox(settings);
        now = System.currentTimeMillis();
    }

    @AfterEach
    void disconnect() {
        inbox.close();
        client.close();
    }

    @Test
    void pendingReturnsTheWrittenTrigger() {
        Trigger stall = delivered("checkout-stall", "u1", now - 5_000);
        assertThat(write(stall)).isEqualTo(TriggerWriteScript.WRITTEN);

        assertThat(inbox.pending("u1")).contains(stall);
        assertThat(inbox.pending("u2")).isEmpty();
    }

    @Test
    void acknowledgingThePendingTriggerRemovesIt() {
        Trigger stall = delivered("checkout-stall", "u1", now - 5_000);
        write(stall);

        assertThat(inbox.acknowledge("u1", stall.triggerId)).isEqualTo(Ack.REMOVED);

        assertThat(client.exists("guidance:user:u1")).isFalse();
        assertThat(inbox.pending("u1")).isEmpty();
        assertThat(client.get("guidance:written:" + stall.triggerId)).isEqualTo("acked");
    }

    @Test
    void acknowledgingAgainIsHarmless() {
        Trigger stall = delivered("checkout-stall", "u1", now - 5_000);
        write(stall);
        inbox.acknowledge("u1", stall.triggerId);

        assertThat(inbox.acknowledge("u1", stall.triggerId)).isEqualTo(Ack.MARKED);

        String marker = "guidance:written:" + stall.triggerId;
        assertThat(client.get(marker)).isEqualTo("acked");
        assertThat(client.pexpireTime(marker)).isEqualTo(stall.expiresAt + MARKER_GRACE);
        assertThat(client.exists("guidance:user:u1")).isFalse();
    }

    @Test
    void theWriteScriptRefusesAnAcknowledgedTriggerOnceTheUserKeyIsGone() {
        Trigger stall = delivered("checkout-stall", "u1", now - 5_000);
        write(stall);
        inbox.acknowledge("u1", stall.triggerId);
        assertThat(client.exists("guidance:user:u1")).isFalse();

        assertThat(write(stall)).isEqualTo(TriggerWriteScript.DUPLICATE);
        assertThat(client.exists("guidance:user:u1")).isFalse();
    }

    @Test
    void theSinkWriterDoesNotRewriteAnAcknowledgedTrigger() throws Exception {
        Trigger stall = delivered("checkout-stall", "u1", now - 5_000);
        TestWriterInitContext first = new TestWriterInitContext();
        try (SinkWriter<Trigger> writer = new TriggerRedisSink(settings).createWriter(first)) {
            writer.write(stall, null);
            writer.flush(false);
        }
        assertThat(first.metrics.count("redisWritten")).isEqualTo(1);
        assertThat(inbox.acknowledge("u1", stall.triggerId)).isEqualTo(Ack.REMOVED);

        // a new writer, as after a restart that replays the trigger
        TestWriterInitContext second = new TestWriterInitContext();
        try (SinkWriter<Trigger> writer = new TriggerRedisSink(settings).createWriter(second)) {
            writer.write(stall, null);
            writer.flush(false);
        }

        assertThat(second.metrics.count("redisWritten")).isZero();
        assertThat(second.metrics.count("redisDuplicates")).isEqualTo(1);
        assertThat(client.exists("guidance:user:u1")).isFalse();
    }

    @Test
    void aTriggerAcknowledgedBeforeItWasWrittenIsNeverWritten() {
        Trigger stall = delivered("checkout-stall", "u1", now - 5_000);

        assertThat(inbox.acknowledge("u1", stall.triggerId)).isEqualTo(Ack.MARKED);

        assertThat(write(stall)).isEqualTo(TriggerWriteScript.DUPLICATE);
        assertThat(client.exists("guidance:user:u1")).isFalse();
    }

    @Test
    void acknowledgingAnotherTriggerLeavesTheCurrentOneAlone() {
        Trigger older = delivered("checkout-stall", "u1", now - 9_000);
        Trigger current = delivered("plan-loop", "u1", now - 5_000);
        write(older);
        write(current);
        String currentJson = client.get("guidance:user:u1");
        assertThat(currentJson).isEqualTo(TriggerJson.toJson(current));

        assertThat(inbox.acknowledge("u1", older.triggerId)).isEqualTo(Ack.MARKED);

        assertThat(client.get("guidance:user:u1")).isEqualTo(currentJson);
        assertThat(client.pexpireTime("guidance:user:u1")).isEqualTo(current.expiresAt);
        assertThat(inbox.pending("u1")).contains(current);
        // the current one can still be acknowledged in its turn
        assertThat(inbox.acknowledge("u1", current.triggerId)).isEqualTo(Ack.REMOVED);
        assertThat(client.exists("guidance:user:u1")).isFalse();
    }

    @Test
    void acknowledgingAnotherUsersTriggerIdLeavesThisUsersTriggerAlone() {
        Trigger alice = delivered("checkout-stall", "alice", now - 5_000);
        write(alice);

        assertThat(inbox.acknowledge("bob", alice.triggerId)).isEqualTo(Ack.MARKED);

        assertThat(inbox.pending("alice")).contains(alice);
    }

    @Test
    void theMarkerOfAPresentTriggerExpiresAMinuteAfterTheTrigger() {
        Trigger stall = delivered("checkout-stall", "u1", now - 5_000);
        write(stall);

        inbox.acknowledge("u1", stall.triggerId);

        assertThat(client.pexpireTime("guidance:written:" + stall.triggerId))
                .isEqualTo(stall.expiresAt + MARKER_GRACE);
    }

    @Test
    void theMarkerOfAPresentTriggerWithoutAWrittenMarkerAlsoExpiresAMinuteAfterIt() {
        // a trigger in the user key whose own marker is gone: the expiry comes from the trigger's
        // JSON
        Trigger stall = delivered("checkout-stall", "u1", now - 5_000);
        write(stall);
        client.del("guidance:written:" + stall.triggerId);

        assertThat(inbox.acknowledge("u1", stall.triggerId)).isEqualTo(Ack.REMOVED);

        assertThat(client.pexpireTime("guidance:written:" + stall.triggerId))
                .isEqualTo(stall.expiresAt + MARKER_GRACE);
    }

    @Test
    void theMarkerOfAnUnknownTriggerLastsADay() {
        long before = System.currentTimeMillis();
        inbox.acknowledge("u1", "checkout-stall|u1|s1|" + now);
        long after = System.currentTimeMillis();

        // Redis and this JVM read the same clock; allow a little for the round trip and clock reads
        assertThat(client.pexpireTime("guidance:written:checkout-stall|u1|s1|" + now))
                .isBetween(before + ONE_DAY - 1_000, after + ONE_DAY + 1_000);
    }

    /** Runs the job's write script for one trigger, as the sink does, and returns its verdict. */
    private long write(Trigger t) {
        Object verdict =
                client.eval(
                        TriggerWriteScript.SOURCE,
                        TriggerWriteScript.keys(settings, t),
                        TriggerWriteScript.args(t));
        return (Long) verdict;
    }
}
