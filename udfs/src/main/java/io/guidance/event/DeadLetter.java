package io.guidance.event;

/**
 * An input record the job could not use, kept whole with the reason (SPEC section 1): never dropped
 * silently. A Flink POJO; the Kafka dead-letter topic gets {@link #raw} as the record value and the
 * rest as headers.
 */
public class DeadLetter {
    public static final String NOT_JSON = "not_json";

    /**
     * Bytes that are not well-formed UTF-8, or a string field whose JSON escapes leave half a
     * surrogate pair ({@code "\\uD800"}): text with no UTF-8 form. The detail names the byte offset
     * or the field.
     */
    public static final String NOT_UTF8 = "not_utf8";

    public static final String TOO_LARGE = "too_large";
    public static final String MISSING_FIELD = "missing_field";
    public static final String WRONG_TYPE = "wrong_type";
    public static final String TOO_LONG = "too_long";
    public static final String LATE = "late";

    /**
     * An event further ahead of the clock than {@code events.maxFutureSkew} when the live job read
     * it; the detail says how far. Never given by a replay, which has no clock.
     */
    public static final String FUTURE = "future";

    /** A rule set on the rules topic that is not valid; the job keeps its last valid rules. */
    public static final String BAD_RULES = "bad_rules";

    /** One of the reason codes above. */
    public String reason;

    /** Human-readable detail: which field, how large, how late. Never the payload. */
    public String detail;

    /** The original bytes of the record. */
    public byte[] raw;

    public String sourceTopic;
    public int sourcePartition;
    public long sourceOffset;

    public DeadLetter() {}

    public DeadLetter(
            String reason,
            String detail,
            byte[] raw,
            String sourceTopic,
            int sourcePartition,
            long sourceOffset) {
        this.reason = reason;
        this.detail = detail;
        this.raw = raw;
        this.sourceTopic = sourceTopic;
        this.sourcePartition = sourcePartition;
        this.sourceOffset = sourceOffset;
    }

    @Override
    public String toString() {
        return "DeadLetter{"
                + reason
                + ": "
                + detail
                + " at "
                + sourceTopic
                + '/'
                + sourcePartition
                + '@'
                + sourceOffset
                + '}';
    }
}
