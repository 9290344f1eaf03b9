package io.guidance.event;

/**
 * One record as read from a source, before it is split into events and dead letters: the parsed
 * event when it is valid, else the reason; the raw bytes and source position always, so a late or
 * bad record can be dead-lettered whole. A Flink POJO.
 */
public class SourceRecord {
    /** Null when the record is bad. */
    public Event event;

    public String badReason;
    public String badDetail;
    public byte[] raw;
    public String topic;
    public int partition;
    public long offset;

    public SourceRecord() {}

    public static SourceRecord of(
            EventParser.Result parsed, byte[] raw, String topic, int partition, long offset) {
        SourceRecord r = new SourceRecord();
        r.event = parsed.event;
        r.badReason = parsed.reason;
        r.badDetail = parsed.detail;
        r.raw = raw;
        r.topic = topic;
        r.partition = partition;
        r.offset = offset;
        return r;
    }

    /**
     * Refuses a record that parsed but may not go on (its event is dropped, the bytes stay for the
     * dead letter).
     */
    public void markBad(String reason, String detail) {
        event = null;
        badReason = reason;
        badDetail = detail;
    }

    public DeadLetter toDeadLetter(String reason, String detail) {
        return new DeadLetter(reason, detail, raw, topic, partition, offset);
    }
}
