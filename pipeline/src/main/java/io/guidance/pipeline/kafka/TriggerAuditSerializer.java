package io.guidance.pipeline.kafka;

import io.guidance.trigger.Trigger;
import io.guidance.trigger.TriggerJson;
import java.nio.charset.StandardCharsets;
import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;

/**
 * Every trigger, delivered or suppressed, as an audit record: keyed by user (so one user's
 * decisions stay in order in one partition), the trigger JSON as the value, and its status as a
 * {@code status} header for cheap filtering.
 */
public class TriggerAuditSerializer implements KafkaRecordSerializationSchema<Trigger> {
    private static final long serialVersionUID = 1L;
    public static final String STATUS = "status";

    private final String topic;

    public TriggerAuditSerializer(String topic) {
        this.topic = topic;
    }

    @Override
    public ProducerRecord<byte[], byte[]> serialize(
            Trigger t, KafkaSinkContext context, Long timestamp) {
        RecordHeaders headers = new RecordHeaders();
        headers.add(STATUS, t.status.getBytes(StandardCharsets.UTF_8));
        // no record timestamp: the trigger's ts may lie outside the broker's accepted range (a
        // backfill, a replay)
        return new ProducerRecord<>(
                topic,
                null,
                null,
                t.userId.getBytes(StandardCharsets.UTF_8),
                TriggerJson.toJson(t).getBytes(StandardCharsets.UTF_8),
                headers);
    }
}
