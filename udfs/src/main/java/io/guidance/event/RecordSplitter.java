package io.guidance.event;

import java.util.HashMap;
import java.util.Map;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;

/**
 * Splits source records into valid events and dead letters. Runs right after the source, where the
 * original bytes are still at hand, so that late events too are dead-lettered whole: an event at or
 * behind this task's watermark is late (SPEC section 1, reason {@code late}). Everything passing
 * here is ahead of every downstream watermark. A live event too far ahead of the clock arrives
 * already bad (reason {@code future}, {@link FutureBound}): it was refused in the source, before
 * its timestamp could reach the watermark.
 */
public class RecordSplitter extends ProcessFunction<SourceRecord, Event> {
    private static final long serialVersionUID = 1L;

    private transient Counter recordsIn;
    private transient Counter deadLetters;

    /** Dead letters by reason ({@code deadLettersByReason.<reason>}), created as reasons appear. */
    private transient Map<String, Counter> byReason;

    @Override
    public void open(OpenContext openContext) {
        recordsIn = getRuntimeContext().getMetricGroup().counter("recordsRead");
        deadLetters = getRuntimeContext().getMetricGroup().counter("deadLetters");
        byReason = new HashMap<>();
    }

    private void deadLetter(Context ctx, DeadLetter d) {
        deadLetters.inc();
        byReason.computeIfAbsent(
                        d.reason,
                        r ->
                                getRuntimeContext()
                                        .getMetricGroup()
                                        .addGroup("deadLettersByReason")
                                        .counter(r))
                .inc();
        ctx.output(OutputTags.DEAD_LETTERS, d);
    }

    @Override
    public void processElement(SourceRecord r, Context ctx, Collector<Event> out) {
        recordsIn.inc();
        if (r.event == null) {
            deadLetter(ctx, r.toDeadLetter(r.badReason, r.badDetail));
            return;
        }
        long watermark = ctx.timerService().currentWatermark();
        if (r.event.ts <= watermark) {
            deadLetter(
                    ctx,
                    r.toDeadLetter(
                            DeadLetter.LATE,
                            "ts " + r.event.ts + " is at or behind the watermark " + watermark));
            return;
        }
        out.collect(r.event);
    }
}
