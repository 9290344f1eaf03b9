package io.guidance.rules;

import static org.assertj.core.api.Assertions.assertThat;

import io.guidance.event.Event;
import io.guidance.event.EventParser;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * SPEC section 3: an event matches when every listed field is present and matches; a list of
 * patterns matches any of them; numbers and booleans are compared by their JSON text.
 */
class MatcherTest {
    private static final long T0 = 1_700_000_000_000L;

    @Test
    void everyListedFieldMustMatch() {
        Matcher payClick = matcher("type", List.of("click"), "target", List.of("#pay"));

        assertThat(payClick.matches(click("/checkout", "#pay"))).isTrue();
        assertThat(payClick.matches(click("/checkout", "#help"))).isFalse();
        assertThat(payClick.matches(pageView("/checkout"))).isFalse();
    }

    @Test
    void fieldsThatAreNotListedDoNotMatter() {
        Matcher anyClick = matcher("type", List.of("click"));

        assertThat(anyClick.matches(click("/checkout", "#pay"))).isTrue();
        assertThat(anyClick.matches(click("/home", "#logo"))).isTrue();
    }

    @Test
    void aListOfPatternsMatchesAnyOfThem() {
        Matcher cartOrCheckout = matcher("page", List.of("/cart", "/checkout*"));

        assertThat(cartOrCheckout.matches(pageView("/cart"))).isTrue();
        assertThat(cartOrCheckout.matches(pageView("/checkout"))).isTrue();
        assertThat(cartOrCheckout.matches(pageView("/checkout/address"))).isTrue();
        assertThat(cartOrCheckout.matches(pageView("/cart/old"))).isFalse();
        assertThat(cartOrCheckout.matches(pageView("/home"))).isFalse();
    }

    @Test
    void aMissingFieldNeverMatchesEvenAStar() {
        Event viewWithoutTargetOrProps = pageView("/checkout");

        assertThat(matcher("target", List.of("*")).matches(viewWithoutTargetOrProps)).isFalse();
        assertThat(matcher("props.plan", List.of("*")).matches(viewWithoutTargetOrProps)).isFalse();
        assertThat(matcher("page", List.of("*")).matches(viewWithoutTargetOrProps)).isTrue();
    }

    @Test
    void aPropAbsentFromThePropsMapDoesNotMatch() {
        Event withOtherProp = withProps(pageView("/plans"), Map.of("currency", "EUR"));

        assertThat(matcher("props.plan", List.of("*")).matches(withOtherProp)).isFalse();
        assertThat(matcher("props.currency", List.of("EUR")).matches(withOtherProp)).isTrue();
    }

    @Test
    void propsAreMatchedByName() {
        Matcher proPlan = matcher("props.plan", List.of("pro*"));

        assertThat(proPlan.matches(withProps(pageView("/plans"), Map.of("plan", "pro-annual"))))
                .isTrue();
        assertThat(proPlan.matches(withProps(pageView("/plans"), Map.of("plan", "basic"))))
                .isFalse();
    }

    @Test
    void numbersAndBooleansInEventJsonMatchTheirJsonText() {
        Event e =
                parse(
                        "{\"eventId\":\"e-1\",\"userId\":\"u-1\",\"sessionId\":\"s-1\",\"ts\":"
                                + T0
                                + ",\"type\":\"friend_added\",\"props\":{\"count\":3,\"premium\":true,\"score\":4.5}}");

        assertThat(matcher("props.count", List.of("3")).matches(e)).isTrue();
        assertThat(matcher("props.count", List.of("3*")).matches(e)).isTrue();
        assertThat(matcher("props.count", List.of("4")).matches(e)).isFalse();
        assertThat(matcher("props.premium", List.of("true")).matches(e)).isTrue();
        assertThat(matcher("props.premium", List.of("false")).matches(e)).isFalse();
        assertThat(matcher("props.score", List.of("4.5")).matches(e)).isTrue();
    }

    @Test
    void unquotedNumbersAndBooleansInTheRulesFileMatchJsonNumbersAndBooleans() throws Exception {
        StallRule rule =
                (StallRule)
                        RulesParser.parse(
                                        """
                version: 1
                rules:
                  - id: premium-stall
                    guide: premium-help
                    kind: stall
                    start: {type: page_view, props.step: 3, props.premium: true}
                    progress: [{type: click}]
                    within: 8s
                """,
                                        "test")
                                .rules
                                .get(0);
        Event thirdStepAsPremium =
                parse(
                        "{\"eventId\":\"e-1\",\"userId\":\"u-1\",\"sessionId\":\"s-1\",\"ts\":"
                                + T0
                                + ",\"type\":\"page_view\",\"props\":{\"step\":3,\"premium\":true}}");
        Event thirdStepAsFree =
                parse(
                        "{\"eventId\":\"e-2\",\"userId\":\"u-1\",\"sessionId\":\"s-1\",\"ts\":"
                                + T0
                                + ",\"type\":\"page_view\",\"props\":{\"step\":3,\"premium\":false}}");

        assertThat(rule.start.matches(thirdStepAsPremium)).isTrue();
        assertThat(rule.start.matches(thirdStepAsFree)).isFalse();
    }

    @Test
    void eventTypesAreKnownOnlyWhenEveryTypePatternIsExact() {
        assertThat(matcher("type", List.of("click", "hover")).eventTypes())
                .containsExactlyInAnyOrder("click", "hover");
        assertThat(matcher("type", List.of("guide_*")).eventTypes()).isNull();
        assertThat(matcher("page", List.of("/checkout")).eventTypes()).isNull();
    }

    // ---- fixtures ----

    private static Event click(String page, String target) {
        return new Event("e-1", "u-1", "s-1", T0, "click", page, target, null);
    }

    private static Event pageView(String page) {
        return new Event("e-1", "u-1", "s-1", T0, "page_view", page, null, null);
    }

    private static Event withProps(Event e, Map<String, String> props) {
        e.props = props;
        return e;
    }

    private static Event parse(String json) {
        EventParser.Result r = new EventParser().parse(json.getBytes(StandardCharsets.UTF_8));
        assertThat(r.ok()).as("fixture must be a valid event: %s", r.detail).isTrue();
        return r.event;
    }

    /** matcher("type", List.of("click"), "target", List.of("#pay")) */
    private static Matcher matcher(Object... fieldsAndPatterns) {
        Map<String, List<Glob>> patterns = new LinkedHashMap<>();
        for (int i = 0; i < fieldsAndPatterns.length; i += 2) {
            @SuppressWarnings("unchecked")
            List<String> texts = (List<String>) fieldsAndPatterns[i + 1];
            patterns.put(
                    (String) fieldsAndPatterns[i],
                    texts.stream().map(Glob::new).collect(Collectors.toList()));
        }
        return new Matcher(patterns);
    }
}
