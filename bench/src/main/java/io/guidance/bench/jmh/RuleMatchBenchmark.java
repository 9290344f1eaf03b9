package io.guidance.bench.jmh;

import io.guidance.bench.GeneratedRules;
import io.guidance.event.Event;
import io.guidance.rules.RuleSet;
import java.util.List;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * The rule look-up for one event, as the detection engine makes it before it touches state: the
 * rule index's candidates for the event's type, then their matchers and globs ({@link RuleLookup}).
 * Events are real sample events, all four types in turn; rules are the demo shop's, or 100 or 1000
 * {@link GeneratedRules}.
 */
@State(Scope.Thread)
public class RuleMatchBenchmark {
    static final int EVENTS = 1024;

    /** {@code demo}: config/rules.yaml; a number: that many generated rules. */
    @Param({"demo", "100", "1000"})
    public String rules;

    private RuleLookup lookup;
    private Event[] events;
    private int next;

    @Setup
    public void setUp() throws Exception {
        RuleSet set =
                "demo".equals(rules)
                        ? BenchData.demoRules()
                        : GeneratedRules.of(Integer.parseInt(rules));
        lookup = new RuleLookup(set);
        List<Event> sample = BenchData.mixedTypes(EVENTS);
        events = sample.toArray(new Event[0]);
        int matched = 0;
        for (Event e : events) {
            matched += lookup.matchingRules(e);
        }
        if (matched == 0) {
            throw new IllegalStateException(
                    "no sample event matches any of the " + rules + " rules");
        }
    }

    @Benchmark
    public int matchEvent() {
        next = (next + 1) & (EVENTS - 1);
        return lookup.matchingRules(events[next]);
    }
}
