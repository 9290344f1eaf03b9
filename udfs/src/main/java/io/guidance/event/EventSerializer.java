package io.guidance.event;

import static io.guidance.serde.WireFields.copyIfPresent;
import static io.guidance.serde.WireFields.copyMap;
import static io.guidance.serde.WireFields.readIfPresent;
import static io.guidance.serde.WireFields.readMap;
import static io.guidance.serde.WireFields.writeIfPresent;
import static io.guidance.serde.WireFields.writeMap;

import java.io.IOException;
import java.util.HashMap;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.base.TypeSerializerSingleton;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;
import org.apache.flink.types.StringValue;

/**
 * The serializer of {@link Event} on the shuffle and in state, in place of the reflective POJO
 * serializer: no per-field null markers or field lookups, one byte of null bits, then the present
 * fields in a fixed order.
 *
 * <p>Wire format, version {@value #FORMAT_VERSION}:
 *
 * <pre>
 * byte    null bits: one bit per reference field ({@code NULL_*}), set when the field is null
 * string  eventId, userId, sessionId      each only when present
 * long    ts
 * string  type, page, target              each only when present
 * int     number of props, then per prop: string key, string value   only when props is present
 * </pre>
 *
 * Strings are written as {@link StringValue#writeString} writes them (a variable-length char count,
 * then the chars in a variable-length encoding), which has no length limit (unlike {@code
 * writeUTF}'s 64 KiB) and reads null keys and values back as null. {@code writeUTF} measured about
 * as fast on the sample events (within 10%, either way from run to run), so the unlimited one.
 * Changing the format means a new {@link #FORMAT_VERSION} and a migration in {@link
 * EventSerializerSnapshot}.
 */
public final class EventSerializer extends TypeSerializerSingleton<Event> {
    private static final long serialVersionUID = 1L;

    /** The version of the wire format; {@link EventSerializerSnapshot} records it. */
    public static final int FORMAT_VERSION = 1;

    public static final EventSerializer INSTANCE = new EventSerializer();

    static final int NULL_EVENT_ID = 1;
    static final int NULL_USER_ID = 1 << 1;
    static final int NULL_SESSION_ID = 1 << 2;
    static final int NULL_TYPE = 1 << 3;
    static final int NULL_PAGE = 1 << 4;
    static final int NULL_TARGET = 1 << 5;
    static final int NULL_PROPS = 1 << 6;

    private EventSerializer() {}

    @Override
    public boolean isImmutableType() {
        return false;
    }

    @Override
    public Event createInstance() {
        return new Event();
    }

    /** Strings are immutable and shared; the props map is copied, so the copy owns its own map. */
    @Override
    public Event copy(Event from) {
        return new Event(
                from.eventId,
                from.userId,
                from.sessionId,
                from.ts,
                from.type,
                from.page,
                from.target,
                from.props == null ? null : new HashMap<>(from.props));
    }

    @Override
    public Event copy(Event from, Event reuse) {
        return copy(from);
    }

    @Override
    public int getLength() {
        return -1;
    }

    @Override
    public void serialize(Event e, DataOutputView out) throws IOException {
        int nulls =
                (e.eventId == null ? NULL_EVENT_ID : 0)
                        | (e.userId == null ? NULL_USER_ID : 0)
                        | (e.sessionId == null ? NULL_SESSION_ID : 0)
                        | (e.type == null ? NULL_TYPE : 0)
                        | (e.page == null ? NULL_PAGE : 0)
                        | (e.target == null ? NULL_TARGET : 0)
                        | (e.props == null ? NULL_PROPS : 0);
        out.writeByte(nulls);
        writeIfPresent(e.eventId, out);
        writeIfPresent(e.userId, out);
        writeIfPresent(e.sessionId, out);
        out.writeLong(e.ts);
        writeIfPresent(e.type, out);
        writeIfPresent(e.page, out);
        writeIfPresent(e.target, out);
        if (e.props != null) {
            writeMap(e.props, out);
        }
    }

    @Override
    public Event deserialize(DataInputView in) throws IOException {
        Event e = new Event();
        int nulls = in.readUnsignedByte();
        e.eventId = readIfPresent(nulls, NULL_EVENT_ID, in);
        e.userId = readIfPresent(nulls, NULL_USER_ID, in);
        e.sessionId = readIfPresent(nulls, NULL_SESSION_ID, in);
        e.ts = in.readLong();
        e.type = readIfPresent(nulls, NULL_TYPE, in);
        e.page = readIfPresent(nulls, NULL_PAGE, in);
        e.target = readIfPresent(nulls, NULL_TARGET, in);
        if ((nulls & NULL_PROPS) == 0) {
            e.props = readMap(in, HashMap::new, "props");
        }
        return e;
    }

    @Override
    public Event deserialize(Event reuse, DataInputView in) throws IOException {
        return deserialize(in);
    }

    /** Copies the bytes of one record without building the event. */
    @Override
    public void copy(DataInputView in, DataOutputView out) throws IOException {
        int nulls = in.readUnsignedByte();
        out.writeByte(nulls);
        copyIfPresent(nulls, NULL_EVENT_ID, in, out);
        copyIfPresent(nulls, NULL_USER_ID, in, out);
        copyIfPresent(nulls, NULL_SESSION_ID, in, out);
        out.writeLong(in.readLong());
        copyIfPresent(nulls, NULL_TYPE, in, out);
        copyIfPresent(nulls, NULL_PAGE, in, out);
        copyIfPresent(nulls, NULL_TARGET, in, out);
        if ((nulls & NULL_PROPS) == 0) {
            copyMap(in, out);
        }
    }

    @Override
    public TypeSerializerSnapshot<Event> snapshotConfiguration() {
        return new EventSerializerSnapshot();
    }

    /** Deserialization hands out the singleton, as the other singleton serializers do. */
    private Object readResolve() {
        return INSTANCE;
    }
}
