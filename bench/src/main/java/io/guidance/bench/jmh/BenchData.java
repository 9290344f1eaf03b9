package io.guidance.bench.jmh;

import io.guidance.bench.ExperimentsBenchmark;
import io.guidance.bench.ScaledEvents;
import io.guidance.detect.DetectionFunction;
import io.guidance.detect.DetectionSettings;
import io.guidance.event.Event;
import io.guidance.rules.RuleSet;
import io.guidance.rules.RuleValidationException;
import io.guidance.rules.RulesParser;
import io.guidance.trigger.Trigger;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.apache.flink.streaming.util.ProcessFunctionTestHarnesses;

/**
 * What the microbenchmarks run on: the real events of the repository's samples (data/samples,
 * through the importers of {@code guidance import}), the demo shop's rules (config/rules.yaml), and
 * the triggers those rules fire on those events. Read once per JVM; nothing here is changed by a
 * benchmark.
 */
final class BenchData {
    private static List<Event> events;
    private static RuleSet demoRules;
    private static List<Trigger> triggers;

    private BenchData() {}

    /** The sample events, in ts order. */
    static synchronized List<Event> sampleEvents() throws IOException {
        if (events == null) {
            events = List.copyOf(ScaledEvents.readBase(ScaledEvents.Inputs.samples()));
        }
        return events;
    }

    /**
     * The rules of config/rules.yaml, without their experiments and holdout: these benchmarks
     * measure detection and the four checks of the policy (the experiments section measures the
     * rest).
     */
    static synchronized RuleSet demoRules() throws IOException {
        if (demoRules == null) {
            try {
                demoRules =
                        ExperimentsBenchmark.withoutExperiments(
                                RulesParser.parseFile(
                                        ScaledEvents.repositoryRoot()
                                                .resolve("config/rules.yaml")));
            } catch (RuleValidationException e) {
                throw new IllegalStateException(e);
            }
        }
        return demoRules;
    }

    /**
     * The demo rule set cut down to the one rule {@code ruleId}, with the same delivery defaults.
     */
    static RuleSet demoRule(String ruleId) throws IOException {
        RuleSet all = demoRules();
        if (all.rule(ruleId) == null) {
            throw new IllegalArgumentException("config/rules.yaml has no rule " + ruleId);
        }
        return new RuleSet(all.version, all.delivery, List.of(all.rule(ruleId)));
    }

    /**
     * {@code n} sample events with the event types taking turns (add_to_cart, favorite, page_view,
     * purchase), each type's events picked evenly over the whole sample, so both datasets and the
     * whole time span are in.
     */
    static List<Event> mixedTypes(int n) throws IOException {
        Map<String, List<Event>> byType = new TreeMap<>();
        for (Event e : sampleEvents()) {
            byType.computeIfAbsent(e.type, t -> new ArrayList<>()).add(e);
        }
        List<List<Event>> types = new ArrayList<>(byType.values());
        List<Event> out = new ArrayList<>(n);
        int perType = (n + types.size() - 1) / types.size();
        for (int i = 0; i < n; i++) {
            List<Event> ofType = types.get(i % types.size());
            out.add(ofType.get((int) ((long) (i / types.size()) * ofType.size() / perType)));
        }
        return out;
    }

    /**
     * The triggers the demo rules fire on the sample events, delivered or suppressed, in ts order:
     * the sample runs through the detection function in Flink's keyed harness, then one watermark
     * at the end evaluates everything.
     */
    static synchronized List<Trigger> sampleTriggers() throws Exception {
        if (triggers == null) {
            try (KeyedOneInputStreamOperatorTestHarness<String, Event, Trigger> harness =
                    ProcessFunctionTestHarnesses.forKeyedProcessFunction(
                            new DetectionFunction(demoRules(), DetectionSettings.defaults()),
                            e -> e.userId,
                            Types.STRING)) {
                for (Event e : sampleEvents()) {
                    harness.processElement(e, e.ts);
                }
                harness.processWatermark(Long.MAX_VALUE);
                triggers = List.copyOf(harness.extractOutputValues());
            }
            if (triggers.isEmpty()) {
                throw new IllegalStateException("the demo rules fired no trigger on the samples");
            }
        }
        return triggers;
    }
}
