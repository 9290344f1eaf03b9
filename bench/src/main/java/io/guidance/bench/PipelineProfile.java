package io.guidance.bench;

import io.guidance.bench.report.Markdown;
import io.guidance.event.Event;
import io.guidance.rules.RuleSet;
import io.guidance.rules.RulesParser;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import jdk.jfr.Recording;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedFrame;
import jdk.jfr.consumer.RecordedStackTrace;
import jdk.jfr.consumer.RecordedThread;
import jdk.jfr.consumer.RecordingFile;

/**
 * Where the full pipeline spends its time: runs {@link ThroughputBenchmark#pipeline} once under a
 * Java Flight Recorder recording (started in this JVM with {@link Recording}) and sums the
 * execution samples of the Flink task threads into three tables: samples by thread (which chain of
 * operators is busy), methods by self time (the top frame of each sample), and the project's own
 * ({@code io.guidance}) methods by total time (each sample counts once for every own method on its
 * stack; the "innermost" column counts it only for the own method nearest the top, so library time
 * is charged to the project code that called it).
 *
 * <p>{@code java ... io.guidance.bench.PipelineProfile [--events N] [--parallelism P] [--rules
 * FILE] [--top K] [--backend hashmap|rocksdb] [--flink-set KEY=VALUE]... [--jfr FILE]}; {@link
 * #markdown} is the section the benchmark command can include in its report.
 */
public final class PipelineProfile {
    /** Own code: the frames charged in the second table. */
    static final String OWN_PREFIX = "io.guidance.";

    /** Sampling period of the recording. */
    static final Duration PERIOD = Duration.ofMillis(10);

    private PipelineProfile() {}

    /** The samples of one recording, summed. */
    public static final class Profile {
        public long samples;
        public final Map<String, Long> byThread = new HashMap<>();
        public final Map<String, Long> selfByMethod = new HashMap<>();
        public final Map<String, Long> ownTotal = new HashMap<>();
        public final Map<String, Long> ownInnermost = new HashMap<>();

        /** Samples whose stack the recorder cut off (deeper than its stack depth). */
        public long truncated;

        /**
         * CPU time of each task thread, ns (by {@link ThreadCpu}): unlike wall time, little moved
         * by other load.
         */
        public final Map<String, Long> cpuNanos = new HashMap<>();

        void add(RecordedEvent e) {
            RecordedThread thread = e.getThread("sampledThread");
            String threadName =
                    thread == null || thread.getJavaName() == null ? "?" : thread.getJavaName();
            if (!isTaskThread(threadName)) {
                return;
            }
            RecordedStackTrace stack = e.getStackTrace();
            if (stack == null || stack.getFrames().isEmpty()) {
                return;
            }
            samples++;
            if (stack.isTruncated()) {
                truncated++;
            }
            byThread.merge(taskName(threadName), 1L, Long::sum);
            List<RecordedFrame> frames = stack.getFrames();
            selfByMethod.merge(name(frames.get(0)), 1L, Long::sum);
            Set<String> own = new HashSet<>();
            String innermost = null;
            for (RecordedFrame f : frames) {
                String n = name(f);
                if (n.startsWith(OWN_PREFIX)) {
                    if (innermost == null) {
                        innermost = n;
                    }
                    own.add(n);
                }
            }
            for (String n : own) {
                ownTotal.merge(n, 1L, Long::sum);
            }
            if (innermost != null) {
                ownInnermost.merge(innermost, 1L, Long::sum);
            }
        }
    }

    /**
     * The Flink task threads of a MiniCluster are named after their operator chain, "... (1/2)#0".
     */
    static boolean isTaskThread(String name) {
        return name.matches(".*\\(\\d+/\\d+\\)#\\d+$");
    }

    /**
     * The thread name without the attempt number, so that both subtasks of one chain show
     * separately.
     */
    static String taskName(String thread) {
        int hash = thread.lastIndexOf('#');
        return hash > 0 ? thread.substring(0, hash) : thread;
    }

    static String name(RecordedFrame f) {
        return f.getMethod().getType().getName() + "." + f.getMethod().getName();
    }

    /**
     * Runs the pipeline once under a recording kept in {@code jfr}; returns the run and the summed
     * samples.
     */
    public static Profile record(
            byte[][] events,
            int parallelism,
            RuleSet rules,
            Path jfr,
            ThroughputBenchmark.Run[] run)
            throws Exception {
        return record(events, parallelism, rules, "hashmap", jfr, run);
    }

    /** {@link #record} on the state backend {@code backend} (hashmap or rocksdb). */
    public static Profile record(
            byte[][] events,
            int parallelism,
            RuleSet rules,
            String backend,
            Path jfr,
            ThroughputBenchmark.Run[] run)
            throws Exception {
        Map<String, Long> cpu;
        try (Recording recording = new Recording()) {
            recording.enable("jdk.ExecutionSample").withPeriod(PERIOD);
            recording.enable("jdk.NativeMethodSample").withPeriod(PERIOD);
            recording.setToDisk(true);
            recording.start();
            try (ThreadCpu threads = new ThreadCpu()) {
                run[0] = ThroughputBenchmark.pipeline(events, parallelism, rules, backend);
                cpu = threads.stop();
            }
            recording.stop();
            recording.dump(jfr);
        }
        Profile p = read(jfr);
        p.cpuNanos.putAll(cpu);
        return p;
    }

    /**
     * Polls the CPU time of the task threads while a job runs and keeps the last value seen of
     * each, so that it is known after the threads are gone (off by at most one polling interval of
     * a thread's last work).
     */
    static final class ThreadCpu implements AutoCloseable {
        private final ThreadMXBean mx = ManagementFactory.getThreadMXBean();
        private final Map<Long, String> names = new ConcurrentHashMap<>();
        private final Map<Long, Long> last = new ConcurrentHashMap<>();
        private final Thread poller;
        private volatile boolean running = true;

        ThreadCpu() {
            poller =
                    new Thread(
                            () -> {
                                while (running) {
                                    poll();
                                    try {
                                        Thread.sleep(20);
                                    } catch (InterruptedException e) {
                                        return;
                                    }
                                }
                            },
                            "thread-cpu-poller");
            poller.setDaemon(true);
            poller.start();
        }

        private void poll() {
            for (ThreadInfo t : mx.getThreadInfo(mx.getAllThreadIds())) {
                if (t == null || !isTaskThread(t.getThreadName())) {
                    continue;
                }
                long ns = mx.getThreadCpuTime(t.getThreadId());
                if (ns > 0) {
                    names.put(t.getThreadId(), taskName(t.getThreadName()));
                    last.merge(t.getThreadId(), ns, Math::max);
                }
            }
        }

        /** CPU ns per task thread name. */
        Map<String, Long> stop() throws InterruptedException {
            running = false;
            poller.join();
            Map<String, Long> out = new HashMap<>();
            last.forEach((id, ns) -> out.merge(names.get(id), ns, Long::sum));
            return out;
        }

        @Override
        public void close() throws InterruptedException {
            running = false;
            poller.join();
        }
    }

    /** Sums the execution samples of the task threads in a recording file. */
    public static Profile read(Path jfr) throws IOException {
        Profile p = new Profile();
        try (RecordingFile file = new RecordingFile(jfr)) {
            while (file.hasMoreEvents()) {
                RecordedEvent e = file.readEvent();
                if (e.getEventType().getName().equals("jdk.ExecutionSample")) {
                    p.add(e);
                }
            }
        }
        return p;
    }

    /**
     * The profile section: runs the full pipeline at parallelism 1 on {@code events} with {@code
     * rules}.
     */
    public static String markdown(byte[][] events, RuleSet rules) throws Exception {
        return markdown(events, 1, rules, 15);
    }

    public static String markdown(byte[][] events, int parallelism, RuleSet rules, int top)
            throws Exception {
        return markdown(events, parallelism, rules, "hashmap", top);
    }

    /** As {@link #markdown(byte[][], int, RuleSet, int)}, on the state backend {@code backend}. */
    public static String markdown(
            byte[][] events, int parallelism, RuleSet rules, String backend, int top)
            throws Exception {
        Path jfr = Files.createTempFile("pipeline-profile", ".jfr");
        try {
            ThroughputBenchmark.Run[] run = new ThroughputBenchmark.Run[1];
            Profile p = record(events, parallelism, rules, backend, jfr, run);
            return markdown(p, run[0], parallelism, rules.rules.size(), top);
        } finally {
            Files.deleteIfExists(jfr);
        }
    }

    static String markdown(
            Profile p, ThroughputBenchmark.Run run, int parallelism, int ruleCount, int top) {
        StringBuilder md = new StringBuilder();
        md.append("## Profile of the full pipeline\n\n");
        md.append(
                String.format(
                        Locale.ROOT,
                        "One run of the full pipeline (%d rules, parallelism %d) on %,d events under a Java Flight Recorder "
                                + "recording (execution samples every %d ms): %,.0f events/s in %,d ms, %,d samples of the "
                                + "Flink task threads (%,d with their stack cut at the recorder's depth). Samples count "
                                + "running Java code only: a thread that waits (for input, for a full output buffer) is not "
                                + "sampled. What these tables showed and what was done about it: "
                                + "`bench/src/main/resources/io/guidance/bench/profile-notes.md`.\n\n",
                        ruleCount,
                        parallelism,
                        run.events,
                        PERIOD.toMillis(),
                        run.eventsPerSecond(),
                        run.millis,
                        p.samples,
                        p.truncated));

        md.append(
                "### Task threads\n\nSamples, and CPU time (polled from the JVM every 20 ms, so the last few ms of "
                        + "a thread may be missing): CPU time per event moves less than events per second when other "
                        + "processes load the machine.\n\n");
        Markdown.Table threads =
                Markdown.table()
                        .left("thread")
                        .right("samples")
                        .right("share")
                        .right("CPU ms")
                        .right("CPU µs per event");
        for (Map.Entry<String, Long> e : sorted(p.byThread, top)) {
            long cpu = p.cpuNanos.getOrDefault(e.getKey(), 0L);
            threads.row(
                    Markdown.code(e.getKey()),
                    Markdown.count(e.getValue()),
                    share(e.getValue(), p.samples),
                    Markdown.count(cpu / 1_000_000),
                    Markdown.format("%.2f", run.events == 0 ? 0 : cpu / 1000.0 / run.events));
        }
        md.append(threads.render());

        md.append(
                "\n### Top methods by self time\n\nThe method running when the sample was taken.\n\n");
        Markdown.Table self = Markdown.table().left("method").right("samples").right("share");
        for (Map.Entry<String, Long> e : sorted(p.selfByMethod, top)) {
            self.row(
                    Markdown.code(e.getKey()),
                    Markdown.count(e.getValue()),
                    share(e.getValue(), p.samples));
        }
        md.append(self.render());

        md.append("\n### Top own-code frames by total time\n\n");
        md.append(
                "`io.guidance` methods anywhere on the sampled stack (total), and the samples for which the method "
                        + "is the own-code frame nearest the top (innermost: its own time and the library code it called).\n\n");
        Markdown.Table own =
                Markdown.table()
                        .left("method")
                        .right("total samples")
                        .right("total share")
                        .right("innermost samples")
                        .right("innermost share");
        for (Map.Entry<String, Long> e : sorted(p.ownTotal, top)) {
            long inner = p.ownInnermost.getOrDefault(e.getKey(), 0L);
            own.row(
                    Markdown.code(e.getKey()),
                    Markdown.count(e.getValue()),
                    share(e.getValue(), p.samples),
                    Markdown.count(inner),
                    share(inner, p.samples));
        }
        md.append(own.render());
        return md.toString();
    }

    /** {@code n} as a percentage of {@code total}, one decimal: {@code 12.5%}. */
    private static String share(long n, long total) {
        return Markdown.format("%.1f%%", total == 0 ? 0 : 100.0 * n / total);
    }

    private static List<Map.Entry<String, Long>> sorted(Map<String, Long> counts, int top) {
        List<Map.Entry<String, Long>> l = new ArrayList<>(counts.entrySet());
        l.sort(
                Map.Entry.<String, Long>comparingByValue()
                        .reversed()
                        .thenComparing(Map.Entry.comparingByKey()));
        return l.subList(0, Math.min(top, l.size()));
    }

    public static void main(String[] args) throws Exception {
        System.setProperty("java.awt.headless", "true");
        int events = 1_000_000;
        int parallelism = 1;
        int top = 20;
        Path rulesFile = ScaledEvents.repositoryRoot().resolve("config/rules.yaml");
        Path keep = null;
        String backend = "hashmap";
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--events":
                    events = Integer.parseInt(args[++i].replace("_", ""));
                    break;
                case "--parallelism":
                    parallelism = Integer.parseInt(args[++i]);
                    break;
                case "--rules":
                    rulesFile = Path.of(args[++i]);
                    break;
                case "--top":
                    top = Integer.parseInt(args[++i]);
                    break;
                case "--backend":
                    backend = args[++i];
                    break;
                case "--jfr":
                    keep = Path.of(args[++i]);
                    break;
                case "--flink-set":
                    String kv = args[++i];
                    int eq = kv.indexOf('=');
                    if (eq < 1) {
                        throw new IllegalArgumentException(
                                "--flink-set wants KEY=VALUE, not " + kv);
                    }
                    ThroughputBenchmark.FLINK_OVERRIDES.put(
                            kv.substring(0, eq), kv.substring(eq + 1));
                    break;
                default:
                    throw new IllegalArgumentException("unknown argument " + args[i]);
            }
        }
        List<Event> base = ScaledEvents.readBase(ScaledEvents.Inputs.defaults());
        byte[][] scaled = ScaledEvents.scale(base, events).events;
        RuleSet rules = RulesParser.parseFile(rulesFile);
        String md;
        if (keep != null) {
            ThroughputBenchmark.Run[] run = new ThroughputBenchmark.Run[1];
            Profile p = record(scaled, parallelism, rules, backend, keep, run);
            md = markdown(p, run[0], parallelism, rules.rules.size(), top);
        } else {
            md = markdown(scaled, parallelism, rules, backend, top);
        }
        ArraySource.load(new byte[0][]);
        System.out.println(md);
    }
}
