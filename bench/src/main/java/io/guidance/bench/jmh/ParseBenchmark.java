package io.guidance.bench.jmh;

import io.guidance.event.DeadLetter;
import io.guidance.event.Event;
import io.guidance.event.EventJson;
import io.guidance.event.EventParser;
import io.guidance.trigger.TriggerJson;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * {@link EventParser#parse} on the SPEC JSON bytes of real sample events, one record per operation:
 * good events of all four types in turn, and bad ones that end up as dead letters.
 */
@State(Scope.Thread)
public class ParseBenchmark {
    /** A power of two, so that the next record is a mask away. */
    static final int RECORDS = 1024;

    private EventParser parser;
    private byte[][] good;
    private int next;

    @Setup
    public void setUp() throws Exception {
        parser = new EventParser();
        List<Event> events = BenchData.mixedTypes(RECORDS);
        good = new byte[RECORDS][];
        for (int i = 0; i < RECORDS; i++) {
            good[i] = EventJson.toJsonBytes(events.get(i));
            if (!parser.parse(good[i]).ok()) {
                throw new IllegalStateException("sample event does not parse: " + events.get(i));
            }
        }
    }

    /**
     * The same events made bad. {@code not_json}: each cut in the middle, so the parser fails
     * inside the JSON; {@code missing_field}: each without its sessionId, so the parser reads it
     * all, then rejects it.
     */
    @State(Scope.Thread)
    public static class BadRecords {
        @Param({DeadLetter.NOT_JSON, DeadLetter.MISSING_FIELD})
        public String reason;

        byte[][] records;

        @Setup
        public void setUp() throws Exception {
            EventParser parser = new EventParser();
            List<Event> events = BenchData.mixedTypes(RECORDS);
            records = new byte[RECORDS][];
            for (int i = 0; i < RECORDS; i++) {
                records[i] = spoil(events.get(i));
                String got = parser.parse(records[i]).reason;
                if (!reason.equals(got)) {
                    throw new IllegalStateException(
                            "bad record " + i + " is " + got + ", not " + reason);
                }
            }
        }

        private byte[] spoil(Event e) {
            byte[] json = EventJson.toJsonBytes(e);
            if (DeadLetter.NOT_JSON.equals(reason)) {
                return Arrays.copyOf(json, json.length / 2);
            }
            String withoutSession =
                    new String(json, StandardCharsets.UTF_8)
                            .replace("\"sessionId\":" + TriggerJson.quote(e.sessionId) + ",", "");
            return withoutSession.getBytes(StandardCharsets.UTF_8);
        }
    }

    @Benchmark
    public EventParser.Result parse() {
        next = (next + 1) & (RECORDS - 1);
        return parser.parse(good[next]);
    }

    @Benchmark
    public EventParser.Result parseBad(BadRecords bad) {
        next = (next + 1) & (RECORDS - 1);
        return parser.parse(bad.records[next]);
    }
}
