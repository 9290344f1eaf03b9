package io.guidance.serde;

import java.io.IOException;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.common.typeutils.TypeSerializerSchemaCompatibility;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;

/**
 * What a checkpoint records of a singleton serializer with a versioned wire format: the version. A
 * snapshot of the current version restores as is; any other is incompatible until a change of the
 * format brings the reader of the old one here. A subclass per serializer (its name is what a
 * checkpoint records) with a public no-argument constructor, as Flink instantiates snapshots by
 * reflection before {@link #readSnapshot}.
 */
public abstract class FormatVersionSnapshot<T> implements TypeSerializerSnapshot<T> {
    private final int currentVersion;
    private final TypeSerializer<T> serializer;
    private final String what;

    /** The version of the wire format the recorded serializer wrote. */
    private int formatVersion;

    protected FormatVersionSnapshot(int currentVersion, TypeSerializer<T> serializer, String what) {
        this.currentVersion = currentVersion;
        this.serializer = serializer;
        this.what = what;
        this.formatVersion = currentVersion;
    }

    public int formatVersion() {
        return formatVersion;
    }

    @Override
    public int getCurrentVersion() {
        return currentVersion;
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
    public TypeSerializer<T> restoreSerializer() {
        if (formatVersion != currentVersion) {
            throw new IllegalStateException(
                    "no reader for " + what + " format version " + formatVersion);
        }
        return serializer;
    }

    @Override
    public TypeSerializerSchemaCompatibility<T> resolveSchemaCompatibility(
            TypeSerializerSnapshot<T> oldSnapshot) {
        if (oldSnapshot.getClass() == getClass()
                && ((FormatVersionSnapshot<T>) oldSnapshot).formatVersion == currentVersion) {
            return TypeSerializerSchemaCompatibility.compatibleAsIs();
        }
        return TypeSerializerSchemaCompatibility.incompatible();
    }
}
