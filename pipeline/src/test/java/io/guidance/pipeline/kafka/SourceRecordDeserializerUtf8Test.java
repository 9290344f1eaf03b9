package io.guidance.pipeline.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import io.guidance.event.DeadLetter;
import io.guidance.event.SourceRecord;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.util.Collector;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;

/**
 * A Kafka record that is not UTF-8 becomes a bad source record with reason {@code not_utf8} and its
 * bytes unchanged, whatever JSON it would decode to: the overlong {@code c0 af} is not read as
 * {@code /}.
 */
class SourceRecordDeserializerUtf8Test {
    @Test
    void aRecordThatIsNotUtf8IsBadAndKeepsItsBytes() {
        ByteArrayOutputStream value = new ByteArrayOutputStream();
        String before = "{\"eventId\":\"e1\",\"userId\":\"a";
        value.writeBytes(before.getBytes(StandardCharsets.US_ASCII));
        value.write(0xC0);
        value.write(0xAF);
        value.writeBytes(
                "b\",\"sessionId\":\"s1\",\"ts\":1700000000000,\"type\":\"click\"}"
                        .getBytes(StandardCharsets.US_ASCII));
        byte[] bytes = value.toByteArray();
        List<SourceRecord> out = new ArrayList<>();

        new SourceRecordDeserializer(Duration.ofHours(1))
                .deserialize(
                        new ConsumerRecord<>("events", 3, 42L, "a/b".getBytes(), bytes),
                        new Collector<>() {
                            @Override
                            public void collect(SourceRecord r) {
                                out.add(r);
                            }

                            @Override
                            public void close() {}
                        });

        assertThat(out).hasSize(1);
        SourceRecord r = out.get(0);
        assertThat(r.event).isNull();
        assertThat(r.badReason).isEqualTo(DeadLetter.NOT_UTF8);
        assertThat(r.badDetail)
                .isEqualTo(
                        "invalid UTF-8 at byte offset "
                                + before.length()
                                + ": overlong encoding (c0 af)");
        assertThat(r.raw).isEqualTo(bytes);
        assertThat(r.topic).isEqualTo("events");
        assertThat(r.partition).isEqualTo(3);
        assertThat(r.offset).isEqualTo(42L);
    }
}
