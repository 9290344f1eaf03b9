package io.guidance.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.guidance.experiment.Experiment;
import io.guidance.rules.Rule;
import io.guidance.rules.RuleSet;
import io.guidance.rules.ThresholdRule;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * The rules the demo and the demo shop start with: valid, with the experiment and the program
 * holdout the README describes, and every guide they can deliver has a text in the shop's catalogue
 * (guidance.js shows nothing for a guide the catalogue lacks).
 */
class DemoRulesTest {
    @Test
    void theDemoRulesCarryTheCartStallExperimentAndAFivePercentHoldout() throws Exception {
        RuleSet rules = RulesCommand.load(Path.of("../config/rules.yaml"));
        Experiment cart = rules.experimentOf("cart-stall");
        assertThat(cart).isNotNull();
        assertThat(cart.arms()).containsExactly("cart-reminder", "cart-reminder-short", "control");
        assertThat(cart.shareOf("cart-reminder")).isEqualTo(40);
        assertThat(cart.shareOf("cart-reminder-short")).isEqualTo(40);
        assertThat(cart.shareOf("control")).isEqualTo(20);
        assertThat(cart.windowMs).isEqualTo(86_400_000L);
        assertThat(rules.program).isNotNull();
        assertThat(rules.program.shareOf(Experiment.HOLDOUT)).isEqualTo(5);
        assertThat(rules.program.windowMs).isEqualTo(7 * 86_400_000L);
    }

    @Test
    void everyGuideTheDemoRulesCanDeliverHasATextInTheShopsCatalogue() throws Exception {
        RuleSet rules = RulesCommand.load(Path.of("../config/rules.yaml"));
        Set<String> guides = new TreeSet<>();
        for (Rule r : rules.rules) {
            guides.add(r.guide);
            if (r instanceof ThresholdRule t && t.reachedGuide != null) {
                guides.add(t.reachedGuide);
            }
        }
        rules.experiments.values().forEach(x -> guides.addAll(x.variants.keySet()));
        JsonNode catalogue;
        try (InputStream in =
                getClass().getResourceAsStream("/io/guidance/web/public/guides.json")) {
            catalogue = new ObjectMapper().readTree(in);
        }
        assertThat(guides).contains("cart-reminder-short");
        for (String guide : guides) {
            assertThat(catalogue.path(guide).path("title").asText())
                    .as("the shop's text for " + guide)
                    .isNotBlank();
        }
    }
}
