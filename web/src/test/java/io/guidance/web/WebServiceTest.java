package io.guidance.web;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.guidance.local.EmbeddedKafka;
import io.guidance.local.LocalRedis;
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
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.RedisClient;
import redis.clients.jedis.params.SetParams;

/**
 * The HTTP service against a real Kafka broker (in this JVM) and a real redis-server: what it
 * accepts lands in the events topic keyed by user, what it refuses is listed with the parser's
 * reason, and the trigger API reads and acknowledges what the job writes, within the limits and
 * checks that {@link WebSettings} sets.
 */
class WebServiceTest {
    private static final LocalStack.Topics TOPICS = LocalStack.Topics.named("web");
    private static final String EVENTS = TOPICS.events();
    private static final ObjectMapper JSON = new ObjectMapper();

    private static LocalStack stack;
    private static EmbeddedKafka kafka;
    private static LocalRedis redis;

    private final HttpClient http =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final List<GuidanceWebServer> servers = new ArrayList<>();
    private RedisClient client;
    private KafkaConsumer<String, String> consumer;

    @BeforeAll
    static void startKafkaAndRedis() throws Exception {
        stack = LocalStack.start(TOPICS, 2);
        kafka = stack.kafka();
        redis = stack.redis();
    }

    @AfterAll
    static void stopKafkaAndRedis() {
        if (stack != null) {
            stack.close();
        }
    }

    @BeforeEach
    void connect() {
        client = RedisClient.create(redis.host(), redis.port());
        client.flushAll();
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        p.put(ConsumerConfig.GROUP_ID_CONFIG, "web-test-" + UUID.randomUUID());
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "latest");
        p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        consumer = new KafkaConsumer<>(p);
        consumer.subscribe(List.of(EVENTS));
        // join the group and fix the "latest" position before the test sends anything
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (consumer.assignment().size() < 2 && System.nanoTime() < deadline) {
            consumer.poll(Duration.ofMillis(100));
        }
        consumer.assignment().forEach(consumer::position);
    }

    @AfterEach
    void disconnect() {
        servers.forEach(GuidanceWebServer::close);
        consumer.close(Duration.ofSeconds(5));
        client.close();
    }

    private GuidanceWebServer server(Map<String, String> web) {
        Map<String, String> job = stack.settings(TOPICS);
        Map<String, String> w = new HashMap<>();
        w.put("web.host", "127.0.0.1");
        w.put("web.port", "0");
        w.put("web.rateLimit", "0");
        w.putAll(web);
        job.putAll(w);
        GuidanceWebServer s = GuidanceWebServer.start(WebSettings.of(job));
        servers.add(s);
        return s;
    }

    // --- events
    // ---------------------------------------------------------------------------------------------------

    @Test
    void goodEventsLandInKafkaKeyedByUserAndBadOnesAreListedWithTheirReason() throws Exception {
        GuidanceWebServer s = server(Map.of());
        long now = System.currentTimeMillis();
        String body =
                "["
                        + event("e1", "u1", now, "page_view")
                        + ","
                        + "{\"eventId\":\"e2\",\"sessionId\":\"s1\",\"ts\":"
                        + now
                        + ",\"type\":\"click\"},"
                        + "{\"eventId\":\"e3\",\"userId\":\"u1\",\"sessionId\":\"s1\",\"ts\":\"yesterday\",\"type\":\"click\"},"
                        + event("e4", "u2", now, "click")
                        + "]";

        HttpResponse<String> r = post(s, "/v1/events", body, Map.of());

        assertThat(r.statusCode()).isEqualTo(202);
        JsonNode answer = JSON.readTree(r.body());
        assertThat(answer.get("accepted").asInt()).isEqualTo(2);
        assertThat(answer.get("rejected")).hasSize(2);
        assertThat(answer.get("rejected").get(0).get("index").asInt()).isEqualTo(1);
        assertThat(answer.get("rejected").get(0).get("eventId").asText()).isEqualTo("e2");
        assertThat(answer.get("rejected").get(0).get("reason").asText()).isEqualTo("missing_field");
        assertThat(answer.get("rejected").get(0).get("detail").asText()).isEqualTo("userId");
        assertThat(answer.get("rejected").get(1).get("index").asInt()).isEqualTo(2);
        assertThat(answer.get("rejected").get(1).get("reason").asText()).isEqualTo("wrong_type");

        Map<String, String> keyByEventId = new HashMap<>();
        for (ConsumerRecord<String, String> rec : readEvents(2)) {
            keyByEventId.put(JSON.readTree(rec.value()).get("eventId").asText(), rec.key());
        }
        assertThat(keyByEventId).containsExactlyInAnyOrderEntriesOf(Map.of("e1", "u1", "e4", "u2"));
    }

    @Test
    void aBodyThatIsNotEventsIsRefusedWhole() throws Exception {
        GuidanceWebServer s = server(Map.of());

        HttpResponse<String> notJson = post(s, "/v1/events", "hello", Map.of());
        HttpResponse<String> number = post(s, "/v1/events", "42", Map.of());
        HttpResponse<String> eventsNotAList = post(s, "/v1/events", "{\"events\": 5}", Map.of());

        assertThat(notJson.statusCode()).isEqualTo(400);
        assertThat(JSON.readTree(notJson.body()).get("error").asText()).isEqualTo("not_json");
        assertThat(number.statusCode()).isEqualTo(400);
        assertThat(JSON.readTree(number.body()).get("error").asText()).isEqualTo("not_events");
        assertThat(eventsNotAList.statusCode()).isEqualTo(400);
    }

    @Test
    void aPageClockThatIsWrongIsCorrectedBySentAtAndNoEventIsAheadOfTheService() throws Exception {
        GuidanceWebServer s = server(Map.of());
        long hour = 3_600_000L;
        long before = System.currentTimeMillis();
        // the page's clock is an hour behind: it sent the batch at its "before - 1h", half a second
        // after the event
        String behind =
                "{\"sentAt\":"
                        + (before - hour)
                        + ",\"events\":["
                        + event("late-clock", "u1", before - hour - 500, "page_view")
                        + "]}";
        // no sentAt, and a ts an hour ahead of the service
        String ahead = "[" + event("fast-clock", "u2", before + hour, "page_view") + "]";

        assertThat(post(s, "/v1/events", behind, Map.of()).statusCode()).isEqualTo(202);
        assertThat(post(s, "/v1/events", ahead, Map.of()).statusCode()).isEqualTo(202);
        long after = System.currentTimeMillis();

        Map<String, Long> ts = new HashMap<>();
        for (ConsumerRecord<String, String> rec : readEvents(2)) {
            JsonNode e = JSON.readTree(rec.value());
            ts.put(e.get("eventId").asText(), e.get("ts").asLong());
        }
        // shifted by (receivedAt - sentAt), receivedAt in [before, after]: half a second before it
        // was received
        assertThat(ts.get("late-clock")).isBetween(before - 500, after - 500);
        assertThat(ts.get("fast-clock")).isBetween(before, after);
    }

    @Test
    void aBodyOrBatchOverTheLimitsIs413() throws Exception {
        GuidanceWebServer s = server(Map.of("web.maxBodyBytes", "2000", "web.maxBatchEvents", "3"));
        long now = System.currentTimeMillis();
        StringBuilder big = new StringBuilder("[");
        for (int i = 0; i < 20; i++) {
            big.append(i == 0 ? "" : ",").append(event("big-" + i, "u1", now, "page_view"));
        }
        String four =
                "["
                        + event("a", "u1", now, "click")
                        + ","
                        + event("b", "u1", now, "click")
                        + ","
                        + event("c", "u1", now, "click")
                        + ","
                        + event("d", "u1", now, "click")
                        + "]";

        HttpResponse<String> tooLarge = post(s, "/v1/events", big.append("]").toString(), Map.of());
        HttpResponse<String> tooMany = post(s, "/v1/events", four, Map.of());

        assertThat(big.length()).isGreaterThan(2000);
        assertThat(tooLarge.statusCode()).isEqualTo(413);
        assertThat(JSON.readTree(tooLarge.body()).get("error").asText())
                .isEqualTo("body_too_large");
        assertThat(four.length()).isLessThan(2000);
        assertThat(tooMany.statusCode()).isEqualTo(413);
        assertThat(JSON.readTree(tooMany.body()).get("error").asText())
                .isEqualTo("too_many_events");
    }

    // --- rate limit and CORS
    // --------------------------------------------------------------------------------------

    @Test
    void aClientOverItsRateGets429WithRetryAfterWhileOtherClientsGoOn() throws Exception {
        GuidanceWebServer s =
                server(Map.of("web.rateLimit", "1", "web.clientIpHeader", "X-Forwarded-For"));
        Map<String, String> clientA = Map.of("X-Forwarded-For", "203.0.113.7");
        Map<String, String> clientB = Map.of("X-Forwarded-For", "203.0.113.8, 10.0.0.1");

        List<HttpResponse<String>> fromA = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            fromA.add(get(s, "/v1/triggers/u1", clientA));
        }
        HttpResponse<String> fromB = get(s, "/v1/triggers/u1", clientB);

        // a bucket holds one second's worth: the first request passes, five within a second cannot
        // all pass
        assertThat(fromA.get(0).statusCode()).isEqualTo(204);
        HttpResponse<String> limited =
                fromA.stream()
                        .filter(r -> r.statusCode() == 429)
                        .findFirst()
                        .orElseThrow(
                                () ->
                                        new AssertionError(
                                                "no 429 among "
                                                        + fromA.stream()
                                                                .map(HttpResponse::statusCode)
                                                                .toList()));
        assertThat(limited.headers().firstValue("Retry-After")).contains("1");
        assertThat(fromB.statusCode()).isEqualTo(204);
    }

    @Test
    void preflightFromAnAllowedOriginIsAnsweredAndOthersAreNot() throws Exception {
        GuidanceWebServer s =
                server(
                        Map.of(
                                "web.allowedOrigins",
                                "https://shop.example, https://www.shop.example"));

        HttpResponse<String> allowed =
                send(
                        s,
                        "OPTIONS",
                        "/v1/events",
                        null,
                        Map.of(
                                "Origin",
                                "https://shop.example",
                                "Access-Control-Request-Method",
                                "POST",
                                "Access-Control-Request-Headers",
                                "authorization,content-type"));
        HttpResponse<String> refused =
                send(
                        s,
                        "OPTIONS",
                        "/v1/events",
                        null,
                        Map.of(
                                "Origin",
                                "https://evil.example",
                                "Access-Control-Request-Method",
                                "POST"));
        HttpResponse<String> read =
                get(s, "/v1/triggers/u1", Map.of("Origin", "https://www.shop.example"));

        assertThat(allowed.statusCode()).isEqualTo(204);
        assertThat(allowed.headers().firstValue("Access-Control-Allow-Origin"))
                .contains("https://shop.example");
        assertThat(allowed.headers().firstValue("Access-Control-Allow-Methods").orElse(""))
                .contains("POST");
        assertThat(
                        allowed.headers()
                                .firstValue("Access-Control-Allow-Headers")
                                .orElse("")
                                .toLowerCase())
                .contains("authorization")
                .contains("content-type");
        assertThat(refused.statusCode()).isEqualTo(403);
        assertThat(refused.headers().firstValue("Access-Control-Allow-Origin")).isEmpty();
        assertThat(read.statusCode()).isEqualTo(204);
        assertThat(read.headers().firstValue("Access-Control-Allow-Origin"))
                .contains("https://www.shop.example");
    }

    // --- triggers
    // -------------------------------------------------------------------------------------------------

    @Test
    void thePendingTriggerIsReturnedAsStoredThenAcknowledgedAndGone() throws Exception {
        GuidanceWebServer s = server(Map.of());
        Trigger t = TestTriggers.checkoutStall("u1");
        String stored = TriggerJson.toJson(t);
        client.set("guidance:user:u1", stored, SetParams.setParams().pxAt(t.expiresAt));

        HttpResponse<String> pending = get(s, "/v1/triggers/u1", Map.of());
        HttpResponse<String> nothing = get(s, "/v1/triggers/u2", Map.of());
        HttpResponse<String> ack =
                post(
                        s,
                        "/v1/triggers/" + enc(t.triggerId) + "/ack",
                        "{\"userId\":\"u1\"}",
                        Map.of());
        HttpResponse<String> afterAck = get(s, "/v1/triggers/u1", Map.of());

        assertThat(pending.statusCode()).isEqualTo(200);
        assertThat(pending.body()).isEqualTo(stored);
        assertThat(pending.headers().firstValue("Content-Type").orElse(""))
                .startsWith("application/json");
        assertThat(nothing.statusCode()).isEqualTo(204);
        assertThat(ack.statusCode()).isEqualTo(204);
        assertThat(afterAck.statusCode()).isEqualTo(204);
        // the marker the job's write script refuses to write over (SPEC section 5)
        assertThat(client.get("guidance:written:" + t.triggerId)).isEqualTo("acked");
    }

    @Test
    void acknowledgingATriggerNotYetWrittenBlocksItAndAnotherUsersTriggerIsRefused()
            throws Exception {
        GuidanceWebServer s = server(Map.of());
        Trigger mine = TestTriggers.checkoutStall("u1");
        Trigger theirs = TestTriggers.checkoutStall("u2");

        HttpResponse<String> early =
                post(s, "/v1/triggers/" + enc(mine.triggerId) + "/ack?userId=u1", "", Map.of());
        HttpResponse<String> other =
                post(
                        s,
                        "/v1/triggers/" + enc(theirs.triggerId) + "/ack",
                        "{\"userId\":\"u1\"}",
                        Map.of());
        HttpResponse<String> noUser =
                post(s, "/v1/triggers/" + enc(mine.triggerId) + "/ack", "{}", Map.of());

        assertThat(early.statusCode()).isEqualTo(204);
        assertThat(client.get("guidance:written:" + mine.triggerId)).isEqualTo("acked");
        assertThat(other.statusCode()).isEqualTo(403);
        assertThat(client.exists("guidance:written:" + theirs.triggerId)).isFalse();
        assertThat(noUser.statusCode()).isEqualTo(400);
    }

    // --- the token
    // ------------------------------------------------------------------------------------------------

    @Test
    void withATokenSecretEachUserReachesOnlyTheirOwnEventsAndTriggers() throws Exception {
        GuidanceWebServer s = server(Map.of("web.tokenSecret", "correct horse battery staple"));
        String u1 = "Bearer " + hmac("correct horse battery staple", "u1");
        Trigger t = TestTriggers.checkoutStall("u2");
        client.set(
                "guidance:user:u2", TriggerJson.toJson(t), SetParams.setParams().pxAt(t.expiresAt));
        long now = System.currentTimeMillis();

        HttpResponse<String> noToken = get(s, "/v1/triggers/u1", Map.of());
        HttpResponse<String> own = get(s, "/v1/triggers/u1", Map.of("Authorization", u1));
        HttpResponse<String> othersTrigger = get(s, "/v1/triggers/u2", Map.of("Authorization", u1));
        HttpResponse<String> othersAck =
                post(
                        s,
                        "/v1/triggers/" + enc(t.triggerId) + "/ack",
                        "{\"userId\":\"u2\"}",
                        Map.of("Authorization", u1));
        HttpResponse<String> othersEvents =
                post(
                        s,
                        "/v1/events",
                        "["
                                + event("x1", "u1", now, "click")
                                + ","
                                + event("x2", "u2", now, "click")
                                + "]",
                        Map.of("Authorization", u1));
        HttpResponse<String> ownEvents =
                post(
                        s,
                        "/v1/events",
                        "[" + event("y1", "u1", now, "click") + "]",
                        Map.of("Authorization", u1));

        assertThat(noToken.statusCode()).isEqualTo(401);
        assertThat(own.statusCode()).isEqualTo(204);
        assertThat(othersTrigger.statusCode()).isEqualTo(403);
        assertThat(othersAck.statusCode()).isEqualTo(403);
        assertThat(client.exists("guidance:user:u2")).isTrue();
        assertThat(othersEvents.statusCode()).isEqualTo(403);
        assertThat(ownEvents.statusCode()).isEqualTo(202);
        // the refused batch sent nothing, not even its u1 event: the only record is the later one
        List<ConsumerRecord<String, String>> landed = readEvents(1);
        assertThat(JSON.readTree(landed.get(0).value()).get("eventId").asText()).isEqualTo("y1");
        assertThat(consumer.poll(Duration.ofSeconds(1)).count()).isZero();
    }

    @Test
    void healthReadinessAndTheSnippetAreServedButTheDemoShopOnlyWhenAskedFor() throws Exception {
        GuidanceWebServer plain = server(Map.of());
        GuidanceWebServer demo = server(Map.of("web.demoShop", "true"));

        HttpResponse<String> health = get(plain, "/healthz", Map.of());
        assertThat(health.statusCode()).isEqualTo(200);
        JsonNode states = JSON.readTree(health.body());
        assertThat(states.get("status").asText()).isEqualTo("ok");
        assertThat(states.get("kafka").get("up").asBoolean()).isTrue();
        assertThat(states.get("kafka").get("detail").asText()).contains(EVENTS);
        assertThat(states.get("redis").get("up").asBoolean()).isTrue();
        HttpResponse<String> ready = get(plain, "/readyz", Map.of());
        assertThat(ready.statusCode()).isEqualTo(200);
        assertThat(JSON.readTree(ready.body()).get("status").asText()).isEqualTo("ready");
        HttpResponse<String> snippet = get(plain, "/guidance.js", Map.of());
        assertThat(snippet.statusCode()).isEqualTo(200);
        assertThat(snippet.body()).contains("window", "Guidance");
        assertThat(get(plain, "/checkout", Map.of()).statusCode()).isEqualTo(404);
        assertThat(get(plain, "/guides.json", Map.of()).statusCode()).isEqualTo(404);

        HttpResponse<String> checkout = get(demo, "/checkout", Map.of());
        assertThat(checkout.statusCode()).isEqualTo(200);
        assertThat(checkout.body()).contains("id=\"pay\"", "/guidance.js");
        assertThat(get(demo, "/item/1002", Map.of()).statusCode()).isEqualTo(200);
        JsonNode guides = JSON.readTree(get(demo, "/guides.json", Map.of()).body());
        assertThat(guides.get("checkout-help").get("title").asText()).isNotBlank();
    }

    // --- helpers
    // --------------------------------------------------------------------------------------------------

    private static String event(String eventId, String userId, long ts, String type) {
        return "{\"eventId\":\""
                + eventId
                + "\",\"userId\":\""
                + userId
                + "\",\"sessionId\":\"s1\",\"ts\":"
                + ts
                + ",\"type\":\""
                + type
                + "\",\"page\":\"/checkout\"}";
    }

    private static String hmac(String secret, String userId) throws Exception {
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
        return Base64.getUrlEncoder()
                .withoutPadding()
                .encodeToString(mac.doFinal(userId.getBytes(StandardCharsets.UTF_8)));
    }

    private static String enc(String s) {
        return java.net.URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
    }

    private List<ConsumerRecord<String, String>> readEvents(int n) {
        List<ConsumerRecord<String, String>> out = new ArrayList<>();
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (out.size() < n && System.nanoTime() < deadline) {
            consumer.poll(Duration.ofMillis(200)).forEach(out::add);
        }
        assertThat(out).as("records in the events topic").hasSize(n);
        return out;
    }

    private HttpResponse<String> get(GuidanceWebServer s, String path, Map<String, String> headers)
            throws Exception {
        return send(s, "GET", path, null, headers);
    }

    private HttpResponse<String> post(
            GuidanceWebServer s, String path, String body, Map<String, String> headers)
            throws Exception {
        Map<String, String> h = new HashMap<>(headers);
        h.put("Content-Type", "application/json");
        return send(s, "POST", path, body, h);
    }

    private HttpResponse<String> send(
            GuidanceWebServer s,
            String method,
            String path,
            String body,
            Map<String, String> headers)
            throws Exception {
        HttpRequest.Builder b =
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + s.port() + path))
                        .timeout(Duration.ofSeconds(30))
                        .method(
                                method,
                                body == null
                                        ? HttpRequest.BodyPublishers.noBody()
                                        : HttpRequest.BodyPublishers.ofString(body));
        headers.forEach(b::header);
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }
}
