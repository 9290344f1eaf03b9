package io.guidance.bench;

import java.nio.file.Path;

/**
 * What the soak benchmark runs: {@code --seconds S --fraction F --max-rate R (skip the calibration)
 * --warmup S --sample-seconds S --retention D --calibration-events N --parallelism P --rules FILE
 * --taobao FILE --yoochoose FILE}.
 */
public final class SoakOptions {
    /** How long the producer sends. */
    public int seconds = 600;

    /** The share of the maximum rate the producer holds. */
    public double fraction = 0.5;

    /** Events per second taken as the maximum; 0 measures it as the latency benchmark does. */
    public double maxRate;

    /** Samples in the first seconds are drawn but left out of the table and the verdict. */
    public int warmupSeconds = 180;

    public int sampleSeconds = 5;

    /**
     * {@code events.sessionTimeout} and {@code events.dedupWindow} of the job: a session's and an
     * event id's state end this long after their last event (rounded up to the minute).
     */
    public String retention = "1m";

    public int calibrationEvents = 1_000_000;
    public int parallelism = 2;
    public ScaledEvents.Inputs inputs = ScaledEvents.Inputs.defaults();

    /** Null: the bundled soak-rules.yaml. */
    public Path rulesFile;

    public static SoakOptions parse(String[] args) {
        SoakOptions o = new SoakOptions();
        Path taobao = null;
        Path yoochoose = null;
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (i + 1 >= args.length) {
                throw new IllegalArgumentException("missing value for " + a);
            }
            String v = args[++i];
            switch (a) {
                case "--seconds" -> o.seconds = Integer.parseInt(v);
                case "--fraction" -> o.fraction = Double.parseDouble(v);
                case "--max-rate" -> o.maxRate = Double.parseDouble(v.replace("_", ""));
                case "--warmup" -> o.warmupSeconds = Integer.parseInt(v);
                case "--sample-seconds" -> o.sampleSeconds = Integer.parseInt(v);
                case "--retention" -> o.retention = v;
                case "--calibration-events" ->
                        o.calibrationEvents = Integer.parseInt(v.replace("_", ""));
                case "--parallelism" -> o.parallelism = Integer.parseInt(v);
                case "--rules" -> o.rulesFile = Path.of(v);
                case "--taobao" -> taobao = Path.of(v);
                case "--yoochoose" -> yoochoose = Path.of(v);
                default -> throw new IllegalArgumentException("unknown soak option " + a);
            }
        }
        if (o.seconds <= 0 || o.fraction <= 0 || o.sampleSeconds <= 0 || o.maxRate < 0) {
            throw new IllegalArgumentException(
                    "soak: --seconds, --fraction and --sample-seconds must be positive,"
                            + " --max-rate positive or 0 (measure it)");
        }
        o.inputs = ScaledEvents.Inputs.defaultsOr(taobao, yoochoose);
        return o;
    }
}
