package io.guidance.pipeline.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import io.guidance.event.DeadLetter;
import io.guidance.event.Event;
import io.guidance.event.EventJson;
import io.guidance.event.SourceRecord;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.util.Collector;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;

/**
 * The Kafka entrance holds events to {@code events.maxFutureSkew} as it reads them, so that a
 * far-future event reaches the watermark generator already bad, with reason {@code future}.
 */
class SourceRecordDeserializerFutureTest {
    static final long NOW = 1_700_000_000_000L;
    static final long HOUR = 3_600_000L;

    static SourceRecord read(SourceRecordDeserializer d, long ts) {
        byte[] value =
                EventJson.toJsonBytes(
                        new Event("e1", "ann", "s1", ts, "page_view", "/checkout", null, null));
        List<SourceRecord> out = new ArrayList<>();
        d.deserialize(
                new ConsumerRecord<>("events", 1, 9L, "ann".getBytes(), value),
                new Collector<>() {
                    @Override
                    public void collect(SourceRecord r) {
                        out.add(r);
                    }

                    @Override
                    public void close() {}
                });
        assertThat(out).hasSize(1);
        assertThat(out.get(0).raw).isEqualTo(value);
        return out.get(0);
    }

    @Test
    void twoHoursAheadIsFutureAndFiftyNineMinutesAheadIsAnEvent() {
        SourceRecordDeserializer d = new SourceRecordDeserializer(Duration.ofHours(1), () -> NOW);

        SourceRecord ahead = read(d, NOW + 2 * HOUR);
        assertThat(ahead.event).isNull();
        assertThat(ahead.badReason).isEqualTo(DeadLetter.FUTURE);
        assertThat(ahead.badDetail)
                .isEqualTo(
                        "ts "
                                + (NOW + 2 * HOUR)
                                + " is 2 h ahead of the clock "
                                + NOW
                                + "; events.maxFutureSkew 1h");
        assertThat(ahead.partition).isEqualTo(1);
        assertThat(ahead.offset).isEqualTo(9L);

        SourceRecord within = read(d, NOW + 59 * 60_000L);
        assertThat(within.event).isNotNull();
        assertThat(within.event.ts).isEqualTo(NOW + 59 * 60_000L);
    }

    @Test
    void zeroTurnsTheBoundOff() {
        SourceRecordDeserializer d = new SourceRecordDeserializer(Duration.ZERO, () -> NOW);

        assertThat(read(d, 4_102_444_800_000L).event).isNotNull();
    }

    @Test
    void withoutATestClockTheWallClockIsUsed() {
        SourceRecordDeserializer d = new SourceRecordDeserializer(Duration.ofHours(1));

        assertThat(read(d, System.currentTimeMillis()).event).isNotNull();
        assertThat(read(d, 4_102_444_800_000L).badReason).isEqualTo(DeadLetter.FUTURE);
    }
}
