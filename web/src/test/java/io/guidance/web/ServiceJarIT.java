package io.guidance.web;

import static org.assertj.core.api.Assertions.assertThat;

import io.guidance.local.FreePorts;
import io.guidance.local.LocalStack;
import io.guidance.local.TopicReader;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.jar.Attributes;
import java.util.jar.JarFile;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The shaded service jar that the image runs (docker/web.Dockerfile), started the way the image
 * starts it ({@code java -Dlog4j2.configurationFile=... -jar ... --config config/cluster.yaml})
 * against a real broker and redis-server: it logs through the given Log4j2 properties file, accepts
 * an event into Kafka, answers the trigger API from Redis and stops on SIGTERM.
 */
class ServiceJarIT {
    private static final LocalStack.Topics TOPICS = LocalStack.Topics.named("service-jar");
    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final String LOG_MARK = "service-jar-log";

    private static LocalStack stack;
    private static Path jar;

    private final HttpClient http =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @BeforeAll
    static void startKafkaAndRedis() throws Exception {
        try (DirectoryStream<Path> d =
                Files.newDirectoryStream(Path.of("target"), "guidance-web-*-service.jar")) {
            for (Path p : d) {
                jar = p;
            }
        }
        assertThat(jar).as("the shaded service jar in web/target").isNotNull();
        stack = LocalStack.start(TOPICS, 1);
    }

    @AfterAll
    static void stopKafkaAndRedis() {
        if (stack != null) {
            stack.close();
        }
    }

    @Test
    void theManifestStartsTheServiceAndKeepsLog4jsJava9Classes() throws IOException {
        try (JarFile j = new JarFile(jar.toFile())) {
            Attributes main = j.getManifest().getMainAttributes();
            assertThat(main.getValue("Main-Class")).isEqualTo(GuidanceWebServer.class.getName());
            assertThat(main.getValue("Multi-Release")).isEqualTo("true");
            // Log4j2 finds its appenders and layouts through this index, one per jar: it must be
            // log4j-core's, whole
            assertThat(
                            j.getEntry(
                                    "META-INF/org/apache/logging/log4j/core/config/plugins/Log4j2Plugins.dat"))
                    .isNotNull();
            assertThat(j.getEntry("io/guidance/web/public/guidance.js")).isNotNull();
        }
    }

    @Test
    void theJarServesWithTheShippedSettingsAndStopsOnSigterm(@TempDir Path dir) throws Exception {
        Path logConfig = dir.resolve("log4j2.properties");
        Files.writeString(
                logConfig,
                String.join(
                        "\n",
                        "rootLogger.level = INFO",
                        "rootLogger.appenderRef.console.ref = console",
                        "appender.console.type = Console",
                        "appender.console.name = console",
                        "appender.console.layout.type = PatternLayout",
                        "appender.console.layout.pattern = " + LOG_MARK + " %p %c{1} - %m%n",
                        "logger.kafka.name = org.apache.kafka",
                        "logger.kafka.level = ERROR",
                        ""));
        int port = FreePorts.onLoopback();
        Map<String, String> connection = stack.settings(TOPICS);
        List<String> command =
                new ArrayList<>(
                        List.of(
                                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                                "-Xmx256m",
                                "-Dlog4j2.configurationFile=" + logConfig,
                                "-jar",
                                jar.toString(),
                                "--config",
                                Path.of("..", "config", "cluster.yaml").toString(),
                                "--kafka.bootstrap",
                                connection.get("kafka.bootstrap"),
                                "--kafka.topic",
                                TOPICS.events(),
                                "--redis.host",
                                connection.get("redis.host"),
                                "--redis.port",
                                connection.get("redis.port"),
                                "--web.host",
                                "127.0.0.1",
                                "--web.port",
                                Integer.toString(port),
                                "--web.clientIpHeader",
                                ""));
        Path log = dir.resolve("service.log");
        Process service =
                new ProcessBuilder(command)
                        .redirectErrorStream(true)
                        .redirectOutput(log.toFile())
                        .start();
        try (TopicReader events = new TopicReader(stack.bootstrapServers(), TOPICS.events())) {
            String base = "http://127.0.0.1:" + port;
            waitFor(
                    "the service answering /healthz (log: " + log + ")",
                    () -> {
                        assertThat(service.isAlive()).as("service process alive").isTrue();
                        return status(get(base + "/healthz")) == 200;
                    });

            String eventId = "jar-" + UUID.randomUUID();
            String body =
                    "[{\"eventId\":\""
                            + eventId
                            + "\",\"userId\":\"u1\",\"sessionId\":\"s1\",\"ts\":"
                            + System.currentTimeMillis()
                            + ",\"type\":\"page_view\",\"page\":\"/checkout\"}]";
            HttpResponse<String> posted =
                    http.send(
                            HttpRequest.newBuilder(URI.create(base + "/v1/events"))
                                    .header("Content-Type", "application/json")
                                    .POST(HttpRequest.BodyPublishers.ofString(body))
                                    .build(),
                            HttpResponse.BodyHandlers.ofString());
            assertThat(posted.statusCode()).as(posted.body()).isEqualTo(202);
            assertThat(posted.body()).contains("\"accepted\":1");
            waitFor(
                    "event " + eventId + " on " + TOPICS.events(),
                    () -> events.records().stream().anyMatch(r -> r.contains(eventId)));

            assertThat(status(get(base + "/v1/triggers/u1"))).as("no trigger yet").isEqualTo(204);
        } finally {
            service.destroy(); // SIGTERM, as docker stop and Kubernetes send it
            boolean stopped = service.waitFor(WAIT.toSeconds(), TimeUnit.SECONDS);
            if (!stopped) {
                service.destroyForcibly().waitFor(WAIT.toSeconds(), TimeUnit.SECONDS);
            }
            assertThat(stopped).as("the service stopped on SIGTERM").isTrue();
        }

        List<String> lines = Files.readAllLines(log);
        assertThat(lines)
                .as("lines in the given pattern")
                .anyMatch(l -> l.startsWith(LOG_MARK + " INFO "));
        // Log4j2 reports a configuration it cannot build (e.g. a missing plugin) on its status
        // logger
        assertThat(lines).noneMatch(l -> l.contains("StatusLogger"));
    }

    private HttpResponse<String> get(String url) {
        try {
            return http.send(
                    HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(5)).build(),
                    HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            return null; // not listening yet
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static int status(HttpResponse<String> response) {
        return response == null ? -1 : response.statusCode();
    }

    private static void waitFor(String what, BooleanSupplier condition) throws Exception {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError(what + ": not within " + WAIT);
            }
            Thread.sleep(100);
        }
    }
}
