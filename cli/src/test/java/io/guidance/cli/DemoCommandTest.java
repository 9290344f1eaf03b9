package io.guidance.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The quick start's first command, shortened: the whole product on this machine, fed from the
 * shipped Taobao sample. Guides reach Redis, the policy holds some back, broken records reach the
 * dead-letter topic, a shopper who stalls on the demo shop's checkout gets the checkout guide
 * through the trigger API, and it stops by itself leaving no process behind. (The shop in a real
 * browser is {@code ShopBrowserIT} in the web module.)
 */
class DemoCommandTest {
    private static final Pattern FINAL =
            Pattern.compile(
                    "stopping: events (\\d+) \\| guides in Redis (\\d+) \\| held back (\\d+) \\| dead letters (\\d+) \\((.*)\\)");
    private static final Pattern REASON = Pattern.compile("([a-z_]+) (\\d+)");

    private static final Pattern SHOP =
            Pattern.compile("open http://localhost:(\\d+) and wait on the checkout page");
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @Test
    void theDemoShowsGuidesHeldBackTriggersAndDeadLettersThenStopsCleanly() throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        AtomicInteger code = new AtomicInteger(-1);
        Thread demo =
                new Thread(
                        () ->
                                code.set(
                                        GuidanceCli.run(
                                                new String[] {
                                                    "demo",
                                                    "--seconds",
                                                    "45",
                                                    "--speed",
                                                    "20000",
                                                    "--port",
                                                    "0",
                                                    "--rules",
                                                    "../config/rules.yaml",
                                                    "--data",
                                                    "../data/samples/taobao-sample.csv"
                                                },
                                                new PrintStream(out, true, StandardCharsets.UTF_8),
                                                new PrintStream(
                                                        err, true, StandardCharsets.UTF_8))),
                        "demo");
        demo.start();

        // A shopper on the demo shop: opens checkout and does nothing; the 8 s checkout stall
        // reaches the trigger API.
        Matcher shop = SHOP.matcher(out.toString(StandardCharsets.UTF_8));
        long deadline = System.currentTimeMillis() + 40_000;
        boolean announced;
        while (!(announced = shop.reset(out.toString(StandardCharsets.UTF_8)).find())
                && System.currentTimeMillis() < deadline) {
            Thread.sleep(200);
        }
        assertThat(announced).as("the demo names the shop's address: " + out).isTrue();
        String base = "http://localhost:" + shop.group(1);
        assertThat(
                        HTTP.send(
                                        HttpRequest.newBuilder(URI.create(base + "/checkout"))
                                                .build(),
                                        HttpResponse.BodyHandlers.ofString())
                                .statusCode())
                .isEqualTo(200);
        long now = System.currentTimeMillis();
        String checkout =
                "[{\"eventId\":\"demo-test-1\",\"userId\":\"web-demo-test\",\"sessionId\":\"s1\","
                        + "\"ts\":"
                        + now
                        + ",\"type\":\"page_view\",\"page\":\"/checkout\"}]";
        HttpResponse<String> posted =
                HTTP.send(
                        HttpRequest.newBuilder(URI.create(base + "/v1/events"))
                                .header("Content-Type", "application/json")
                                .POST(HttpRequest.BodyPublishers.ofString(checkout))
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
        assertThat(posted.statusCode()).as(posted.body()).isEqualTo(202);
        String trigger = null;
        while (trigger == null && System.currentTimeMillis() < now + 30_000) {
            HttpResponse<String> r =
                    HTTP.send(
                            HttpRequest.newBuilder(URI.create(base + "/v1/triggers/web-demo-test"))
                                    .build(),
                            HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() == 200) {
                trigger = r.body();
            } else {
                assertThat(r.statusCode()).isEqualTo(204);
                Thread.sleep(250);
            }
        }
        assertThat(trigger)
                .as("the shopper's checkout stall reaches the trigger API")
                .isNotNull()
                .contains("\"ruleId\":\"checkout-stall\"")
                .contains("\"guide\":\"checkout-help\"");

        demo.join(90_000);
        assertThat(demo.isAlive()).isFalse();
        String printed = out.toString(StandardCharsets.UTF_8);
        assertThat(code.get()).as(err.toString(StandardCharsets.UTF_8)).isZero();
        assertThat(printed).contains("shop checkout-help").contains("web-demo-test");
        Matcher m = FINAL.matcher(printed);
        assertThat(m.find()).as(printed).isTrue();
        long events = Long.parseLong(m.group(1));
        long guides = Long.parseLong(m.group(2));
        long held = Long.parseLong(m.group(3));
        long deadLetters = Long.parseLong(m.group(4));
        Map<String, Long> byReason = new HashMap<>();
        Matcher reason = REASON.matcher(m.group(5));
        while (reason.find()) {
            byReason.put(reason.group(1), Long.parseLong(reason.group(2)));
        }
        assertThat(events).isGreaterThanOrEqualTo(DemoCommand.BROKEN_RECORD_EVERY);
        assertThat(guides).isPositive();
        assertThat(held).isPositive();
        assertThat(byReason.values().stream().mapToLong(Long::longValue).sum())
                .as(m.group())
                .isEqualTo(deadLetters);
        // one broken record per BROKEN_RECORD_EVERY events sent, alternately not JSON and without a
        // userId; the last
        // may still be on its way
        long broken =
                byReason.getOrDefault("not_json", 0L) + byReason.getOrDefault("missing_field", 0L);
        assertThat(byReason.get("not_json")).as(m.group()).isPositive();
        assertThat(broken).as(m.group()).isBetween(2L, events / DemoCommand.BROKEN_RECORD_EVERY);
        assertThat(printed).contains("guide ").contains("stopped; nothing left running");
        assertThat(
                        ProcessHandle.current()
                                .descendants()
                                .filter(
                                        p ->
                                                p.info()
                                                        .command()
                                                        .map(c -> c.contains("redis-server"))
                                                        .orElse(false)))
                .as("no redis-server left")
                .isEmpty();
    }
}
