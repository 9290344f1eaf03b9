package io.guidance.pipeline.redis;

import static io.guidance.pipeline.redis.Triggers.delivered;
import static io.guidance.pipeline.redis.Triggers.suppressed;
import static org.assertj.core.api.Assertions.assertThat;

import io.guidance.redis.RedisSettings;
import io.guidance.trigger.Trigger;
import io.guidance.trigger.TriggerJson;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import redis.clients.jedis.RedisClient;

/**
 * The sink inside a bounded Flink job with parallel writers: it serializes, opens its writers and
 * flushes at the end.
 */
class TriggerRedisSinkJobTest {
    @RegisterExtension
    static final MiniClusterExtension FLINK =
            new MiniClusterExtension(
                    new MiniClusterResourceConfiguration.Builder()
                            .setNumberTaskManagers(1)
                            .setNumberSlotsPerTaskManager(2)
                            .build());

    private static TestRedis redis;

    @BeforeAll
    static void startRedis() throws Exception {
        redis = new TestRedis();
        redis.start();
    }

    @AfterAll
    static void stopRedis() {
        redis.close();
    }

    @Test
    void writesEveryDeliveredTriggerAndNothingElse() throws Exception {
        long now = System.currentTimeMillis();
        List<Trigger> delivered = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            delivered.add(delivered("checkout-stall", "user-" + i, now - i));
        }
        List<Trigger> input = new ArrayList<>(delivered);
        input.add(suppressed("checkout-stall", "user-suppressed", now, "cooldown"));
        input.add(delivered.get(7)); // the same trigger again, as after a restart

        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        env.setParallelism(2);
        env.fromData(input)
                .sinkTo(
                        new TriggerRedisSink(
                                RedisSettings.builder()
                                        .host(redis.host())
                                        .port(redis.port())
                                        .batchSize(4)
                                        .build()))
                .name("redis-triggers")
                .uid("redis-triggers");
        env.execute("trigger sink test");

        try (RedisClient client = RedisClient.create(redis.host(), redis.port())) {
            for (Trigger t : delivered) {
                assertThat(client.get("guidance:user:" + t.userId))
                        .isEqualTo(TriggerJson.toJson(t));
                assertThat(client.exists("guidance:written:" + t.triggerId)).isTrue();
            }
            assertThat(client.exists("guidance:user:user-suppressed")).isFalse();
            assertThat(client.dbSize()).isEqualTo(2L * delivered.size());
        }
    }
}
