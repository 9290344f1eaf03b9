package io.guidance.pipeline.kafka;

import io.guidance.event.EventParser;
import io.guidance.event.SourceRecord;
import org.apache.flink.api.common.serialization.DeserializationSchema;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.connector.kafka.source.reader.deserializer.KafkaRecordDeserializationSchema;
import org.apache.flink.util.Collector;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * Parses each Kafka record into a {@link SourceRecord}. Never throws on bad input: a record that is
 * not a valid event becomes a source record with a reason, which the graph sends to the dead-letter
 * topic with its bytes and offset.
 */
public class SourceRecordDeserializer implements KafkaRecordDeserializationSchema<SourceRecord> {
    private static final long serialVersionUID = 1L;

    private transient EventParser parser;

    @Override
    public void open(DeserializationSchema.InitializationContext context) {
        parser = new EventParser();
    }

    @Override
    public void deserialize(ConsumerRecord<byte[], byte[]> record, Collector<SourceRecord> out) {
        if (parser == null) {
            parser = new EventParser();
        }
        byte[] value = record.value();
        out.collect(
                SourceRecord.of(
                        parser.parse(value),
                        value == null ? new byte[0] : value,
                        record.topic(),
                        record.partition(),
                        record.offset()));
    }

    @Override
    public TypeInformation<SourceRecord> getProducedType() {
        return TypeInformation.of(SourceRecord.class);
    }
}
