package io.guidance.event;

import io.guidance.rules.Durations;
import java.time.Duration;
import java.util.Locale;
import java.util.function.LongSupplier;

/**
 * How far ahead of the clock a live event's {@code ts} may be ({@code events.maxFutureSkew}). An
 * event further ahead (a producer's broken clock, seconds read as milliseconds, a year 2100) would
 * push its split's watermark ahead and keep its user's state and timer until event time reached
 * that {@code ts}, which is never; it becomes a dead letter with reason {@code future} instead.
 *
 * <p>It runs where a live record is read, before its timestamp reaches the watermark generator.
 * Replays have no bound: a bounded input has no clock, so that its result depends only on the file.
 *
 * <p>Cost: one comparison per event. The limit (clock + skew) is kept from the last clock read; an
 * event past it reads the clock again before it is refused, so a stale limit, which only ever lies
 * behind the true one while the clock moves forward, never refuses an event the bound admits.
 */
public final class FutureBound {
    private final long maxSkewMs;
    private final String maxSkewText;
    private final LongSupplier clock;

    /** {@code clock + maxSkew} at the last clock read; nothing passes before the first read. */
    private long limit = Long.MIN_VALUE;

    /**
     * @param maxSkew how far ahead of {@code clock} an event may be; zero turns the bound off
     * @param clock epoch milliseconds, normally {@code System::currentTimeMillis}
     */
    public FutureBound(Duration maxSkew, LongSupplier clock) {
        this.maxSkewMs = maxSkew.toMillis();
        this.maxSkewText = Durations.format(maxSkewMs);
        this.clock = clock;
    }

    public boolean isOff() {
        return maxSkewMs <= 0;
    }

    /**
     * Turns {@code record} into a bad record with reason {@code future} when its event is too far
     * ahead of the clock; leaves it alone otherwise (and when it is already bad).
     */
    public void check(SourceRecord record) {
        if (record.event == null || maxSkewMs <= 0 || record.event.ts <= limit) {
            return;
        }
        long now = clock.getAsLong();
        limit = saturatedAdd(now, maxSkewMs);
        long ts = record.event.ts;
        if (ts <= limit) {
            return;
        }
        record.markBad(
                DeadLetter.FUTURE,
                "ts "
                        + ts
                        + " is "
                        + aheadText(ts - now)
                        + " ahead of the clock "
                        + now
                        + "; events.maxFutureSkew "
                        + maxSkewText);
    }

    /**
     * A readable span: its largest unit, with the next one when the count is small ({@code 1 h 1
     * m}, {@code 2,345 d}). Rounded down, so it never overstates how far ahead an event is; the
     * detail gives the clock reading too, for the exact difference.
     */
    static String aheadText(long ms) {
        long[] units = {86_400_000L, 3_600_000L, 60_000L, 1_000L, 1L};
        String[] names = {"d", "h", "m", "s", "ms"};
        for (int i = 0; i < units.length; i++) {
            long n = ms / units[i];
            if (n == 0 && i < units.length - 1) {
                continue;
            }
            String text = String.format(Locale.ROOT, "%,d %s", n, names[i]);
            if (n < 10 && i < units.length - 1) {
                long rest = (ms % units[i]) / units[i + 1];
                if (rest > 0) {
                    text += " " + rest + " " + names[i + 1];
                }
            }
            return text;
        }
        throw new AssertionError("unreachable");
    }

    private static long saturatedAdd(long a, long b) {
        long r = a + b;
        return ((a ^ r) & (b ^ r)) < 0 ? Long.MAX_VALUE : r;
    }
}
