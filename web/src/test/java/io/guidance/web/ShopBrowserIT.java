package io.guidance.web;

import static io.guidance.web.JobAndService.waitFor;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.microsoft.playwright.Locator;
import com.microsoft.playwright.Page;
import com.microsoft.playwright.options.WaitForSelectorState;
import io.guidance.local.EmbeddedKafka;
import io.guidance.local.LocalRedis;
import io.guidance.local.LocalStack;
import io.guidance.trigger.Trigger;
import io.guidance.trigger.TriggerJson;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import org.apache.flink.api.common.JobStatus;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.RedisClient;

/**
 * The product as a shopper meets it: the demo shop in headless Chromium, guidance.js sending its
 * clickstream to the HTTP service, the job on a Flink MiniCluster reading Kafka and writing Redis,
 * and the guide appearing on the page when the shopper stalls on checkout. Dismissed, it does not
 * come back, not even after a new stall.
 *
 * <p>Needs Debian's {@code chromium} package ({@code /usr/bin/chromium}); Playwright drives it and
 * downloads no browser.
 */
class ShopBrowserIT {
    private static final Path SCREENSHOTS = Path.of("target", "screenshots");
    private static final ObjectMapper JSON = new ObjectMapper();

    private static final String EVENTS = "guidance-events";
    private static final String DEAD_LETTERS = "guidance-dead-letters";
    private static final String AUDIT = "guidance-audit";
    private static final String RULES = "guidance-rules";

    /**
     * The shop's checkout stall, shortened to 3 s; gaps and cooldowns so short that only a
     * dismissal holds a guide.
     */
    private static final Duration STALL = Duration.ofSeconds(3);

    private static final String RULES_YAML =
            String.join(
                    "\n",
                    "version: 1",
                    "delivery: {ttl: 10m, minGap: 1ms, cooldown: 1ms, maxPerDay: 100}",
                    "rules:",
                    "  - id: checkout-stall",
                    "    guide: checkout-help",
                    "    kind: stall",
                    "    start: {type: page_view, page: /checkout}",
                    "    progress: [{type: page_view}, {type: click, target: \"#pay\"}]",
                    "    within: " + STALL.toSeconds() + "s",
                    "");

    /**
     * The page sends its events in batches up to 2 s old (guidance.js flushes every 2 s), and an
     * empty partition's event time follows the wall clock: the bound must leave room for both.
     */
    private static final Duration MAX_OUT_OF_ORDERNESS = Duration.ofSeconds(5);

    private static final Duration IDLE_TIMEOUT = Duration.ofSeconds(1);

    /** guidance.js in the demo shop polls once a second. */
    private static final Duration POLL = Duration.ofSeconds(1);

    /**
     * The latest the guide may appear after the page loads: the stall, plus event time's allowed
     * disorder, plus the quiet time after which event time follows the clock, plus one poll (with
     * its jitter), plus room for a loaded two-core machine.
     */
    private static final Duration GUIDE_DUE =
            STALL.plus(MAX_OUT_OF_ORDERNESS)
                    .plus(IDLE_TIMEOUT)
                    .plus(POLL.multipliedBy(2))
                    .plus(Duration.ofSeconds(15));

    private static JobAndService product;
    private static LocalRedis redis;
    private static EmbeddedKafka kafka;
    private static HeadlessChromium chromium;

    @BeforeAll
    static void startTheStack() throws Exception {
        HeadlessChromium.requireChromium();
        product =
                JobAndService.start(
                        "guidance-shop-test",
                        new LocalStack.Topics(
                                EVENTS, DEAD_LETTERS, AUDIT, "shop-experiments", RULES),
                        RULES_YAML,
                        MAX_OUT_OF_ORDERNESS,
                        IDLE_TIMEOUT,
                        Map.of("web.demoShop", "true"));
        redis = product.stack().redis();
        kafka = product.stack().kafka();
        waitUntilThePipelineDeliversAGuide();

        chromium = HeadlessChromium.launch(1100, 700);
    }

    /**
     * A stall sent straight to the service until its guide is in Redis: the job reads, detects and
     * writes.
     */
    private static void waitUntilThePipelineDeliversAGuide() throws Exception {
        waitFor(
                "the job to run",
                () -> product.jobStatus() == JobStatus.RUNNING,
                Duration.ofSeconds(60));
        HttpClient http = HttpClient.newHttpClient();
        long now = System.currentTimeMillis();
        String body =
                "[{\"eventId\":\"warm-up\",\"userId\":\"warm-up\",\"sessionId\":\"s\",\"ts\":"
                        + now
                        + ",\"type\":\"page_view\",\"page\":\"/checkout\"}]";
        HttpResponse<String> r =
                http.send(
                        HttpRequest.newBuilder(URI.create(base() + "/v1/events"))
                                .POST(HttpRequest.BodyPublishers.ofString(body))
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(r.body()).isEqualTo(202);
        try (RedisClient client = RedisClient.create(redis.host(), redis.port())) {
            waitFor(
                    "the warm-up guide in Redis",
                    () -> client.exists("guidance:user:warm-up"),
                    Duration.ofSeconds(90));
        }
    }

    @AfterAll
    static void stopTheStack() throws Exception {
        if (chromium != null) {
            chromium.close();
        }
        if (product != null) {
            product.close();
        }
    }

    @Test
    void aShopperWhoStallsOnCheckoutSeesTheGuideAndADismissedGuideStaysAway() throws Exception {
        Page page = chromium.newPage();
        page.navigate(base() + "/checkout");
        long loaded = System.nanoTime();
        page.waitForFunction("() => window.shopVisitor && window.shopVisitor.userId");
        String userId = (String) page.evaluate("() => window.shopVisitor.userId");
        Locator guide = page.locator(".guidance-guide");

        // event time cannot pass the stall's deadline before the stall has lasted on the clock
        sleepUntil(loaded, STALL.minusMillis(1000));
        assertThat(guide.count()).as("a guide before the stall is over").isZero();

        guide.waitFor(
                new Locator.WaitForOptions()
                        .setState(WaitForSelectorState.VISIBLE)
                        .setTimeout(GUIDE_DUE.toMillis() - elapsed(loaded).toMillis()));
        Duration appearedAfter = elapsed(loaded);
        System.out.printf(
                "guide appeared %.1f s after the checkout page loaded (stall %d s, allowed %d s)%n",
                appearedAfter.toMillis() / 1000.0, STALL.toSeconds(), GUIDE_DUE.toSeconds());
        assertThat(guide.getAttribute("data-guide")).isEqualTo("checkout-help");
        JsonNode catalogue = catalogue().get("checkout-help");
        assertThat(guide.locator("strong").textContent())
                .isEqualTo(catalogue.get("title").asText());
        assertThat(guide.locator("p").textContent()).isEqualTo(catalogue.get("text").asText());

        Files.createDirectories(SCREENSHOTS);
        Path shot = SCREENSHOTS.resolve("checkout-guide.png");
        page.screenshot(new Page.ScreenshotOptions().setPath(shot));
        assertThat(shot).exists();
        byte[] png = Files.readAllBytes(shot);
        assertThat(png.length).isGreaterThan(1000);
        assertThat(java.util.Arrays.copyOf(png, 8))
                .isEqualTo(new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'});

        // shown, so acknowledged: the user key is gone and the id is marked
        String shownTrigger;
        try (RedisClient client = RedisClient.create(redis.host(), redis.port());
                AuditReader audit = new AuditReader(kafka)) {
            List<Trigger> first = audit.waitForDecisions(userId, 1);
            shownTrigger = first.get(0).triggerId;
            assertThat(first.get(0).status).isEqualTo(Trigger.DELIVERED);
            waitFor(
                    "the acknowledgement",
                    () -> "acked".equals(client.get("guidance:written:" + shownTrigger)),
                    Duration.ofSeconds(10));
            assertThat(client.exists("guidance:user:" + userId)).isFalse();

            page.locator(".guidance-close").click();
            assertThat(guide.count()).isZero();

            // past the stall again on the same page: the acknowledged guide is not shown again
            sleepUntil(System.nanoTime(), STALL.plus(POLL.multipliedBy(2)));
            assertThat(guide.count()).as("the dismissed guide came back").isZero();

            // a new stall on checkout: the job holds the guide because the shopper dismissed it
            page.reload();
            long reloaded = System.nanoTime();
            List<Trigger> both = audit.waitForDecisions(userId, 2);
            Trigger second = both.get(1);
            assertThat(second.triggerId).isNotEqualTo(shownTrigger);
            assertThat(second.status).isEqualTo(Trigger.SUPPRESSED_PREFIX + "dismissed");
            sleepUntil(reloaded, STALL.plus(POLL.multipliedBy(3)));
            assertThat(client.exists("guidance:user:" + userId)).isFalse();
            assertThat(guide.count()).as("a guide after the dismissal").isZero();
        }
        page.screenshot(
                new Page.ScreenshotOptions()
                        .setPath(SCREENSHOTS.resolve("checkout-after-dismissal.png")));
    }

    private static JsonNode catalogue() throws IOException {
        try (InputStream in =
                ShopBrowserIT.class.getResourceAsStream(
                        GuidanceWebServer.PUBLIC + "/guides.json")) {
            return JSON.readTree(in);
        }
    }

    private static String base() {
        return product.base();
    }

    private static Duration elapsed(long sinceNanos) {
        return Duration.ofNanos(System.nanoTime() - sinceNanos);
    }

    private static void sleepUntil(long sinceNanos, Duration after) throws InterruptedException {
        long wait = after.minus(elapsed(sinceNanos)).toMillis();
        if (wait > 0) {
            Thread.sleep(wait);
        }
    }

    /** Every trigger the job decided, delivered or suppressed, from the audit topic. */
    private static final class AuditReader implements AutoCloseable {
        private final KafkaConsumer<String, String> consumer;
        private final List<Trigger> seen = new ArrayList<>();

        AuditReader(EmbeddedKafka kafka) {
            Properties p = new Properties();
            p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
            p.put(ConsumerConfig.GROUP_ID_CONFIG, "audit-" + UUID.randomUUID());
            p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
            p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
            p.put(
                    ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG,
                    StringDeserializer.class.getName());
            consumer = new KafkaConsumer<>(p);
            consumer.subscribe(List.of(AUDIT));
        }

        /**
         * The first {@code n} decisions for the user, in event time order, once there are that
         * many.
         */
        List<Trigger> waitForDecisions(String userId, int n) {
            long deadline = System.nanoTime() + GUIDE_DUE.toNanos();
            List<Trigger> mine = new ArrayList<>();
            while (System.nanoTime() < deadline) {
                consumer.poll(Duration.ofMillis(200))
                        .forEach(r -> seen.add(TriggerJson.fromJson(r.value())));
                mine =
                        seen.stream()
                                .filter(t -> t.userId.equals(userId))
                                .sorted(Comparator.comparingLong(t -> t.ts))
                                .toList();
                if (mine.size() >= n) {
                    return mine;
                }
            }
            throw new AssertionError(
                    "decisions for " + userId + ": " + mine.size() + " of " + n + ", " + mine);
        }

        @Override
        public void close() {
            consumer.close(Duration.ofSeconds(5));
        }
    }
}
