package io.guidance.experiment.stats;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import org.junit.jupiter.api.Test;

/** report.json (SPEC section 7): field names, order and nesting, and absent values. */
class ExperimentResultJsonTest {
    static final ObjectMapper MAPPER = new ObjectMapper();

    static final ExperimentResult RULE =
            new ExperimentResult(
                    "cart-stall",
                    "cart-stall",
                    0.5,
                    false,
                    List.of(
                            new ArmResult("cart-reminder", 80, 400, 30, 0.075),
                            new ArmResult("old-guide", 0, 0, 0, null),
                            new ArmResult("control", 20, 100, 0, 0.0)),
                    List.of(
                            new Comparison(
                                    "cart-reminder",
                                    "control",
                                    0.075,
                                    new double[] {0.05, 0.1},
                                    null,
                                    0.001,
                                    true,
                                    new double[] {0.01, 0.14})));

    static final ExperimentResult PROGRAM =
            new ExperimentResult(
                    "program",
                    "holdout",
                    null,
                    false,
                    List.of(
                            new ArmResult("treated", 95, 10, 2, 0.2),
                            new ArmResult("holdout", 5, 0, 0, null)),
                    List.of());

    static List<String> fields(JsonNode n) {
        List<String> names = new ArrayList<>();
        for (Iterator<String> it = n.fieldNames(); it.hasNext(); ) {
            names.add(it.next());
        }
        return names;
    }

    @Test
    void theSpecsFieldsInTheSpecsOrder() throws Exception {
        JsonNode root = MAPPER.readTree(ExperimentResultJson.toJson(List.of(RULE, PROGRAM)));

        assertThat(fields(root)).containsExactly("experiments");
        assertThat(root.get("experiments").isArray()).isTrue();
        assertThat(root.get("experiments")).hasSize(2);

        JsonNode rule = root.get("experiments").get(0);
        assertThat(fields(rule))
                .containsExactly("experiment", "salt", "srmPValue", "srm", "arms", "comparisons");
        assertThat(rule.get("experiment").asText()).isEqualTo("cart-stall");
        assertThat(rule.get("srmPValue").asDouble()).isEqualTo(0.5);
        assertThat(rule.get("srm").isBoolean()).isTrue();

        JsonNode arm = rule.get("arms").get(0);
        assertThat(fields(arm)).containsExactly("arm", "share", "exposed", "converted", "rate");
        assertThat(arm.get("share").asInt()).isEqualTo(80);
        assertThat(arm.get("exposed").asLong()).isEqualTo(400);
        assertThat(arm.get("converted").asLong()).isEqualTo(30);
        assertThat(arm.get("rate").asDouble()).isEqualTo(0.075);
        assertThat(rule.get("arms").get(2).get("rate").asDouble()).isEqualTo(0.0);

        JsonNode comparison = rule.get("comparisons").get(0);
        // lift is absent (control rate 0); alwaysValid95 follows the SPEC's fields
        assertThat(fields(comparison))
                .containsExactly(
                        "arm", "vs", "diff", "ci95", "pValue", "significant", "alwaysValid95");
        assertThat(comparison.get("vs").asText()).isEqualTo("control");
        assertThat(comparison.get("ci95").isArray()).isTrue();
        assertThat(comparison.get("ci95").get(0).asDouble()).isEqualTo(0.05);
        assertThat(comparison.get("ci95").get(1).asDouble()).isEqualTo(0.1);
        assertThat(comparison.get("alwaysValid95").get(0).asDouble()).isEqualTo(0.01);
        assertThat(comparison.get("alwaysValid95").get(1).asDouble()).isEqualTo(0.14);
        assertThat(comparison.get("significant").asBoolean()).isTrue();
    }

    @Test
    void valuesThatCannotBeComputedAreAbsent() throws Exception {
        JsonNode program =
                MAPPER.readTree(ExperimentResultJson.toJson(List.of(PROGRAM)))
                        .get("experiments")
                        .get(0);
        assertThat(fields(program))
                .containsExactly("experiment", "salt", "srm", "arms", "comparisons");
        assertThat(program.get("experiment").asText()).isEqualTo("program");
        assertThat(program.get("salt").asText()).isEqualTo("holdout");
        assertThat(fields(program.get("arms").get(1)))
                .containsExactly("arm", "share", "exposed", "converted");
        assertThat(program.get("comparisons").isArray()).isTrue();
        assertThat(program.get("comparisons")).isEmpty();
    }

    @Test
    void liftAndAllFieldsWhenEverythingIsComputed() throws Exception {
        ExperimentResult r =
                ExperimentStatistics.analyse(
                        "cart-stall",
                        "cart-stall",
                        "control",
                        List.of(
                                new ArmCounts("cart-reminder", 50, 1000, 150),
                                new ArmCounts("control", 50, 1000, 100)));
        JsonNode comparison =
                MAPPER.readTree(ExperimentResultJson.toJson(List.of(r)))
                        .get("experiments")
                        .get(0)
                        .get("comparisons")
                        .get(0);
        assertThat(fields(comparison))
                .containsExactly(
                        "arm",
                        "vs",
                        "diff",
                        "ci95",
                        "lift",
                        "pValue",
                        "significant",
                        "alwaysValid95");
        // 150/1000 vs 100/1000
        assertThat(comparison.get("lift").asDouble()).isCloseTo(0.5, within(1e-14));
    }

    @Test
    void emptyReport() {
        assertThat(ExperimentResultJson.toJson(List.of())).isEqualTo("{\"experiments\":[]}");
    }
}
