package io.guidance.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.function.ToDoubleFunction;

/** What the soak measured: the rate it held, a sample every few seconds, and their trends. */
final class SoakResult {
    /**
     * A series is flat when its least-squares slope after the warm-up is at most this share of its
     * mean, in percent per minute.
     */
    static final double FLAT_PERCENT_PER_MINUTE = 2.0;

    /** Fewer samples than this after the warm-up are too few to judge a trend. */
    static final int MIN_SAMPLES = 3;

    final SoakOptions options;
    String rulesSource;
    int rules;
    int baseEvents;
    int users;
    long checkpointIntervalMs;
    boolean maxMeasured;
    double maxRate;
    double targetRate;
    PacedProducer.Sent sent;
    int laps;
    final List<Sample> samples = new ArrayList<>();
    long totalMillis;

    SoakResult(SoakOptions options) {
        this.options = options;
    }

    /**
     * One look at the job and the JVM, {@code seconds} after the producer started. Sizes in bytes,
     * 0 where there is nothing yet (no collection of the old generation, no checkpoint).
     */
    record Sample(
            double seconds,
            long heapAfterGc,
            long heapAfterReclaim,
            long reclaims,
            long checkpointBytes,
            long checkpointMs,
            long completedCheckpoints,
            long failedCheckpoints,
            long restarts,
            long sent,
            long takenIn,
            double sentPerSecond) {
        double minutes() {
            return seconds / 60;
        }

        /** Events sent that the detection operator has not taken in yet. */
        long behind() {
            return Math.max(0, sent - takenIn);
        }
    }

    /** A series after the warm-up: its values and the slope of the least-squares line. */
    record Trend(
            int n,
            double first,
            double last,
            double min,
            double max,
            double mean,
            double slopePerMinute) {
        double percentPerMinute() {
            return mean == 0 ? 0 : slopePerMinute / mean * 100;
        }

        boolean judged() {
            return n >= MIN_SAMPLES;
        }

        /** Not growing by more than {@link #FLAT_PERCENT_PER_MINUTE} of the mean per minute. */
        boolean flat() {
            return judged() && percentPerMinute() <= FLAT_PERCENT_PER_MINUTE;
        }
    }

    /** The samples after the warm-up. */
    List<Sample> afterWarmup() {
        return samples.stream().filter(s -> s.seconds() >= options.warmupSeconds).toList();
    }

    /**
     * The trend of {@code value} over the samples after the warm-up; with {@code skipZeros}, a
     * sample where the value is not there yet (0) is left out.
     */
    Trend trend(ToDoubleFunction<Sample> value, boolean skipZeros) {
        List<Sample> after =
                afterWarmup().stream()
                        .filter(s -> !skipZeros || value.applyAsDouble(s) > 0)
                        .toList();
        double[] x = after.stream().mapToDouble(Sample::minutes).toArray();
        double[] y = after.stream().mapToDouble(value).toArray();
        return trend(x, y);
    }

    /** First, last, extremes, mean, and the least-squares slope of y against x. */
    static Trend trend(double[] x, double[] y) {
        int n = y.length;
        if (n == 0) {
            return new Trend(0, 0, 0, 0, 0, 0, 0);
        }
        double mx = 0;
        double my = 0;
        double min = Double.MAX_VALUE;
        double max = -Double.MAX_VALUE;
        for (int i = 0; i < n; i++) {
            mx += x[i];
            my += y[i];
            min = Math.min(min, y[i]);
            max = Math.max(max, y[i]);
        }
        mx /= n;
        my /= n;
        double sxy = 0;
        double sxx = 0;
        for (int i = 0; i < n; i++) {
            sxy += (x[i] - mx) * (y[i] - my);
            sxx += (x[i] - mx) * (x[i] - mx);
        }
        return new Trend(n, y[0], y[n - 1], min, max, my, sxx == 0 ? 0 : sxy / sxx);
    }

    Trend heap() {
        return trend(s -> s.heapAfterGc(), true);
    }

    /**
     * The heap after each collection that took back old regions, once per such collection (at the
     * first sample that saw it) after the warm-up.
     */
    Trend heapFloor() {
        List<double[]> points = new ArrayList<>();
        long seen = 0;
        for (Sample s : samples) {
            if (s.reclaims() > seen && s.seconds() >= options.warmupSeconds) {
                points.add(new double[] {s.minutes(), s.heapAfterReclaim()});
            }
            seen = s.reclaims();
        }
        return trend(
                points.stream().mapToDouble(p -> p[0]).toArray(),
                points.stream().mapToDouble(p -> p[1]).toArray());
    }

    Trend checkpoints() {
        return trend(s -> s.checkpointBytes(), true);
    }

    Sample last() {
        return samples.isEmpty()
                ? new Sample(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
                : samples.get(samples.size() - 1);
    }
}
