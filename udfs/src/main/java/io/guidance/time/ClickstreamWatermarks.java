package io.guidance.time;

import io.guidance.event.SourceRecord;
import java.time.Duration;
import java.util.function.LongSupplier;
import org.apache.flink.api.common.eventtime.Watermark;
import org.apache.flink.api.common.eventtime.WatermarkGenerator;
import org.apache.flink.api.common.eventtime.WatermarkOutput;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.util.clock.RelativeClock;

/**
 * Watermarks for the clickstream (SPEC section 2): bounded out-of-orderness, and event time that
 * keeps moving when input stops, so that a stall fires even when nobody else sends events.
 *
 * <p>While a source split receives events, its watermark is {@code maxTs - bound - 1}. Once it has
 * received none for {@code idleTimeout} (measured on Flink's input-activity clock, which stands
 * still while the source is back-pressured, so a slow job does not turn its own backlog late), its
 * watermark follows the clock from the last event: {@code maxTs + idleFor - bound - 1}. A split
 * that has seen no event yet (at the start, or after a restore) emits nothing and is never marked
 * idle: its first events may still be on their way while other splits move event time on, and the
 * events of a split marked idle would then arrive behind the watermark and be lost as late. Once it
 * has seen none for {@code startupIdleTimeout} (an empty partition, or nothing at all after a
 * restore) it follows the wall clock: {@code now - bound - 1}, so a stall that fell due while the
 * job was down still fires. That timeout is long (a minute by default) on purpose: a restored
 * reader that is still fetching its backlog must not see that backlog turned late by a watermark
 * taken from the clock; the price is that an empty partition holds triggers back for that long
 * after a start.
 *
 * <p>Replays use {@link #forReplay}: a watermark after every event and no clock at all, so that
 * which events are late depends only on the file.
 */
public final class ClickstreamWatermarks implements WatermarkGenerator<SourceRecord> {
    private final long boundMs;
    private final long idleTimeoutMs;
    private final long startupIdleTimeoutMs;
    private final boolean everyEvent;
    private final RelativeClock clock;
    private final LongSupplier wallClock;

    private long maxTs = Long.MIN_VALUE;
    private long lastActivity;
    private long emitted = Long.MIN_VALUE;

    ClickstreamWatermarks(
            long boundMs,
            long idleTimeoutMs,
            long startupIdleTimeoutMs,
            boolean everyEvent,
            RelativeClock clock,
            LongSupplier wallClock) {
        this.boundMs = boundMs;
        this.idleTimeoutMs = idleTimeoutMs;
        this.startupIdleTimeoutMs = startupIdleTimeoutMs;
        this.everyEvent = everyEvent;
        this.clock = clock;
        this.wallClock = wallClock;
        this.lastActivity = clock == null ? 0 : clock.relativeTimeMillis();
    }

    /**
     * Live input: bounded out-of-orderness, and event time follows the clock once a split is idle.
     */
    public static WatermarkStrategy<SourceRecord> live(
            Duration maxOutOfOrderness, Duration idleTimeout, Duration startupIdleTimeout) {
        long bound = maxOutOfOrderness.toMillis();
        long idle = idleTimeout.toMillis();
        long startupIdle = Math.max(idle, startupIdleTimeout.toMillis());
        return WatermarkStrategy.<SourceRecord>forGenerator(
                        ctx ->
                                new ClickstreamWatermarks(
                                        bound,
                                        idle,
                                        startupIdle,
                                        false,
                                        ctx.getInputActivityClock(),
                                        System::currentTimeMillis))
                .withTimestampAssigner((r, kafkaTs) -> timestampOf(r));
    }

    /** Bounded replays: deterministic, a watermark after every event, never advanced by a clock. */
    public static WatermarkStrategy<SourceRecord> forReplay(Duration maxOutOfOrderness) {
        long bound = maxOutOfOrderness.toMillis();
        return WatermarkStrategy.<SourceRecord>forGenerator(
                        ctx -> new ClickstreamWatermarks(bound, 0, 0, true, null, null))
                .withTimestampAssigner((r, ignored) -> timestampOf(r));
    }

    private static long timestampOf(SourceRecord r) {
        // bad records carry no event time; they only pass through to the dead-letter output
        return r.event != null ? r.event.ts : Long.MIN_VALUE;
    }

    @Override
    public void onEvent(SourceRecord record, long eventTimestamp, WatermarkOutput output) {
        if (record.event == null) {
            return;
        }
        if (eventTimestamp > maxTs) {
            maxTs = eventTimestamp;
        }
        if (clock != null) {
            lastActivity = clock.relativeTimeMillis();
        }
        if (everyEvent) {
            emit(output, maxTs - boundMs - 1);
        }
    }

    @Override
    public void onPeriodicEmit(WatermarkOutput output) {
        if (everyEvent) {
            return;
        }
        long idleFor =
                idleTimeoutMs > 0 && clock != null ? clock.relativeTimeMillis() - lastActivity : 0;
        if (maxTs == Long.MIN_VALUE) {
            if (idleTimeoutMs > 0 && idleFor >= startupIdleTimeoutMs) {
                emit(output, wallClock.getAsLong() - boundMs - 1);
            }
            return;
        }
        long wm = maxTs - boundMs - 1;
        if (idleTimeoutMs > 0 && idleFor >= idleTimeoutMs) {
            wm = saturatedAdd(wm, idleFor);
        }
        emit(output, wm);
    }

    private void emit(WatermarkOutput output, long wm) {
        if (wm > emitted) {
            emitted = wm;
            output.emitWatermark(new Watermark(wm));
        }
    }

    private static long saturatedAdd(long a, long b) {
        long r = a + b;
        return ((a ^ r) & (b ^ r)) < 0 ? Long.MAX_VALUE : r;
    }
}
