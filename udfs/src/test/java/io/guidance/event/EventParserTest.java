package io.guidance.event;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * SPEC section 1: what a valid event is, and the dead-letter reason of every kind of bad record.
 */
class EventParserTest {
    /** 2023-11-14T22:13:20Z. */
    private static final long T0 = 1_700_000_000_000L;

    private final EventParser parser = new EventParser();

    // ---- valid events ----

    @Test
    void parsesAnEventWithEveryField() {
        EventParser.Result r = parser.parse(checkoutClick().bytes());

        assertThat(r.ok()).isTrue();
        assertThat(r.reason).isNull();
        Event e = r.event;
        assertThat(e.eventId).isEqualTo("e-1");
        assertThat(e.userId).isEqualTo("u-42");
        assertThat(e.sessionId).isEqualTo("s-1");
        assertThat(e.ts).isEqualTo(T0);
        assertThat(e.type).isEqualTo("click");
        assertThat(e.page).isEqualTo("/checkout");
        assertThat(e.target).isEqualTo("#pay");
        assertThat(e.props)
                .containsOnly(
                        Map.entry("plan", "pro"),
                        Map.entry("qty", "3"),
                        Map.entry("member", "true"));
    }

    @Test
    void propsOfEveryAllowedTypeBecomeTheirJsonText() {
        EventParser.Result r =
                parser.parse(
                        checkoutClick()
                                .with(
                                        "props",
                                        "{\"name\":\"Ada\",\"qty\":3,\"price\":2.50,\"neg\":-7,\"member\":true,\"trial\":false}")
                                .bytes());

        assertThat(r.event.props)
                .containsOnly(
                        Map.entry("name", "Ada"),
                        Map.entry("qty", "3"),
                        Map.entry("price", "2.50"),
                        Map.entry("neg", "-7"),
                        Map.entry("member", "true"),
                        Map.entry("trial", "false"));
    }

    @Test
    void optionalFieldsMayBeAbsent() {
        EventParser.Result r =
                parser.parse(
                        checkoutClick().without("page").without("target").without("props").bytes());

        assertThat(r.ok()).isTrue();
        assertThat(r.event.page).isNull();
        assertThat(r.event.target).isNull();
        assertThat(r.event.props).isNull();
    }

    @Test
    void unknownExtraFieldsAreIgnored() {
        EventParser.Result plain = parser.parse(checkoutClick().bytes());
        EventParser.Result extended =
                parser.parse(
                        checkoutClick()
                                .with("referrer", "\"https://example.com\"")
                                .with(
                                        "screen",
                                        "{\"w\":1280,\"h\":[800,600],\"deep\":{\"x\":null}}")
                                .with("experiment", "42")
                                .bytes());

        assertThat(extended.ok()).isTrue();
        assertThat(extended.event).isEqualTo(plain.event);
    }

    @Test
    void aStringOfExactly1024CharactersIsAccepted() {
        String page = "/" + "p".repeat(1023);
        assertThat(page).hasSize(1024);

        EventParser.Result r = parser.parse(checkoutClick().with("page", quoted(page)).bytes());

        assertThat(r.ok()).isTrue();
        assertThat(r.event.page).isEqualTo(page);
    }

    @Test
    void aRecordOfExactly64KiBIsAccepted() {
        byte[] bytes = paddedTo(65_536);

        EventParser.Result r = parser.parse(bytes);

        assertThat(r.ok()).isTrue();
        assertThat(r.event.eventId).isEqualTo("e-1");
    }

    // ---- not_json ----

    @ParameterizedTest(name = "{0}")
    @ValueSource(
            strings = {
                "hello",
                "[1, 2, 3]",
                "[{\"eventId\":\"e-1\"}]",
                "\"just a string\"",
                "42",
                "{\"eventId\":\"e-1\",",
                "{\"eventId\" \"e-1\"}",
            })
    void garbageArraysAndBrokenJsonAreNotJson(String text) {
        assertDeadLetter(text.getBytes(StandardCharsets.UTF_8), DeadLetter.NOT_JSON);
    }

    @Test
    void anEmptyRecordIsNotJson() {
        assertDeadLetter(new byte[0], DeadLetter.NOT_JSON);
    }

    @Test
    void trailingContentAfterTheObjectIsNotJson() {
        String valid = checkoutClick().text();

        assertDeadLetter((valid + " x").getBytes(StandardCharsets.UTF_8), DeadLetter.NOT_JSON);
        assertDeadLetter((valid + valid).getBytes(StandardCharsets.UTF_8), DeadLetter.NOT_JSON);
        assertDeadLetter((valid + " 7").getBytes(StandardCharsets.UTF_8), DeadLetter.NOT_JSON);
    }

    @Test
    void trailingWhitespaceIsFine() {
        assertThat(
                        parser.parse(
                                        (checkoutClick().text() + " \n")
                                                .getBytes(StandardCharsets.UTF_8))
                                .ok())
                .isTrue();
    }

    // ---- too_large ----

    @Test
    void aRecordOneByteOver64KiBIsTooLarge() {
        EventParser.Result r = assertDeadLetter(paddedTo(65_537), DeadLetter.TOO_LARGE);
        assertThat(r.detail).contains("65537");
    }

    // ---- missing_field ----

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"eventId", "userId", "sessionId", "ts", "type"})
    void eachRequiredFieldIsMissingWhenAbsent(String field) {
        EventParser.Result r =
                assertDeadLetter(checkoutClick().without(field).bytes(), DeadLetter.MISSING_FIELD);
        assertThat(r.detail).contains(field);
    }

    // ---- wrong_type ----

    @Test
    void tsAsAStringIsTheWrongType() {
        EventParser.Result r =
                assertDeadLetter(
                        checkoutClick().with("ts", quoted(Long.toString(T0))).bytes(),
                        DeadLetter.WRONG_TYPE);
        assertThat(r.detail).contains("ts");
    }

    @ParameterizedTest(name = "ts: {0}")
    @ValueSource(strings = {"1700000000000.5", "1700000000000.0", "1.7e12"})
    void tsAsAFloatIsTheWrongType(String ts) {
        EventParser.Result r =
                assertDeadLetter(checkoutClick().with("ts", ts).bytes(), DeadLetter.WRONG_TYPE);
        assertThat(r.detail).contains("ts");
    }

    @Test
    void tsBeyondALongIsTheWrongType() {
        assertDeadLetter(
                checkoutClick().with("ts", "99999999999999999999").bytes(), DeadLetter.WRONG_TYPE);
    }

    @Test
    void userIdAsANumberIsTheWrongType() {
        EventParser.Result r =
                assertDeadLetter(
                        checkoutClick().with("userId", "42").bytes(), DeadLetter.WRONG_TYPE);
        assertThat(r.detail).contains("userId");
    }

    @Test
    void typeAsABooleanIsTheWrongType() {
        assertDeadLetter(checkoutClick().with("type", "true").bytes(), DeadLetter.WRONG_TYPE);
    }

    @Test
    void nestedPropsAreTheWrongType() {
        EventParser.Result r =
                assertDeadLetter(
                        checkoutClick().with("props", "{\"cart\":{\"items\":2}}").bytes(),
                        DeadLetter.WRONG_TYPE);
        assertThat(r.detail).contains("props.cart");
    }

    @Test
    void aListInsidePropsIsTheWrongType() {
        assertDeadLetter(
                checkoutClick().with("props", "{\"tags\":[\"a\",\"b\"]}").bytes(),
                DeadLetter.WRONG_TYPE);
    }

    @Test
    void propsThatAreNotAnObjectAreTheWrongType() {
        assertDeadLetter(
                checkoutClick().with("props", "\"plan=pro\"").bytes(), DeadLetter.WRONG_TYPE);
        assertDeadLetter(checkoutClick().with("props", "[1]").bytes(), DeadLetter.WRONG_TYPE);
    }

    // ---- too_long ----

    @Test
    void aPageOf1025CharactersIsTooLong() {
        String page = "/" + "p".repeat(1024);
        assertThat(page).hasSize(1025);

        EventParser.Result r =
                assertDeadLetter(
                        checkoutClick().with("page", quoted(page)).bytes(), DeadLetter.TOO_LONG);
        assertThat(r.detail).contains("page");
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"eventId", "userId", "sessionId", "type", "target"})
    void anyStringFieldOver1024CharactersIsTooLong(String field) {
        assertDeadLetter(
                checkoutClick().with(field, quoted("x".repeat(1025))).bytes(), DeadLetter.TOO_LONG);
    }

    @Test
    void aPropValueOver1024CharactersIsTooLong() {
        assertDeadLetter(
                checkoutClick()
                        .with("props", "{\"note\":" + quoted("x".repeat(1025)) + "}")
                        .bytes(),
                DeadLetter.TOO_LONG);
    }

    // ---- round trip ----

    @Test
    void eventJsonWritesWhatTheParserReadsBack() {
        Event original =
                new Event(
                        "e-7",
                        "u-42",
                        "s-1",
                        T0 + 500,
                        "click",
                        "/checkout",
                        "#pay \"now\"",
                        Map.of(
                                "plan", "pro", "qty", "3", "member", "true", "price", "2.50",
                                "code", "007"));

        EventParser.Result r = parser.parse(EventJson.toJsonBytes(original));

        assertThat(r.ok()).isTrue();
        assertThat(r.event).isEqualTo(original);
    }

    @Test
    void roundTripWithoutOptionalFields() {
        Event original = new Event("e-8", "u-42", "s-1", T0, "page_ping", null, null, null);

        assertThat(parser.parse(EventJson.toJsonBytes(original)).event).isEqualTo(original);
    }

    @Test
    void aParsedEventWrittenAgainParsesToTheSameEvent() {
        Event parsed = parser.parse(checkoutClick().bytes()).event;

        assertThat(parser.parse(EventJson.toJsonBytes(parsed)).event).isEqualTo(parsed);
    }

    // ---- fixtures ----

    /** The story's one good record: user u-42 clicks #pay on /checkout at T0. */
    private static JsonRecord checkoutClick() {
        return new JsonRecord()
                .with("eventId", "\"e-1\"")
                .with("userId", "\"u-42\"")
                .with("sessionId", "\"s-1\"")
                .with("ts", Long.toString(T0))
                .with("type", "\"click\"")
                .with("page", "\"/checkout\"")
                .with("target", "\"#pay\"")
                .with("props", "{\"plan\":\"pro\",\"qty\":3,\"member\":true}");
    }

    /**
     * The good record followed by spaces (legal JSON whitespace) up to exactly {@code size} bytes.
     */
    private static byte[] paddedTo(int size) {
        String text = checkoutClick().text();
        byte[] bytes = (text + " ".repeat(size - text.length())).getBytes(StandardCharsets.UTF_8);
        assertThat(bytes).hasSize(size);
        return bytes;
    }

    private EventParser.Result assertDeadLetter(byte[] bytes, String reason) {
        EventParser.Result r = parser.parse(bytes);
        assertThat(r.ok()).as("accepted a bad record").isFalse();
        assertThat(r.event).isNull();
        assertThat(r.reason).isEqualTo(reason);
        assertThat(r.detail).isNotBlank();
        return r;
    }

    private static String quoted(String s) {
        return '"' + s + '"';
    }

    /**
     * A JSON object written field by field, each value as raw JSON text, so a test can break
     * exactly one.
     */
    private static final class JsonRecord {
        private final Map<String, String> fields = new LinkedHashMap<>();

        JsonRecord with(String name, String rawJson) {
            fields.put(name, rawJson);
            return this;
        }

        JsonRecord without(String name) {
            fields.remove(name);
            return this;
        }

        String text() {
            StringBuilder b = new StringBuilder("{");
            fields.forEach(
                    (k, v) ->
                            b.append(b.length() > 1 ? "," : "")
                                    .append('"')
                                    .append(k)
                                    .append("\":")
                                    .append(v));
            return b.append('}').toString();
        }

        byte[] bytes() {
            return text().getBytes(StandardCharsets.UTF_8);
        }
    }
}
