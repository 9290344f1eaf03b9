package io.guidance.event;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.guidance.detect.Inbox;
import java.io.IOException;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.functions.InvalidTypesException;
import org.apache.flink.api.common.serialization.SerializerConfigImpl;
import org.apache.flink.api.common.typeinfo.TypeHint;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.common.typeutils.TypeSerializerSchemaCompatibility;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.api.java.typeutils.GenericTypeInfo;
import org.apache.flink.api.java.typeutils.ListTypeInfo;
import org.apache.flink.api.java.typeutils.PojoTypeInfo;
import org.apache.flink.api.java.typeutils.TypeExtractor;
import org.apache.flink.api.java.typeutils.runtime.PojoSerializer;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.junit.jupiter.api.Test;

/**
 * {@link EventSerializer}: every optional field absent and present round trips, copies own their
 * props, its snapshot restores it, and type extraction picks it while the POJO form stays available
 * for state written with it.
 */
class EventSerializerTest {
    static final long TS = 1_700_000_000_123L;

    static Event full() {
        Map<String, String> props = new HashMap<>();
        props.put("amount", "42.5");
        props.put("plan", "pro");
        return new Event("e-1", "alice", "s1", TS, "click", "/checkout", "#pay", props);
    }

    static Event minimal() {
        return new Event("e-2", "bob", "s2", TS, "page_view", null, null, null);
    }

    static byte[] bytes(Event e) throws IOException {
        DataOutputSerializer out = new DataOutputSerializer(64);
        EventSerializer.INSTANCE.serialize(e, out);
        return out.getCopyOfBuffer();
    }

    static Event roundTrip(Event e) throws IOException {
        byte[] b = bytes(e);
        DataInputDeserializer in = new DataInputDeserializer(b);
        Event back = EventSerializer.INSTANCE.deserialize(in);
        assertThat(in.available()).as("bytes left after " + e).isZero();
        return back;
    }

    @Test
    void everyCombinationOfOptionalFieldsRoundTrips() throws IOException {
        Map<String, String> props = Map.of("k", "v");
        for (int mask = 0; mask < 8; mask++) {
            Event e =
                    new Event(
                            "e-" + mask,
                            "u",
                            "s",
                            TS + mask,
                            "click",
                            (mask & 1) != 0 ? "/p" : null,
                            (mask & 2) != 0 ? "#t" : null,
                            (mask & 4) != 0 ? new HashMap<>(props) : null);
            Event back = roundTrip(e);
            assertThat(back).isEqualTo(e);
            assertThat(back.page).isEqualTo(e.page);
            assertThat(back.target).isEqualTo(e.target);
            assertThat(back.props).isEqualTo(e.props);
        }
    }

    @Test
    void emptyPropsStayEmptyNotNull() throws IOException {
        Event e = new Event("e", "u", "s", TS, "click", null, null, new HashMap<>());
        Event back = roundTrip(e);
        assertThat(back.props).isNotNull().isEmpty();
    }

    @Test
    void anEventWithNoFieldsSetRoundTrips() throws IOException {
        Event back = roundTrip(new Event());
        assertThat(back).isEqualTo(new Event());
        assertThat(back.eventId).isNull();
        assertThat(back.ts).isZero();
    }

    @Test
    void unicodeAndLongStringsRoundTrip() throws IOException {
        String longValue = "ü€😀".repeat(30_000); // beyond writeUTF's 64 KiB
        Map<String, String> props = new LinkedHashMap<>();
        props.put("名前", "Zoë 😀");
        props.put("long", longValue);
        props.put("", "");
        Event e = new Event("é-1", "ユーザー", "séance", -1L, "点击", "/página", "#€", props);
        Event back = roundTrip(e);
        assertThat(back).isEqualTo(e);
        assertThat(back.props.get("long")).hasSize(longValue.length());
    }

    @Test
    void theMinimalEventTakesOneByteOfNullBitsPlusItsFields() throws IOException {
        // 1 null-bits byte; each short ASCII string: 1 length byte + 1 byte per char; ts: 8 bytes
        int expected = 1 + (1 + 3) + (1 + 3) + (1 + 2) + 8 + (1 + 9);
        assertThat(bytes(minimal())).hasSize(expected);
    }

    @Test
    void aCopyOwnsItsProps() {
        Event e = full();
        Event copy = EventSerializer.INSTANCE.copy(e);
        assertThat(copy).isEqualTo(e).isNotSameAs(e);
        assertThat(copy.props).isNotSameAs(e.props);

        e.props.put("plan", "free");
        e.page = "/elsewhere";
        assertThat(copy.props).containsEntry("plan", "pro");
        assertThat(copy.page).isEqualTo("/checkout");

        Event reused = EventSerializer.INSTANCE.copy(copy, new Event());
        copy.props.clear();
        assertThat(reused.props).hasSize(2);
        assertThat(EventSerializer.INSTANCE.copy(minimal())).isEqualTo(minimal());
    }

    @Test
    void copyingTheBytesGivesTheSameBytes() throws IOException {
        for (Event e : List.of(full(), minimal(), new Event())) {
            byte[] b = bytes(e);
            DataOutputSerializer out = new DataOutputSerializer(16);
            EventSerializer.INSTANCE.copy(new DataInputDeserializer(b), out);
            assertThat(out.getCopyOfBuffer()).isEqualTo(b);
        }
    }

    @Test
    void itsSnapshotRestoresItAndIsCompatibleAsIsWithItself() throws IOException {
        TypeSerializerSnapshot<Event> snapshot = EventSerializer.INSTANCE.snapshotConfiguration();
        DataOutputSerializer out = new DataOutputSerializer(64);
        TypeSerializerSnapshot.writeVersionedSnapshot(out, snapshot);
        TypeSerializerSnapshot<Event> read =
                TypeSerializerSnapshot.readVersionedSnapshot(
                        new DataInputDeserializer(out.getCopyOfBuffer()),
                        getClass().getClassLoader());

        assertThat(read).isInstanceOf(EventSerializerSnapshot.class);
        assertThat(((EventSerializerSnapshot) read).formatVersion())
                .isEqualTo(EventSerializer.FORMAT_VERSION);
        assertThat(read.restoreSerializer()).isSameAs(EventSerializer.INSTANCE);
        TypeSerializerSchemaCompatibility<Event> compatibility =
                EventSerializer.INSTANCE.snapshotConfiguration().resolveSchemaCompatibility(read);
        assertThat(compatibility.isCompatibleAsIs()).isTrue();
    }

    @Test
    void aSnapshotOfAnotherFormatVersionIsIncompatible() {
        EventSerializerSnapshot future = new EventSerializerSnapshot();
        future.readSnapshot(EventSerializer.FORMAT_VERSION + 1, null, null);
        assertThat(
                        new EventSerializerSnapshot()
                                .resolveSchemaCompatibility(future)
                                .isIncompatible())
                .isTrue();
        assertThatThrownBy(future::restoreSerializer)
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("version " + (EventSerializer.FORMAT_VERSION + 1));
    }

    @Test
    void thePojoSnapshotIsIncompatibleWithIt() {
        TypeSerializerSnapshot<Event> pojo =
                EventTypeInfo.asPojo()
                        .createSerializer(new SerializerConfigImpl())
                        .snapshotConfiguration();
        assertThat(
                        EventSerializer.INSTANCE
                                .snapshotConfiguration()
                                .resolveSchemaCompatibility(pojo)
                                .isIncompatible())
                .isTrue();
    }

    @Test
    void duplicatesAndEquality() {
        TypeSerializer<Event> s = EventSerializer.INSTANCE;
        assertThat(s.duplicate()).isSameAs(s);
        assertThat(s).isEqualTo(EventSerializer.INSTANCE);
        assertThat(s.hashCode()).isEqualTo(EventSerializer.INSTANCE.hashCode());
        assertThat(s)
                .isNotEqualTo(EventTypeInfo.asPojo().createSerializer(new SerializerConfigImpl()));
        assertThat(s.isImmutableType()).isFalse();
        assertThat(s.getLength()).isEqualTo(-1);
        assertThat(s.createInstance()).isEqualTo(new Event());
    }

    @Test
    void typeExtractionPicksIt() {
        assertThat(TypeInformation.of(Event.class)).isSameAs(EventTypeInfo.INSTANCE);
        assertThat(TypeExtractor.createTypeInfo(Event.class)).isSameAs(EventTypeInfo.INSTANCE);
        assertThat(TypeInformation.of(Event.class).createSerializer(new SerializerConfigImpl()))
                .isSameAs(EventSerializer.INSTANCE);
        // inside another type too
        TypeInformation<List<Event>> list = TypeInformation.of(new TypeHint<List<Event>>() {});
        assertThat(((ListTypeInfo<Event>) list).getElementTypeInfo())
                .isSameAs(EventTypeInfo.INSTANCE);
        // Types.POJO refuses it now, which is why the POJO form has to be built by hand
        assertThatThrownBy(() -> Types.POJO(Event.class)).isInstanceOf(InvalidTypesException.class);
    }

    @Test
    void thePojoFormIsAPojoWithoutGenericFields() {
        PojoTypeInfo<Event> pojo = EventTypeInfo.asPojo();
        assertThat(pojo.getFieldNames())
                .containsExactlyInAnyOrder(
                        "eventId", "userId", "sessionId", "ts", "type", "page", "target", "props");
        for (int i = 0; i < pojo.getArity(); i++) {
            assertThat(pojo.getTypeAt(i)).isNotInstanceOf(GenericTypeInfo.class);
        }
        assertThat(pojo.createSerializer(new SerializerConfigImpl()))
                .isInstanceOf(PojoSerializer.class);
    }

    @Test
    void theInboxKeepsThePojoSerializerForItsWaitingEvents() {
        PojoTypeInfo<Inbox> inbox = (PojoTypeInfo<Inbox>) TypeInformation.of(Inbox.class);
        TypeInformation<?> waiting = inbox.getTypeAt(inbox.getFieldIndex("waiting"));
        assertThat(waiting).isInstanceOf(ListTypeInfo.class);
        assertThat(((ListTypeInfo<?>) waiting).getElementTypeInfo())
                .isEqualTo(EventTypeInfo.asPojo());
    }
}
