package io.guidance.event;

import java.io.IOException;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.common.typeutils.TypeSerializerSchemaCompatibility;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;

/**
 * What a checkpoint records of {@link EventSerializer}: the version of its wire format. A snapshot
 * of the current version restores as is; any other is incompatible until a change of the format
 * brings the reader of the old one here.
 */
public final class EventSerializerSnapshot implements TypeSerializerSnapshot<Event> {
    /** The version of the wire format the recorded serializer wrote. */
    private int formatVersion = EventSerializer.FORMAT_VERSION;

    /** For Flink, which instantiates snapshots by reflection before {@link #readSnapshot}. */
    public EventSerializerSnapshot() {}

    int formatVersion() {
        return formatVersion;
    }

    @Override
    public int getCurrentVersion() {
        return EventSerializer.FORMAT_VERSION;
    }

    @Override
    public void writeSnapshot(DataOutputView out) throws IOException {
        // the version is also written by Flink around this snapshot; nothing else to record
    }

    @Override
    public void readSnapshot(int readVersion, DataInputView in, ClassLoader classLoader) {
        formatVersion = readVersion;
    }

    @Override
    public TypeSerializer<Event> restoreSerializer() {
        if (formatVersion != EventSerializer.FORMAT_VERSION) {
            throw new IllegalStateException("no reader for event format version " + formatVersion);
        }
        return EventSerializer.INSTANCE;
    }

    @Override
    public TypeSerializerSchemaCompatibility<Event> resolveSchemaCompatibility(
            TypeSerializerSnapshot<Event> oldSnapshot) {
        if (oldSnapshot instanceof EventSerializerSnapshot
                && ((EventSerializerSnapshot) oldSnapshot).formatVersion
                        == EventSerializer.FORMAT_VERSION) {
            return TypeSerializerSchemaCompatibility.compatibleAsIs();
        }
        return TypeSerializerSchemaCompatibility.incompatible();
    }
}
