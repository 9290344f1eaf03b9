package io.guidance.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.guidance.trigger.Trigger;
import io.guidance.trigger.TriggerJson;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The quick start's first command, shortened: the whole product on this machine, fed from the
 * shipped Taobao sample. Guides reach Redis, the policy holds some back, broken records reach the
 * dead-letter topic, a shopper who stalls on the demo shop's checkout gets the checkout guide
 * through the trigger API, a published rules version is reported in force, the experiment table
 * shows the demo rules' experiments, and it stops by itself leaving no process behind and a folder
 * with the run's records. (The shop in a real browser is {@code ShopBrowserIT} in the web module.)
 */
class DemoCommandTest {
    private static final Pattern FINAL =
            Pattern.compile(
                    "stopping: events (\\d+) \\| guides in Redis (\\d+) \\| held back (\\d+) \\| dead letters (\\d+) \\((.*)\\)");
    private static final Pattern REASON = Pattern.compile("([a-z_]+) (\\d+)");

    private static final Pattern SHOP =
            Pattern.compile("open http://localhost:(\\d+) and wait on the checkout page");
    private static final Pattern KAFKA = Pattern.compile("Kafka on (\\S+);");
    private static final Pattern IN_FORCE =
            Pattern.compile("rules version (\\d+) is in force in both jobs");

    /** A trigger line of the dataset: delivered ("guide") or held back ("held"), and its user. */
    private static final Pattern TRIGGER_LINE =
            Pattern.compile("\\] +(guide|held) \\S+ +-> (\\S+) .*");

    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @TempDir Path tmp;

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
                                                    "../data/samples/taobao-sample.csv",
                                                    "--out",
                                                    tmp.toString()
                                                },
                                                new PrintStream(out, true, StandardCharsets.UTF_8),
                                                new PrintStream(
                                                        err, true, StandardCharsets.UTF_8))),
                        "demo");
        demo.start();

        // A shopper on the demo shop: opens checkout and does nothing; the checkout stall
        // reaches the trigger API.
        Matcher shop = SHOP.matcher(out.toString(StandardCharsets.UTF_8));
        long deadline = System.currentTimeMillis() + 180_000;
        boolean announced;
        while (!(announced = shop.reset(out.toString(StandardCharsets.UTF_8)).find())
                && System.currentTimeMillis() < deadline) {
            Thread.sleep(200);
        }
        assertThat(announced).as("the demo names the shop's address: " + out).isTrue();
        String base = "http://localhost:" + shop.group(1);

        // A client's bad request makes the web server warn: into the run's web.log, not the screen
        assertThat(
                        HTTP.send(
                                        HttpRequest.newBuilder(
                                                        URI.create(base + "/" + "a".repeat(20_000)))
                                                .build(),
                                        HttpResponse.BodyHandlers.ofString())
                                .statusCode())
                .isEqualTo(414);

        // The live dashboard, printed beside the shop: the dataset's totals and the shop's
        assertThat(out.toString(StandardCharsets.UTF_8))
                .contains(
                        "live dashboard of experiments and guide funnels: " + base + "/dashboard");
        HttpResponse<String> dashboard =
                HTTP.send(
                        HttpRequest.newBuilder(URI.create(base + "/dashboard/api/summary")).build(),
                        HttpResponse.BodyHandlers.ofString());
        assertThat(dashboard.statusCode()).as(dashboard.body()).isEqualTo(200);
        assertThat(dashboard.body())
                .contains("\"prefix\":\"guidance\"")
                .contains("\"prefix\":\"guidance-shop\"");

        // A rules change published to the running demo: it says when both jobs apply it
        Matcher kafka = KAFKA.matcher(out.toString(StandardCharsets.UTF_8));
        assertThat(kafka.find()).isTrue();
        Path changed =
                Files.writeString(
                        tmp.resolve("changed-rules.yaml"),
                        Files.readString(Path.of("../config/rules.yaml"))
                                .replace("within: 8s", "within: 9s"));
        ByteArrayOutputStream publishOut = new ByteArrayOutputStream();
        assertThat(
                        GuidanceCli.run(
                                new String[] {
                                    "rules",
                                    "publish",
                                    changed.toString(),
                                    "--bootstrap",
                                    kafka.group(1)
                                },
                                new PrintStream(publishOut, true, StandardCharsets.UTF_8),
                                new PrintStream(publishOut, true, StandardCharsets.UTF_8)))
                .as(publishOut.toString(StandardCharsets.UTF_8))
                .isZero();
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
        while (trigger == null && System.currentTimeMillis() < now + 60_000) {
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

        demo.join(240_000);
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

        Matcher inForce = IN_FORCE.matcher(printed);
        assertThat(inForce.find()).as("the published version is said to be in force").isTrue();
        assertThat(inForce.group(1)).isEqualTo("1");
        assertThat(printed.indexOf("rules version 1 published"))
                .isNotNegative()
                .isLessThan(inForce.start());

        // the demo rules' experiments, with the table's header of each
        assertThat(printed)
                .contains("experiments at stop")
                .contains("cart-stall (salt cart-stall): ")
                .contains("program (salt holdout): ")
                .contains("vs control: diff [95% interval]")
                .contains("vs holdout: diff [95% interval]");

        // the client's warning is not on the screen
        assertThat(printed).doesNotContain("URI is too large").doesNotContain("HttpParser");

        // Decision order: a trigger held back by the gap, the daily cap or the cooldown comes
        // after a line of the same user (the guide, or the experiment's held-back trigger, that
        // it was held against); and the shop visitor's guide is never printed as a dataset guide
        Set<String> usersSeen = new HashSet<>();
        int heldAgainst = 0;
        for (String line : printed.split("\n")) {
            Matcher t = TRIGGER_LINE.matcher(line);
            if (!t.find()) {
                continue;
            }
            String user = t.group(2);
            assertThat(user).as(line).doesNotStartWith("web-");
            if (t.group(1).equals("held")
                    && (line.endsWith("suppressed:min_gap")
                            || line.endsWith("suppressed:daily_cap")
                            || line.endsWith("suppressed:cooldown"))) {
                heldAgainst++;
                assertThat(usersSeen).as("a line for %s before: %s", user, line).contains(user);
            }
            usersSeen.add(user);
        }
        assertThat(heldAgainst).as("held-back lines checked").isPositive();

        // The folder the demo leaves, named on the screen
        List<Path> folders;
        try (var list = Files.list(tmp)) {
            folders =
                    list.filter(p -> p.getFileName().toString().startsWith("guidance-demo-"))
                            .toList();
        }
        assertThat(folders).hasSize(1);
        Path folder = folders.get(0);
        assertThat(printed).contains("this run is in " + folder + "/: ");
        List<Trigger> audit =
                Files.readAllLines(folder.resolve(DemoRunFolder.AUDIT)).stream()
                        .map(TriggerJson::fromJson)
                        .toList();
        assertThat(audit.stream().filter(Trigger::isDelivered).count()).isPositive();
        assertThat(audit.stream().filter(t -> !t.isDelivered()).count()).isPositive();
        assertThat(audit)
                .as("the cart-stall experiment's triggers carry their arm")
                .anyMatch(t -> "cart-stall".equals(t.ruleId) && t.variant != null);
        assertThat(Files.readString(folder.resolve(DemoRunFolder.SHOP_AUDIT)))
                .contains("\"userId\":\"web-demo-test\"");
        assertThat(Files.readAllLines(folder.resolve(DemoRunFolder.EXPERIMENTS)))
                .isNotEmpty()
                .allMatch(l -> l.startsWith("{") && l.contains("\"experiment\""));
        List<String> deadLetterLines =
                Files.readAllLines(folder.resolve(DemoRunFolder.DEAD_LETTERS));
        // the count was taken as the demo began to stop; a last few may have arrived after it
        assertThat(deadLetterLines).hasSizeGreaterThanOrEqualTo((int) deadLetters);
        assertThat(deadLetterLines).anyMatch(l -> l.contains("\"reason\":\"not_json\""));
        assertThat(Files.readString(folder.resolve(DemoRunFolder.RULES)))
                .as("the rules in force at stop: the published version")
                .contains("within: 9s")
                .doesNotContain("within: 8s");
        // the report of the run, by the report command
        assertThat(folder.resolve(io.guidance.report.ReportFiles.HTML)).isNotEmptyFile();
        assertThat(Files.readString(folder.resolve(io.guidance.report.ReportFiles.JSON)))
                .contains("cart-stall");
        assertThat(Files.readString(folder.resolve(DemoRunFolder.WEB_LOG)))
                .contains("URI is too large");
        assertThat(Files.readString(folder.resolve(DemoRunFolder.SUMMARY)))
                .contains(m.group().substring("stopping: ".length()))
                .contains("rules in force: version 1 from the rules topic")
                .contains("cart-stall (salt cart-stall)");
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
