package io.guidance.time;

import static org.assertj.core.api.Assertions.assertThat;

import io.guidance.event.DeadLetter;
import io.guidance.event.Event;
import io.guidance.event.FutureBound;
import io.guidance.event.SourceRecord;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.api.common.eventtime.Watermark;
import org.apache.flink.api.common.eventtime.WatermarkOutput;
import org.apache.flink.util.clock.RelativeClock;
import org.junit.jupiter.api.Test;

/**
 * SPEC section 2: bounded out-of-orderness, and event time that keeps moving when the input is
 * quiet.
 */
class ClickstreamWatermarksTest {
    private static final long BOUND = 2_000;
    private static final long IDLE = 5_000;
    private static final long STARTUP_IDLE = 60_000;
    private static final long T0 = 1_700_000_000_000L;

    private long activityClock;
    private long wallClock = T0 + 60_000;
    private final List<Long> emitted = new ArrayList<>();
    private final WatermarkOutput output =
            new WatermarkOutput() {
                @Override
                public void emitWatermark(Watermark watermark) {
                    emitted.add(watermark.getTimestamp());
                }

                @Override
                public void markIdle() {
                    emitted.add(null);
                }

                @Override
                public void markActive() {}
            };

    private ClickstreamWatermarks live() {
        RelativeClock clock =
                new RelativeClock() {
                    @Override
                    public long relativeTimeMillis() {
                        return activityClock;
                    }

                    @Override
                    public long relativeTimeNanos() {
                        return activityClock * 1_000_000L;
                    }
                };
        return new ClickstreamWatermarks(BOUND, IDLE, STARTUP_IDLE, false, clock, () -> wallClock);
    }

    private static SourceRecord record(long ts) {
        SourceRecord r = new SourceRecord();
        r.event = new Event("e" + ts, "u", "s", ts, "click", null, null, null);
        return r;
    }

    @Test
    void whileEventsFlowTheWatermarkTrailsTheNewestEventByTheBound() {
        ClickstreamWatermarks w = live();
        w.onEvent(record(T0), T0, output);
        w.onEvent(record(T0 + 5_000), T0 + 5_000, output);
        w.onEvent(record(T0 + 1_000), T0 + 1_000, output);
        w.onPeriodicEmit(output);

        assertThat(emitted).containsExactly(T0 + 5_000 - BOUND - 1);
    }

    @Test
    void aQuietSplitFollowsTheClockFromItsLastEventOnceIdle() {
        ClickstreamWatermarks w = live();
        w.onEvent(record(T0), T0, output);
        activityClock += IDLE - 1;
        w.onPeriodicEmit(output);
        activityClock += 1;
        w.onPeriodicEmit(output);
        activityClock += 3_000;
        w.onPeriodicEmit(output);

        assertThat(emitted)
                .containsExactly(
                        T0 - BOUND - 1, // not idle yet
                        T0 + IDLE - BOUND - 1, // idle: from the last event, at the clock's pace
                        T0 + IDLE + 3_000 - BOUND - 1);
    }

    @Test
    void aSplitThatHasSeenNoEventHoldsBackUntilTheStartupTimeoutThenFollowsTheWallClock() {
        ClickstreamWatermarks w = live();
        activityClock += IDLE;
        w.onPeriodicEmit(output);
        // not marked idle: its first events may be on their way while another split's events move
        // event time on, and an idle split's events would then arrive behind the watermark (late)
        assertThat(emitted).as("neither idle nor a watermark").isEmpty();

        activityClock += STARTUP_IDLE - IDLE - 1;
        w.onPeriodicEmit(output);
        assertThat(emitted).isEmpty();

        activityClock += 1;
        w.onPeriodicEmit(output);
        // an empty partition, or nothing at all after a restore: event time follows the wall
        // clock, so a stall that fell due meanwhile still fires
        assertThat(emitted).containsExactly(wallClock - BOUND - 1);
    }

    @Test
    void aSplitWhoseFirstEventsArriveLateIsNotTurnedLate() {
        // two splits: A gets events at once, B's first events come 5 s (past the idle timeout)
        // later; B holds the combined watermark, so nothing of B is behind it
        ClickstreamWatermarks a = live();
        ClickstreamWatermarks b = live();
        a.onEvent(record(T0 + 60_000), T0 + 60_000, output);
        activityClock += 5_000;
        b.onPeriodicEmit(output);
        assertThat(emitted).as("B emits nothing and is not idle").isEmpty();
        b.onEvent(record(T0), T0, output);
        b.onPeriodicEmit(output);
        assertThat(emitted).containsExactly(T0 - BOUND - 1);
    }

    @Test
    void aReplayEmitsAfterEveryEventAndNeverFromAClock() {
        ClickstreamWatermarks w = new ClickstreamWatermarks(BOUND, 0, 0, true, null, null);
        w.onEvent(record(T0), T0, output);
        w.onEvent(record(T0 - 500), T0 - 500, output);
        w.onEvent(record(T0 + 3_000), T0 + 3_000, output);
        w.onPeriodicEmit(output);

        assertThat(emitted).containsExactly(T0 - BOUND - 1, T0 + 3_000 - BOUND - 1);
    }

    @Test
    void badRecordsMoveNothing() {
        ClickstreamWatermarks w = live();
        w.onEvent(new SourceRecord(), Long.MIN_VALUE, output);
        w.onPeriodicEmit(output);
        assertThat(emitted).isEmpty();
    }

    /**
     * An event the live entrance refused as too far in the future ({@code events.maxFutureSkew})
     * reaches the generator as a bad record: whatever its timestamp, it moves no watermark.
     */
    @Test
    void anEventRefusedAsFutureMovesNothing() {
        ClickstreamWatermarks w = live();
        long year2100 = 4_102_444_800_000L;
        SourceRecord refused = record(year2100);
        new FutureBound(Duration.ofHours(1), () -> T0).check(refused);
        assertThat(refused.badReason).isEqualTo(DeadLetter.FUTURE);

        w.onEvent(refused, year2100, output);
        w.onEvent(record(T0), T0, output);
        w.onPeriodicEmit(output);

        assertThat(emitted).containsExactly(T0 - BOUND - 1);
    }
}
