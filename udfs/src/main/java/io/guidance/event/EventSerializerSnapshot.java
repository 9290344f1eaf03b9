package io.guidance.event;

import io.guidance.serde.FormatVersionSnapshot;

/** What a checkpoint records of {@link EventSerializer}: the version of its wire format. */
public final class EventSerializerSnapshot extends FormatVersionSnapshot<Event> {
    /** For Flink, which instantiates snapshots by reflection before {@link #readSnapshot}. */
    public EventSerializerSnapshot() {
        super(EventSerializer.FORMAT_VERSION, EventSerializer.INSTANCE, "event");
    }
}
