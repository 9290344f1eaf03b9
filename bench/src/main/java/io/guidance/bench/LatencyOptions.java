package io.guidance.bench;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * What the latency benchmark runs: {@code --fractions 0.1,0.5,0.8 --seconds S --warmup S --max-rate
 * R (skip the calibration) --calibration-events N --parallelism P --rules FILE --taobao FILE
 * --yoochoose FILE --trace FILE --job-jvm-options "-Xms2g -Xmx2g -XX:+UseG1GC" --set KEY=VALUE (a
 * job setting, or a Flink option as flink.KEY, for experiments)}.
 */
public final class LatencyOptions {
    /** Shares of the sustainable rate, one paced run each. */
    public double[] fractions = {0.1, 0.5, 0.8};

    /** How long each paced run produces. */
    public int seconds = 60;

    /** Triggers whose ts falls in the first seconds of a run are not counted in its percentiles. */
    public int warmupSeconds = 5;

    /** Events per second taken as the maximum; 0 measures it. */
    public double maxRate;

    public int calibrationEvents = 1_000_000;
    public int parallelism = 2;
    public ScaledEvents.Inputs inputs = ScaledEvents.Inputs.defaults();

    /** Null: the bundled latency-rules.yaml. */
    public Path rulesFile;

    /** Null, or a CSV file that gets one line per trigger of the audit topics. */
    public Path trace;

    /**
     * The job JVM's options (heap, collector): the size of docker/flink's TaskManager process
     * (2048m) as heap, since the hashmap state backend keeps its state there; fixed, as Flink
     * starts a TaskManager with -Xms equal to -Xmx.
     */
    public List<String> jobJvmOptions = List.of("-Xms2g", "-Xmx2g", "-XX:+UseG1GC");

    /**
     * Job settings, and Flink options as {@code flink.KEY}, on top of the defaults: for experiments
     * only; the page lists them.
     */
    public Map<String, String> overrides = new TreeMap<>();

    /** Where the job JVM's output and GC log go; null: bench/target/latency-job. */
    public Path jobDir;

    /** The arguments as given, for the page's "Reproduce" line. */
    public String command = "";

    public static LatencyOptions parse(String[] args) {
        LatencyOptions o = new LatencyOptions();
        o.command = String.join(" ", args);
        Path taobao = null;
        Path yoochoose = null;
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            switch (a) {
                case "--fractions":
                    o.fractions =
                            Arrays.stream(args[++i].split(","))
                                    .mapToDouble(Double::parseDouble)
                                    .toArray();
                    break;
                case "--seconds":
                    o.seconds = Integer.parseInt(args[++i]);
                    break;
                case "--warmup":
                    o.warmupSeconds = Integer.parseInt(args[++i]);
                    break;
                case "--max-rate":
                    o.maxRate = Double.parseDouble(args[++i]);
                    break;
                case "--calibration-events":
                    o.calibrationEvents = Integer.parseInt(args[++i].replace("_", ""));
                    break;
                case "--parallelism":
                    o.parallelism = Integer.parseInt(args[++i]);
                    break;
                case "--rules":
                    o.rulesFile = Path.of(args[++i]);
                    break;
                case "--taobao":
                    taobao = Path.of(args[++i]);
                    break;
                case "--yoochoose":
                    yoochoose = Path.of(args[++i]);
                    break;
                case "--job-jvm-options":
                    o.jobJvmOptions = List.of(args[++i].trim().split("\\s+"));
                    break;
                case "--set":
                    String kv = args[++i];
                    int eq = kv.indexOf('=');
                    if (eq <= 0) {
                        throw new IllegalArgumentException("--set wants KEY=VALUE, got " + kv);
                    }
                    o.overrides.put(kv.substring(0, eq), kv.substring(eq + 1));
                    break;
                case "--trace":
                    o.trace = Path.of(args[++i]);
                    break;
                default:
                    throw new IllegalArgumentException("unknown argument " + a);
            }
        }
        o.inputs = ScaledEvents.Inputs.defaultsOr(taobao, yoochoose);
        return o;
    }
}
