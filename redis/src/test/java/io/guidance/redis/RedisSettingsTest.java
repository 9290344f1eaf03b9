package io.guidance.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * {@link RedisSettings#fromMap}: defaults, both ways to say where Redis is, and messages that name
 * the bad key.
 */
class RedisSettingsTest {

    @Test
    void defaults() {
        RedisSettings s = RedisSettings.fromMap(Map.of("kafka.topic", "events"));

        assertThat(s.host()).isEqualTo("localhost");
        assertThat(s.port()).isEqualTo(6379);
        assertThat(s.database()).isZero();
        assertThat(s.user()).isNull();
        assertThat(s.password()).isNull();
        assertThat(s.tls()).isFalse();
        assertThat(s.keyPrefix()).isEqualTo("guidance");
        assertThat(s.batchSize()).isEqualTo(500);
        assertThat(s.maxPending()).isEqualTo(100_000);
        assertThat(s.retryBackoff()).isEqualTo(Duration.ofMillis(100));
        assertThat(s.retryBackoffMax()).isEqualTo(Duration.ofSeconds(5));
        assertThat(s.userKey("u1")).isEqualTo("guidance:user:u1");
        assertThat(s.writtenKey("r|u1|-|5")).isEqualTo("guidance:written:r|u1|-|5");
    }

    @Test
    void readsEveryKey() {
        RedisSettings s =
                RedisSettings.fromMap(
                        Map.ofEntries(
                                Map.entry("redis.host", "cache.internal"),
                                Map.entry("redis.port", "6380"),
                                Map.entry("redis.database", "3"),
                                Map.entry("redis.user", "sink"),
                                Map.entry("redis.password", "s3cret"),
                                Map.entry("redis.tls", "true"),
                                Map.entry("redis.timeout", "500ms"),
                                Map.entry("redis.prefix", "shop1"),
                                Map.entry("redis.batchSize", "200"),
                                Map.entry("redis.maxPending", "1000"),
                                Map.entry("redis.retryBackoff", "1s"),
                                Map.entry("redis.retryBackoffMax", "2m")));

        assertThat(s.host()).isEqualTo("cache.internal");
        assertThat(s.port()).isEqualTo(6380);
        assertThat(s.database()).isEqualTo(3);
        assertThat(s.user()).isEqualTo("sink");
        assertThat(s.password()).isEqualTo("s3cret");
        assertThat(s.tls()).isTrue();
        assertThat(s.timeout()).isEqualTo(Duration.ofMillis(500));
        assertThat(s.keyPrefix()).isEqualTo("shop1");
        assertThat(s.userKey("u1")).isEqualTo("shop1:user:u1");
        assertThat(s.batchSize()).isEqualTo(200);
        assertThat(s.maxPending()).isEqualTo(1000);
        assertThat(s.retryBackoff()).isEqualTo(Duration.ofSeconds(1));
        assertThat(s.retryBackoffMax()).isEqualTo(Duration.ofMinutes(2));
    }

    @Test
    void readsAUri() {
        RedisSettings s =
                RedisSettings.fromMap(
                        Map.of("redis.uri", "rediss://sink:p%40ss@cache.internal:6380/2"));

        assertThat(s.host()).isEqualTo("cache.internal");
        assertThat(s.port()).isEqualTo(6380);
        assertThat(s.database()).isEqualTo(2);
        assertThat(s.tls()).isTrue();
        assertThat(s.user()).isEqualTo("sink");
        assertThat(s.password()).isEqualTo("p@ss");

        RedisSettings plain =
                RedisSettings.fromMap(
                        Map.of(
                                "redis.uri",
                                "redis://cache.internal",
                                "redis.password",
                                "from-a-secret"));
        assertThat(plain.port()).isEqualTo(6379);
        assertThat(plain.database()).isZero();
        assertThat(plain.tls()).isFalse();
        assertThat(plain.user()).isNull();
        assertThat(plain.password()).isEqualTo("from-a-secret");
    }

    @Test
    void parsesTheSpecsDurations() {
        assertThat(RedisSettings.TIMEOUT.parse("500ms")).isEqualTo(Duration.ofMillis(500));
        assertThat(RedisSettings.TIMEOUT.parse("8s")).isEqualTo(Duration.ofSeconds(8));
        assertThat(RedisSettings.TIMEOUT.parse("2m")).isEqualTo(Duration.ofMinutes(2));
        assertThat(RedisSettings.TIMEOUT.parse("1h")).isEqualTo(Duration.ofHours(1));
        assertThat(RedisSettings.TIMEOUT.parse("10d")).isEqualTo(Duration.ofDays(10));
    }

    @Test
    void rejectsBadValuesNamingTheKey() {
        assertRejected(Map.of("redis.port", "abc"), "redis.port");
        assertRejected(Map.of("redis.port", "70000"), "redis.port");
        assertRejected(Map.of("redis.database", "-1"), "redis.database");
        assertRejected(Map.of("redis.tls", "yes"), "redis.tls");
        assertRejected(Map.of("redis.timeout", "5"), "redis.timeout");
        assertRejected(Map.of("redis.timeout", "0s"), "redis.timeout");
        assertRejected(Map.of("redis.timeout", "2 weeks"), "redis.timeout");
        assertRejected(Map.of("redis.batchSize", "0"), "redis.batchSize");
        assertRejected(Map.of("redis.maxPending", "-5"), "redis.maxPending");
        assertRejected(Map.of("redis.prefix", ""), "redis.prefix");
        assertRejected(Map.of("redis.host", " "), "redis.host");
        assertRejected(
                Map.of("redis.retryBackoff", "10s", "redis.retryBackoffMax", "1s"),
                "redis.retryBackoffMax");
        assertRejected(Map.of("redis.uri", "http://cache.internal"), "redis.uri");
        assertRejected(Map.of("redis.uri", "redis://cache.internal/zero"), "redis.uri");
        assertRejected(Map.of("redis.uri", "redis://cache.internal?ssl=true"), "redis.uri");
    }

    @Test
    void rejectsAMisspeltKey() {
        assertRejected(Map.of("redis.hots", "cache.internal"), "redis.hots");
    }

    @Test
    void aUriWinsOverTheAddressKeys() {
        RedisSettings s =
                RedisSettings.fromMap(
                        Map.of(
                                "redis.uri",
                                "rediss://cache.internal:6380/4",
                                "redis.host",
                                "localhost",
                                "redis.port",
                                "6379",
                                "redis.database",
                                "0",
                                "redis.tls",
                                "false"));

        assertThat(s.host()).isEqualTo("cache.internal");
        assertThat(s.port()).isEqualTo(6380);
        assertThat(s.database()).isEqualTo(4);
        assertThat(s.tls()).isTrue();
    }

    @Test
    void emptyUriUserAndPasswordMeanNotSet() {
        // A job configuration carries every key, with these defaults.
        RedisSettings s =
                RedisSettings.fromMap(
                        Map.ofEntries(
                                Map.entry("redis.host", "cache.internal"),
                                Map.entry("redis.port", "6379"),
                                Map.entry("redis.uri", ""),
                                Map.entry("redis.database", "0"),
                                Map.entry("redis.user", ""),
                                Map.entry("redis.password", ""),
                                Map.entry("redis.tls", "false"),
                                Map.entry("redis.timeout", "2s"),
                                Map.entry("redis.prefix", "guidance"),
                                Map.entry("redis.batchSize", "500"),
                                Map.entry("redis.maxPending", "100000")));

        assertThat(s.host()).isEqualTo("cache.internal");
        assertThat(s.user()).isNull();
        assertThat(s.password()).isNull();
    }

    @Test
    void rejectsCredentialsGivenTwice() {
        assertRejected(
                Map.of("redis.uri", "redis://:pw@a", "redis.password", "other"), "redis.password");
        assertRejected(Map.of("redis.uri", "redis://me:pw@a", "redis.user", "you"), "redis.user");
    }

    @Test
    void neverShowsThePassword() {
        RedisSettings s = RedisSettings.fromMap(Map.of("redis.uri", "redis://sink:hunter2@a"));
        assertThat(s.toString()).doesNotContain("hunter2");

        assertThatThrownBy(
                        () ->
                                RedisSettings.fromMap(
                                        Map.of("redis.uri", "redis://sink:hunter2@a/x")))
                .isInstanceOf(IllegalArgumentException.class)
                .message()
                .doesNotContain("hunter2");
    }

    @Test
    void survivesJavaSerialization() throws Exception {
        RedisSettings s =
                RedisSettings.fromMap(
                        Map.of("redis.uri", "rediss://u:p@h:1/1", "redis.prefix", "x"));

        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
            out.writeObject(s);
        }
        RedisSettings copy;
        try (ObjectInputStream in =
                new ObjectInputStream(new ByteArrayInputStream(bytes.toByteArray()))) {
            copy = (RedisSettings) in.readObject();
        }

        assertThat(copy).isEqualTo(s);
        assertThat(copy.password()).isEqualTo("p");
    }

    private static void assertRejected(Map<String, String> config, String key) {
        assertThatThrownBy(() -> RedisSettings.fromMap(config))
                .as("%s", config)
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(key);
    }
}
