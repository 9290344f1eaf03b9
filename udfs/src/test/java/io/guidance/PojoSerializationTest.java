package io.guidance;

import static org.apache.flink.types.PojoTestUtils.assertSerializedAsPojoWithoutKryo;

import io.guidance.detect.Inbox;
import io.guidance.detect.LoopWindow;
import io.guidance.detect.ThresholdCount;
import io.guidance.detect.UserActivity;
import io.guidance.event.DeadLetter;
import io.guidance.event.Event;
import io.guidance.event.SourceRecord;
import org.junit.jupiter.api.Test;

/**
 * STYLE item 12: every record that crosses an operator boundary or sits in state is a Flink POJO,
 * never Kryo. {@link Event} and {@code Trigger} have serializers of their own instead ({@code
 * EventSerializerTest}, {@code TriggerSerializerTest}).
 */
class PojoSerializationTest {

    @Test
    void deadLetterIsSerializedAsAPojo() {
        assertSerializedAsPojoWithoutKryo(DeadLetter.class);
    }

    @Test
    void theStateValuesAreSerializedAsPojos() {
        assertSerializedAsPojoWithoutKryo(Inbox.class);
        assertSerializedAsPojoWithoutKryo(UserActivity.class);
        assertSerializedAsPojoWithoutKryo(LoopWindow.class);
        assertSerializedAsPojoWithoutKryo(ThresholdCount.class);
    }

    @Test
    void sourceRecordIsSerializedAsAPojo() {
        assertSerializedAsPojoWithoutKryo(SourceRecord.class);
    }
}
