package io.guidance.trigger;

import io.guidance.serde.FormatVersionSnapshot;

/** What a checkpoint records of {@link TriggerSerializer}: the version of its wire format. */
public final class TriggerSerializerSnapshot extends FormatVersionSnapshot<Trigger> {
    /** For Flink, which instantiates snapshots by reflection before {@link #readSnapshot}. */
    public TriggerSerializerSnapshot() {
        super(TriggerSerializer.FORMAT_VERSION, TriggerSerializer.INSTANCE, "trigger");
    }
}
