package io.guidance.web;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.guidance.local.LocalStack;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The bad-input corpus of the HTTP service (README "The web service"): one request per row of
 * {@code src/test/resources/corpus/http/cases.tsv}, with the raw path as sent, the body as a file
 * of exact bytes, and the promised status, error code (or accepted count) and a fragment of the
 * answer. After every request a good batch is still accepted: no bad request stops the service.
 */
class HttpCorpusTest {
    static final String DIR = "/corpus/http/";
    private static final LocalStack.Topics TOPICS = LocalStack.Topics.named("web-corpus");
    private static final ObjectMapper JSON = new ObjectMapper();

    private static LocalStack stack;
    private static GuidanceWebServer server;
    private static final HttpClient HTTP =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    record Case(
            String method,
            String path,
            String contentType,
            String bodyFile,
            int status,
            String outcome,
            String fragment,
            String what) {
        @Override
        public String toString() {
            return method + " " + path + " (" + what + ")";
        }
    }

    static Stream<Arguments> corpus() {
        List<Arguments> cases = new ArrayList<>();
        String tsv = new String(resource(DIR + "cases.tsv"), StandardCharsets.UTF_8);
        for (String line : tsv.split("\n")) {
            if (line.isBlank() || line.startsWith("#")) {
                continue;
            }
            String[] f = line.split("\t", -1);
            cases.add(
                    Arguments.of(
                            new Case(
                                    f[0],
                                    f[1],
                                    f[2],
                                    f[3],
                                    Integer.parseInt(f[4]),
                                    f[5],
                                    f[6],
                                    f[7])));
        }
        return cases.stream();
    }

    static byte[] resource(String path) {
        try (InputStream in = HttpCorpusTest.class.getResourceAsStream(path)) {
            assertThat(in).as(path).isNotNull();
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @BeforeAll
    static void start() throws Exception {
        stack = LocalStack.start(TOPICS, 1);
        Map<String, String> settings = stack.settings(TOPICS);
        settings.put("web.host", "127.0.0.1");
        settings.put("web.port", "0");
        settings.put("web.rateLimit", "0");
        settings.put("web.maxBodyBytes", "4096");
        settings.put("web.maxBatchEvents", "5");
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

    private static HttpResponse<String> send(
            String method, String path, String contentType, byte[] body) throws Exception {
        HttpRequest.Builder b =
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path))
                        .timeout(Duration.ofSeconds(30))
                        .method(
                                method,
                                body == null
                                        ? HttpRequest.BodyPublishers.noBody()
                                        : HttpRequest.BodyPublishers.ofByteArray(body));
        if (contentType != null) {
            b.header("Content-Type", contentType);
        }
        return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("corpus")
    void eachRequestGetsThePromisedAnswerAndTheServiceGoesOn(Case c) throws Exception {
        byte[] body = c.bodyFile().equals("-") ? null : resource(DIR + c.bodyFile());
        String type = c.contentType().equals("-") ? null : c.contentType();
        HttpResponse<String> r = send(c.method(), c.path(), type, body);

        assertThat(r.statusCode()).as(r.body()).isEqualTo(c.status());
        if (c.outcome().startsWith("accepted=")) {
            JsonNode answer = JSON.readTree(r.body());
            int accepted = Integer.parseInt(c.outcome().substring("accepted=".length()));
            assertThat(answer.path("accepted").asInt(-1)).isEqualTo(accepted);
        } else if (!c.outcome().equals("-")) {
            JsonNode answer = JSON.readTree(r.body());
            assertThat(answer.path("error").asText()).isEqualTo(c.outcome());
        }
        assertThat(r.body()).contains(c.fragment());

        HttpResponse<String> next =
                send("POST", "/v1/events", "application/json", resource(DIR + "good-batch.json"));
        assertThat(next.statusCode()).isEqualTo(202);
        assertThat(JSON.readTree(next.body()).path("accepted").asInt()).isEqualTo(2);
    }
}
