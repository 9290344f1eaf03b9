package io.guidance.web;

import static org.assertj.core.api.Assertions.assertThat;

import io.guidance.local.FreePorts;
import io.guidance.local.LocalStack;
import io.guidance.trigger.Trigger;
import io.guidance.trigger.TriggerJson;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.RedisClient;
import redis.clients.jedis.params.SetParams;

/**
 * {@code GET /metrics} against a real Kafka broker and redis-server: the test makes requests of
 * known kinds, counts them itself, then reads the Prometheus text and finds each count there, with
 * no user or trigger id in any label.
 */
class WebMetricsTest {
    private static final LocalStack.Topics TOPICS = LocalStack.Topics.named("metrics");

    /** Every user id of this test starts with this; no label value may contain it. */
    private static final String USER = "metrics-user-";

    private static LocalStack stack;

    private final HttpClient http =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final List<GuidanceWebServer> servers = new ArrayList<>();

    /** The requests this test made, by [route as declared, method, status]. */
    private final Map<List<String>, Integer> requests = new HashMap<>();

    private int clients;

    @BeforeAll
    static void startKafkaAndRedis() throws Exception {
        stack = LocalStack.start(TOPICS, 2);
    }

    @AfterAll
    static void stopKafkaAndRedis() {
        if (stack != null) {
            stack.close();
        }
    }

    @AfterEach
    void stopServers() {
        servers.forEach(GuidanceWebServer::close);
    }

    private GuidanceWebServer server(Map<String, String> web) {
        Map<String, String> s = stack.settings(TOPICS);
        s.put("web.host", "127.0.0.1");
        s.put("web.port", "0");
        s.putAll(web);
        GuidanceWebServer server = GuidanceWebServer.start(WebSettings.of(s));
        servers.add(server);
        return server;
    }

    @Test
    void eachKindOfRequestIsCountedOnceUnderItsDeclaredRoute() throws Exception {
        GuidanceWebServer s =
                server(
                        Map.of(
                                "web.maxBodyBytes", "2000",
                                "web.maxBatchEvents", "4",
                                // one request per second per client: each request below comes
                                // from its own client, except those meant to be limited
                                "web.rateLimit", "1",
                                "web.clientIpHeader", "X-Forwarded-For",
                                "web.allowedOrigins", "https://shop.example"));
        String alice = USER + "alice";
        String bob = USER + "bob";
        long now = System.currentTimeMillis();
        int acceptedEvents = 0;
        Map<String, Integer> batchesRejected = new TreeMap<>();

        // two batches stored: three good events, one without userId, one with a text ts
        expect(
                202,
                call(
                        s,
                        "/v1/events",
                        "POST",
                        "/v1/events",
                        "["
                                + event("e1", alice, now)
                                + ","
                                + event("e2", bob, now)
                                + ",{\"eventId\":\"e3\",\"sessionId\":\"s1\",\"ts\":"
                                + now
                                + ",\"type\":\"click\"}"
                                + ",{\"eventId\":\"e4\",\"userId\":\""
                                + alice
                                + "\",\"sessionId\":\"s1\",\"ts\":\"noon\",\"type\":\"click\"}]"));
        expect(202, call(s, "/v1/events", "POST", "/v1/events", "[" + event("e5", bob, now) + "]"));
        acceptedEvents += 3;
        Map<String, Integer> eventsRejected = Map.of("missing_field", 1, "wrong_type", 1);

        // bodies refused whole, one of each reason
        expect(400, call(s, "/v1/events", "POST", "/v1/events", "hello"));
        batchesRejected.merge("not_json", 1, Integer::sum);
        byte[] latin1 =
                ("[" + event("e6", USER + "jos\u00e9", now) + "]")
                        .getBytes(StandardCharsets.ISO_8859_1);
        expect(400, call(s, "/v1/events", "POST", "/v1/events", latin1, Map.of()));
        batchesRejected.merge("not_utf8", 1, Integer::sum);
        expect(400, call(s, "/v1/events", "POST", "/v1/events", "42"));
        batchesRejected.merge("not_events", 1, Integer::sum);
        String five =
                "["
                        + String.join(
                                ",",
                                event("f1", alice, now),
                                event("f2", alice, now),
                                event("f3", alice, now),
                                event("f4", alice, now),
                                event("f5", alice, now))
                        + "]";
        expect(413, call(s, "/v1/events", "POST", "/v1/events", five));
        batchesRejected.merge("too_many_events", 1, Integer::sum);
        expect(413, call(s, "/v1/events", "POST", "/v1/events", "[" + "1,".repeat(1000) + "1]"));
        batchesRejected.merge("body_too_large", 1, Integer::sum);

        // one client over its rate: batches until one is refused with 429
        Map<String, String> sameClient = Map.of("X-Forwarded-For", "203.0.113.99");
        int limited = 0;
        for (int i = 0; i < 20 && limited == 0; i++) {
            String body = "[" + event("r" + i, alice, now) + "]";
            HttpResponse<String> r =
                    send(
                            s,
                            "POST",
                            "/v1/events",
                            body.getBytes(StandardCharsets.UTF_8),
                            sameClient);
            if (r.statusCode() == 429) {
                // refused by the /v1/* limit before any route was matched
                count("/v1/*", "POST", 429);
                batchesRejected.merge("rate_limited", 1, Integer::sum);
                limited++;
            } else {
                expect(202, r);
                count("/v1/events", "POST", 202);
                acceptedEvents++;
            }
        }
        assertThat(limited).as("a request refused by the rate limit").isEqualTo(1);

        // triggers: one served, one absent, two acknowledged, one refused
        Trigger pending = TestTriggers.checkoutStall(alice);
        Trigger unwritten = TestTriggers.checkoutStall(alice, pending.ts + 1);
        Trigger bobs = TestTriggers.checkoutStall(bob);
        try (RedisClient redis = RedisClient.create(stack.redis().host(), stack.redis().port())) {
            redis.set(
                    "guidance:user:" + alice,
                    TriggerJson.toJson(pending),
                    SetParams.setParams().pxAt(pending.expiresAt));
        }
        String triggers = "/v1/triggers/{userId}";
        String ack = "/v1/triggers/{triggerId}/ack";
        expect(200, call(s, triggers, "GET", "/v1/triggers/" + alice, null));
        expect(204, call(s, triggers, "GET", "/v1/triggers/" + bob, null));
        String aliceBody = "{\"userId\":\"" + alice + "\"}";
        expect(204, call(s, ack, "POST", ackPath(pending), aliceBody));
        expect(204, call(s, ack, "POST", ackPath(unwritten) + "?userId=" + alice, ""));
        expect(403, call(s, ack, "POST", ackPath(bobs), aliceBody));

        // other routes: the health check, a static file, a preflight, no route at all
        expect(200, call(s, "/healthz", "GET", "/healthz", null));
        expect(200, call(s, WebMetrics.STATIC, "GET", "/guidance.js", null));
        expect(
                204,
                call(
                        s,
                        "/v1/*",
                        "OPTIONS",
                        "/v1/events",
                        (byte[]) null,
                        Map.of(
                                "Origin",
                                "https://shop.example",
                                "Access-Control-Request-Method",
                                "POST")));
        expect(404, call(s, WebMetrics.NO_ROUTE, "GET", "/users/" + alice + "/profile", null));

        int total = requests.values().stream().mapToInt(Integer::intValue).sum();
        Samples m =
                scrapeUntil(
                        s,
                        got -> got.sum("guidance_web_requests_total", Map.of()) == total,
                        Map.of("Origin", "https://shop.example"));

        // requests: exactly the ones made, none of the scrapes
        Map<List<String>, Integer> counted = new HashMap<>();
        for (Sample x : m.named("guidance_web_requests_total")) {
            counted.put(
                    List.of(x.labels.get("route"), x.labels.get("method"), x.labels.get("status")),
                    (int) x.value);
        }
        assertThat(counted).isEqualTo(requests);
        Map<List<String>, Integer> byRoute = new HashMap<>();
        requests.forEach((k, n) -> byRoute.merge(List.of(k.get(0), k.get(1)), n, Integer::sum));
        Map<List<String>, Integer> histogramCounts = new HashMap<>();
        for (Sample x : m.named("guidance_web_request_duration_seconds_count")) {
            List<String> key = List.of(x.labels.get("route"), x.labels.get("method"));
            histogramCounts.put(key, (int) x.value);
            Map<String, String> inf = new HashMap<>(x.labels);
            inf.put("le", "+Inf");
            assertThat(m.sum("guidance_web_request_duration_seconds_bucket", inf))
                    .as("the +Inf bucket of %s", key)
                    .isEqualTo(x.value);
        }
        assertThat(histogramCounts).isEqualTo(byRoute);
        assertThat(m.named("guidance_web_request_duration_seconds_bucket"))
                .as("buckets")
                .anyMatch(x -> x.labels.get("le").equals("0.1"));

        // events and batches
        assertThat(m.sum("guidance_web_events_accepted_total", Map.of())).isEqualTo(acceptedEvents);
        assertThat(m.byLabel("guidance_web_events_rejected_total", "reason"))
                .isEqualTo(eventsRejected);
        assertThat(m.byLabel("guidance_web_batches_rejected_total", "reason"))
                .isEqualTo(batchesRejected);
        assertThat(m.sum("guidance_web_kafka_send_seconds_count", Map.of("outcome", "success")))
                .isEqualTo(acceptedEvents);
        assertThat(m.sum("guidance_web_kafka_send_errors_total", Map.of())).isZero();
        assertThat(m.sum("guidance_web_redis_errors_total", Map.of())).isZero();

        // triggers
        assertThat(m.byLabel("guidance_web_triggers_served_total", "result"))
                .isEqualTo(Map.of("found", 1, "none", 1));
        assertThat(m.byLabel("guidance_web_triggers_acknowledged_total", "result"))
                .isEqualTo(Map.of("removed", 1, "marked", 1));

        // both dependencies answered the monitor
        assertThat(m.named("guidance_web_dependency_up"))
                .extracting(x -> x.labels.get("dependency") + "=" + x.value)
                .containsExactlyInAnyOrder("kafka=1.0", "redis=1.0");

        // the JVM, the process and the producer
        assertThat(m.sum("jvm_memory_used_bytes", Map.of())).isPositive();
        assertThat(m.named("process_uptime_seconds")).hasSize(1);
        assertThat(m.samples).anyMatch(x -> x.name.startsWith("kafka_producer_"));

        // no user or trigger id in any label, and every route label a declared one
        for (Sample x : m.samples) {
            for (String v : x.labels.values()) {
                assertThat(v).as("a label of %s", x.name).doesNotContain(USER).doesNotContain("|");
            }
        }
        assertThat(m.samples)
                .filteredOn(x -> x.labels.containsKey("route"))
                .extracting(x -> x.labels.get("route"))
                .allMatch(
                        r ->
                                List.of(
                                                "/v1/events",
                                                "/v1/*",
                                                triggers,
                                                ack,
                                                "/healthz",
                                                WebMetrics.STATIC,
                                                WebMetrics.NO_ROUTE)
                                        .contains(r));
    }

    @Test
    void kafkaAndRedisFailuresAreCountedByOperation() throws Exception {
        int deadKafka = FreePorts.onLoopback();
        int deadRedis = FreePorts.onLoopback();
        GuidanceWebServer s =
                server(
                        Map.of(
                                "kafka.bootstrap",
                                "127.0.0.1:" + deadKafka,
                                "redis.port",
                                Integer.toString(deadRedis),
                                "redis.timeout",
                                "1s",
                                "web.rateLimit",
                                "0"));
        String alice = USER + "alice";
        long now = System.currentTimeMillis();

        // the monitor's first checks, made before the service listens, found both down: the
        // requests that need them are refused before any call
        expect(
                503,
                call(s, "/v1/events", "POST", "/v1/events", "[" + event("k1", alice, now) + "]"));
        expect(503, call(s, "/v1/triggers/{userId}", "GET", "/v1/triggers/" + alice, null));
        Trigger t = TestTriggers.checkoutStall(alice);
        expect(
                503,
                call(
                        s,
                        "/v1/triggers/{triggerId}/ack",
                        "POST",
                        ackPath(t),
                        "{\"userId\":\"" + alice + "\"}"));
        expect(200, call(s, "/healthz", "GET", "/healthz", null));
        expect(503, call(s, "/readyz", "GET", "/readyz", null));

        int total = requests.values().stream().mapToInt(Integer::intValue).sum();
        Samples m =
                scrapeUntil(
                        s,
                        got -> got.sum("guidance_web_requests_total", Map.of()) == total,
                        Map.of());

        assertThat(m.byLabel("guidance_web_batches_rejected_total", "reason"))
                .isEqualTo(Map.of("kafka_unavailable", 1));
        // the trigger routes' refusals (the read and the ack) are requests answered 503 by the
        // before handler of /v1/triggers/* (batches are events only)
        assertThat(
                        m.sum(
                                "guidance_web_requests_total",
                                Map.of("route", "/v1/triggers/*", "status", "503")))
                .isEqualTo(2);
        assertThat(m.sum("guidance_web_events_accepted_total", Map.of())).isZero();
        assertThat(m.named("guidance_web_dependency_up"))
                .extracting(x -> x.labels.get("dependency") + "=" + x.value)
                .containsExactlyInAnyOrder("kafka=0.0", "redis=0.0");
        // refused before a send or a Redis call: none failed
        assertThat(m.named("guidance_web_kafka_send_errors_total")).isEmpty();
        assertThat(m.named("guidance_web_redis_errors_total")).isEmpty();
        assertThat(
                        m.sum(
                                "guidance_web_requests_total",
                                Map.of("route", "/readyz", "status", "503")))
                .isEqualTo(1);
        assertThat(m.sum("guidance_web_triggers_served_total", Map.of())).isZero();
        assertThat(m.sum("guidance_web_triggers_acknowledged_total", Map.of())).isZero();
    }

    // --- requests
    // -------------------------------------------------------------------------------------------------

    private HttpResponse<String> call(
            GuidanceWebServer s, String route, String method, String path, String body)
            throws Exception {
        return call(s, route, method, path, body, Map.of());
    }

    private HttpResponse<String> call(
            GuidanceWebServer s,
            String route,
            String method,
            String path,
            String body,
            Map<String, String> headers)
            throws Exception {
        return call(
                s,
                route,
                method,
                path,
                body == null ? null : body.getBytes(StandardCharsets.UTF_8),
                headers);
    }

    /**
     * Sends a request from a client of its own (so the rate limit passes it) and counts it under
     * the route the test meant to reach.
     */
    private HttpResponse<String> call(
            GuidanceWebServer s,
            String route,
            String method,
            String path,
            byte[] body,
            Map<String, String> headers)
            throws Exception {
        Map<String, String> h = new HashMap<>(headers);
        clients++;
        h.put("X-Forwarded-For", "198.51." + (clients / 250) + "." + (clients % 250 + 1));
        HttpResponse<String> r = send(s, method, path, body, h);
        count(route, method, r.statusCode());
        return r;
    }

    private void count(String route, String method, int status) {
        requests.merge(List.of(route, method, Integer.toString(status)), 1, Integer::sum);
    }

    private static void expect(int status, HttpResponse<String> r) {
        assertThat(r.statusCode())
                .as("%s %s: %s", r.request().method(), r.uri(), r.body())
                .isEqualTo(status);
    }

    private HttpResponse<String> send(
            GuidanceWebServer s, String method, String path, byte[] body, Map<String, String> h)
            throws Exception {
        HttpRequest.Builder b =
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + s.port() + path))
                        .timeout(Duration.ofSeconds(60))
                        .method(
                                method,
                                body == null
                                        ? HttpRequest.BodyPublishers.noBody()
                                        : HttpRequest.BodyPublishers.ofByteArray(body));
        if (body != null) {
            b.header("Content-Type", "application/json");
        }
        h.forEach(b::header);
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    /**
     * Scrapes until {@code done} holds (a request is counted just after its answer is written),
     * checking each scrape's answer on the way.
     */
    private Samples scrapeUntil(
            GuidanceWebServer s, Predicate<Samples> done, Map<String, String> headers)
            throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        int scrapes = 0;
        while (true) {
            // always the same client: /metrics is not rate-limited
            HttpResponse<String> r = send(s, "GET", WebMetrics.PATH, null, headers);
            scrapes++;
            assertThat(r.statusCode()).as("scrape %d", scrapes).isEqualTo(200);
            assertThat(r.headers().firstValue("Content-Type").orElse(""))
                    .startsWith("text/plain; version=0.0.4");
            assertThat(r.headers().firstValue("Access-Control-Allow-Origin")).isEmpty();
            Samples m = Samples.parse(r.body());
            if (scrapes >= 3 && done.test(m)) {
                return m;
            }
            assertThat(System.nanoTime())
                    .as("metrics within 30 s; last scrape:\n%s", r.body())
                    .isLessThan(deadline);
            Thread.sleep(50);
        }
    }

    // --- the Prometheus text format
    // -------------------------------------------------------------------------------

    record Sample(String name, Map<String, String> labels, double value) {}

    /** The samples of one scrape: {@code name{label="value",...} number} lines. */
    record Samples(List<Sample> samples) {
        private static final Pattern LINE =
                Pattern.compile("([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\\{(.*)\\})? (\\S+)(?: \\d+)?");
        private static final Pattern LABEL =
                Pattern.compile("([a-zA-Z_][a-zA-Z0-9_]*)=\"((?:[^\"\\\\]|\\\\.)*)\",?");

        static Samples parse(String text) {
            List<Sample> out = new ArrayList<>();
            for (String line : text.split("\n")) {
                if (line.isBlank() || line.startsWith("#")) {
                    continue;
                }
                Matcher l = LINE.matcher(line);
                assertThat(l.matches()).as("a sample line: %s", line).isTrue();
                Map<String, String> labels = new LinkedHashMap<>();
                if (l.group(2) != null) {
                    Matcher kv = LABEL.matcher(l.group(2));
                    int at = 0;
                    while (kv.find() && kv.start() == at) {
                        labels.put(kv.group(1), unescape(kv.group(2)));
                        at = kv.end();
                    }
                    assertThat(at).as("labels of %s", line).isEqualTo(l.group(2).length());
                }
                out.add(new Sample(l.group(1), labels, number(l.group(3))));
            }
            return new Samples(out);
        }

        private static String unescape(String v) {
            return v.replace("\\n", "\n").replace("\\\"", "\"").replace("\\\\", "\\");
        }

        private static double number(String v) {
            return switch (v) {
                case "+Inf" -> Double.POSITIVE_INFINITY;
                case "-Inf" -> Double.NEGATIVE_INFINITY;
                default -> Double.parseDouble(v);
            };
        }

        List<Sample> named(String name) {
            return samples.stream().filter(x -> x.name.equals(name)).toList();
        }

        /** The sum over the samples of {@code name} whose labels include {@code labels}. */
        double sum(String name, Map<String, String> labels) {
            return named(name).stream()
                    .filter(x -> x.labels.entrySet().containsAll(labels.entrySet()))
                    .mapToDouble(Sample::value)
                    .sum();
        }

        /** The non-zero samples of a counter, summed by one label. */
        Map<String, Integer> byLabel(String name, String label) {
            Map<String, Integer> out = new TreeMap<>();
            for (Sample x : named(name)) {
                if (x.value != 0) {
                    out.merge(x.labels.get(label), (int) x.value, Integer::sum);
                }
            }
            return out;
        }
    }

    // --- data
    // -----------------------------------------------------------------------------------------------------

    private static String event(String eventId, String userId, long ts) {
        return "{\"eventId\":\""
                + eventId
                + "\",\"userId\":\""
                + userId
                + "\",\"sessionId\":\"s1\",\"ts\":"
                + ts
                + ",\"type\":\"click\",\"page\":\"/checkout\"}";
    }

    private static String ackPath(Trigger t) {
        return "/v1/triggers/"
                + java.net.URLEncoder.encode(t.triggerId, StandardCharsets.UTF_8)
                        .replace("+", "%20")
                + "/ack";
    }
}
