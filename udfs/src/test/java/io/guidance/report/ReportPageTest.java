package io.guidance.report;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.guidance.experiment.stats.ArmResult;
import io.guidance.experiment.stats.Comparison;
import io.guidance.experiment.stats.ExperimentResult;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.StringReader;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import javax.imageio.ImageIO;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;
import org.xml.sax.InputSource;

/** report.html and report.json of a small hand-made report. */
class ReportPageTest {
    private static final ExperimentResult SKEWED =
            new ExperimentResult(
                    "cart-<stall>",
                    "cart-v2",
                    1e-6,
                    true,
                    List.of(
                            new ArmResult("cart-short", 50, 900, 90, 0.1),
                            new ArmResult("control", 50, 500, 40, 0.08)),
                    List.of(
                            new Comparison(
                                    "cart-short",
                                    "control",
                                    0.02,
                                    new double[] {-0.01, 0.05},
                                    0.25,
                                    0.2,
                                    false,
                                    new double[] {-0.04, 0.08})));

    private static GuidanceReport report() {
        TreeMap<String, java.util.SortedMap<String, Long>> perDay = new TreeMap<>();
        perDay.put("2026-01-01", new TreeMap<>(Map.of("delivered", 3L, "suppressed:cooldown", 1L)));
        perDay.put("2026-01-03", new TreeMap<>(Map.of("delivered", 1L)));
        RuleBacktest rule =
                new RuleBacktest(
                        "cart-<stall>",
                        true,
                        5,
                        new TreeMap<>(Map.of("delivered", 4L, "suppressed:cooldown", 1L)),
                        perDay,
                        3,
                        2,
                        new TreeMap<>(Map.of("cooldown", 1L)),
                        List.of(
                                new GuideFunnel(
                                        "cart-help",
                                        new TreeMap<>(
                                                Map.of("delivered", 4L, "suppressed:cooldown", 1L)),
                                        4,
                                        3,
                                        1,
                                        1,
                                        1)));
        return new GuidanceReport(
                List.of(rule),
                List.of(SKEWED),
                List.of(),
                0,
                5,
                1,
                0,
                List.of(new InputLines("triggers")));
    }

    @Test
    void thePageIsWellFormedWithAChartPerRuleFunnelAndExperimentAndAnSrmWarning() throws Exception {
        String html = ReportPage.html(report(), Map.of("triggers", "triggers.jsonl"));
        Document doc =
                DocumentBuilderFactory.newInstance()
                        .newDocumentBuilder()
                        .parse(
                                new InputSource(
                                        new StringReader(html.replace("<!DOCTYPE html>", ""))));

        NodeList images = doc.getElementsByTagName("img");
        // triggers per day and funnel of the rule, one for the experiment
        assertThat(images.getLength()).isEqualTo(3);
        for (int i = 0; i < images.getLength(); i++) {
            String src = ((Element) images.item(i)).getAttribute("src");
            assertThat(src).startsWith("data:image/png;base64,");
            BufferedImage png =
                    ImageIO.read(
                            new ByteArrayInputStream(
                                    Base64.getDecoder()
                                            .decode(src.substring(src.indexOf(',') + 1))));
            assertThat(png.getWidth()).isEqualTo(ReportCharts.WIDTH);
            assertThat(png.getHeight()).isGreaterThan(100);
        }
        assertThat(html).contains("class=\"srm-warning\"").contains("cart-&lt;stall&gt;");
        assertThat(html).doesNotContain("cart-<stall>");
        assertThat(html).contains("always-valid").contains("significant");
        assertThat(html).contains("[\u22121.00, +5.00]"); // the ci95 in percentage points
    }

    @Test
    void noWarningWithoutSrm() {
        GuidanceReport r = report();
        ExperimentResult fine =
                new ExperimentResult("x", "x", 0.5, false, SKEWED.arms(), SKEWED.comparisons());
        String html =
                ReportPage.html(
                        new GuidanceReport(
                                r.rules(), List.of(fine), List.of(), 0, 0, 0, 0, r.inputs()),
                        Map.of());
        assertThat(html).doesNotContain("class=\"srm-warning\"");
    }

    @Test
    void theJsonHoldsTheRulesBacktestAndFunnel() throws Exception {
        JsonNode json = new ObjectMapper().readTree(ReportJson.toJson(report()));
        assertThat(json.get("experiments")).hasSize(1);
        JsonNode rule = json.get("rules").get(0);
        assertThat(rule.get("ruleId").asText()).isEqualTo("cart-<stall>");
        assertThat(rule.get("triggers").asLong()).isEqualTo(5);
        assertThat(rule.get("byStatus").get("delivered").asLong()).isEqualTo(4);
        assertThat(rule.get("usersReached").asLong()).isEqualTo(3);
        assertThat(rule.get("maxGuidesPerUserDay").asLong()).isEqualTo(2);
        assertThat(rule.get("suppressions").get("cooldown").asLong()).isEqualTo(1);
        assertThat(rule.get("days").get(1).get("day").asText()).isEqualTo("2026-01-03");
        JsonNode funnel = rule.get("funnel").get(0);
        assertThat(funnel.get("guide").asText()).isEqualTo("cart-help");
        assertThat(funnel.get("shown").asLong()).isEqualTo(3);
        assertThat(funnel.get("clicked").asLong()).isEqualTo(1);
        assertThat(json.get("feedback").get("unmatched").asLong()).isEqualTo(1);
        assertThat(json.get("inputs").get(0).get("input").asText()).isEqualTo("triggers");
    }
}
