package io.guidance.event;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.flink.api.common.typeutils.SerializerTestBase;
import org.apache.flink.api.common.typeutils.TypeSerializer;

/** Flink's own checks of a serializer (copying, sequences, reuse, snapshots) on events. */
class EventSerializerContractTest extends SerializerTestBase<Event> {

    @Override
    protected TypeSerializer<Event> createSerializer() {
        return EventSerializer.INSTANCE;
    }

    @Override
    protected int getLength() {
        return -1;
    }

    @Override
    protected Class<Event> getTypeClass() {
        return Event.class;
    }

    @Override
    protected Event[] getTestData() {
        Map<String, String> props = new HashMap<>();
        props.put("amount", "42.5");
        props.put("plan", "pro");
        Map<String, String> unicode = new LinkedHashMap<>();
        unicode.put("名前", "Zoë 😀");
        return new Event[] {
            new Event("e-1", "alice", "s1", 1L, "click", "/checkout", "#pay", props),
            new Event("e-2", "bob", "s2", 2L, "page_view", "/home", null, null),
            new Event("e-3", "bob", "s2", 3L, "click", null, "#buy", new HashMap<>()),
            new Event("é-4", "ユーザー", "séance", Long.MAX_VALUE, "点击", null, null, unicode),
            new Event(),
        };
    }
}
