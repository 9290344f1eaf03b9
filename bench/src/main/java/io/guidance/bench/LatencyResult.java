package io.guidance.bench;

import java.util.ArrayList;
import java.util.List;

/** Everything the latency benchmark measured: the stack's settings, the max, and each run. */
public final class LatencyResult {
    /** The out-of-orderness bound plus this is the target for p99 (issue #7). */
    static final long TARGET_SLACK_MS = 250;

    public final LatencyOptions options;
    public int baseEvents;
    public String rulesSource;
    public int rules;
    public long boundMs;
    public long idleTimeoutMs;
    public long checkpointIntervalMs;

    /** The options of the JVM that runs the job (its own, apart from the broker's). */
    public String jobJvmOptions = "";

    public boolean maxMeasured;
    public double maxRate;
    public long calibrationEvents;
    public long calibrationMillis;
    public final List<RateRun> runs = new ArrayList<>();
    public long totalMillis;

    LatencyResult(LatencyOptions options) {
        this.options = options;
    }

    public long targetMs() {
        return boundMs + TARGET_SLACK_MS;
    }

    /** One paced run. */
    public static final class RateRun {
        public double fraction;
        public double targetRate;
        public double achievedRate;
        public long eventsSent;

        /** Delivered triggers in the audit topic, by id (each at most once). */
        public long delivered;

        /** Suppressed triggers in the audit topic. */
        public long suppressed;

        /**
         * Delivered triggers whose write to Redis was seen; {@code delivered - readable} were not.
         */
        public long readable;

        /**
         * Writes the script turned down because the user key held a newer trigger (never readable).
         */
        public long older;

        /** Triggers with ts in the warm-up, measured but left out of the percentiles. */
        public long warmup;

        /** Caused by an event: burst, loop, threshold, comeback; ts in the measured window. */
        public Latencies caused;

        /** Stall deadline to readable; deadline in the measured window. */
        public Latencies stalls;

        /** Pauses of the job's JVM (the TaskManager) while the producer ran, from its GC log. */
        public long jobGcPauses;

        public long jobGcPauseTotalMs;
        public long jobGcPauseMaxMs;

        /**
         * Collections of the benchmark's JVM (the broker, the producer and the Redis subscriber)
         * while the producer ran.
         */
        public long gcPauses;

        public long gcPauseTotalMs;
        public long gcPauseMaxMs;

        /**
         * Triggers (any kind) with ts after the measured window: in the last out-of-orderness bound
         * before the input stopped, or stall deadlines after it. Event time reaches them only by
         * the idle clock.
         */
        public Latencies afterInput;

        /**
         * Per trigger of the audit topic, in ts order: "ts after the window
         * opened,rule,kind,status,latency".
         */
        public final List<String> trace = new ArrayList<>();

        /**
         * Every 100 ms while the run lasts: "ms after the window opened,restarts,failed
         * checkpoints,completed ones".
         */
        public final List<String> samples = new ArrayList<>();
    }
}
