package io.guidance.pipeline.kafka;

import io.guidance.experiment.ExperimentRecord;
import io.guidance.experiment.ExperimentRecordJson;
import java.nio.charset.StandardCharsets;
import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * Exposures and conversions (SPEC section 7) as records of the experiments topic: keyed by user, so
 * one user's records stay in order in one partition, the record's JSON as the value.
 */
public class ExperimentRecordSerializer
        implements KafkaRecordSerializationSchema<ExperimentRecord> {
    private static final long serialVersionUID = 1L;

    private final String topic;

    public ExperimentRecordSerializer(String topic) {
        this.topic = topic;
    }

    @Override
    public ProducerRecord<byte[], byte[]> serialize(
            ExperimentRecord r, KafkaSinkContext context, Long timestamp) {
        // no record timestamp: a replayed or backfilled ts may lie outside the broker's range
        return new ProducerRecord<>(
                topic,
                null,
                null,
                r.userId.getBytes(StandardCharsets.UTF_8),
                ExperimentRecordJson.toJson(r).getBytes(StandardCharsets.UTF_8));
    }
}
