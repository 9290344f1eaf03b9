package io.guidance.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.Socket;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.RedisClient;

/**
 * One stack: both servers answer, the topics exist as a job needs them, the settings point at them.
 */
class LocalStackTest {

    @Test
    void startsBothServersCreatesTheTopicsAndHandsBackTheirSettings() throws Exception {
        LocalStack.Topics topics = LocalStack.Topics.named("t");
        LocalStack.Topics second = LocalStack.Topics.named("u").withRules(topics.rules());
        LocalRedis redis;
        try (LocalStack stack = LocalStack.start(topics, 3)) {
            redis = stack.redis();
            // a second job sharing the rules topic: the shared topic is not created twice
            stack.createTopics(second, 1);

            Map<String, String> settings = stack.settings(second);
            assertThat(settings)
                    .containsEntry("kafka.bootstrap", stack.kafka().bootstrapServers())
                    .containsEntry("kafka.topic", "u-events")
                    .containsEntry("kafka.deadLetterTopic", "u-dead-letters")
                    .containsEntry("kafka.auditTopic", "u-audit")
                    .containsEntry("kafka.rulesTopic", "t-rules")
                    .containsEntry("kafka.startingOffsets", "earliest")
                    .containsEntry("redis.host", redis.host())
                    .containsEntry("redis.port", Integer.toString(redis.port()));
            settings.put("job.name", "mine");
            assertThat(stack.settings(second)).doesNotContainKey("job.name");

            try (Admin admin =
                    Admin.create(
                            Map.of(
                                    AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG,
                                    settings.get("kafka.bootstrap")))) {
                assertThat(admin.listTopics().names().get(30, TimeUnit.SECONDS))
                        .containsAll(
                                Set.of(
                                        "t-events",
                                        "t-dead-letters",
                                        "t-audit",
                                        "t-rules",
                                        "u-events",
                                        "u-dead-letters",
                                        "u-audit"))
                        .doesNotContain("u-rules");
                Map<String, TopicDescription> described =
                        admin.describeTopics(
                                        List.of("t-events", "t-dead-letters", "t-audit", "t-rules"))
                                .allTopicNames()
                                .get(30, TimeUnit.SECONDS);
                assertThat(described.get("t-events").partitions()).hasSize(3);
                assertThat(described.get("t-audit").partitions()).hasSize(3);
                assertThat(described.get("t-dead-letters").partitions()).hasSize(1);
                assertThat(described.get("t-rules").partitions()).hasSize(1);
                ConfigResource rules = new ConfigResource(ConfigResource.Type.TOPIC, "t-rules");
                assertThat(
                                admin.describeConfigs(List.of(rules))
                                        .all()
                                        .get(30, TimeUnit.SECONDS)
                                        .get(rules)
                                        .get(TopicConfig.CLEANUP_POLICY_CONFIG)
                                        .value())
                        .isEqualTo(TopicConfig.CLEANUP_POLICY_COMPACT);
            }

            try (RedisClient client =
                    RedisClient.create(settings.get("redis.host"), redis.port())) {
                assertThat(client.ping()).isEqualTo("PONG");
            }
        }
        // closed: nothing listens on Redis's port any more
        String host = redis.host();
        int port = redis.port();
        assertThatThrownBy(() -> new Socket(host, port).close()).isInstanceOf(IOException.class);
    }
}
