package io.guidance.pipeline.redis;

import static io.guidance.pipeline.redis.Triggers.delivered;
import static io.guidance.pipeline.redis.Triggers.expiringAt;
import static org.assertj.core.api.Assertions.assertThat;

import io.guidance.redis.RedisSettings;
import io.guidance.redis.TriggerWriteScript;
import io.guidance.trigger.Trigger;
import io.guidance.trigger.TriggerJson;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.RedisClient;

/**
 * The write script's contract, called directly: verdict codes 1 written, 2 duplicate, 3 expired, 4
 * older.
 */
class TriggerRedisWriteScriptTest {
    private static final RedisSettings DEFAULTS = RedisSettings.builder().build();

    private static TestRedis redis;
    private RedisClient client;
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
    void connect() {
        client = RedisClient.create(redis.host(), redis.port());
        client.flushAll();
        now = System.currentTimeMillis();
    }

    @AfterEach
    void disconnect() {
        client.close();
    }

    @Test
    void writesOnceThenReportsDuplicates() {
        Trigger t = delivered("checkout-stall", "u1", now);

        assertThat(run(t)).isEqualTo(1L);
        assertThat(run(t)).isEqualTo(2L);
        client.del("guidance:user:u1");
        assertThat(run(t)).isEqualTo(2L);
        assertThat(client.exists("guidance:user:u1")).isFalse();
    }

    @Test
    void refusesATriggerThatExpiredByRedisClock() {
        Trigger t = expiringAt(delivered("checkout-stall", "u1", now - 700_000), now - 1);

        assertThat(run(t)).isEqualTo(3L);
        assertThat(client.dbSize()).isZero();
    }

    @Test
    void keepsANewerTriggerButMarksTheOlderOne() {
        Trigger newer = delivered("plan-loop", "u1", now);
        Trigger older = delivered("checkout-stall", "u1", now - 1);

        assertThat(run(newer)).isEqualTo(1L);
        assertThat(run(older)).isEqualTo(4L);
        assertThat(client.get("guidance:user:u1")).isEqualTo(TriggerJson.toJson(newer));
        assertThat(client.exists("guidance:written:" + older.triggerId)).isTrue();
    }

    @Test
    void anEqualTsOverwrites() {
        Trigger first = delivered("plan-loop", "u1", now);
        Trigger second = delivered("checkout-stall", "u1", now);

        assertThat(run(first)).isEqualTo(1L);
        assertThat(run(second)).isEqualTo(1L);
        assertThat(client.get("guidance:user:u1")).isEqualTo(TriggerJson.toJson(second));
    }

    @Test
    void replacesAValueThatIsNotATrigger() {
        client.hset("guidance:user:u1", "some", "hash");
        Trigger t = delivered("checkout-stall", "u1", now);

        assertThat(run(t)).isEqualTo(1L);
        assertThat(client.get("guidance:user:u1")).isEqualTo(TriggerJson.toJson(t));
    }

    @Test
    void anAcknowledgementMarkerBlocksTheWrite() {
        Trigger t = delivered("checkout-stall", "u1", now);
        client.set("guidance:written:" + t.triggerId, "acked");

        assertThat(run(t)).isEqualTo(2L);
        assertThat(client.exists("guidance:user:u1")).isFalse();
    }

    @Test
    void theMarkerOutlivesTheValue() {
        Trigger t = delivered("checkout-stall", "u1", now);

        run(t);

        assertThat(client.pexpireTime("guidance:user:u1")).isEqualTo(t.expiresAt);
        assertThat(client.pexpireTime("guidance:written:" + t.triggerId))
                .isEqualTo(t.expiresAt + 60_000);
    }

    @Test
    void redisNamesTheScriptByTheDigestTheWriterSends() {
        assertThat(client.scriptLoad(TriggerWriteScript.SOURCE)).isEqualTo(TriggerWriteScript.SHA1);
    }

    private Object run(Trigger t) {
        List<String> keys = TriggerWriteScript.keys(DEFAULTS, t);
        assertThat(keys)
                .containsExactly("guidance:user:" + t.userId, "guidance:written:" + t.triggerId);
        return client.eval(TriggerWriteScript.SOURCE, keys, TriggerWriteScript.args(t));
    }
}
