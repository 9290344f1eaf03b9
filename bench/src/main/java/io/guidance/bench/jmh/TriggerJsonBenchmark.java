package io.guidance.bench.jmh;

import io.guidance.trigger.Trigger;
import io.guidance.trigger.TriggerJson;
import java.util.List;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * {@link TriggerJson#toJson}, the JSON written to Redis and the replay output for every trigger, on
 * the triggers the demo rules fire on the sample events (every kind the samples reach, delivered
 * and suppressed).
 */
@State(Scope.Thread)
public class TriggerJsonBenchmark {
    private Trigger[] triggers;
    private int next;

    @Setup
    public void setUp() throws Exception {
        List<Trigger> sample = BenchData.sampleTriggers();
        triggers = sample.toArray(new Trigger[0]);
    }

    @Benchmark
    public String toJson() {
        if (++next == triggers.length) {
            next = 0;
        }
        return TriggerJson.toJson(triggers[next]);
    }
}
