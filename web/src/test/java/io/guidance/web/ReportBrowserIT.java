package io.guidance.web;

import static org.assertj.core.api.Assertions.assertThat;

import com.microsoft.playwright.Locator;
import com.microsoft.playwright.Page;
import io.guidance.event.Event;
import io.guidance.experiment.Experiment;
import io.guidance.experiment.ExperimentRecord;
import io.guidance.report.GuidanceReport;
import io.guidance.report.ReportCollector;
import io.guidance.report.ReportFiles;
import io.guidance.rules.Glob;
import io.guidance.rules.Matcher;
import io.guidance.rules.RuleSet;
import io.guidance.rules.RulesParser;
import io.guidance.trigger.Trigger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code guidance report}'s page as a data team opens it: written to disk and opened from there in
 * headless Chromium, nothing fetched, every chart an image that loaded, the warning on the
 * experiment whose arms do not match their shares and on no other, and a full-page screenshot in
 * {@code target/screenshots/report.png}.
 */
class ReportBrowserIT {
    private static final Path SCREENSHOTS = Path.of("target", "screenshots");
    private static final long DAY = 86_400_000L;
    private static final long START = Instant.parse("2026-03-02T00:00:00Z").toEpochMilli();

    private static final String RULES =
            """
            version: 1
            delivery: {ttl: 10m, minGap: 2m, maxPerDay: 5, cooldown: 1d}
            rules:
              - id: cart-stall
                guide: cart-help
                kind: stall
                start: {type: add_to_cart}
                progress: [{type: purchase}]
                within: 30m
              - id: plan-loop
                guide: plan-chooser
                kind: loop
                match: {type: page_view, page: "/plans*"}
                field: page
                times: 3
                within: 60s
            """;

    private static HeadlessChromium chromium;
    @TempDir static Path reportDir;

    @BeforeAll
    static void startTheBrowser() throws Exception {
        chromium = HeadlessChromium.launch(1280, 900);
    }

    @AfterAll
    static void stopTheBrowser() throws Exception {
        if (chromium != null) {
            chromium.close();
        }
    }

    @Test
    void theReportOpensFromDiskWithItsChartsAndTheSrmWarning() throws Exception {
        RuleSet parsed = RulesParser.parse(RULES, "rules.yaml");
        Matcher purchase = new Matcher(Map.of("type", List.of(new Glob("purchase"))));
        Map<String, Experiment> experiments = new LinkedHashMap<>();
        experiments.put(
                "cart-stall",
                new Experiment(
                        "cart-stall", Map.of("cart-short", 50), 50, purchase, DAY, "cart-stall"));
        experiments.put(
                "plan-loop",
                new Experiment(
                        "plan-loop", Map.of("plan-chooser", 50), 50, purchase, DAY, "plan-loop"));
        RuleSet rules = new RuleSet(parsed.version, parsed.delivery, parsed.rules, experiments);

        ReportCollector c = new ReportCollector();
        Random random = new Random(20_260_302L);
        // cart-stall is healthy: about as many users in each arm, the variant converting better
        simulate(c, random, "cart-stall", "cart-short", "cart-help", 1000, 1000, 0.14, 0.10);
        // plan-loop is broken: twice as many users in the variant as in control at 50/50
        simulate(c, random, "plan-loop", "plan-chooser", "plan-chooser", 1400, 700, 0.12, 0.11);
        GuidanceReport report = c.report(rules);
        assertThat(report.experiments()).hasSize(2);
        ReportFiles.write(
                report,
                Map.of("triggers", "simulated", "experiments", "simulated", "events", "simulated"),
                reportDir);
        Path html = reportDir.resolve(ReportFiles.HTML);

        Page page = chromium.newPage();
        List<String> requested = new CopyOnWriteArrayList<>();
        page.onRequest(r -> requested.add(r.url()));
        page.navigate(html.toUri().toString());

        // per rule: triggers per day and the funnel; per experiment: its rates and differences
        Locator charts = page.locator("img.chart");
        assertThat(charts.count()).isEqualTo(2 * 2 + 2);
        for (int i = 0; i < charts.count(); i++) {
            Locator chart = charts.nth(i);
            assertThat(chart.isVisible()).isTrue();
            Object loaded = chart.evaluate("img => img.complete ? img.naturalWidth : -1");
            assertThat(((Number) loaded).intValue()).as("chart %d", i).isGreaterThan(0);
            assertThat(chart.boundingBox().height).isGreaterThan(50);
        }
        Locator warnings = page.locator(".srm-warning");
        assertThat(warnings.count()).isEqualTo(1);
        assertThat(warnings.first().isVisible()).isTrue();
        assertThat(page.locator("article[data-experiment='plan-loop'] .srm-warning").count())
                .isEqualTo(1);
        assertThat(page.locator("article[data-experiment='plan-loop'] .srm-warning").textContent())
                .contains("Sample ratio mismatch");
        assertThat(page.locator("article.experiment table.arms tbody tr").count()).isEqualTo(4);
        assertThat(page.locator("article.rule").count()).isEqualTo(2);
        assertThat(page.locator(".explain").textContent())
                .contains("significant")
                .contains("always-valid");

        Object tooWide =
                page.evaluate("() => document.documentElement.scrollWidth > window.innerWidth");
        assertThat(tooWide).isEqualTo(false);
        // self-contained: the page itself is the only request
        assertThat(requested).allSatisfy(url -> assertThat(url).startsWith("file:"));

        Files.createDirectories(SCREENSHOTS);
        Path shot = SCREENSHOTS.resolve("report.png");
        page.screenshot(new Page.ScreenshotOptions().setPath(shot).setFullPage(true));
        byte[] png = Files.readAllBytes(shot);
        assertThat(png.length).isGreaterThan(10_000);
        assertThat(Arrays.copyOf(png, 8))
                .isEqualTo(new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'});
    }

    /**
     * Users of one rule's experiment over two weeks: each user's triggers (some suppressed), their
     * exposure in the arm, a conversion at the arm's rate, and feedback on delivered guides.
     */
    private static void simulate(
            ReportCollector c,
            Random random,
            String rule,
            String variant,
            String controlGuide,
            int variantUsers,
            int controlUsers,
            double variantRate,
            double controlRate) {
        String[] reasons = {"cooldown", "min_gap", "daily_cap", "dismissed"};
        for (int u = 0; u < variantUsers + controlUsers; u++) {
            boolean treated = u < variantUsers;
            String user = rule + "-u" + u;
            String arm = treated ? variant : Experiment.CONTROL;
            int triggers = 1 + random.nextInt(3);
            for (int k = 0; k < triggers; k++) {
                Trigger t = new Trigger();
                t.ruleId = rule;
                t.userId = user;
                t.guide = treated ? variant : controlGuide;
                t.variant = arm;
                t.ts = START + random.nextInt(14) * DAY + random.nextInt((int) DAY);
                t.triggerId = Trigger.triggerId(rule, user, null, t.ts);
                if (k == 0) {
                    t.status = treated ? Trigger.DELIVERED : "suppressed:control";
                } else {
                    t.status = Trigger.SUPPRESSED_PREFIX + reasons[random.nextInt(reasons.length)];
                }
                c.addTrigger(t);
                if (k == 0) {
                    c.addRecord(exposure(rule, arm, user, t.ts, t.triggerId));
                    if (random.nextDouble() < (treated ? variantRate : controlRate)) {
                        ExperimentRecord conversion =
                                ExperimentRecord.conversion(
                                        rule, rule, arm, user, t.ts + 3_600_000L, t.ts);
                        c.addRecord(conversion);
                    }
                    if (treated) {
                        feedback(c, random, t);
                    }
                }
            }
        }
    }

    private static ExperimentRecord exposure(
            String rule, String arm, String user, long ts, String triggerId) {
        ExperimentRecord r = ExperimentRecord.conversion(rule, rule, arm, user, ts, ts);
        r.record = ExperimentRecord.EXPOSURE;
        r.triggerId = triggerId;
        return r;
    }

    private static void feedback(ReportCollector c, Random random, Trigger t) {
        if (random.nextDouble() < 0.8) {
            c.addEvent(event("guide_shown", t));
            double next = random.nextDouble();
            if (next < 0.3) {
                c.addEvent(event("guide_clicked", t));
                if (random.nextDouble() < 0.5) {
                    c.addEvent(event("guide_completed", t));
                }
            } else if (next < 0.6) {
                c.addEvent(event("guide_dismissed", t));
            }
        }
    }

    private static Event event(String type, Trigger t) {
        return new Event(
                type + t.triggerId,
                t.userId,
                "s",
                t.ts + 1000,
                type,
                null,
                null,
                Map.of("guide", t.guide, "triggerId", t.triggerId));
    }
}
