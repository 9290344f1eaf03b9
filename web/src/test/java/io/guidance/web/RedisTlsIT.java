package io.guidance.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.guidance.local.LocalStack;
import io.guidance.pipeline.FlinkSettings;
import io.guidance.pipeline.GuidanceJob;
import io.guidance.pipeline.JobConfig;
import io.guidance.rules.RulesParser;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.exceptions.JedisAccessControlException;

/**
 * The README's promise for a Redis over TLS with an ACL user, against a real {@code redis-server}
 * that listens only on a TLS port ({@link TlsRedis}): the job's trigger writer and the web service
 * connect with {@code rediss://}, the ACL user and {@code redis.tls.caFile}, and a trigger the job
 * wrote is read and acknowledged through the service's trigger API with no command refused; a wrong
 * password and a certificate from another CA fail both at start with a sentence naming the cause;
 * the ACL user cannot touch a key outside {@code guidance:*}.
 */
class RedisTlsIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final LocalStack.Topics TOPICS =
            new LocalStack.Topics("events", "dead-letters", "audit", "experiments", "rules");
    private static final String RULES =
            String.join(
                    "\n",
                    "version: 1",
                    "delivery: {ttl: 10m}",
                    "rules:",
                    "  - id: checkout-stall",
                    "    guide: checkout-help",
                    "    kind: stall",
                    "    start: {type: page_view, page: /checkout}",
                    "    progress: [{type: click, target: \"#pay\"}]",
                    "    within: 2s",
                    // one arm of 100 %: the guide is the same, and the experiment's totals are
                    // written to Redis as the ACL user too
                    "    experiment:",
                    "      variants: {checkout-help: 100}",
                    "      goal: {type: purchase}",
                    "");
    private static final Duration PATIENCE = Duration.ofSeconds(120);

    @TempDir static Path dir;

    private static TlsRedis redis;
    private static Path otherCa;
    private static LocalStack stack;
    private static final HttpClient HTTP =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

    @BeforeAll
    static void start() throws Exception {
        redis = TlsRedis.start(dir);
        otherCa = TlsRedis.certificateAuthority(dir, "other-ca");
        stack = LocalStack.start(TOPICS, 1);
    }

    @AfterAll
    static void stop() {
        if (stack != null) {
            stack.close();
        }
        if (redis != null) {
            redis.close();
            assertThat(redis.isAlive()).as("redis-server stopped").isFalse();
        }
    }

    /** The job's and the service's settings: the stack's Kafka, the TLS Redis as the ACL user. */
    private static Map<String, String> settings(String password, Path ca, String job) {
        Map<String, String> s = stack.settings(TOPICS);
        s.remove("redis.host");
        s.remove("redis.port");
        s.put("redis.uri", redis.uri());
        s.put("redis.user", TlsRedis.USER);
        s.put("redis.password", password);
        s.put("redis.tls.caFile", ca.toString());
        s.put("kafka.groupId", job);
        s.put("job.name", job);
        s.put("job.parallelism", "1");
        s.put("job.checkpointInterval", "1s");
        s.put("events.idleTimeout", "1s");
        s.put("events.startupIdleTimeout", "3s");
        s.put("web.host", "127.0.0.1");
        s.put("web.port", "0");
        return s;
    }

    private static JobClient startJob(Map<String, String> settings, boolean restarts)
            throws Exception {
        JobConfig config = JobConfig.of(settings);
        Configuration flink = FlinkSettings.from(config);
        if (!restarts) {
            // the production job restarts forever; here a failed start ends the job, so that its
            // cause can be read
            flink.set(RestartStrategyOptions.RESTART_STRATEGY, "none");
        }
        return GuidanceJob.start(
                StreamExecutionEnvironment.getExecutionEnvironment(flink),
                config,
                RulesParser.parse(RULES, "tls test rules"));
    }

    @Test
    void theJobWritesOverTlsAsTheAclUserAndTheServiceReadsAndAcknowledges() throws Exception {
        try (Jedis admin = redis.admin()) {
            admin.aclLogReset();
        }
        Map<String, String> settings = settings(redis.password, redis.caCertificate, "tls-job");
        JobClient job = startJob(settings, true);
        try (GuidanceWebServer web = GuidanceWebServer.start(WebSettings.of(settings))) {
            String base = "http://127.0.0.1:" + web.port();
            waitFor("the job running", () -> job.getJobStatus().join() == JobStatus.RUNNING);
            assertThat(get(base + "/healthz").statusCode()).isEqualTo(200);

            long ts = System.currentTimeMillis();
            String event =
                    "[{\"eventId\":\"e1\",\"userId\":\"ann\",\"sessionId\":\"s1\",\"ts\":"
                            + ts
                            + ",\"type\":\"page_view\",\"page\":\"/checkout\"}]";
            HttpResponse<String> sent =
                    HTTP.send(
                            HttpRequest.newBuilder(URI.create(base + "/v1/events"))
                                    .POST(HttpRequest.BodyPublishers.ofString(event))
                                    .build(),
                            HttpResponse.BodyHandlers.ofString());
            assertThat(sent.statusCode()).as(sent.body()).isEqualTo(202);

            // SPEC: a stall's trigger id is ruleId|userId|sessionId|deadline, deadline = ts +
            // within
            String triggerId = "checkout-stall|ann|s1|" + (ts + 2_000);
            HttpResponse<String>[] pending = new HttpResponse[1];
            waitFor(
                    "ann's trigger through the service",
                    () -> (pending[0] = get(base + "/v1/triggers/ann")).statusCode() == 200);
            JsonNode trigger = JSON.readTree(pending[0].body());
            assertThat(trigger.path("triggerId").asText()).isEqualTo(triggerId);
            assertThat(trigger.path("status").asText()).isEqualTo("delivered");

            HttpResponse<String> ack =
                    HTTP.send(
                            HttpRequest.newBuilder(
                                            URI.create(
                                                    base
                                                            + "/v1/triggers/"
                                                            + URLEncoder.encode(
                                                                    triggerId,
                                                                    StandardCharsets.UTF_8)
                                                            + "/ack?userId=ann"))
                                    .POST(HttpRequest.BodyPublishers.noBody())
                                    .build(),
                            HttpResponse.BodyHandlers.ofString());
            assertThat(ack.statusCode()).as(ack.body()).isEqualTo(204);
            assertThat(get(base + "/v1/triggers/ann").statusCode()).isEqualTo(204);

            try (Jedis admin = redis.admin()) {
                waitFor(
                        "the experiment's totals in Redis",
                        () ->
                                "1"
                                        .equals(
                                                admin.hget(
                                                        "guidance:experiment:checkout-stall",
                                                        "checkout-help:exposed")));
                assertThat(admin.get("guidance:written:" + triggerId)).isEqualTo("acked");
                // no command or key of the job or the service was refused to the ACL user (Jedis
                // names a connection with CLIENT SETINFO on Redis 7.2+, ignoring a refusal)
                List<String> refused = new ArrayList<>();
                admin.aclLog()
                        .forEach(
                                entry -> {
                                    if (!"client|setinfo".equals(entry.getObject())) {
                                        refused.add(
                                                entry.getUsername()
                                                        + " "
                                                        + entry.getReason()
                                                        + " "
                                                        + entry.getObject());
                                    }
                                });
                assertThat(refused).as("ACL LOG").isEmpty();
            }
        } finally {
            job.cancel().get(60, TimeUnit.SECONDS);
        }
    }

    @Test
    void aWrongPasswordFailsTheJobAndTheServiceAtStartNamingTheCause() throws Exception {
        Map<String, String> settings =
                settings("not-" + redis.password, redis.caCertificate, "tls-wrong-password");
        String cause =
                "refused the password of user 'guidance' for %s (WRONGPASS invalid"
                        + " username-password pair or user is disabled.): check redis.user and"
                        + " redis.password";

        assertThatThrownBy(() -> GuidanceWebServer.start(WebSettings.of(settings)))
                .isInstanceOf(IllegalStateException.class)
                .hasMessage(
                        "Redis at 127.0.0.1:"
                                + redis.port()
                                + " "
                                + cause.formatted("the web service"));
        assertThat(failureOfJob(settings)).contains(cause.formatted("the trigger sink"));
    }

    @Test
    void aCertificateFromAnotherCaFailsTheJobAndTheServiceAtStartNamingTheCause() throws Exception {
        Map<String, String> settings = settings(redis.password, otherCa, "tls-other-ca");
        String cause =
                "presented a TLS certificate that is not trusted for 127.0.0.1 (PKIX path"
                        + " building failed";
        String fix =
                "set redis.tls.caFile to the CA certificate that signed it (now " + otherCa + ")";

        assertThatThrownBy(() -> GuidanceWebServer.start(WebSettings.of(settings)))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageStartingWith("Redis at 127.0.0.1:" + redis.port() + " " + cause)
                .hasMessageContaining(fix);
        assertThat(failureOfJob(settings)).contains(cause).contains(fix);
    }

    @Test
    void theAclUserCannotReadOrWriteAKeyOutsideThePrefixNorRunOtherCommands() throws Exception {
        try (Jedis admin = redis.admin()) {
            admin.set("other:secret", "s3cret");
        }
        try (Jedis user = redis.connect(TlsRedis.USER, redis.password)) {
            assertThat(user.get("guidance:user:nobody")).isNull();
            assertThatThrownBy(() -> user.get("other:secret"))
                    .isInstanceOf(JedisAccessControlException.class)
                    .hasMessageStartingWith("NOPERM");
            assertThatThrownBy(() -> user.set("other:secret", "x"))
                    .isInstanceOf(JedisAccessControlException.class)
                    .hasMessageStartingWith("NOPERM");
            // a script runs its commands as the user: no way around the key pattern
            assertThatThrownBy(
                            () ->
                                    user.eval(
                                            "return redis.call('GET', KEYS[1])",
                                            List.of("other:secret"),
                                            List.of()))
                    .hasMessageContaining("NOPERM");
            assertThatThrownBy(() -> user.keys("*"))
                    .isInstanceOf(JedisAccessControlException.class)
                    .hasMessageStartingWith("NOPERM");
            assertThatThrownBy(() -> user.flushAll())
                    .isInstanceOf(JedisAccessControlException.class)
                    .hasMessageStartingWith("NOPERM");
        }
        try (Jedis admin = redis.admin()) {
            assertThat(admin.get("other:secret")).isEqualTo("s3cret");
        }
    }

    /** Starts the job without restarts and returns the messages of its failure's causes. */
    private static String failureOfJob(Map<String, String> settings) throws Exception {
        JobClient job = startJob(settings, false);
        try {
            job.getJobExecutionResult().get(PATIENCE.toSeconds(), TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            StringBuilder messages = new StringBuilder();
            for (Throwable c = e; c != null; c = c.getCause()) {
                messages.append(c.getMessage()).append('\n');
            }
            return messages.toString();
        }
        throw new AssertionError("the job started although Redis refuses it");
    }

    private static HttpResponse<String> get(String url) {
        try {
            return HTTP.send(
                    HttpRequest.newBuilder(URI.create(url)).GET().build(),
                    HttpResponse.BodyHandlers.ofString());
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static void waitFor(String what, BooleanSupplier condition) throws Exception {
        long deadline = System.nanoTime() + PATIENCE.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError(what + ": not within " + PATIENCE.toSeconds() + " s");
            }
            Thread.sleep(100);
        }
    }
}
