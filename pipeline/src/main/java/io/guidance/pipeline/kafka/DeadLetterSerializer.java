package io.guidance.pipeline.kafka;

import io.guidance.event.DeadLetter;
import java.nio.charset.StandardCharsets;
import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;

/**
 * A dead letter as a Kafka record: the original bytes as the value, untouched, and why and where
 * from as headers ({@code reason}, {@code detail}, {@code source.topic}, {@code source.partition},
 * {@code source.offset}).
 */
public class DeadLetterSerializer implements KafkaRecordSerializationSchema<DeadLetter> {
    private static final long serialVersionUID = 1L;

    public static final String REASON = "reason";
    public static final String DETAIL = "detail";
    public static final String SOURCE_TOPIC = "source.topic";
    public static final String SOURCE_PARTITION = "source.partition";
    public static final String SOURCE_OFFSET = "source.offset";

    private final String topic;

    public DeadLetterSerializer(String topic) {
        this.topic = topic;
    }

    @Override
    public ProducerRecord<byte[], byte[]> serialize(
            DeadLetter d, KafkaSinkContext context, Long timestamp) {
        RecordHeaders headers = new RecordHeaders();
        headers.add(REASON, bytes(d.reason));
        headers.add(DETAIL, bytes(d.detail));
        if (d.sourceTopic != null) {
            headers.add(SOURCE_TOPIC, bytes(d.sourceTopic));
            headers.add(SOURCE_PARTITION, bytes(Integer.toString(d.sourcePartition)));
            headers.add(SOURCE_OFFSET, bytes(Long.toString(d.sourceOffset)));
        }
        return new ProducerRecord<>(topic, null, null, null, d.raw, headers);
    }

    private static byte[] bytes(String s) {
        return (s == null ? "" : s).getBytes(StandardCharsets.UTF_8);
    }
}
