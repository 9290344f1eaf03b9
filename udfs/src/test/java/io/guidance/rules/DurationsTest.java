package io.guidance.rules;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** SPEC section 2: durations are written 500ms, 8s, 2m, 1h, 10d. */
class DurationsTest {

    @ParameterizedTest(name = "{0} = {1} ms")
    @CsvSource({
        "500ms, 500",
        "8s,    8000", // 8 * 1000
        "2m,    120000", // 2 * 60 * 1000
        "1h,    3600000", // 60 * 60 * 1000
        "10d,   864000000", // 10 * 24 * 3600 * 1000
        "0s,    0",
        "90s,   90000",
    })
    void parsesEachUnit(String text, long millis) {
        assertThat(Durations.parse(text)).isEqualTo(millis);
    }

    @Test
    void surroundingWhitespaceIsTolerated() {
        assertThat(Durations.parse(" 8s ")).isEqualTo(8_000L);
    }

    @ParameterizedTest(name = "''{0}''")
    @ValueSource(
            strings = {"", "8", "abc", "8 s", "1.5s", "8S", "s", "8sec", "2w", "1h30m", "ms500"})
    void rejectsWhatIsNotADuration(String text) {
        assertThatThrownBy(() -> Durations.parse(text))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'" + text + "'");
    }

    @Test
    void rejectsNull() {
        assertThatThrownBy(() -> Durations.parse(null))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void rejectsADurationThatOverflowsALong() {
        // Long.MAX_VALUE is about 9.2e18 ms, about 1.07e14 days
        assertThatThrownBy(() -> Durations.parse("200000000000000d"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("too large");
        assertThatThrownBy(() -> Durations.parse("99999999999999999999ms"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("too large");
    }

    @ParameterizedTest(name = "{0} ms = {1}")
    @CsvSource({
        "500,       500ms",
        "8000,      8s",
        "120000,    2m",
        "3600000,   1h",
        "864000000, 10d",
        "1500,      1500ms", // not a whole second
        "90000,     90s", // not a whole minute
        "0,         0ms",
    })
    void formatsAsTheShortestExactText(long millis, String text) {
        assertThat(Durations.format(millis)).isEqualTo(text);
    }

    @ParameterizedTest
    @ValueSource(strings = {"500ms", "8s", "2m", "1h", "10d", "1500ms", "90s"})
    void formatIsTheInverseOfParseForCanonicalText(String text) {
        assertThat(Durations.format(Durations.parse(text))).isEqualTo(text);
    }
}
