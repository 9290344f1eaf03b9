package io.guidance.web;

import io.guidance.event.DeadLetter;
import io.guidance.event.Utf8;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/**
 * Reads a user id or trigger id from the request path byte for byte. The server's own decoding
 * turns a percent-encoded sequence that is not UTF-8 into U+FFFD and a {@code +} into a space, so
 * {@code a%C0%AFb} and {@code a%FFb} would both name the user {@code a\uFFFD\uFFFDb} and {@code
 * a+b} the user {@code a b}: another user than the one the page sent. Here {@code +} is itself and
 * any sequence that is not well-formed UTF-8 is refused, as in bodies.
 */
final class PathSegments {
    /** A path segment that names no id: why, as an error code and a detail. */
    static final class BadSegment extends Exception {
        private static final long serialVersionUID = 1L;
        final String error;

        BadSegment(String error, String detail) {
            super(detail);
            this.error = error;
        }
    }

    private PathSegments() {}

    /**
     * Segment {@code index} (0 is the empty one before the first {@code /}) of the raw, still
     * percent-encoded request path, decoded strictly.
     */
    static String segment(String rawPath, int index) throws BadSegment {
        String[] segments = rawPath.split("/", -1);
        if (index >= segments.length) {
            throw new BadSegment("bad_path", "the path has no segment " + index);
        }
        return decode(segments[index]);
    }

    static String decode(String raw) throws BadSegment {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(raw.length());
        for (int i = 0; i < raw.length(); i++) {
            char c = raw.charAt(i);
            if (c == '%') {
                int hi = i + 2 < raw.length() ? Character.digit(raw.charAt(i + 1), 16) : -1;
                int lo = i + 2 < raw.length() ? Character.digit(raw.charAt(i + 2), 16) : -1;
                if (hi < 0 || lo < 0) {
                    throw new BadSegment(
                            "bad_path",
                            "'%' at character " + i + " is not followed by two hex digits");
                }
                bytes.write(hi << 4 | lo);
                i += 2;
            } else {
                bytes.writeBytes(String.valueOf(c).getBytes(StandardCharsets.UTF_8));
            }
        }
        byte[] b = bytes.toByteArray();
        int invalid = Utf8.firstInvalid(b);
        if (invalid >= 0) {
            throw new BadSegment(DeadLetter.NOT_UTF8, "in the path: " + Utf8.describe(b, invalid));
        }
        return new String(b, StandardCharsets.UTF_8);
    }
}
