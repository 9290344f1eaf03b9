package io.guidance.event;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * SPEC section 1, records are UTF-8: well-formed multi-byte text passes unchanged, every kind of
 * ill-formed byte sequence is a dead letter {@code not_utf8} naming its byte offset, and so is a
 * string field whose JSON escapes leave an unpaired surrogate.
 */
class EventParserUtf8Test {
    private static final byte[] BEFORE_USER =
            "{\"eventId\":\"e1\",\"userId\":\"a".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] AFTER_USER =
            "b\",\"sessionId\":\"s1\",\"ts\":1700000000000,\"type\":\"click\"}"
                    .getBytes(StandardCharsets.US_ASCII);

    private final EventParser parser = new EventParser();

    /** A valid event whose userId is {@code a}, the given bytes, then {@code b}. */
    private static byte[] withUserIdBytes(int... middle) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(BEFORE_USER);
        for (int b : middle) {
            out.write(b);
        }
        out.writeBytes(AFTER_USER);
        return out.toByteArray();
    }

    static Stream<Arguments> wellFormed() {
        // the first and last code point of each encoded length, and of the ranges around the
        // surrogates, with their bytes from the encoding rules (Unicode chapter 3, table 3-7)
        return Stream.of(
                Arguments.of("ü U+00FC", 0xFC, new int[] {0xC3, 0xBC}),
                Arguments.of("€ U+20AC", 0x20AC, new int[] {0xE2, 0x82, 0xAC}),
                Arguments.of("𝄞 U+1D11E", 0x1D11E, new int[] {0xF0, 0x9D, 0x84, 0x9E}),
                Arguments.of("U+0080", 0x80, new int[] {0xC2, 0x80}),
                Arguments.of("U+07FF", 0x7FF, new int[] {0xDF, 0xBF}),
                Arguments.of("U+0800", 0x800, new int[] {0xE0, 0xA0, 0x80}),
                Arguments.of("U+D7FF", 0xD7FF, new int[] {0xED, 0x9F, 0xBF}),
                Arguments.of("U+E000", 0xE000, new int[] {0xEE, 0x80, 0x80}),
                Arguments.of("U+FFFF", 0xFFFF, new int[] {0xEF, 0xBF, 0xBF}),
                Arguments.of("U+10000", 0x10000, new int[] {0xF0, 0x90, 0x80, 0x80}),
                Arguments.of("U+10FFFF", 0x10FFFF, new int[] {0xF4, 0x8F, 0xBF, 0xBF}));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("wellFormed")
    void wellFormedTextPassesUnchanged(String name, int codePoint, int[] bytes) {
        EventParser.Result r = parser.parse(withUserIdBytes(bytes));

        assertThat(r.ok()).as(r.detail).isTrue();
        assertThat(r.event.userId).isEqualTo("a" + Character.toString(codePoint) + "b");
    }

    @Test
    void anEscapedSurrogatePairIsOneCodePoint() {
        byte[] json =
                "{\"eventId\":\"e1\",\"userId\":\"a\\uD834\\uDD1Eb\",\"sessionId\":\"s1\",\"ts\":1,\"type\":\"click\"}"
                        .getBytes(StandardCharsets.US_ASCII);

        EventParser.Result r = parser.parse(json);

        assertThat(r.ok()).as(r.detail).isTrue();
        assertThat(r.event.userId).isEqualTo("a" + Character.toString(0x1D11E) + "b");
    }

    static Stream<Arguments> illFormed() {
        return Stream.of(
                Arguments.of("overlong '/'", new int[] {0xC0, 0xAF}, "overlong encoding (c0 af)"),
                Arguments.of(
                        "overlong U+007F", new int[] {0xC1, 0xBF}, "overlong encoding (c1 bf)"),
                Arguments.of(
                        "overlong 3-byte '/'",
                        new int[] {0xE0, 0x80, 0xAF},
                        "overlong encoding (e0 80 af)"),
                Arguments.of(
                        "overlong 4-byte '/'",
                        new int[] {0xF0, 0x80, 0x80, 0xAF},
                        "overlong encoding (f0 80 80 af)"),
                Arguments.of(
                        "encoded U+D800",
                        new int[] {0xED, 0xA0, 0x80},
                        "encoded surrogate (CESU-8) (ed a0 80)"),
                Arguments.of(
                        "encoded U+DFFF",
                        new int[] {0xED, 0xBF, 0xBF},
                        "encoded surrogate (CESU-8) (ed bf bf)"),
                Arguments.of(
                        "U+110000",
                        new int[] {0xF4, 0x90, 0x80, 0x80},
                        "code point above U+10FFFF (f4 90 80 80)"),
                Arguments.of(
                        "lead byte f5",
                        new int[] {0xF5, 0x80, 0x80, 0x80},
                        "code point above U+10FFFF (f5 80 80 80)"),
                Arguments.of(
                        "two of three bytes", new int[] {0xE2, 0x82}, "sequence cut short (e2 82)"),
                Arguments.of(
                        "three of four bytes",
                        new int[] {0xF0, 0x9D, 0x84},
                        "sequence cut short (f0 9d 84)"),
                Arguments.of("lead byte alone", new int[] {0xC3}, "sequence cut short (c3)"),
                Arguments.of(
                        "continuation byte alone",
                        new int[] {0x80},
                        "unexpected continuation byte (80)"),
                Arguments.of(
                        "one continuation too many",
                        new int[] {0xC3, 0xBC, 0xBC},
                        null /* at the second 0xbc, see below */),
                Arguments.of("byte ff", new int[] {0xFF}, "byte that never occurs in UTF-8 (ff)"),
                Arguments.of("byte fe", new int[] {0xFE}, "byte that never occurs in UTF-8 (fe)"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("illFormed")
    void illFormedBytesAreRefusedWithTheirOffset(String name, int[] bytes, String kind) {
        EventParser.Result r = parser.parse(withUserIdBytes(bytes));

        assertThat(r.ok()).isFalse();
        assertThat(r.reason).isEqualTo(DeadLetter.NOT_UTF8);
        // the bad sequence starts right after the userId's first character, "a"
        int offset = BEFORE_USER.length;
        if (kind == null) {
            // ü is well formed; the extra continuation byte after it is not
            offset += 2;
            kind = "unexpected continuation byte (bc)";
        }
        assertThat(r.detail).isEqualTo("invalid UTF-8 at byte offset " + offset + ": " + kind);
    }

    @Test
    void aSequenceCutByTheEndOfTheRecordSaysSo() {
        byte[] json = "{\"eventId\":\"e\u00fc".getBytes(StandardCharsets.UTF_8);
        byte[] cut = java.util.Arrays.copyOf(json, json.length - 1);

        EventParser.Result r = parser.parse(cut);

        assertThat(r.reason).isEqualTo(DeadLetter.NOT_UTF8);
        assertThat(r.detail)
                .isEqualTo(
                        "invalid UTF-8 at byte offset "
                                + (cut.length - 1)
                                + ": sequence cut short by the end of the record (c3)");
    }

    @Test
    void badBytesOutsideStringsAreNotUtf8TooNotJson() {
        byte[] json = withUserIdBytes();
        byte[] spaced = new byte[json.length + 1];
        spaced[0] = (byte) 0xC0;
        System.arraycopy(json, 0, spaced, 1, json.length);

        EventParser.Result r = parser.parse(spaced);

        assertThat(r.reason).isEqualTo(DeadLetter.NOT_UTF8);
        assertThat(r.detail).startsWith("invalid UTF-8 at byte offset 0: ");
    }

    static Stream<Arguments> unpairedSurrogates() {
        String event =
                "{\"eventId\":\"e1\",\"userId\":\"%s\",\"sessionId\":\"s1\",\"ts\":1,\"type\":\"click\","
                        + "\"props\":{\"k\":\"%s\"}}";
        return Stream.of(
                Arguments.of(
                        String.format(event, "a\\uD800", "v"),
                        "userId has an unpaired surrogate \\uD800 at character 1 (no UTF-8 form)"),
                Arguments.of(
                        String.format(event, "\\uDD1Ea", "v"),
                        "userId has an unpaired surrogate \\uDD1E at character 0 (no UTF-8 form)"),
                Arguments.of(
                        String.format(event, "\\uD834\\u0041", "v"),
                        "userId has an unpaired surrogate \\uD834 at character 0 (no UTF-8 form)"),
                Arguments.of(
                        String.format(event, "u1", "x\\uDBFF"),
                        "props.k has an unpaired surrogate \\uDBFF at character 1 (no UTF-8 form)"));
    }

    @ParameterizedTest
    @MethodSource("unpairedSurrogates")
    void anEscapeThatLeavesAnUnpairedSurrogateIsRefused(String json, String detail) {
        EventParser.Result r = parser.parse(json.getBytes(StandardCharsets.US_ASCII));

        assertThat(r.reason).isEqualTo(DeadLetter.NOT_UTF8);
        assertThat(r.detail).isEqualTo(detail);
    }

    /**
     * The JDK's decoder set to report malformed input is strict UTF-8 too: on random byte strings,
     * mostly non-ASCII, both find the same first bad offset.
     */
    @Test
    void agreesWithTheJdksStrictDecoderOnRandomBytes() {
        Random random = new Random(17);
        CharsetDecoder strict =
                StandardCharsets.UTF_8
                        .newDecoder()
                        .onMalformedInput(CodingErrorAction.REPORT)
                        .onUnmappableCharacter(CodingErrorAction.REPORT);
        int invalid = 0;
        for (int n = 0; n < 200_000; n++) {
            byte[] bytes = new byte[random.nextInt(24)];
            for (int i = 0; i < bytes.length; i++) {
                int kind = random.nextInt(4);
                bytes[i] =
                        (byte)
                                (kind == 0
                                        ? random.nextInt(0x80)
                                        : kind == 1
                                                ? 0x80 + random.nextInt(0x40)
                                                : 0xC0 + random.nextInt(0x40));
            }
            int expected = jdkFirstInvalid(strict, bytes);
            assertThat(Utf8.firstInvalid(bytes)).as("%s", hex(bytes)).isEqualTo(expected);
            if (expected >= 0) {
                invalid++;
            }
        }
        // both outcomes occur often enough to mean something
        assertThat(invalid).isBetween(20_000, 190_000);
    }

    private static int jdkFirstInvalid(CharsetDecoder strict, byte[] bytes) {
        strict.reset();
        ByteBuffer in = ByteBuffer.wrap(bytes);
        CharBuffer out = CharBuffer.allocate(bytes.length * 2 + 2);
        CoderResult r = strict.decode(in, out, true);
        if (r.isError()) {
            return in.position();
        }
        r = strict.flush(out);
        return r.isError() ? in.position() : -1;
    }

    private static String hex(byte[] bytes) {
        StringBuilder s = new StringBuilder();
        for (byte b : bytes) {
            s.append(String.format("%02x ", b & 0xFF));
        }
        return s.toString();
    }
}
