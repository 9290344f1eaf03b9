package io.guidance.trigger;

import static io.guidance.serde.WireFields.copyIfPresent;
import static io.guidance.serde.WireFields.copyMap;
import static io.guidance.serde.WireFields.readIfPresent;
import static io.guidance.serde.WireFields.readMap;
import static io.guidance.serde.WireFields.writeIfPresent;
import static io.guidance.serde.WireFields.writeMap;

import java.io.IOException;
import java.util.LinkedHashMap;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.base.TypeSerializerSingleton;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;
import org.apache.flink.types.StringValue;

/**
 * The serializer of {@link Trigger} on the shuffle after detection, in place of the reflective POJO
 * serializer; the same scheme as {@code EventSerializer}.
 *
 * <p>Wire format, version {@value #FORMAT_VERSION}:
 *
 * <pre>
 * short   null bits: one bit per reference field ({@code NULL_*}), set when the field is null
 * string  triggerId, ruleId, guide, kind, userId, sessionId   each only when present
 * long    ts, expiresAt
 * int     priority
 * int     number of reason entries, then per entry: string name, string value   only when present
 * string  status, variant                                     each only when present
 * </pre>
 *
 * Strings as {@link StringValue#writeString} writes them. The reason map comes back as a {@link
 * LinkedHashMap} in the order it was written, the order the detectors built it in.
 */
public final class TriggerSerializer extends TypeSerializerSingleton<Trigger> {
    private static final long serialVersionUID = 1L;

    /** The version of the wire format; {@link TriggerSerializerSnapshot} records it. */
    public static final int FORMAT_VERSION = 1;

    public static final TriggerSerializer INSTANCE = new TriggerSerializer();

    static final int NULL_TRIGGER_ID = 1;
    static final int NULL_RULE_ID = 1 << 1;
    static final int NULL_GUIDE = 1 << 2;
    static final int NULL_KIND = 1 << 3;
    static final int NULL_USER_ID = 1 << 4;
    static final int NULL_SESSION_ID = 1 << 5;
    static final int NULL_REASON = 1 << 6;
    static final int NULL_STATUS = 1 << 7;
    static final int NULL_VARIANT = 1 << 8;

    private TriggerSerializer() {}

    @Override
    public boolean isImmutableType() {
        return false;
    }

    @Override
    public Trigger createInstance() {
        return new Trigger();
    }

    /** Strings are immutable and shared; the reason map is copied. */
    @Override
    public Trigger copy(Trigger from) {
        Trigger t = new Trigger();
        t.triggerId = from.triggerId;
        t.ruleId = from.ruleId;
        t.guide = from.guide;
        t.kind = from.kind;
        t.userId = from.userId;
        t.sessionId = from.sessionId;
        t.ts = from.ts;
        t.expiresAt = from.expiresAt;
        t.priority = from.priority;
        t.reason = from.reason == null ? null : new LinkedHashMap<>(from.reason);
        t.status = from.status;
        t.variant = from.variant;
        return t;
    }

    @Override
    public Trigger copy(Trigger from, Trigger reuse) {
        return copy(from);
    }

    @Override
    public int getLength() {
        return -1;
    }

    @Override
    public void serialize(Trigger t, DataOutputView out) throws IOException {
        int nulls =
                (t.triggerId == null ? NULL_TRIGGER_ID : 0)
                        | (t.ruleId == null ? NULL_RULE_ID : 0)
                        | (t.guide == null ? NULL_GUIDE : 0)
                        | (t.kind == null ? NULL_KIND : 0)
                        | (t.userId == null ? NULL_USER_ID : 0)
                        | (t.sessionId == null ? NULL_SESSION_ID : 0)
                        | (t.reason == null ? NULL_REASON : 0)
                        | (t.status == null ? NULL_STATUS : 0)
                        | (t.variant == null ? NULL_VARIANT : 0);
        out.writeShort(nulls);
        writeIfPresent(t.triggerId, out);
        writeIfPresent(t.ruleId, out);
        writeIfPresent(t.guide, out);
        writeIfPresent(t.kind, out);
        writeIfPresent(t.userId, out);
        writeIfPresent(t.sessionId, out);
        out.writeLong(t.ts);
        out.writeLong(t.expiresAt);
        out.writeInt(t.priority);
        if (t.reason != null) {
            writeMap(t.reason, out);
        }
        writeIfPresent(t.status, out);
        writeIfPresent(t.variant, out);
    }

    @Override
    public Trigger deserialize(DataInputView in) throws IOException {
        Trigger t = new Trigger();
        int nulls = in.readUnsignedShort();
        t.triggerId = readIfPresent(nulls, NULL_TRIGGER_ID, in);
        t.ruleId = readIfPresent(nulls, NULL_RULE_ID, in);
        t.guide = readIfPresent(nulls, NULL_GUIDE, in);
        t.kind = readIfPresent(nulls, NULL_KIND, in);
        t.userId = readIfPresent(nulls, NULL_USER_ID, in);
        t.sessionId = readIfPresent(nulls, NULL_SESSION_ID, in);
        t.ts = in.readLong();
        t.expiresAt = in.readLong();
        t.priority = in.readInt();
        if ((nulls & NULL_REASON) == 0) {
            t.reason = readMap(in, LinkedHashMap::new, "reason entries");
        }
        t.status = readIfPresent(nulls, NULL_STATUS, in);
        t.variant = readIfPresent(nulls, NULL_VARIANT, in);
        return t;
    }

    @Override
    public Trigger deserialize(Trigger reuse, DataInputView in) throws IOException {
        return deserialize(in);
    }

    /** Copies the bytes of one record without building the trigger. */
    @Override
    public void copy(DataInputView in, DataOutputView out) throws IOException {
        int nulls = in.readUnsignedShort();
        out.writeShort(nulls);
        copyIfPresent(nulls, NULL_TRIGGER_ID, in, out);
        copyIfPresent(nulls, NULL_RULE_ID, in, out);
        copyIfPresent(nulls, NULL_GUIDE, in, out);
        copyIfPresent(nulls, NULL_KIND, in, out);
        copyIfPresent(nulls, NULL_USER_ID, in, out);
        copyIfPresent(nulls, NULL_SESSION_ID, in, out);
        out.writeLong(in.readLong());
        out.writeLong(in.readLong());
        out.writeInt(in.readInt());
        if ((nulls & NULL_REASON) == 0) {
            copyMap(in, out);
        }
        copyIfPresent(nulls, NULL_STATUS, in, out);
        copyIfPresent(nulls, NULL_VARIANT, in, out);
    }

    @Override
    public TypeSerializerSnapshot<Trigger> snapshotConfiguration() {
        return new TriggerSerializerSnapshot();
    }

    /** Deserialization hands out the singleton, as the other singleton serializers do. */
    private Object readResolve() {
        return INSTANCE;
    }
}
