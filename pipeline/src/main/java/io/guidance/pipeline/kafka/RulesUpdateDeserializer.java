package io.guidance.pipeline.kafka;

import io.guidance.rules.RulesUpdate;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.connector.kafka.source.reader.deserializer.KafkaRecordDeserializationSchema;
import org.apache.flink.util.Collector;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * Hands each rules-topic record on as it is: the job validates it, so that a bad one is
 * dead-lettered whole.
 */
public class RulesUpdateDeserializer implements KafkaRecordDeserializationSchema<RulesUpdate> {
    private static final long serialVersionUID = 1L;

    @Override
    public void deserialize(ConsumerRecord<byte[], byte[]> record, Collector<RulesUpdate> out) {
        if (record.value() != null) { // a tombstone of the compacted topic carries nothing to apply
            out.collect(
                    new RulesUpdate(
                            record.value(), record.topic(), record.partition(), record.offset()));
        }
    }

    @Override
    public TypeInformation<RulesUpdate> getProducedType() {
        return TypeInformation.of(RulesUpdate.class);
    }
}
