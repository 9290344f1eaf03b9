package io.guidance.rules;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/**
 * The rules topic's envelope: {@code {"version": N, "publishedBy": ..., "publishedAt": ms, "rules":
 * "the file's text"}}, version a positive whole number, rules the YAML as one string, validated by
 * the file's parser.
 */
class PublishedRulesTest {
    static final String YAML =
            "version: 1\nrules:\n  - id: welcome-back\n    guide: whats-new\n"
                    + "    kind: comeback\n    gap: 14d\n";

    @Test
    void theEnvelopeIsJsonWithTheRulesFileAsText() throws Exception {
        byte[] bytes = new PublishedRules(7, "ana@laptop", 1_700_000_000_000L, YAML).toJsonBytes();
        JsonNode n = new ObjectMapper().readTree(bytes);
        assertThat(n.get("version").asLong()).isEqualTo(7);
        assertThat(n.get("publishedBy").asText()).isEqualTo("ana@laptop");
        assertThat(n.get("publishedAt").asLong()).isEqualTo(1_700_000_000_000L);
        assertThat(n.get("rules").isTextual()).isTrue();
        assertThat(n.get("rules").asText()).isEqualTo(YAML);

        PublishedRules back = PublishedRules.fromJson(bytes);
        assertThat(back.version).isEqualTo(7);
        assertThat(back.publishedBy).isEqualTo("ana@laptop");
        assertThat(back.publishedAt).isEqualTo(1_700_000_000_000L);
        assertThat(back.yaml).isEqualTo(YAML);
        RuleSet rules = back.parseRules();
        assertThat(rules.rules).extracting(r -> r.id).containsExactly("welcome-back");
    }

    @Test
    void whoAndWhenAreOptional() {
        PublishedRules p =
                PublishedRules.fromJson(json("{\"version\": 3, \"rules\": \"rules: []\"}"));
        assertThat(p.version).isEqualTo(3);
        assertThat(p.publishedBy).isEqualTo("unknown");
        assertThat(p.publishedAt).isZero();
    }

    @Test
    void whatIsNotAnEnvelopeIsRefused() {
        assertThatThrownBy(() -> PublishedRules.fromJson(json("rules: []")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("not JSON");
        assertThatThrownBy(() -> PublishedRules.fromJson(json("[1, 2]")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("object");
        for (String version : new String[] {"0", "-1", "\"seven\"", "null"}) {
            assertThatThrownBy(
                            () ->
                                    PublishedRules.fromJson(
                                            json(
                                                    "{\"version\": "
                                                            + version
                                                            + ", \"rules\": \"rules: []\"}")))
                    .as(version)
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("version");
        }
        assertThatThrownBy(() -> PublishedRules.fromJson(json("{\"rules\": \"rules: []\"}")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("version");
        assertThatThrownBy(
                        () ->
                                PublishedRules.fromJson(
                                        json("{\"version\": 2, \"rules\": {\"id\": \"x\"}}")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("rules");
        assertThatThrownBy(() -> PublishedRules.fromJson(json("{\"version\": 2}")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("rules");
    }

    @Test
    void theRulesInsideAreValidatedAndNamedByVersion() {
        PublishedRules p = new PublishedRules(4, "ana", 0, YAML.replace("gap: 14d", "gap: 0s"));
        assertThatThrownBy(p::parseRules)
                .isInstanceOf(RuleValidationException.class)
                .hasMessageContaining("rules version 4")
                .hasMessageContaining("rule 'welcome-back', field 'gap'");
    }

    private static byte[] json(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
