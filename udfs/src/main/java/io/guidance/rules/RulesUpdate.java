package io.guidance.rules;

/**
 * One record of the rules topic as read, before it is checked: a candidate rule set may come from
 * any producer, so it is parsed inside the job, where a bad one can be dead-lettered whole. A Flink
 * POJO.
 */
public class RulesUpdate {
    public byte[] raw;
    public String topic;
    public int partition;
    public long offset;

    public RulesUpdate() {}

    public RulesUpdate(byte[] raw, String topic, int partition, long offset) {
        this.raw = raw;
        this.topic = topic;
        this.partition = partition;
        this.offset = offset;
    }
}
