package io.guidance.pipeline.kafka;

import io.guidance.event.EventParser;
import io.guidance.event.FutureBound;
import io.guidance.event.SourceRecord;
import java.time.Duration;
import java.util.function.LongSupplier;
import org.apache.flink.api.common.serialization.DeserializationSchema;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.connector.kafka.source.reader.deserializer.KafkaRecordDeserializationSchema;
import org.apache.flink.util.Collector;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * Parses each Kafka record into a {@link SourceRecord}. Never throws on bad input: a record that is
 * not a valid event becomes a source record with a reason, which the graph sends to the dead-letter
 * topic with its bytes and offset.
 *
 * <p>Live input only: an event further ahead of the clock than {@code events.maxFutureSkew} is
 * refused here ({@link FutureBound}, reason {@code future}), before its timestamp reaches the
 * watermark generator, so it moves neither event time nor any state.
 */
public class SourceRecordDeserializer implements KafkaRecordDeserializationSchema<SourceRecord> {
    private static final long serialVersionUID = 1L;

    private final long maxFutureSkewMs;

    /** The wall clock unless a test gives another; not serialized, so a task uses the real one. */
    private final transient LongSupplier clock;

    private transient EventParser parser;
    private transient FutureBound futureBound;

    /**
     * @param maxFutureSkew how far ahead of the clock an event may be; zero turns the bound off
     */
    public SourceRecordDeserializer(Duration maxFutureSkew) {
        this(maxFutureSkew, null);
    }

    /** The same with another clock (epoch milliseconds), for tests. */
    SourceRecordDeserializer(Duration maxFutureSkew, LongSupplier clock) {
        this.maxFutureSkewMs = maxFutureSkew.toMillis();
        this.clock = clock;
    }

    @Override
    public void open(DeserializationSchema.InitializationContext context) {
        init();
    }

    private void init() {
        parser = new EventParser();
        futureBound =
                new FutureBound(
                        Duration.ofMillis(maxFutureSkewMs),
                        clock != null ? clock : System::currentTimeMillis);
    }

    @Override
    public void deserialize(ConsumerRecord<byte[], byte[]> record, Collector<SourceRecord> out) {
        if (parser == null) {
            init();
        }
        byte[] value = record.value();
        SourceRecord r =
                SourceRecord.of(
                        parser.parse(value),
                        value == null ? new byte[0] : value,
                        record.topic(),
                        record.partition(),
                        record.offset());
        futureBound.check(r);
        out.collect(r);
    }

    @Override
    public TypeInformation<SourceRecord> getProducedType() {
        return TypeInformation.of(SourceRecord.class);
    }
}
