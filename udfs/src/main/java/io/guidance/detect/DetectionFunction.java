package io.guidance.detect;

import io.guidance.event.Event;
import io.guidance.rules.RuleSet;
import io.guidance.trigger.Trigger;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.streaming.api.TimerService;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

/**
 * The {@link DetectionEngine} with a fixed rule set, keyed by {@code userId}: for tests and
 * embedding. The job runs {@link LiveRulesFunction}, the same engine with rules that change while
 * it runs.
 */
public class DetectionFunction extends KeyedProcessFunction<String, Event, Trigger> {
    private static final long serialVersionUID = 1L;

    private final DetectionEngine engine;
    private transient ContextScope scope;

    public DetectionFunction(RuleSet rules, DetectionSettings settings) {
        this.engine = new DetectionEngine(rules, settings);
    }

    @Override
    public void open(OpenContext openContext) {
        engine.open(getRuntimeContext());
        scope = new ContextScope();
    }

    @Override
    public void processElement(Event e, Context ctx, Collector<Trigger> out) throws Exception {
        scope.ctx = ctx;
        engine.onEvent(e, scope);
    }

    @Override
    public void onTimer(long time, OnTimerContext ctx, Collector<Trigger> out) throws Exception {
        scope.ctx = ctx;
        engine.onTimer(time, scope, out);
    }

    /**
     * The engine's view of this function's context; one instance, pointed at the current context on
     * each call.
     */
    private static final class ContextScope implements DetectionEngine.Scope {
        KeyedProcessFunction<String, Event, Trigger>.Context ctx;

        @Override
        public String getCurrentKey() {
            return ctx.getCurrentKey();
        }

        @Override
        public TimerService timerService() {
            return ctx.timerService();
        }

        @Override
        public <X> void output(OutputTag<X> tag, X value) {
            ctx.output(tag, value);
        }
    }
}
