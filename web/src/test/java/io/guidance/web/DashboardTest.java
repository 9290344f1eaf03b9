package io.guidance.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.guidance.local.FreePorts;
import io.guidance.local.LocalRedis;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.RedisClient;

/**
 * The dashboard's API against a real redis-server holding hashes the test writes: the statistics of
 * SPEC section 7 worked out by hand, the SRM flag, totals without shares, the funnel, the token and
 * the {@code web.dashboard} switch.
 */
class DashboardTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final double Z = 1.959964;
    private static final double EPS = 1e-12;

    private static LocalRedis redis;

    private final HttpClient http =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final List<GuidanceWebServer> servers = new ArrayList<>();
    private RedisClient client;

    @BeforeAll
    static void startRedis() throws Exception {
        redis = LocalRedis.start();
    }

    @AfterAll
    static void stopRedis() {
        if (redis != null) {
            redis.close();
        }
    }

    @BeforeEach
    void connect() {
        client = RedisClient.create(redis.host(), redis.port());
        client.flushAll();
    }

    @AfterEach
    void disconnect() {
        servers.forEach(GuidanceWebServer::close);
        client.close();
    }

    private GuidanceWebServer server(String... pairs) {
        Map<String, String> s = new HashMap<>();
        s.put("redis.host", redis.host());
        s.put("redis.port", Integer.toString(redis.port()));
        // nothing here sends events; the producer is created but never used
        s.put("kafka.bootstrap", "127.0.0.1:1");
        s.put("web.host", "127.0.0.1");
        s.put("web.port", "0");
        s.put("web.dashboard", "true");
        for (int i = 0; i < pairs.length; i += 2) {
            s.put(pairs[i], pairs[i + 1]);
        }
        GuidanceWebServer server = GuidanceWebServer.start(WebSettings.of(s));
        servers.add(server);
        return server;
    }

    private HttpResponse<String> get(GuidanceWebServer s, String path, String bearer)
            throws Exception {
        HttpRequest.Builder b =
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + s.port() + path));
        if (bearer != null) {
            b.header("Authorization", "Bearer " + bearer);
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private JsonNode summary(GuidanceWebServer s) throws Exception {
        HttpResponse<String> r = get(s, "/dashboard/api/summary", null);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        assertThat(r.headers().firstValue("Cache-Control")).hasValue("no-store");
        return JSON.readTree(r.body());
    }

    private static Map<String, String> hash(String... pairs) {
        Map<String, String> m = new LinkedHashMap<>();
        for (int i = 0; i < pairs.length; i += 2) {
            m.put(pairs[i], pairs[i + 1]);
        }
        return m;
    }

    private static JsonNode experiment(JsonNode summary, String name) {
        for (JsonNode x : summary.get("sources").get(0).get("experiments")) {
            if (x.get("experiment").asText().equals(name)) {
                return x;
            }
        }
        throw new AssertionError("no experiment " + name + " in " + summary);
    }

    private static JsonNode arm(JsonNode experiment, String arm) {
        for (JsonNode a : experiment.get("arms")) {
            if (a.get("arm").asText().equals(arm)) {
                return a;
            }
        }
        throw new AssertionError("no arm " + arm + " in " + experiment);
    }

    @Test
    void ratesDifferenceIntervalsAndVerdictFollowSpecSection7() throws Exception {
        client.hset(
                "guidance:experiment:cart-stall",
                hash(
                        "salt", "cart-stall",
                        "arms", "cart-reminder,control",
                        "cart-reminder:exposed", "200",
                        "cart-reminder:converted", "30",
                        "cart-reminder:share", "50",
                        "control:exposed", "200",
                        "control:converted", "20",
                        "control:share", "50",
                        "controlArm", "control",
                        "updatedAt", "1700000000000"));
        JsonNode x = experiment(summary(server()), "cart-stall");

        assertThat(x.get("salt").asText()).isEqualTo("cart-stall");
        assertThat(x.get("controlArm").asText()).isEqualTo("control");
        assertThat(x.get("sharesKnown").asBoolean()).isTrue();
        assertThat(x.get("updatedAt").asLong()).isEqualTo(1_700_000_000_000L);

        // rates: 30/200 and 20/200
        double rv = 0.15;
        double rc = 0.10;
        JsonNode v = arm(x, "cart-reminder");
        assertThat(v.get("share").asInt()).isEqualTo(50);
        assertThat(v.get("exposed").asLong()).isEqualTo(200);
        assertThat(v.get("converted").asLong()).isEqualTo(30);
        assertThat(v.get("rate").asDouble()).isCloseTo(rv, within(EPS));
        // the arm's Wald interval r -/+ z sqrt(r(1 - r)/n)
        double halfV = Z * Math.sqrt(rv * (1 - rv) / 200);
        assertThat(v.get("rateCi95").get(0).asDouble()).isCloseTo(rv - halfV, within(EPS));
        assertThat(v.get("rateCi95").get(1).asDouble()).isCloseTo(rv + halfV, within(EPS));
        assertThat(arm(x, "control").get("rate").asDouble()).isCloseTo(rc, within(EPS));

        // equal exposure for equal shares: chi-square 0, p 1
        assertThat(x.get("srmPValue").asDouble()).isCloseTo(1.0, within(1e-9));
        assertThat(x.get("srm").asBoolean()).isFalse();

        JsonNode c = x.get("comparisons").get(0);
        assertThat(x.get("comparisons")).hasSize(1);
        assertThat(c.get("arm").asText()).isEqualTo("cart-reminder");
        assertThat(c.get("vs").asText()).isEqualTo("control");
        double diff = rv - rc;
        double se = Math.sqrt(rv * (1 - rv) / 200 + rc * (1 - rc) / 200);
        assertThat(c.get("diff").asDouble()).isCloseTo(0.05, within(EPS));
        assertThat(c.get("ci95").get(0).asDouble()).isCloseTo(diff - Z * se, within(EPS));
        assertThat(c.get("ci95").get(1).asDouble()).isCloseTo(diff + Z * se, within(EPS));
        assertThat(c.get("lift").asDouble()).isCloseTo(0.5, within(EPS));
        // pooled p = 50/400; z = 0.05 / sqrt(0.125 * 0.875 * (2/200)) = 1.51186; two-sided 0.13057
        assertThat(c.get("pValue").asDouble()).isCloseTo(0.13057, within(1e-4));
        assertThat(c.get("significant").asBoolean()).isFalse();
        // the always-valid interval (docs/experiments.md): n = 400 observations of variance
        // s2 = n se^2, alpha 0.05, the boundary tightest at 10 000
        double n = 400;
        double twoLn = -2 * Math.log(0.05);
        double rho2 = (twoLn + Math.log(twoLn + 1)) / 10_000;
        double half =
                Math.sqrt(n * se * se)
                        * Math.sqrt(
                                2
                                        * (n * rho2 + 1)
                                        / (n * n * rho2)
                                        * Math.log(Math.sqrt(n * rho2 + 1) / 0.05));
        double avLow = c.get("alwaysValid95").get(0).asDouble();
        double avHigh = c.get("alwaysValid95").get(1).asDouble();
        assertThat(avLow).isCloseTo(diff - half, within(1e-9));
        assertThat(avHigh).isCloseTo(diff + half, within(1e-9));
        assertThat(avLow).isLessThan(diff - Z * se);
    }

    @Test
    void skewedExposureRaisesTheSrmFlagAndNothingIsSignificant() throws Exception {
        client.hset(
                "guidance:experiment:skewed",
                hash(
                        "salt", "skewed",
                        "arms", "big-help,control",
                        "big-help:exposed", "300",
                        "big-help:converted", "90",
                        "big-help:share", "50",
                        "control:exposed", "200",
                        "control:converted", "20",
                        "control:share", "50",
                        "updatedAt", "1700000000000"));
        JsonNode x = experiment(summary(server()), "skewed");

        // expected 250 each: chi-square = 2 * 50^2 / 250 = 20, df 1: p = 7.7e-6 < 0.001
        assertThat(x.get("srmPValue").asDouble()).isCloseTo(7.744e-6, within(1e-8));
        assertThat(x.get("srm").asBoolean()).isTrue();
        JsonNode c = x.get("comparisons").get(0);
        // 30% against 10%: far below 0.05, yet not significant with a broken split
        assertThat(c.get("pValue").asDouble()).isLessThan(0.001);
        assertThat(c.get("significant").asBoolean()).isFalse();
    }

    @Test
    void aConfiguredArmWithoutExposureCountsInTheSrmCheck() throws Exception {
        client.hset(
                "guidance:experiment:lopsided",
                hash(
                        "salt", "lopsided",
                        "arms", "help",
                        "help:exposed", "100",
                        "help:converted", "10",
                        "help:share", "50",
                        "control:share", "50",
                        "controlArm", "control"));
        JsonNode x = experiment(summary(server()), "lopsided");

        assertThat(arm(x, "control").get("exposed").asLong()).isZero();
        assertThat(arm(x, "control").has("rate")).isFalse();
        // expected 50 and 50, seen 100 and 0: chi-square = 2 * 50^2 / 50 = 100, p far below 0.001
        assertThat(x.get("srmPValue").asDouble()).isLessThan(1e-20);
        assertThat(x.get("srm").asBoolean()).isTrue();
        assertThat(x.get("comparisons")).isEmpty();
    }

    @Test
    void totalsWithoutSharesShowCountsAndRatesButNoSrmCheckOrComparison() throws Exception {
        client.hset(
                "guidance:experiment:program",
                hash(
                        "salt", "holdout",
                        // in the order first seen: the holdout's first exposure came first
                        "arms", "holdout,treated",
                        "treated:exposed", "190",
                        "treated:converted", "19",
                        "holdout:exposed", "10",
                        "holdout:converted", "0",
                        "updatedAt", "1700000000000"));
        JsonNode x = experiment(summary(server()), "program");

        assertThat(x.get("sharesKnown").asBoolean()).isFalse();
        // listed as the report lists them: the control arm last
        assertThat(x.get("arms").get(0).get("arm").asText()).isEqualTo("treated");
        assertThat(x.get("arms").get(1).get("arm").asText()).isEqualTo("holdout");
        // the program's control arm is holdout, even when the hash does not say so
        assertThat(x.get("controlArm").asText()).isEqualTo("holdout");
        assertThat(x.has("srmPValue")).isFalse();
        assertThat(x.get("srm").asBoolean()).isFalse();
        assertThat(x.get("comparisons")).isEmpty();
        assertThat(arm(x, "treated").get("rate").asDouble()).isCloseTo(0.1, within(EPS));
        assertThat(arm(x, "holdout").get("rate").asDouble()).isCloseTo(0.0, within(EPS));
    }

    @Test
    void funnelCountsTriggersByStatusAndFeedbackPerGuide() throws Exception {
        client.hset(
                "guidance:funnel:cart-stall",
                hash(
                        "guides", "cart-reminder,cart-reminder-short",
                        "cart-reminder/delivered", "10",
                        "cart-reminder/suppressed:control", "5",
                        "cart-reminder/suppressed:cooldown", "2",
                        "cart-reminder/shown", "8",
                        "cart-reminder/clicked", "3",
                        "cart-reminder/dismissed", "2",
                        "cart-reminder/completed", "1",
                        "cart-reminder-short/delivered", "4",
                        "updatedAt", "1700000000123"));
        JsonNode f = summary(server()).get("sources").get(0).get("funnels").get(0);

        assertThat(f.get("rule").asText()).isEqualTo("cart-stall");
        assertThat(f.get("updatedAt").asLong()).isEqualTo(1_700_000_000_123L);
        JsonNode g = f.get("guides").get(0);
        assertThat(g.get("guide").asText()).isEqualTo("cart-reminder");
        assertThat(g.get("statuses").get("delivered").asLong()).isEqualTo(10);
        assertThat(g.get("statuses").get("suppressed:control").asLong()).isEqualTo(5);
        assertThat(g.get("statuses").get("suppressed:cooldown").asLong()).isEqualTo(2);
        assertThat(g.get("statuses").get("suppressed:daily_cap").asLong()).isZero();
        assertThat(g.get("triggered").asLong()).isEqualTo(10 + 5 + 2);
        assertThat(g.get("shown").asLong()).isEqualTo(8);
        assertThat(g.get("clicked").asLong()).isEqualTo(3);
        assertThat(g.get("dismissed").asLong()).isEqualTo(2);
        assertThat(g.get("completed").asLong()).isEqualTo(1);
        JsonNode shortGuide = f.get("guides").get(1);
        assertThat(shortGuide.get("guide").asText()).isEqualTo("cart-reminder-short");
        assertThat(shortGuide.get("triggered").asLong()).isEqualTo(4);
        assertThat(shortGuide.get("shown").asLong()).isZero();
    }

    @Test
    void onlyTheConfiguredPrefixesAreShownEachApart() throws Exception {
        client.hset("guidance:experiment:a", hash("salt", "a", "arms", "control"));
        client.hset("guidance-shop:experiment:b", hash("salt", "b", "arms", "control"));
        client.hset("other:experiment:c", hash("salt", "c", "arms", "control"));

        JsonNode one = summary(server()).get("sources");
        assertThat(one).hasSize(1);
        assertThat(one.get(0).get("prefix").asText()).isEqualTo("guidance");
        assertThat(one.get(0).get("experiments")).hasSize(1);
        assertThat(one.get(0).get("experiments").get(0).get("experiment").asText()).isEqualTo("a");

        JsonNode two =
                summary(server("web.dashboardPrefixes", "guidance-shop, guidance")).get("sources");
        assertThat(two).hasSize(2);
        assertThat(two.get(0).get("prefix").asText()).isEqualTo("guidance-shop");
        assertThat(two.get(0).get("experiments").get(0).get("experiment").asText()).isEqualTo("b");
        assertThat(two.get(1).get("experiments").get(0).get("experiment").asText()).isEqualTo("a");
    }

    @Test
    void withATokenThePageAndTheApiRefuseRequestsWithoutIt() throws Exception {
        GuidanceWebServer s = server("web.dashboardToken", "s3cret-token");

        assertThat(get(s, "/dashboard", null).statusCode()).isEqualTo(401);
        assertThat(get(s, "/dashboard/api/summary", null).statusCode()).isEqualTo(401);
        assertThat(get(s, "/dashboard/api/summary", "wrong").statusCode()).isEqualTo(401);
        assertThat(get(s, "/dashboard?token=s3cret-tokenX", null).statusCode()).isEqualTo(401);
        // in a URL only on the page, whose script then sends it as the header
        assertThat(get(s, "/dashboard/api/summary?token=s3cret-token", null).statusCode())
                .isEqualTo(401);

        HttpResponse<String> page = get(s, "/dashboard?token=s3cret-token", null);
        assertThat(page.statusCode()).isEqualTo(200);
        assertThat(page.body()).contains("/dashboard/dashboard.js");
        assertThat(page.headers().firstValue("Content-Security-Policy").orElse(""))
                .contains("default-src 'none'");
        assertThat(get(s, "/dashboard", "s3cret-token").statusCode()).isEqualTo(200);
        HttpResponse<String> api = get(s, "/dashboard/api/summary", "s3cret-token");
        assertThat(api.statusCode()).isEqualTo(200);
        assertThat(JSON.readTree(api.body()).get("sources")).hasSize(1);
    }

    @Test
    void withoutATokenOnLoopbackThePageIsServed() throws Exception {
        GuidanceWebServer s = server();
        HttpResponse<String> page = get(s, "/dashboard", null);
        assertThat(page.statusCode()).isEqualTo(200);
        assertThat(page.headers().firstValue("Content-Type").orElse("")).startsWith("text/html");
        assertThat(get(s, "/dashboard/dashboard.js", null).body())
                .contains("/dashboard/api/summary");
    }

    @Test
    void otherSitesCannotReadTheApiEvenWhenTheEventApiAllowsThem() throws Exception {
        GuidanceWebServer s = server("web.allowedOrigins", "*");
        HttpResponse<String> r =
                http.send(
                        HttpRequest.newBuilder(
                                        URI.create(
                                                "http://127.0.0.1:"
                                                        + s.port()
                                                        + "/dashboard/api/summary"))
                                .header("Origin", "https://elsewhere.example")
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("Access-Control-Allow-Origin")).isEmpty();
    }

    @Test
    void unreadableRedisIsA503NotAnEmptyDashboard() throws Exception {
        int closedPort = FreePorts.onLoopback();
        GuidanceWebServer s =
                server("redis.port", Integer.toString(closedPort), "redis.timeout", "500ms");
        HttpResponse<String> r = get(s, "/dashboard/api/summary", null);
        assertThat(r.statusCode()).isEqualTo(503);
        assertThat(JSON.readTree(r.body()).get("error").asText()).isEqualTo("redis_unavailable");
    }

    @Test
    void theTokenIsHiddenAndOnlyLoopbackAddressesCountAsLocal() {
        WebSettings w =
                WebSettings.of(
                        Map.of("web.dashboard", "true", "web.dashboardToken", "very-secret"));
        assertThat(w.toString()).doesNotContain("very-secret");
        assertThat(WebSettings.isLoopback("127.0.0.1")).isTrue();
        assertThat(WebSettings.isLoopback("::1")).isTrue();
        assertThat(WebSettings.isLoopback("localhost")).isTrue();
        assertThat(WebSettings.isLoopback("0.0.0.0")).isFalse();
        assertThat(WebSettings.isLoopback("10.1.2.3")).isFalse();
    }

    @Test
    void dashboardOffMeansTheRoutesDoNotExist() throws Exception {
        GuidanceWebServer s = server("web.dashboard", "false");
        assertThat(get(s, "/dashboard", null).statusCode()).isEqualTo(404);
        assertThat(get(s, "/dashboard/api/summary", null).statusCode()).isEqualTo(404);
        assertThat(get(s, "/dashboard/dashboard.js", null).statusCode()).isEqualTo(404);
    }

    @Test
    void onANonLoopbackAddressTheDashboardDoesNotStartWithoutAToken() {
        assertThatThrownBy(() -> server("web.host", "0.0.0.0"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("web.dashboardToken")
                .hasMessageContaining("0.0.0.0");
        // without the dashboard, or with a token, the same address is fine
        assertThat(server("web.host", "0.0.0.0", "web.dashboard", "false").port()).isPositive();
        assertThat(server("web.host", "0.0.0.0", "web.dashboardToken", "t").port()).isPositive();
    }
}
