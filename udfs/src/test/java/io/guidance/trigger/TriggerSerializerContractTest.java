package io.guidance.trigger;

import org.apache.flink.api.common.typeutils.SerializerTestBase;
import org.apache.flink.api.common.typeutils.TypeSerializer;

/** Flink's own checks of a serializer (copying, sequences, reuse, snapshots) on triggers. */
class TriggerSerializerContractTest extends SerializerTestBase<Trigger> {

    @Override
    protected TypeSerializer<Trigger> createSerializer() {
        return TriggerSerializer.INSTANCE;
    }

    @Override
    protected int getLength() {
        return -1;
    }

    @Override
    protected Class<Trigger> getTypeClass() {
        return Trigger.class;
    }

    @Override
    protected Trigger[] getTestData() {
        return new Trigger[] {
            TriggerSerializerTest.trigger("s1", TriggerSerializerTest.reason(), "control"),
            TriggerSerializerTest.trigger(null, null, null),
            TriggerSerializerTest.trigger("s2", new java.util.LinkedHashMap<>(), null),
            new Trigger(),
        };
    }
}
