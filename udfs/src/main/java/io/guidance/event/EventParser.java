package io.guidance.event;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadFeature;
import java.io.IOException;
import java.util.HashMap;
import java.util.Map;

/**
 * Turns the bytes of one record into an {@link Event}, or says why it cannot (SPEC section 1).
 * Streams the JSON tokens instead of building a tree: this runs once per input record. Unknown
 * top-level fields are ignored, so that producers may add fields before the job knows them. The
 * bytes must be strict UTF-8 ({@link Utf8}) and the strings kept must have a UTF-8 form (no
 * unpaired surrogate from an escape), else the reason is {@link DeadLetter#NOT_UTF8}.
 *
 * <p>Not thread-safe only in the sense that it holds a {@link JsonFactory}; one instance per task
 * is the intent.
 */
public final class EventParser {
    public static final int MAX_RECORD_BYTES = 64 * 1024;
    public static final int MAX_STRING_CHARS = 1024;

    /**
     * Refuses a second value for a field: readers that keep the first and readers that keep the
     * last would otherwise see two different users in one record.
     */
    private final JsonFactory factory =
            JsonFactory.builder().enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION).build();

    /** The outcome of parsing one record: an event, or a dead-letter reason and detail. */
    public static final class Result {
        public final Event event;
        public final String reason;
        public final String detail;

        private Result(Event event, String reason, String detail) {
            this.event = event;
            this.reason = reason;
            this.detail = detail;
        }

        public boolean ok() {
            return event != null;
        }
    }

    private static Result bad(String reason, String detail) {
        return new Result(null, reason, detail);
    }

    /** The outcome for a record of {@code bytes} bytes, over {@link #MAX_RECORD_BYTES}. */
    public static Result tooLarge(long bytes) {
        return bad(DeadLetter.TOO_LARGE, bytes + " bytes, limit " + MAX_RECORD_BYTES);
    }

    public Result parse(byte[] bytes) {
        if (bytes == null || bytes.length == 0) {
            return bad(DeadLetter.NOT_JSON, "empty record");
        }
        if (bytes.length > MAX_RECORD_BYTES) {
            return tooLarge(bytes.length);
        }
        // before Jackson, which decodes overlong forms and encoded surrogates instead of refusing
        int invalid = Utf8.firstInvalid(bytes);
        if (invalid >= 0) {
            return bad(DeadLetter.NOT_UTF8, Utf8.describe(bytes, invalid));
        }
        int nul = firstNulByte(bytes);
        if (nul >= 0) {
            return bad(DeadLetter.NOT_JSON, "a NUL byte at byte offset " + nul);
        }
        try (JsonParser p = factory.createParser(bytes)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                return bad(DeadLetter.NOT_JSON, "not a JSON object");
            }
            Event e = new Event();
            boolean hasTs = false;
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String name = p.currentName();
                JsonToken t = p.nextToken();
                switch (name) {
                    case "eventId":
                    case "userId":
                    case "sessionId":
                    case "type":
                    case "page":
                    case "target":
                        {
                            boolean optional = name.equals("page") || name.equals("target");
                            if (t == JsonToken.VALUE_NULL && optional) {
                                break;
                            }
                            if (t != JsonToken.VALUE_STRING) {
                                return bad(DeadLetter.WRONG_TYPE, name + " must be a string");
                            }
                            String s = p.getText();
                            if (s.length() > MAX_STRING_CHARS) {
                                return bad(
                                        DeadLetter.TOO_LONG,
                                        name + " has " + s.length() + " characters");
                            }
                            if (s.isEmpty() && !optional) {
                                return bad(DeadLetter.MISSING_FIELD, name + " is empty");
                            }
                            int lone = Utf8.loneSurrogate(s);
                            if (lone >= 0) {
                                return loneSurrogate(name, s, lone);
                            }
                            set(e, name, s);
                            break;
                        }
                    case "ts":
                        if (t != JsonToken.VALUE_NUMBER_INT) {
                            return bad(
                                    DeadLetter.WRONG_TYPE,
                                    "ts must be an integer (epoch milliseconds)");
                        }
                        if (p.getNumberType() != JsonParser.NumberType.INT
                                && p.getNumberType() != JsonParser.NumberType.LONG) {
                            return bad(DeadLetter.WRONG_TYPE, "ts is out of range");
                        }
                        e.ts = p.getLongValue();
                        hasTs = true;
                        break;
                    case "props":
                        {
                            if (t == JsonToken.VALUE_NULL) {
                                break;
                            }
                            if (t != JsonToken.START_OBJECT) {
                                return bad(DeadLetter.WRONG_TYPE, "props must be an object");
                            }
                            Map<String, String> props = new HashMap<>();
                            while (p.nextToken() == JsonToken.FIELD_NAME) {
                                String key = p.currentName();
                                JsonToken v = p.nextToken();
                                if (v != JsonToken.VALUE_STRING
                                        && v != JsonToken.VALUE_NUMBER_INT
                                        && v != JsonToken.VALUE_NUMBER_FLOAT
                                        && v != JsonToken.VALUE_TRUE
                                        && v != JsonToken.VALUE_FALSE) {
                                    return bad(
                                            DeadLetter.WRONG_TYPE,
                                            "props."
                                                    + key
                                                    + " must be a string, number or boolean");
                                }
                                String text = p.getText();
                                if (text.length() > MAX_STRING_CHARS
                                        || key.length() > MAX_STRING_CHARS) {
                                    return bad(
                                            DeadLetter.TOO_LONG,
                                            "props." + abbreviate(key) + " is too long");
                                }
                                int lone = Utf8.loneSurrogate(key);
                                if (lone >= 0) {
                                    return loneSurrogate("a props key", key, lone);
                                }
                                lone = Utf8.loneSurrogate(text);
                                if (lone >= 0) {
                                    return loneSurrogate("props." + abbreviate(key), text, lone);
                                }
                                props.put(key, text);
                            }
                            e.props = props;
                            break;
                        }
                    default:
                        p.skipChildren();
                }
            }
            if (p.nextToken() != null) {
                return bad(DeadLetter.NOT_JSON, "content after the JSON object");
            }
            if (e.eventId == null) return bad(DeadLetter.MISSING_FIELD, "eventId");
            if (e.userId == null) return bad(DeadLetter.MISSING_FIELD, "userId");
            if (e.sessionId == null) return bad(DeadLetter.MISSING_FIELD, "sessionId");
            if (!hasTs) return bad(DeadLetter.MISSING_FIELD, "ts");
            if (e.type == null) return bad(DeadLetter.MISSING_FIELD, "type");
            return new Result(e, null, null);
        } catch (IOException ex) {
            return bad(DeadLetter.NOT_JSON, firstLine(ex.getMessage()));
        }
    }

    /**
     * The offset of the first NUL byte, or -1. JSON text never holds one raw (inside a string it
     * must be escaped, outside it is not whitespace), and Jackson would take a text with NULs after
     * its ASCII bytes for UTF-16 or UTF-32 and decode it as such: records are UTF-8 only.
     */
    public static int firstNulByte(byte[] bytes) {
        for (int i = 0; i < bytes.length; i++) {
            if (bytes[i] == 0) {
                return i;
            }
        }
        return -1;
    }

    private static void set(Event e, String name, String value) {
        switch (name) {
            case "eventId":
                e.eventId = value;
                break;
            case "userId":
                e.userId = value;
                break;
            case "sessionId":
                e.sessionId = value;
                break;
            case "type":
                e.type = value;
                break;
            case "page":
                e.page = value;
                break;
            default:
                e.target = value;
                break;
        }
    }

    private static Result loneSurrogate(String field, String value, int index) {
        return bad(
                DeadLetter.NOT_UTF8,
                String.format(
                        "%s has an unpaired surrogate \\u%04X at character %d (no UTF-8 form)",
                        field, (int) value.charAt(index), index));
    }

    private static String abbreviate(String s) {
        return s.length() <= 40 ? s : s.substring(0, 40) + "...";
    }

    private static String firstLine(String s) {
        if (s == null) return "malformed JSON";
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }
}
