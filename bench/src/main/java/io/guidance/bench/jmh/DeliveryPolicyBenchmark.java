package io.guidance.bench.jmh;

import io.guidance.deliver.DeliveryPolicy;
import io.guidance.detect.DetectionSettings;
import io.guidance.rules.RuleSet;
import io.guidance.trigger.Trigger;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.streaming.api.operators.AbstractStreamOperator;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.apache.flink.streaming.util.ProcessFunctionTestHarnesses;
import org.apache.flink.util.Collector;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * The delivery policy's decision for one trigger ({@link DeliveryPolicy#decide}): dismissed,
 * cooldown, minimum gap and daily cap, read from and recorded in the user's keyed state on the heap
 * backend. The triggers are those the demo rules fire on the sample events, decided again in ts
 * order; each pass over them is shifted in time past every policy window, so every pass makes the
 * same decisions as the first.
 */
@State(Scope.Thread)
public class DeliveryPolicyBenchmark {
    private KeyedOneInputStreamOperatorTestHarness<String, Trigger, Trigger> harness;
    private AbstractStreamOperator<Trigger> operator;
    private DeliveryPolicy policy;
    private Trigger[] triggers;
    private long[] ts;
    private long passShiftMs;
    private long pass;
    private int next;
    private final List<Trigger> instant = new ArrayList<>(1);

    /**
     * Holds the policy in a keyed operator, so that it gets keyed state as it does in the detection
     * function.
     */
    static final class PolicyHost extends KeyedProcessFunction<String, Trigger, Trigger> {
        private static final long serialVersionUID = 1L;
        private final RuleSet rules;
        transient DeliveryPolicy policy;

        PolicyHost(RuleSet rules) {
            this.rules = rules;
        }

        @Override
        public void open(OpenContext openContext) {
            policy =
                    new DeliveryPolicy(
                            getRuntimeContext(),
                            rules,
                            DetectionSettings.defaults().userRetentionMs);
        }

        @Override
        public void processElement(Trigger t, Context ctx, Collector<Trigger> out) {
            throw new UnsupportedOperationException("the benchmark calls the policy directly");
        }
    }

    @Setup(Level.Trial)
    public void setUp() throws Exception {
        PolicyHost host = new PolicyHost(BenchData.demoRules());
        harness =
                ProcessFunctionTestHarnesses.forKeyedProcessFunction(
                        host, t -> t.userId, Types.STRING);
        operator = harness.getOperator();
        policy = host.policy;

        List<Trigger> sample = BenchData.sampleTriggers();
        triggers = new Trigger[sample.size()];
        ts = new long[sample.size()];
        for (int i = 0; i < triggers.length; i++) {
            triggers[i] = copy(sample.get(i));
            ts[i] = triggers[i].ts;
        }
        passShiftMs =
                ts[ts.length - 1]
                        - ts[0]
                        + 2 * DeliveryPolicy.DAY_MS
                        + BenchData.demoRules().delivery.cooldownMs;

        // The first pass must decide as the detection function did when it fired them.
        int differ = 0;
        for (int i = 0; i < triggers.length; i++) {
            String engine = sample.get(i).status;
            if (!engine.equals(decideNext())) {
                differ++;
            }
        }
        if (differ > 0) {
            throw new IllegalStateException(
                    differ + " of " + triggers.length + " decisions differ from the engine's");
        }
    }

    @Benchmark
    public String decide() throws Exception {
        return decideNext();
    }

    private String decideNext() throws Exception {
        if (next == triggers.length) {
            next = 0;
            pass++;
        }
        Trigger t = triggers[next];
        t.ts = ts[next] + pass * passShiftMs;
        next++;
        operator.setCurrentKey(t.userId);
        instant.clear();
        instant.add(t);
        policy.decide(instant);
        return t.status;
    }

    @TearDown(Level.Trial)
    public void tearDown() throws Exception {
        harness.close();
    }

    private static Trigger copy(Trigger s) {
        Trigger t = new Trigger();
        t.triggerId = s.triggerId;
        t.ruleId = s.ruleId;
        t.guide = s.guide;
        t.kind = s.kind;
        t.userId = s.userId;
        t.sessionId = s.sessionId;
        t.ts = s.ts;
        t.expiresAt = s.expiresAt;
        t.priority = s.priority;
        t.reason = s.reason;
        t.status = null;
        return t;
    }
}
