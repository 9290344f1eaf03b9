package io.guidance.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Ids in request paths are read byte for byte: {@code +} is itself, bad escapes are refused. */
class PathSegmentsTest {
    @ParameterizedTest(name = "{0}")
    @CsvSource(
            delimiter = ';',
            value = {
                "a+b;a+b",
                "a%20b;a b",
                "%41%42c;ABc",
                "caf%C3%A9;caf\u00e9",
                "r%7Cu1%7C-%7C1;r|u1|-|1",
                "%F0%9F%98%80;\uD83D\uDE00",
            })
    void wellFormedSegmentsDecodeToTheirText(String raw, String id) throws Exception {
        assertThat(PathSegments.decode(raw)).isEqualTo(id);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({
        "a%C0%AFb, not_utf8, in the path: invalid UTF-8 at byte offset 1: overlong encoding (c0 af)",
        "a%ED%A0%80, not_utf8, in the path: invalid UTF-8 at byte offset 1: encoded surrogate",
        "%FF, not_utf8, in the path: invalid UTF-8 at byte offset 0: byte that never occurs",
        "a%2, bad_path, '%' at character 1 is not followed by two hex digits",
        "%zz, bad_path, '%' at character 0 is not followed by two hex digits",
    })
    void badSegmentsAreRefusedWithTheirReason(String raw, String error, String detail) {
        PathSegments.BadSegment e =
                catchThrowableOfType(PathSegments.BadSegment.class, () -> PathSegments.decode(raw));
        assertThat(e).isNotNull();
        assertThat(e.error).isEqualTo(error);
        assertThat(e.getMessage()).startsWith(detail);
    }
}
