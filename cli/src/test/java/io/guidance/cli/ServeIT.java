package io.guidance.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.guidance.local.FreePorts;
import io.guidance.local.KafkaBrokerProcess;
import io.guidance.local.LocalRedis;
import io.guidance.local.LocalStack;
import io.guidance.local.TopicReader;
import io.guidance.redis.RedisSettings;
import io.guidance.redis.TriggerWriteScript;
import io.guidance.trigger.Trigger;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.io.TempDir;
import redis.clients.jedis.RedisClient;

/**
 * {@code guidance serve} as its own process ({@code java ... GuidanceCli serve --config FILE}, the
 * launcher's class path and the service's log configuration) against a real Kafka broker and a real
 * {@code redis-server}: events accepted end to end, a trigger read and acknowledged, a graceful
 * stop under load that loses no accepted event, Kafka down at start and coming up, Redis down and
 * back. Each service's output is in {@code target/serve-it/}.
 */
class ServeIT {
    private static final Duration START = Duration.ofSeconds(120);
    private static final Duration CHANGE = Duration.ofSeconds(90);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Path LOGS = Path.of("target", "serve-it");

    private static LocalStack stack;

    /** The settings files and the late broker's log directory; JUnit deletes it. */
    @TempDir static Path temp;

    private final HttpClient http =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final List<AutoCloseable> cleanup = new ArrayList<>();
    private String testName;

    @BeforeAll
    static void startKafkaAndRedis() throws Exception {
        Files.createDirectories(LOGS);
        stack = LocalStack.start();
    }

    @AfterAll
    static void stopKafkaAndRedis() {
        if (stack != null) {
            stack.close();
        }
    }

    @BeforeEach
    void name(TestInfo info) {
        testName = info.getTestMethod().orElseThrow().getName();
    }

    @AfterEach
    void stopWhatTheTestStarted() throws Exception {
        // last started, first stopped: the service before the broker or Redis it uses
        for (int i = cleanup.size() - 1; i >= 0; i--) {
            cleanup.get(i).close();
        }
    }

    // --- the tests
    // ------------------------------------------------------------------------------------------------

    @Test
    void eventsPostedAreAcceptedAndOnTheTopic() throws Exception {
        LocalStack.Topics topics = stack.createTopics(LocalStack.Topics.named("serve-e2e"), 2);
        Served serve = serve(settings(stack.bootstrapServers(), topics.events(), stack.redis()));
        serve.awaitReady();

        List<String> ids = ids(12);
        HttpResponse<String> r = serve.post("/v1/events", batch(ids, "u-e2e"));

        assertThat(r.statusCode()).as(r.body()).isEqualTo(202);
        assertThat(JSON.readTree(r.body()).get("accepted").asInt()).isEqualTo(ids.size());
        assertThat(eventIdsOn(stack.bootstrapServers(), topics.events(), Set.copyOf(ids)))
                .isEqualTo(Set.copyOf(ids));
        // /metrics counts them (a request is counted just after its answer is written)
        waitFor(
                "/metrics counting 12 accepted events and one 202",
                CHANGE,
                () ->
                        metric(serve, "guidance_web_events_accepted_total", Map.of()) == 12
                                && metric(
                                                serve,
                                                "guidance_web_requests_total",
                                                Map.of("route", "/v1/events", "status", "202"))
                                        == 1);
    }

    @Test
    void aTriggerWrittenAsTheJobWritesItIsReadThenAcknowledged() throws Exception {
        LocalStack.Topics topics = stack.createTopics(LocalStack.Topics.named("serve-trg"), 1);
        Served serve = serve(settings(stack.bootstrapServers(), topics.events(), stack.redis()));
        serve.awaitReady();
        String user = "u-" + UUID.randomUUID().toString().substring(0, 8);
        Trigger t = checkoutTrigger(user);
        RedisSettings redisSettings = redisSettings(stack.redis());
        try (RedisClient redis = RedisClient.create(stack.redis().host(), stack.redis().port())) {
            // the job's own write script (SPEC section 5)
            Object written =
                    redis.eval(
                            TriggerWriteScript.SOURCE,
                            TriggerWriteScript.keys(redisSettings, t),
                            TriggerWriteScript.args(t));
            assertThat(written).isEqualTo(TriggerWriteScript.WRITTEN);

            HttpResponse<String> pending = serve.get("/v1/triggers/" + user);
            HttpResponse<String> ack =
                    serve.post(
                            "/v1/triggers/" + encode(t.triggerId) + "/ack",
                            "{\"userId\":\"" + user + "\"}");
            HttpResponse<String> afterAck = serve.get("/v1/triggers/" + user);

            assertThat(pending.statusCode()).isEqualTo(200);
            assertThat(JSON.readTree(pending.body()).get("triggerId").asText())
                    .isEqualTo(t.triggerId);
            assertThat(JSON.readTree(pending.body()).get("guide").asText())
                    .isEqualTo("checkout-help");
            assertThat(ack.statusCode()).isEqualTo(204);
            assertThat(redis.exists(redisSettings.userKey(user))).isFalse();
            assertThat(afterAck.statusCode()).isEqualTo(204);
        }
        // /metrics: one trigger found, one none (after the ack), one acknowledged and removed
        waitFor(
                "/metrics counting the trigger served, acknowledged, then none",
                CHANGE,
                () ->
                        metric(
                                                serve,
                                                "guidance_web_triggers_served_total",
                                                Map.of("result", "found"))
                                        == 1
                                && metric(
                                                serve,
                                                "guidance_web_triggers_served_total",
                                                Map.of("result", "none"))
                                        == 1
                                && metric(
                                                serve,
                                                "guidance_web_triggers_acknowledged_total",
                                                Map.of("result", "removed"))
                                        == 1);
    }

    @Test
    void sigtermUnderLoadExitsZeroAndEveryAcceptedEventIsOnTheTopic() throws Exception {
        LocalStack.Topics topics = stack.createTopics(LocalStack.Topics.named("serve-stop"), 2);
        Served serve = serve(settings(stack.bootstrapServers(), topics.events(), stack.redis()));
        serve.awaitReady();
        Set<String> accepted = ConcurrentHashMap.newKeySet();
        AtomicInteger batches = new AtomicInteger();
        AtomicBoolean done = new AtomicBoolean();
        Thread client =
                new Thread(
                        () -> {
                            while (!done.get()) {
                                List<String> ids = ids(10);
                                try {
                                    HttpResponse<String> r =
                                            serve.post("/v1/events", batch(ids, "u-stop"));
                                    if (r.statusCode() == 202) {
                                        accepted.addAll(ids);
                                        batches.incrementAndGet();
                                    }
                                } catch (IOException e) {
                                    // refused or cut off while stopping: not accepted
                                } catch (InterruptedException e) {
                                    return;
                                }
                            }
                        },
                        "serve-it-client");
        client.start();
        try {
            waitFor("batches accepted before the stop", CHANGE, () -> batches.get() >= 5);

            serve.process.destroy(); // SIGTERM
            boolean exited = serve.process.waitFor(CHANGE.toSeconds(), TimeUnit.SECONDS);

            assertThat(exited).as("exited after SIGTERM; see " + serve.log).isTrue();
            assertThat(serve.process.exitValue()).as("exit code; see " + serve.log).isZero();
        } finally {
            done.set(true);
            client.join(TimeUnit.SECONDS.toMillis(30));
        }
        assertThat(accepted).isNotEmpty();
        assertThat(eventIdsOn(stack.bootstrapServers(), topics.events(), accepted))
                .containsAll(accepted);
        assertThat(Files.readString(serve.log))
                .contains("Stopping the web service")
                .contains("Web service stopped");
    }

    @Test
    void kafkaDownAtStartThenUpOnItsPort() throws Exception {
        int[] ports = FreePorts.onLoopback(2);
        String bootstrap = "127.0.0.1:" + ports[0];
        String topic = "serve-late-events";
        Served serve = serve(settings(bootstrap, topic, stack.redis()));
        serve.awaitLive();

        JsonNode health = JSON.readTree(serve.get("/healthz").body());
        HttpResponse<String> ready = serve.get("/readyz");
        HttpResponse<String> refused = serve.post("/v1/events", batch(ids(3), "u-late"));

        assertThat(health.get("status").asText()).isEqualTo("ok");
        assertThat(health.get("kafka").get("up").asBoolean()).isFalse();
        assertThat(health.get("kafka").get("detail").asText()).contains(bootstrap);
        assertThat(health.get("redis").get("up").asBoolean()).isTrue();
        assertThat(ready.statusCode()).isEqualTo(503);
        assertThat(JSON.readTree(ready.body()).get("down").toString()).isEqualTo("[\"kafka\"]");
        assertThat(refused.statusCode()).isEqualTo(503);
        assertThat(refused.headers().firstValue("Retry-After")).isPresent();

        KafkaBrokerProcess broker =
                KafkaBrokerProcess.start(
                        temp.resolve("broker-" + ports[0]),
                        LOGS.resolve(testName + "-broker.log"),
                        CliProcess.runClasspath(),
                        ports[0],
                        ports[1]);
        cleanup.add(0, broker); // stopped after the service
        broker.createTopics(Map.of(topic, 2));
        waitFor(
                "/readyz 200 once the broker and the topic are up",
                CHANGE,
                () -> serve.get("/readyz").statusCode() == 200);

        List<String> ids = ids(8);
        HttpResponse<String> r = serve.post("/v1/events", batch(ids, "u-late"));
        assertThat(r.statusCode()).as(r.body()).isEqualTo(202);
        assertThat(eventIdsOn(bootstrap, topic, Set.copyOf(ids))).isEqualTo(Set.copyOf(ids));
        assertThat(Files.readString(serve.log))
                .contains("Kafka is down at start")
                .contains("Kafka is back after");
    }

    @Test
    void redisDownAndBackOnItsPort() throws Exception {
        LocalStack.Topics topics = stack.createTopics(LocalStack.Topics.named("serve-redis"), 1);
        LocalRedis redis = LocalRedis.start();
        cleanup.add(redis);
        Served serve = serve(settings(stack.bootstrapServers(), topics.events(), redis));
        serve.awaitReady();
        String user = "u-" + UUID.randomUUID().toString().substring(0, 8);

        redis.stop();
        waitFor(
                "/readyz 503 naming redis",
                CHANGE,
                () -> {
                    HttpResponse<String> r = serve.get("/readyz");
                    return r.statusCode() == 503 && r.body().contains("\"redis\"");
                });
        JsonNode health = JSON.readTree(serve.get("/healthz").body());
        HttpResponse<String> trigger = serve.get("/v1/triggers/" + user);

        assertThat(serve.get("/healthz").statusCode()).isEqualTo(200);
        assertThat(health.get("redis").get("up").asBoolean()).isFalse();
        assertThat(health.get("redis").get("detail").asText())
                .contains("127.0.0.1:" + redis.port());
        assertThat(trigger.statusCode()).isEqualTo(503);
        assertThat(JSON.readTree(trigger.body()).get("error").asText())
                .isEqualTo("redis_unavailable");
        assertThat(trigger.headers().firstValue("Retry-After")).isPresent();

        redis.restart();
        waitFor(
                "/readyz 200 once Redis is back",
                CHANGE,
                () -> serve.get("/readyz").statusCode() == 200);
        Trigger t = checkoutTrigger(user);
        try (RedisClient client = RedisClient.create(redis.host(), redis.port())) {
            client.eval(
                    TriggerWriteScript.SOURCE,
                    TriggerWriteScript.keys(redisSettings(redis), t),
                    TriggerWriteScript.args(t));
        }
        HttpResponse<String> pending = serve.get("/v1/triggers/" + user);
        assertThat(pending.statusCode()).isEqualTo(200);
        assertThat(JSON.readTree(pending.body()).get("triggerId").asText()).isEqualTo(t.triggerId);
        assertThat(Files.readString(serve.log))
                .contains("Redis is down")
                .contains("Redis is back after");
    }

    // --- the service as a process
    // ---------------------------------------------------------------------------------

    /** One {@code guidance serve} process and its base address. */
    private final class Served implements AutoCloseable {
        final Process process;
        final Path log;
        final String base;

        Served(Process process, Path log, int port) {
            this.process = process;
            this.log = log;
            this.base = "http://127.0.0.1:" + port;
        }

        HttpResponse<String> get(String path) throws IOException, InterruptedException {
            return http.send(
                    HttpRequest.newBuilder(URI.create(base + path))
                            .timeout(Duration.ofSeconds(30))
                            .GET()
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
        }

        HttpResponse<String> post(String path, String body)
                throws IOException, InterruptedException {
            return http.send(
                    HttpRequest.newBuilder(URI.create(base + path))
                            .timeout(Duration.ofSeconds(30))
                            .header("Content-Type", "application/json")
                            .POST(HttpRequest.BodyPublishers.ofString(body))
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
        }

        /** Waits until {@code /healthz} answers 200. */
        void awaitLive() throws Exception {
            waitFor(
                    "the service answering /healthz (log " + log + ")",
                    START,
                    () -> {
                        if (!process.isAlive()) {
                            throw new AssertionError(
                                    "serve exited with "
                                            + process.exitValue()
                                            + ":\n"
                                            + Files.readString(log));
                        }
                        try {
                            return get("/healthz").statusCode() == 200;
                        } catch (IOException e) {
                            return false;
                        }
                    });
        }

        /** Waits until {@code /readyz} answers 200. */
        void awaitReady() throws Exception {
            awaitLive();
            waitFor(
                    "/readyz 200 (log " + log + ")",
                    START,
                    () -> get("/readyz").statusCode() == 200);
        }

        @Override
        public void close() throws InterruptedException {
            process.destroy();
            if (!process.waitFor(60, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
            }
        }
    }

    /**
     * Starts {@code GuidanceCli serve --config FILE} with {@code settings} in the file, as the
     * launcher runs it: its class path and {@code config/log4j2-serve.properties}.
     */
    private Served serve(Map<String, String> settings) throws Exception {
        int port = FreePorts.onLoopback();
        Map<String, String> all = new LinkedHashMap<>(settings);
        all.put("web.host", "127.0.0.1");
        all.put("web.port", Integer.toString(port));
        all.put("web.rateLimit", "0");
        Path config = temp.resolve(testName + ".yaml");
        Files.writeString(config, yaml(all));
        Path log = LOGS.resolve(testName + ".log");
        Files.deleteIfExists(log);
        Process p =
                new ProcessBuilder(
                                CliProcess.command(
                                        List.of("-Xmx256m", "-XX:+UseSerialGC"),
                                        "log4j2-serve.properties",
                                        List.of("serve", "--config", config.toString())))
                        .redirectErrorStream(true)
                        .redirectOutput(log.toFile())
                        .start();
        Served s = new Served(p, log, port);
        cleanup.add(s);
        return s;
    }

    /** The job's settings file, nested by section as {@code config/local.yaml} is. */
    private static String yaml(Map<String, String> settings) {
        Map<String, Map<String, String>> sections = new TreeMap<>();
        settings.forEach(
                (key, value) -> {
                    int dot = key.indexOf('.');
                    sections.computeIfAbsent(key.substring(0, dot), k -> new TreeMap<>())
                            .put(key.substring(dot + 1), value);
                });
        StringBuilder b = new StringBuilder();
        sections.forEach(
                (section, keys) -> {
                    b.append(section).append(":\n");
                    keys.forEach(
                            (k, v) ->
                                    b.append("  ")
                                            .append(k)
                                            .append(": \"")
                                            .append(v)
                                            .append("\"\n"));
                });
        return b.toString();
    }

    private static Map<String, String> settings(String bootstrap, String topic, LocalRedis redis) {
        Map<String, String> s = new LinkedHashMap<>();
        s.put("kafka.bootstrap", bootstrap);
        s.put("kafka.topic", topic);
        s.put("redis.host", redis.host());
        s.put("redis.port", Integer.toString(redis.port()));
        return s;
    }

    private static RedisSettings redisSettings(LocalRedis redis) {
        return RedisSettings.fromMap(
                Map.of("redis.host", redis.host(), "redis.port", Integer.toString(redis.port())));
    }

    // --- events, triggers and waiting
    // ----------------------------------------------------------------------------

    private static List<String> ids(int n) {
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            ids.add("e-" + UUID.randomUUID());
        }
        return ids;
    }

    /** A batch as {@code guidance.js} sends it (SPEC section 1 events). */
    private static String batch(List<String> eventIds, String userId) {
        long now = System.currentTimeMillis();
        StringBuilder b = new StringBuilder("{\"sentAt\":" + now + ",\"events\":[");
        for (int i = 0; i < eventIds.size(); i++) {
            if (i > 0) {
                b.append(',');
            }
            b.append("{\"eventId\":\"")
                    .append(eventIds.get(i))
                    .append("\",\"userId\":\"")
                    .append(userId)
                    .append("\",\"sessionId\":\"s1\",\"ts\":")
                    .append(now)
                    .append(",\"type\":\"page_view\",\"page\":\"/checkout\"}");
        }
        return b.append("]}").toString();
    }

    /**
     * The event ids on {@code topic}, read from its beginning until {@code expected} are all there
     * (or the bound passes; the caller's assertion then shows what is missing).
     */
    private static Set<String> eventIdsOn(String bootstrap, String topic, Set<String> expected)
            throws Exception {
        Set<String> seen = new HashSet<>();
        try (TopicReader reader = new TopicReader(bootstrap, topic)) {
            long deadline = System.nanoTime() + CHANGE.toNanos();
            while (!seen.containsAll(expected) && System.nanoTime() < deadline) {
                for (String value : reader.records()) {
                    seen.add(JSON.readTree(value).get("eventId").asText());
                }
            }
        }
        return seen;
    }

    /** A delivered checkout-stall trigger (SPEC section 4), live for ten minutes. */
    private static Trigger checkoutTrigger(String userId) {
        Trigger t = new Trigger();
        t.ts = System.currentTimeMillis() - 1_000;
        t.ruleId = "checkout-stall";
        t.guide = "checkout-help";
        t.kind = "stall";
        t.userId = userId;
        t.sessionId = "s1";
        t.triggerId = "checkout-stall|" + userId + "|s1|" + t.ts;
        t.expiresAt = t.ts + 600_000;
        t.reason = Map.of("within", "8000");
        t.status = Trigger.DELIVERED;
        return t;
    }

    private static String encode(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
    }

    /**
     * From the service's {@code /metrics} (Prometheus text): the sum of the samples of {@code name}
     * whose labels include {@code labels}.
     */
    private static double metric(Served serve, String name, Map<String, String> labels)
            throws Exception {
        HttpResponse<String> r = serve.get("/metrics");
        assertThat(r.statusCode()).isEqualTo(200);
        double sum = 0;
        for (String line : r.body().split("\n")) {
            if (line.isBlank() || line.startsWith("#")) {
                continue;
            }
            int brace = line.indexOf('{');
            int space = line.lastIndexOf(' ');
            String sample = brace >= 0 ? line.substring(0, brace) : line.substring(0, space);
            if (!sample.equals(name)) {
                continue;
            }
            String labelText = brace >= 0 ? line.substring(brace, line.lastIndexOf('}') + 1) : "";
            boolean matches =
                    labels.entrySet().stream()
                            .allMatch(
                                    e ->
                                            labelText.contains(
                                                    e.getKey() + "=\"" + e.getValue() + "\""));
            if (matches) {
                sum += Double.parseDouble(line.substring(space + 1));
            }
        }
        return sum;
    }

    private static void waitFor(String what, Duration bound, Callable<Boolean> condition)
            throws Exception {
        long deadline = System.nanoTime() + bound.toNanos();
        while (!condition.call()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError(what + ": not within " + bound);
            }
            Thread.sleep(200);
        }
    }
}
