package io.guidance.web;

import static io.guidance.web.JobAndService.waitFor;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.microsoft.playwright.Page;
import io.guidance.local.LocalRedis;
import io.guidance.local.LocalStack;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.flink.api.common.JobStatus;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.RedisClient;
import redis.clients.jedis.params.ScanParams;
import redis.clients.jedis.resps.ScanResult;

/**
 * The dashboard as a data team meets it: the job on a Flink MiniCluster reading a real Kafka broker
 * and writing a real redis-server, shoppers who stall on checkout (a rule with an experiment, and a
 * program holdout) and some who then buy, and the dashboard in headless Chromium, opened with its
 * token in the address. The numbers on the page equal the totals the job wrote to Redis: each arm's
 * counts and rate, each comparison's difference, and the rule's funnel (triggers by status, and the
 * guides shown and clicked).
 *
 * <p>Needs Debian's {@code chromium} package ({@code /usr/bin/chromium}).
 */
class DashboardBrowserIT {
    private static final Path SCREENSHOT = Path.of("target", "dashboard.png");
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String TOKEN = "dashboard-test-token";

    private static final String RULES_YAML =
            String.join(
                    "\n",
                    "version: 1",
                    "delivery:",
                    "  ttl: 10m",
                    "  minGap: 1ms",
                    "  cooldown: 1ms",
                    "  maxPerDay: 100",
                    "  holdout: 20",
                    "  goal: {type: purchase}",
                    "  goalWindow: 1h",
                    "rules:",
                    "  - id: checkout-stall",
                    "    guide: checkout-help",
                    "    kind: stall",
                    "    start: {type: page_view, page: /checkout}",
                    "    progress: [{type: page_view}, {type: click, target: \"#pay\"}]",
                    "    within: 3s",
                    "    experiment:",
                    "      variants: {checkout-help: 50}",
                    "      control: 50",
                    "      goal: {type: purchase}",
                    "      window: 1h",
                    "");

    /** Shoppers who stall on checkout; every other one then buys. */
    private static final int SHOPPERS = 40;

    private static final Duration DUE = Duration.ofSeconds(90);

    private static JobAndService product;
    private static LocalRedis redis;
    private static HeadlessChromium chromium;
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @BeforeAll
    static void startTheStack() throws Exception {
        HeadlessChromium.requireChromium();
        product =
                JobAndService.start(
                        "guidance-dashboard-test",
                        new LocalStack.Topics(
                                "dash-events",
                                "dash-dead-letters",
                                "dash-audit",
                                "dash-experiments",
                                "dash-rules"),
                        RULES_YAML,
                        Duration.ofSeconds(5),
                        Duration.ofSeconds(1),
                        Map.of(
                                "web.rateLimit",
                                "0",
                                "web.dashboard",
                                "true",
                                "web.dashboardToken",
                                TOKEN));
        redis = product.stack().redis();
        chromium = HeadlessChromium.launch(1400, 1000);
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
    void theDashboardShowsTheTotalsTheJobWroteToRedis() throws Exception {
        waitFor("the job to run", () -> product.jobStatus() == JobStatus.RUNNING, DUE);
        try (RedisClient client = RedisClient.create(redis.host(), redis.port())) {
            // every shopper stalls on checkout: one trigger each, so one program exposure each
            long now = System.currentTimeMillis();
            List<String> stalls = new ArrayList<>();
            for (int i = 0; i < SHOPPERS; i++) {
                stalls.add(
                        event("stall-" + i, user(i), now, "page_view", ",\"page\":\"/checkout\""));
            }
            send(stalls);
            waitFor(
                    "every shopper exposed in the program",
                    () ->
                            sum(client.hgetAll("guidance:experiment:program"), ":exposed")
                                    == SHOPPERS,
                    DUE);

            // shown and clicked feedback for the delivered guides, then every other shopper buys
            List<String> later = new ArrayList<>();
            long after = System.currentTimeMillis();
            int shown = 0;
            int clicked = 0;
            for (int i = 0; i < SHOPPERS; i++) {
                String trigger = client.get("guidance:user:" + user(i));
                if (trigger != null) {
                    JsonNode t = JSON.readTree(trigger);
                    String props =
                            ",\"page\":\"/checkout\",\"props\":{\"guide\":\""
                                    + t.get("guide").asText()
                                    + "\",\"triggerId\":\""
                                    + t.get("triggerId").asText()
                                    + "\"}";
                    later.add(event("shown-" + i, user(i), after, "guide_shown", props));
                    shown++;
                    if (i % 3 == 0) {
                        later.add(event("clicked-" + i, user(i), after, "guide_clicked", props));
                        clicked++;
                    }
                }
                if (i % 2 == 0) {
                    later.add(event("buy-" + i, user(i), after + 1, "purchase", ""));
                }
            }
            send(later);
            waitFor(
                    "the buyers' conversions in the program",
                    () ->
                            sum(client.hgetAll("guidance:experiment:program"), ":converted")
                                    == SHOPPERS / 2,
                    DUE);
            Map<String, String> rule = client.hgetAll("guidance:experiment:checkout-stall");
            assertThat(rule.get("arms")).isNotNull();
            // every delivered guide shown, every third clicked: the rule's funnel counts them
            assertThat(shown).as("delivered guides").isPositive();
            long shownTriggers = shown;
            long clickedTriggers = clicked;
            waitFor(
                    "the feedback in the rule's funnel",
                    () -> {
                        Map<String, String> f = client.hgetAll("guidance:funnel:checkout-stall");
                        return sum(f, "/shown") == shownTriggers
                                && sum(f, "/clicked") == clickedTriggers;
                    },
                    DUE);
            assertThat(sum(client.hgetAll("guidance:funnel:checkout-stall"), "/delivered"))
                    .isEqualTo(shownTriggers);

            Page page = chromium.newPage();
            page.navigate(base() + "/dashboard?token=" + TOKEN);
            // the page took the token out of its address and sends it as a header
            page.waitForFunction(
                    "() => document.querySelector('[data-experiment=\"program\"] tr[data-arm]')");
            assertThat(page.url()).doesNotContain(TOKEN);

            // the page polls every 3 s: wait until what it shows is what Redis holds
            long deadline = System.nanoTime() + DUE.toNanos();
            String mismatch;
            while ((mismatch = mismatch(client, page)) != null) {
                if (System.nanoTime() > deadline) {
                    throw new AssertionError(
                            "the dashboard never showed Redis's totals: " + mismatch);
                }
                Thread.sleep(200);
            }

            Files.createDirectories(SCREENSHOT.getParent());
            page.screenshot(new Page.ScreenshotOptions().setPath(SCREENSHOT).setFullPage(true));
            byte[] png = Files.readAllBytes(SCREENSHOT);
            assertThat(png.length).isGreaterThan(1000);
            assertThat(java.util.Arrays.copyOf(png, 8))
                    .isEqualTo(new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'});
        }
    }

    /**
     * What the page draws for comparisons, the SRM flag, the verdict, the funnel and stale totals,
     * from hashes the test writes under a prefix of its own (a second service shows only that
     * prefix): every number on the page is the API's.
     */
    @Test
    void comparisonsSrmVerdictFunnelAndStaleTotalsAreDrawnAsTheApiAnswers() throws Exception {
        long old = System.currentTimeMillis() - Duration.ofMinutes(10).toMillis();
        String updated = Long.toString(old);
        try (RedisClient client = RedisClient.create(redis.host(), redis.port());
                GuidanceWebServer fixture =
                        GuidanceWebServer.start(
                                WebSettings.of(
                                        Map.of(
                                                "redis.host", redis.host(),
                                                "redis.port", Integer.toString(redis.port()),
                                                "kafka.bootstrap",
                                                        product.stack().bootstrapServers(),
                                                "web.host", "127.0.0.1",
                                                "web.port", "0",
                                                "web.dashboard", "true",
                                                "web.dashboardPrefixes", "fixture")))) {
            client.hset(
                    "fixture:experiment:steady",
                    experiment("steady", "help", 200, 30, 200, 20, updated));
            client.hset(
                    "fixture:experiment:skewed",
                    experiment("skewed", "help", 300, 90, 200, 20, updated));
            client.hset(
                    "fixture:experiment:clear-win",
                    experiment("clear-win", "help", 1000, 150, 1000, 100, updated));
            Map<String, String> funnel = new HashMap<>();
            funnel.put("guides", "help");
            funnel.put("help/delivered", "10");
            funnel.put("help/suppressed:control", "5");
            funnel.put("help/suppressed:cooldown", "2");
            funnel.put("help/shown", "8");
            funnel.put("help/clicked", "3");
            funnel.put("help/dismissed", "2");
            funnel.put("help/completed", "1");
            funnel.put("updatedAt", updated);
            client.hset("fixture:funnel:steady", funnel);

            JsonNode api =
                    JSON.readTree(
                            HTTP.send(
                                            HttpRequest.newBuilder(
                                                            URI.create(
                                                                    "http://127.0.0.1:"
                                                                            + fixture.port()
                                                                            + "/dashboard/api/summary"))
                                                    .build(),
                                            HttpResponse.BodyHandlers.ofString())
                                    .body());
            Page page = chromium.newPage();
            page.navigate("http://127.0.0.1:" + fixture.port() + "/dashboard");
            page.waitForFunction(
                    "() => document.querySelectorAll('tr[data-comparison]').length === 3");

            for (JsonNode x : api.get("sources").get(0).get("experiments")) {
                String card = "[data-experiment=\"" + x.get("experiment").asText() + "\"]";
                assertThat(page.getAttribute(card, "data-srm")).isEqualTo(x.get("srm").asText());
                assertThat(page.locator(card + " [data-flag=srm]").count())
                        .isEqualTo(x.get("srm").asBoolean() ? 1 : 0);
                JsonNode c = x.get("comparisons").get(0);
                String row = card + " tr[data-comparison=help]";
                assertThat(page.getAttribute(row, "data-vs")).isEqualTo("control");
                assertThat(number(page, row, "data-diff")).isEqualTo(c.get("diff").asDouble());
                assertThat(number(page, row, "data-ci-low"))
                        .isEqualTo(c.get("ci95").get(0).asDouble());
                assertThat(number(page, row, "data-ci-high"))
                        .isEqualTo(c.get("ci95").get(1).asDouble());
                assertThat(number(page, row, "data-always-valid-low"))
                        .isEqualTo(c.get("alwaysValid95").get(0).asDouble());
                assertThat(number(page, row, "data-always-valid-high"))
                        .isEqualTo(c.get("alwaysValid95").get(1).asDouble());
                assertThat(number(page, row, "data-p-value")).isEqualTo(c.get("pValue").asDouble());
                assertThat(page.getAttribute(row, "data-significant"))
                        .isEqualTo(c.get("significant").asText());
                assertThat(
                                page.locator(card + " .verdict[data-comparison=help] .flag")
                                        .textContent())
                        .startsWith(c.get("significant").asBoolean() ? "significant" : "not");
            }
            // 15% against 10% of 1000 each: z = 3.38, p < 0.001, balanced, enough users
            assertThat(
                            page.getAttribute(
                                    "[data-experiment=\"clear-win\"] tr[data-comparison=help]",
                                    "data-significant"))
                    .isEqualTo("true");
            assertThat(page.getAttribute("[data-experiment=\"skewed\"]", "data-srm"))
                    .isEqualTo("true");

            String stages = "[data-rule=steady] svg[data-chart=funnel] rect[data-stage=";
            assertThat(page.getAttribute(stages + "triggered]", "data-count")).isEqualTo("17");
            assertThat(page.getAttribute(stages + "delivered]", "data-count")).isEqualTo("10");
            assertThat(page.getAttribute(stages + "shown]", "data-count")).isEqualTo("8");
            assertThat(page.getAttribute(stages + "clicked]", "data-count")).isEqualTo("3");
            assertThat(page.getAttribute(stages + "completed]", "data-count")).isEqualTo("1");
            assertThat(page.getAttribute(stages + "dismissed]", "data-count")).isEqualTo("2");
            assertThat(
                            page.getAttribute(
                                    "[data-rule=steady] rect[data-status=\"suppressed:control\"]",
                                    "data-count"))
                    .isEqualTo("5");

            // ten minutes without new totals: the page says so
            assertThat(page.getAttribute("#stale", "data-stale")).isEqualTo("true");
            assertThat(page.isVisible("#stale")).isTrue();
            assertThat(page.getAttribute("#updated", "data-updated-at")).isEqualTo(updated);
            page.screenshot(
                    new Page.ScreenshotOptions()
                            .setPath(SCREENSHOT.resolveSibling("dashboard-comparisons.png"))
                            .setFullPage(true));
        }
    }

    private static double number(Page page, String selector, String attribute) {
        return Double.parseDouble(page.getAttribute(selector, attribute));
    }

    /** An experiment's totals with shares 50/50 for a variant and control. */
    private static Map<String, String> experiment(
            String salt,
            String variant,
            long exposedV,
            long convertedV,
            long exposedC,
            long convertedC,
            String updatedAt) {
        Map<String, String> h = new HashMap<>();
        h.put("salt", salt);
        h.put("arms", variant + ",control");
        h.put(variant + ":exposed", Long.toString(exposedV));
        h.put(variant + ":converted", Long.toString(convertedV));
        h.put(variant + ":share", "50");
        h.put("control:exposed", Long.toString(exposedC));
        h.put("control:converted", Long.toString(convertedC));
        h.put("control:share", "50");
        h.put("controlArm", "control");
        h.put("updatedAt", updatedAt);
        return h;
    }

    /**
     * Null when every experiment and funnel hash in Redis is on the page with the same numbers;
     * otherwise the first difference.
     */
    private static String mismatch(RedisClient client, Page page) throws Exception {
        JsonNode shown = JSON.readTree((String) page.evaluate(READ_PAGE));
        Map<String, JsonNode> experiments = new TreeMap<>();
        shown.get("experiments").forEach(x -> experiments.put(x.get("experiment").asText(), x));
        Map<String, JsonNode> funnels = new TreeMap<>();
        shown.get("funnels").forEach(f -> funnels.put(f.get("rule").asText(), f));

        long latest = 0;
        List<String> experimentKeys = scan(client, "guidance:experiment:*");
        if (experimentKeys.size() != 2) {
            return "experiment hashes in Redis: " + experimentKeys;
        }
        for (String key : experimentKeys) {
            String name = key.substring("guidance:experiment:".length());
            Map<String, String> hash = client.hgetAll(key);
            latest = Math.max(latest, Long.parseLong(hash.get("updatedAt")));
            JsonNode x = experiments.get(name);
            if (x == null) {
                return "experiment " + name + " not on the page";
            }
            if (!hash.get("salt").equals(x.get("salt").asText())) {
                return name + " salt";
            }
            boolean shares = true;
            for (String arm : hash.get("arms").split(",")) {
                JsonNode a = x.get("arms").get(arm);
                if (a == null) {
                    return name + "/" + arm + " not on the page";
                }
                long exposed = Long.parseLong(hash.get(arm + ":exposed"));
                long converted = Long.parseLong(hash.get(arm + ":converted"));
                if (a.get("exposed").asLong() != exposed
                        || a.get("converted").asLong() != converted) {
                    return name + "/" + arm + ": page " + a + ", Redis " + hash;
                }
                assertThat(a.get("rate").asDouble())
                        .isCloseTo((double) converted / exposed, within(1e-12));
                String share = hash.get(arm + ":share");
                if (share == null) {
                    shares = false;
                } else if (!share.equals(a.path("share").asText())) {
                    return name + "/" + arm + " share";
                }
            }
            // without shares in the totals the page says why it compares nothing
            if (x.get("noSharesNote").asBoolean() == shares) {
                return name + ": shares in Redis " + shares + ", page " + x;
            }
            if (shares) {
                // each arm against the control arm: diff = r_v - r_c from the hash's counts
                String control = hash.get("controlArm");
                double rc = rate(hash, control);
                for (String arm : hash.get("arms").split(",")) {
                    if (arm.equals(control)) {
                        continue;
                    }
                    JsonNode c = x.get("comparisons").get(arm);
                    if (c == null || !control.equals(c.get("vs").asText())) {
                        return name + "/" + arm + " not compared with " + control + ": " + x;
                    }
                    assertThat(c.get("diff").asDouble())
                            .isCloseTo(rate(hash, arm) - rc, within(1e-12));
                }
            }
        }
        if (shown.path("updatedAt").asLong() != latest) {
            return "last update: page " + shown.path("updatedAt") + ", Redis " + latest;
        }

        List<String> funnelKeys = scan(client, "guidance:funnel:*");
        if (!funnelKeys.equals(List.of("guidance:funnel:checkout-stall"))) {
            return "funnel hashes in Redis: " + funnelKeys;
        }
        for (String key : funnelKeys) {
            String ruleId = key.substring("guidance:funnel:".length());
            Map<String, String> hash = client.hgetAll(key);
            JsonNode f = funnels.get(ruleId);
            if (f == null) {
                return "funnel " + ruleId + " not on the page";
            }
            for (Map.Entry<String, String> field : hash.entrySet()) {
                int slash = field.getKey().indexOf('/');
                if (slash < 0) {
                    continue;
                }
                String guide = field.getKey().substring(0, slash);
                String what = field.getKey().substring(slash + 1);
                JsonNode count = f.path("guides").path(guide).path(what);
                if (count.isMissingNode() || count.asLong() != Long.parseLong(field.getValue())) {
                    return "funnel " + ruleId + " " + field + ": page " + f;
                }
            }
        }
        return null;
    }

    /** The numbers on the page, read from the data- attributes of its tables. */
    private static final String READ_PAGE =
            String.join(
                    "\n",
                    "() => {",
                    "  const experiments = [...document.querySelectorAll('.experiment')].map(x => {",
                    "    const arms = {};",
                    "    x.querySelectorAll('tr[data-arm]').forEach(r => { arms[r.dataset.arm] = {",
                    "      exposed: Number(r.dataset.exposed), converted: Number(r.dataset.converted),",
                    "      rate: r.dataset.rate === undefined ? null : Number(r.dataset.rate),",
                    "      share: r.dataset.share }; });",
                    "    const comparisons = {};",
                    "    x.querySelectorAll('tr[data-comparison]').forEach(r => {",
                    "      comparisons[r.dataset.comparison] = { vs: r.dataset.vs, diff: Number(r.dataset.diff) }; });",
                    "    return { experiment: x.dataset.experiment, salt: x.dataset.salt, arms, comparisons,",
                    "      noSharesNote: !!x.querySelector('[data-note=\"no-shares\"]') };",
                    "  });",
                    "  const funnels = [...document.querySelectorAll('.funnel')].map(f => {",
                    "    const r = { rule: f.dataset.rule, guides: {} };",
                    "    f.querySelectorAll('td[data-guide]').forEach(td => {",
                    "      const g = td.dataset.guide;",
                    "      r.guides[g] = r.guides[g] || {};",
                    "      const what = td.dataset.status || td.dataset.feedback || td.dataset.total;",
                    "      r.guides[g][what] = Number(td.dataset.count); });",
                    "    return r;",
                    "  });",
                    "  const u = document.getElementById('updated').dataset.updatedAt;",
                    "  return JSON.stringify({ experiments, funnels,",
                    "    updatedAt: u === undefined ? null : Number(u) });",
                    "}");

    private static List<String> scan(RedisClient client, String pattern) {
        List<String> keys = new ArrayList<>();
        String cursor = ScanParams.SCAN_POINTER_START;
        do {
            ScanResult<String> r = client.scan(cursor, new ScanParams().match(pattern).count(100));
            keys.addAll(r.getResult());
            cursor = r.getCursor();
        } while (!cursor.equals(ScanParams.SCAN_POINTER_START));
        keys.sort(null);
        return keys;
    }

    private static double rate(Map<String, String> hash, String arm) {
        return (double) Long.parseLong(hash.get(arm + ":converted"))
                / Long.parseLong(hash.get(arm + ":exposed"));
    }

    private static long sum(Map<String, String> hash, String suffix) {
        return hash.entrySet().stream()
                .filter(e -> e.getKey().endsWith(suffix))
                .mapToLong(e -> Long.parseLong(e.getValue()))
                .sum();
    }

    private static String user(int i) {
        return "shopper-" + i;
    }

    private static String event(String id, String userId, long ts, String type, String more) {
        return "{\"eventId\":\""
                + id
                + "\",\"userId\":\""
                + userId
                + "\",\"sessionId\":\"s-"
                + userId
                + "\",\"ts\":"
                + ts
                + ",\"type\":\""
                + type
                + "\""
                + more
                + "}";
    }

    private static void send(List<String> events) throws Exception {
        for (int from = 0; from < events.size(); from += 100) {
            String body =
                    "["
                            + String.join(
                                    ",", events.subList(from, Math.min(events.size(), from + 100)))
                            + "]";
            HttpResponse<String> r =
                    HTTP.send(
                            HttpRequest.newBuilder(URI.create(base() + "/v1/events"))
                                    .POST(HttpRequest.BodyPublishers.ofString(body))
                                    .build(),
                            HttpResponse.BodyHandlers.ofString());
            assertThat(r.statusCode()).as(r.body()).isEqualTo(202);
            assertThat(JSON.readTree(r.body()).get("rejected")).as(r.body()).isEmpty();
        }
    }

    private static String base() {
        return product.base();
    }
}
