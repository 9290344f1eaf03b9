package io.guidance.event;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/**
 * Strict UTF-8 (SPEC section 1: records are UTF-8): only the well-formed byte sequences of the
 * Unicode standard (chapter 3, table 3-7) pass. Refused are overlong forms ({@code c0 af} for
 * {@code /}), encoded surrogates ({@code ed a0 80}, as CESU-8 writes them), code points above
 * U+10FFFF, truncated sequences and bytes that never occur in UTF-8. Decoders that repair or
 * replace such bytes would let two byte spellings become one user id.
 *
 * <p>Runs once per input record, so ASCII, the bulk of every record, is checked eight bytes at a
 * time.
 */
public final class Utf8 {
    private static final VarHandle LONGS =
            MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
    private static final long HIGH_BITS = 0x8080808080808080L;

    private Utf8() {}

    /** The offset of the first byte that starts no well-formed sequence; -1 when all is UTF-8. */
    public static int firstInvalid(byte[] bytes) {
        return firstInvalid(bytes, 0, bytes.length);
    }

    /** {@link #firstInvalid(byte[])} for {@code bytes[from, to)}; offsets count from 0. */
    public static int firstInvalid(byte[] bytes, int from, int to) {
        int i = from;
        while (i < to) {
            while (i + 8 <= to && ((long) LONGS.get(bytes, i) & HIGH_BITS) == 0) {
                i += 8;
            }
            if (i == to) {
                break;
            }
            if (bytes[i] >= 0) {
                i++;
                continue;
            }
            int n = sequenceLength(bytes, i, to);
            if (n < 0) {
                return i;
            }
            i += n;
        }
        return -1;
    }

    /** The length of the well-formed sequence with the non-ASCII lead byte at {@code i}, or -1. */
    private static int sequenceLength(byte[] b, int i, int to) {
        int lead = b[i] & 0xFF;
        if (lead < 0xC2) {
            return -1;
        }
        if (lead < 0xE0) {
            return i + 1 < to && isContinuation(b[i + 1]) ? 2 : -1;
        }
        if (lead < 0xF0) {
            if (i + 2 >= to) {
                return -1;
            }
            int second = b[i + 1] & 0xFF;
            int low = lead == 0xE0 ? 0xA0 : 0x80;
            int high = lead == 0xED ? 0x9F : 0xBF;
            return second >= low && second <= high && isContinuation(b[i + 2]) ? 3 : -1;
        }
        if (lead < 0xF5) {
            if (i + 3 >= to) {
                return -1;
            }
            int second = b[i + 1] & 0xFF;
            int low = lead == 0xF0 ? 0x90 : 0x80;
            int high = lead == 0xF4 ? 0x8F : 0xBF;
            return second >= low
                            && second <= high
                            && isContinuation(b[i + 2])
                            && isContinuation(b[i + 3])
                    ? 4
                    : -1;
        }
        return -1;
    }

    private static boolean isContinuation(byte b) {
        return (b & 0xC0) == 0x80;
    }

    /**
     * Why the sequence at {@code offset} (a result of {@link #firstInvalid}) is not UTF-8, e.g.
     * {@code invalid UTF-8 at byte offset 5: overlong encoding (c0 af)}: the offset and the
     * offending bytes only, never the text around them.
     */
    public static String describe(byte[] bytes, int offset) {
        int lead = bytes[offset] & 0xFF;
        int expected;
        String kind = null;
        if (lead < 0xC0) {
            kind = "unexpected continuation byte";
            expected = 1;
        } else if (lead < 0xC2) {
            kind = "overlong encoding";
            expected = 2;
        } else if (lead < 0xE0) {
            expected = 2;
        } else if (lead < 0xF0) {
            expected = 3;
        } else if (lead < 0xF5) {
            expected = 4;
        } else if (lead < 0xF8) {
            kind = "code point above U+10FFFF";
            expected = 4;
        } else {
            kind = "byte that never occurs in UTF-8";
            expected = 1;
        }
        // the bytes that belong to the sequence: the lead and the continuation bytes after it
        int end = offset + 1;
        while (end < bytes.length && end < offset + expected && isContinuation(bytes[end])) {
            end++;
        }
        if (kind == null) {
            int second = end > offset + 1 ? bytes[offset + 1] & 0xFF : -1;
            if (lead == 0xE0 && second >= 0 && second < 0xA0
                    || lead == 0xF0 && second >= 0 && second < 0x90) {
                kind = "overlong encoding";
            } else if (lead == 0xED && second > 0x9F) {
                kind = "encoded surrogate (CESU-8)";
            } else if (lead == 0xF4 && second > 0x8F) {
                kind = "code point above U+10FFFF";
            } else {
                kind =
                        end == bytes.length
                                ? "sequence cut short by the end of the record"
                                : "sequence cut short";
            }
        }
        StringBuilder s =
                new StringBuilder("invalid UTF-8 at byte offset ")
                        .append(offset)
                        .append(": ")
                        .append(kind)
                        .append(" (");
        for (int i = offset; i < end; i++) {
            if (i > offset) {
                s.append(' ');
            }
            s.append(Character.forDigit((bytes[i] >> 4) & 0xF, 16))
                    .append(Character.forDigit(bytes[i] & 0xF, 16));
        }
        return s.append(')').toString();
    }

    /**
     * The index of the first surrogate {@code char} in {@code s} that is not half of a pair, or -1.
     * Such a string (from a JSON escape like {@code \\uD800}) has no UTF-8 form, so it could not be
     * part of a Redis key or a Kafka record.
     */
    public static int loneSurrogate(String s) {
        for (int i = 0, n = s.length(); i < n; i++) {
            char c = s.charAt(i);
            if (Character.isSurrogate(c)) {
                if (Character.isHighSurrogate(c)
                        && i + 1 < n
                        && Character.isLowSurrogate(s.charAt(i + 1))) {
                    i++;
                } else {
                    return i;
                }
            }
        }
        return -1;
    }
}
