package io.guidance.web;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.guidance.local.LocalStack;
import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.stream.Stream;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The HTTP service takes UTF-8 only, as the job does (SPEC section 1): raw bytes in the body,
 * against a real Kafka broker and redis-server. Well-formed multi-byte text reaches the events
 * topic byte for byte; a body with any ill-formed sequence is refused whole with 400 {@code
 * not_utf8} and nothing of it reaches Kafka; an escape that leaves an unpaired surrogate is a
 * refused event with the same reason.
 */
class WebServiceUtf8Test {
    /** One partition, so that the marker sent last is read after anything sent before it. */
    private static final LocalStack.Topics TOPICS = LocalStack.Topics.named("web-utf8");

    private static final String EVENTS = TOPICS.events();

    private static final ObjectMapper JSON = new ObjectMapper();

    private static LocalStack stack;
    private static GuidanceWebServer server;

    private final HttpClient http =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private KafkaConsumer<byte[], byte[]> consumer;

    @BeforeAll
    static void start() throws Exception {
        stack = LocalStack.start(TOPICS, 1);
        Map<String, String> settings = stack.settings(TOPICS);
        settings.put("web.host", "127.0.0.1");
        settings.put("web.port", "0");
        settings.put("web.rateLimit", "0");
        server = GuidanceWebServer.start(WebSettings.of(settings));
    }

    @AfterAll
    static void stop() {
        if (server != null) {
            server.close();
        }
        if (stack != null) {
            stack.close();
        }
    }

    @BeforeEach
    void subscribe() {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, stack.bootstrapServers());
        p.put(ConsumerConfig.GROUP_ID_CONFIG, "web-utf8-test-" + UUID.randomUUID());
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "latest");
        p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        p.put(
                ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG,
                ByteArrayDeserializer.class.getName());
        consumer = new KafkaConsumer<>(p);
        consumer.subscribe(List.of(EVENTS));
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (consumer.assignment().isEmpty() && System.nanoTime() < deadline) {
            consumer.poll(Duration.ofMillis(100));
        }
        consumer.assignment().forEach(consumer::position);
    }

    @AfterEach
    void unsubscribe() {
        consumer.close(Duration.ofSeconds(5));
    }

    /** An event body whose userId is {@code a}, the given bytes, then {@code b}. */
    private static byte[] eventWithUserIdBytes(String eventId, int... middle) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(prefix(eventId).getBytes(StandardCharsets.US_ASCII));
        for (int b : middle) {
            out.write(b);
        }
        out.writeBytes(
                ("b\",\"sessionId\":\"s1\",\"ts\":"
                                + System.currentTimeMillis()
                                + ",\"type\":\"click\"}")
                        .getBytes(StandardCharsets.US_ASCII));
        return out.toByteArray();
    }

    private static String prefix(String eventId) {
        return "{\"eventId\":\"" + eventId + "\",\"userId\":\"a";
    }

    @Test
    void wellFormedMultiByteTextReachesKafkaByteForByte() throws Exception {
        // ü, € and 𝄞 (two, three and four bytes) in the user id
        byte[] body =
                eventWithUserIdBytes("mb", 0xC3, 0xBC, 0xE2, 0x82, 0xAC, 0xF0, 0x9D, 0x84, 0x9E);
        String userId = "a\u00fc\u20ac" + Character.toString(0x1D11E) + "b";

        HttpResponse<String> r = post("/v1/events", body);

        assertThat(r.statusCode()).as(r.body()).isEqualTo(202);
        assertThat(JSON.readTree(r.body()).get("accepted").asInt()).isEqualTo(1);
        ConsumerRecord<byte[], byte[]> rec = readEvents(1).get(0);
        assertThat(rec.key()).isEqualTo(userId.getBytes(StandardCharsets.UTF_8));
        assertThat(JSON.readTree(rec.value()).get("userId").asText()).isEqualTo(userId);
    }

    static Stream<Arguments> illFormed() {
        return Stream.of(
                Arguments.of("overlong '/'", new int[] {0xC0, 0xAF}, "overlong encoding (c0 af)"),
                Arguments.of(
                        "encoded U+D800",
                        new int[] {0xED, 0xA0, 0x80},
                        "encoded surrogate (CESU-8) (ed a0 80)"),
                Arguments.of(
                        "U+110000",
                        new int[] {0xF4, 0x90, 0x80, 0x80},
                        "code point above U+10FFFF (f4 90 80 80)"),
                Arguments.of(
                        "two of three bytes", new int[] {0xE2, 0x82}, "sequence cut short (e2 82)"),
                Arguments.of("byte ff", new int[] {0xFF}, "byte that never occurs in UTF-8 (ff)"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("illFormed")
    void aBodyThatIsNotUtf8IsRefusedWholeAndNothingOfItIsSent(String name, int[] bytes, String kind)
            throws Exception {
        byte[] bad = eventWithUserIdBytes("bad", bytes);
        byte[] batch = concat("[".getBytes(StandardCharsets.US_ASCII), bad, "]".getBytes());

        HttpResponse<String> single = post("/v1/events", bad);
        HttpResponse<String> inBatch = post("/v1/events", batch);
        HttpResponse<String> marker = post("/v1/events", eventWithUserIdBytes("marker", 'x'));

        assertThat(single.statusCode()).isEqualTo(400);
        JsonNode error = JSON.readTree(single.body());
        assertThat(error.get("error").asText()).isEqualTo("not_utf8");
        assertThat(error.get("detail").asText())
                .isEqualTo("invalid UTF-8 at byte offset " + prefix("bad").length() + ": " + kind);
        assertThat(inBatch.statusCode()).isEqualTo(400);
        assertThat(JSON.readTree(inBatch.body()).get("detail").asText())
                .isEqualTo(
                        "invalid UTF-8 at byte offset "
                                + (prefix("bad").length() + 1)
                                + ": "
                                + kind);
        assertThat(marker.statusCode()).isEqualTo(202);
        // the topic has one partition: what was sent before the marker is read before it
        assertThat(readEvents(1))
                .extracting(rec -> JSON.readTree(rec.value()).get("eventId").asText())
                .containsExactly("marker");
    }

    @Test
    void anEscapeThatLeavesAnUnpairedSurrogateIsARefusedEvent() throws Exception {
        long now = System.currentTimeMillis();
        String body =
                "[{\"eventId\":\"lone\",\"userId\":\"a\\uD800b\",\"sessionId\":\"s1\",\"ts\":"
                        + now
                        + ",\"type\":\"click\"},"
                        + "{\"eventId\":\"pair\",\"userId\":\"a\\uD834\\uDD1Eb\",\"sessionId\":\"s1\",\"ts\":"
                        + now
                        + ",\"type\":\"click\"}]";

        HttpResponse<String> r = post("/v1/events", body.getBytes(StandardCharsets.US_ASCII));

        assertThat(r.statusCode()).as(r.body()).isEqualTo(202);
        JsonNode answer = JSON.readTree(r.body());
        assertThat(answer.get("accepted").asInt()).isEqualTo(1);
        JsonNode rejected = answer.get("rejected").get(0);
        assertThat(rejected.get("index").asInt()).isEqualTo(0);
        assertThat(rejected.get("eventId").asText()).isEqualTo("lone");
        assertThat(rejected.get("reason").asText()).isEqualTo("not_utf8");
        assertThat(rejected.get("detail").asText())
                .isEqualTo(
                        "userId has an unpaired surrogate \\uD800 at character 1 (no UTF-8 form)");
        ConsumerRecord<byte[], byte[]> rec = readEvents(1).get(0);
        assertThat(new String(rec.key(), StandardCharsets.UTF_8))
                .isEqualTo("a" + Character.toString(0x1D11E) + "b");
    }

    @Test
    void anAcknowledgementThatIsNotUtf8IsRefused() throws Exception {
        byte[] body =
                concat(
                        "{\"userId\":\"a".getBytes(StandardCharsets.US_ASCII),
                        new byte[] {(byte) 0xC0, (byte) 0xAF},
                        "b\"}".getBytes(StandardCharsets.US_ASCII));

        HttpResponse<String> r =
                post("/v1/triggers/checkout-stall%7Ca%2Fb%7Cs1%7C1700000000000/ack", body);

        assertThat(r.statusCode()).isEqualTo(400);
        assertThat(JSON.readTree(r.body()).get("error").asText()).isEqualTo("not_utf8");
    }

    private List<ConsumerRecord<byte[], byte[]>> readEvents(int n) {
        List<ConsumerRecord<byte[], byte[]>> out = new ArrayList<>();
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (out.size() < n && System.nanoTime() < deadline) {
            consumer.poll(Duration.ofMillis(200)).forEach(out::add);
        }
        assertThat(out).as("records in the events topic").hasSize(n);
        return out;
    }

    private HttpResponse<String> post(String path, byte[] body) throws Exception {
        HttpRequest request =
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path))
                        .timeout(Duration.ofSeconds(30))
                        .header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofByteArray(body))
                        .build();
        return http.send(request, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
    }

    private static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            out.writeBytes(p);
        }
        return out.toByteArray();
    }
}
