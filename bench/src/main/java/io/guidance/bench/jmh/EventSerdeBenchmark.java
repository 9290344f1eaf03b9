package io.guidance.bench.jmh;

import io.guidance.event.Event;
import io.guidance.event.EventSerializer;
import io.guidance.event.EventTypeInfo;
import java.io.IOException;
import java.util.List;
import org.apache.flink.api.common.serialization.SerializerConfigImpl;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * One sample event serialized and deserialized again, as on every shuffle: Flink's POJO serializer
 * of {@link Event} ({@code pojo}: what the job used before, and still the one of the events waiting
 * in detection state) against {@link EventSerializer} ({@code event}). Setup checks that both give
 * back every sample event unchanged.
 */
@State(Scope.Thread)
public class EventSerdeBenchmark {
    @Param({"pojo", "event"})
    public String serializer;

    private TypeSerializer<Event> s;
    private Event[] events;
    private int next;
    private final DataOutputSerializer out = new DataOutputSerializer(256);
    private final DataInputDeserializer in = new DataInputDeserializer();

    @Setup
    public void setUp() throws Exception {
        List<Event> sample = BenchData.sampleEvents();
        events = sample.toArray(new Event[0]);
        switch (serializer) {
            case "pojo":
                s = EventTypeInfo.asPojo().createSerializer(new SerializerConfigImpl());
                break;
            case "event":
                s = EventSerializer.INSTANCE;
                break;
            default:
                throw new IllegalArgumentException(serializer);
        }
        for (Event e : sample) {
            out.clear();
            s.serialize(e, out);
            in.setBuffer(out.getSharedBuffer(), 0, out.length());
            Event back = s.deserialize(in);
            if (!back.equals(e)) {
                throw new IllegalStateException(serializer + " changed " + e + " to " + back);
            }
        }
    }

    @Benchmark
    public Event serializeAndDeserialize() throws IOException {
        if (++next == events.length) {
            next = 0;
        }
        out.clear();
        s.serialize(events[next], out);
        in.setBuffer(out.getSharedBuffer(), 0, out.length());
        return s.deserialize(in);
    }
}
