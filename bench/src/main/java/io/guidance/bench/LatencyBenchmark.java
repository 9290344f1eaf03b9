package io.guidance.bench;

import io.guidance.event.Event;
import io.guidance.event.EventParser;
import io.guidance.local.EmbeddedKafka;
import io.guidance.local.LocalRedis;
import io.guidance.local.importer.TaobaoImporter;
import io.guidance.local.importer.YoochooseImporter;
import io.guidance.pipeline.FlinkSettings;
import io.guidance.pipeline.GuidanceJob;
import io.guidance.pipeline.JobConfig;
import io.guidance.pipeline.LiveRules;
import io.guidance.pipeline.Uids;
import io.guidance.rules.Rule;
import io.guidance.rules.RuleSet;
import io.guidance.rules.RulesParser;
import io.guidance.rules.StallRule;
import io.guidance.trigger.Trigger;
import io.guidance.trigger.TriggerJson;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import javax.imageio.ImageIO;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import redis.clients.jedis.JedisPubSub;
import redis.clients.jedis.RedisClient;

/**
 * Latency of the whole product with a real Kafka broker and a real Redis server: the job as {@code
 * guidance demo} runs it ({@link GuidanceJob} on a local MiniCluster, the Kafka events source with
 * live watermarks, the Redis and audit sinks), fed by a paced producer at fixed shares of the
 * stack's sustainable rate.
 *
 * <p>Events are the real sessions of {@link ScaledEvents}, each stamped at the moment it is sent
 * with the wall-clock time as its {@code ts} (live mode). So a trigger caused by an event (burst,
 * loop, threshold, comeback) has that event's {@code ts}, which is the time the event was produced,
 * and a stall has its deadline as {@code ts} (SPEC sections 3 and 4). Latency is the time the
 * trigger became readable in Redis minus the trigger's {@code ts}.
 *
 * <p>"Readable" is observed with Redis keyspace notifications: a subscriber receives a {@code set}
 * key event for the user key and then for the trigger's {@code written} marker, both from the one
 * atomic write script, and stamps the marker's event with this JVM's wall clock on arrival.
 * Producer stamp and arrival use the same clock, so the resolution is one millisecond, plus the
 * sub-millisecond loopback hop of the notification. The audit topic gives the list of delivered
 * triggers, so every delivered trigger is matched with its write.
 *
 * <p>The sustainable rate ("max") is measured first: a backlog of events is written to a fresh
 * topic, then a fresh job drains it, and max is the rate at which the detection operator took in
 * events between 10 % and 90 % of the backlog (Kafka in, detection, Redis and audit out, all in the
 * same back-pressured graph). Each paced run then gets a fresh topic, a fresh job and an emptied
 * Redis.
 *
 * <p>{@code --fractions 0.1,0.5,0.8 --seconds S --warmup S --max-rate R (skip the calibration)
 * --calibration-events N --parallelism P --rules FILE --taobao FILE --yoochoose FILE}
 */
public final class LatencyBenchmark {
    static final String RULES_RESOURCE = "latency-rules.yaml";
    static final String DEAD_LETTER_TOPIC = "bench-dead-letters";
    static final String RULES_TOPIC = "bench-rules";
    static final String PREFIX = "guidance";

    /** The out-of-orderness bound plus this is the target for p99 (issue #7). */
    static final long TARGET_SLACK_MS = 250;

    private static final Duration JOB_START_TIMEOUT = Duration.ofMinutes(3);

    /**
     * Watermarks are emitted every events.watermarkInterval and pass through both partitions'
     * readers: slack.
     */
    static final long WINDOW_END_MARGIN_MS = 500;

    private LatencyBenchmark() {}

    // ---------------------------------------------------------------- options and results

    /** What to run. */
    public static final class Options {
        public double[] fractions = {0.1, 0.5, 0.8};

        /** How long each paced run produces. */
        public int seconds = 60;

        /**
         * Triggers whose ts falls in the first seconds of a run are not counted in its percentiles.
         */
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

        public String command = "";

        public static Options parse(String[] args) {
            Options o = new Options();
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

    /**
     * Percentiles of one set of latencies, in milliseconds (nearest rank); all zero when there are
     * none.
     */
    public static final class Latencies {
        public final int count;
        public final long p50;
        public final long p99;
        public final long max;
        public final long min;

        Latencies(long[] values) {
            long[] v = values.clone();
            Arrays.sort(v);
            count = v.length;
            p50 = rank(v, 0.50);
            p99 = rank(v, 0.99);
            max = count == 0 ? 0 : v[count - 1];
            min = count == 0 ? 0 : v[0];
        }

        private static long rank(long[] sorted, double q) {
            if (sorted.length == 0) {
                return 0;
            }
            int i = (int) Math.ceil(q * sorted.length) - 1;
            return sorted[Math.max(0, Math.min(sorted.length - 1, i))];
        }
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

        /**
         * Collections of the JVM (which runs Flink, Kafka and the producer) while the producer ran.
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

    /** Everything measured. */
    public static final class Result {
        public final Options options;
        public int baseEvents;
        public String rulesSource;
        public int rules;
        public long boundMs;
        public long idleTimeoutMs;
        public long checkpointIntervalMs;
        public boolean maxMeasured;
        public double maxRate;
        public long calibrationEvents;
        public long calibrationMillis;
        public final List<RateRun> runs = new ArrayList<>();
        public long totalMillis;

        Result(Options options) {
            this.options = options;
        }

        public long targetMs() {
            return boundMs + TARGET_SLACK_MS;
        }
    }

    // ---------------------------------------------------------------- the run

    public static Result run(Options o) throws Exception {
        long started = System.nanoTime();
        Result res = new Result(o);
        RuleSet rules = loadRules(o);
        res.rules = rules.rules.size();
        res.rulesSource =
                o.rulesFile == null
                        ? "bench/src/main/resources/io/guidance/bench/" + RULES_RESOURCE
                        : o.rulesFile.toString();
        Map<String, String> kindOf = new HashMap<>();
        long longestStall = 0;
        for (Rule r : rules.rules) {
            kindOf.put(r.id, r.kind());
            if (r instanceof StallRule) {
                longestStall = Math.max(longestStall, ((StallRule) r).withinMs);
            }
        }
        log("reading %s", o.inputs);
        List<Event> base = interleavedBase(o.inputs);
        res.baseEvents = base.size();

        try (Stack stack = Stack.start()) {
            JobConfig probe = stack.config("probe", o.parallelism);
            res.boundMs = probe.maxOutOfOrderness().toMillis();
            res.idleTimeoutMs = probe.idleTimeout().toMillis();
            res.checkpointIntervalMs = probe.checkpointInterval().toMillis();

            if (o.maxRate > 0) {
                res.maxRate = o.maxRate;
            } else {
                Prepared backlog =
                        Prepared.of(ScaledEvents.scale(base, o.calibrationEvents).events);
                calibrate(stack, backlog, rules, o.parallelism, res);
            }
            long drainMs = res.boundMs + res.idleTimeoutMs + longestStall + 3_000;
            int phase = 0;
            for (double f : o.fractions) {
                double rate = f * res.maxRate;
                int n = (int) Math.max(1, Math.ceil(rate * o.seconds));
                Prepared events = Prepared.of(ScaledEvents.scale(base, n).events);
                RateRun r =
                        paced(
                                stack,
                                "rate" + phase++,
                                events,
                                rate,
                                o,
                                rules,
                                kindOf,
                                res.boundMs,
                                drainMs);
                r.fraction = f;
                res.runs.add(r);
                log(
                        "%3.0f %% of max: %,.0f events/s sent (target %,.0f); %d delivered, %d readable; event -> readable"
                                + " p50 %d p99 %d max %d ms (%d); deadline -> readable p50 %d p99 %d max %d ms (%d);"
                                + " %d GC pauses, %d ms in all, longest %d ms",
                        f * 100,
                        r.achievedRate,
                        r.targetRate,
                        r.delivered,
                        r.readable,
                        r.caused.p50,
                        r.caused.p99,
                        r.caused.max,
                        r.caused.count,
                        r.stalls.p50,
                        r.stalls.p99,
                        r.stalls.max,
                        r.stalls.count,
                        r.gcPauses,
                        r.gcPauseTotalMs,
                        r.gcPauseMaxMs);
            }
        }
        res.totalMillis = (System.nanoTime() - started) / 1_000_000;
        return res;
    }

    /**
     * Both datasets through their importers, the Taobao events shifted so that the two datasets'
     * median times meet: in plain {@code ts} order every YOOCHOOSE click (2014, item views only)
     * would come before every Taobao event (2017, with carts, favourites and purchases), and a run
     * of a minute would see only the first.
     */
    static List<Event> interleavedBase(ScaledEvents.Inputs in) throws IOException {
        List<Event> taobao = new TaobaoImporter().readSorted(in.taobao);
        List<Event> yoochoose = new YoochooseImporter().readSorted(in.yoochoose);
        long shift = yoochoose.get(yoochoose.size() / 2).ts - taobao.get(taobao.size() / 2).ts;
        List<Event> all = new ArrayList<>(yoochoose);
        for (Event e : taobao) {
            all.add(
                    new Event(
                            e.eventId,
                            e.userId,
                            e.sessionId,
                            e.ts + shift,
                            e.type,
                            e.page,
                            e.target,
                            e.props));
        }
        all.sort(Comparator.comparingLong(e -> e.ts)); // stable
        return all;
    }

    static RuleSet loadRules(Options o) throws Exception {
        if (o.rulesFile != null) {
            return RulesParser.parseFile(o.rulesFile);
        }
        try (InputStream in = LatencyBenchmark.class.getResourceAsStream(RULES_RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException("missing resource " + RULES_RESOURCE);
            }
            return RulesParser.parse(
                    new String(in.readAllBytes(), StandardCharsets.UTF_8), RULES_RESOURCE);
        }
    }

    /** Writes a backlog as fast as the producer can, then times a fresh job draining it. */
    private static void calibrate(
            Stack stack, Prepared backlog, RuleSet rules, int parallelism, Result res)
            throws Exception {
        String topic = stack.newPhase("max", parallelism);
        log("calibration: writing a backlog of %,d events to %s", backlog.size(), topic);
        long stamp = System.currentTimeMillis();
        for (int i = 0; i < backlog.size(); i++) {
            // the backlog keeps the real order; its ts step by one millisecond per 100 events, as
            // if sent at 100/ms
            stack.producer.send(
                    new ProducerRecord<>(
                            topic, backlog.keys[i], backlog.stamped(i, stamp + i / 100)));
        }
        stack.producer.flush();
        JobConfig config = stack.config("max", parallelism);
        JobClient job = stack.startJob(config, rules);
        try {
            long n = backlog.size();
            long t10 = 0;
            long t90 = 0;
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120 + n / 500);
            while (true) {
                long in = JobMetrics.counter(config.jobName(), Uids.DETECT, "numRecordsIn");
                long now = System.nanoTime();
                if (t10 == 0 && in >= n / 10) {
                    t10 = now;
                }
                if (t90 == 0 && in >= n * 9 / 10) {
                    t90 = now;
                    break;
                }
                if (now > deadline) {
                    throw new IllegalStateException(
                            "calibration: the job took in only " + in + " of " + n + " events");
                }
                Thread.sleep(5);
            }
            res.maxMeasured = true;
            res.calibrationEvents = n;
            res.calibrationMillis = (t90 - t10) / 1_000_000;
            res.maxRate = (n * 9 / 10 - n / 10) * 1e9 / (t90 - t10);
            log(
                    "calibration: %,d events drained at %,.0f events/s (from 10 %% to 90 %% of the backlog in %,d ms)",
                    n, res.maxRate, res.calibrationMillis);
        } finally {
            stack.stopJob(job, config.jobName());
        }
    }

    /**
     * One run at a fixed rate: a fresh topic, job and Redis; the producer paced; then every trigger
     * matched.
     */
    private static RateRun paced(
            Stack stack,
            String phase,
            Prepared events,
            double rate,
            Options o,
            RuleSet rules,
            Map<String, String> kindOf,
            long boundMs,
            long drainMs)
            throws Exception {
        RateRun r = new RateRun();
        r.targetRate = rate;
        String topic = stack.newPhase(phase, o.parallelism);
        stack.redis().flushAll();
        JobConfig config = stack.config(phase, o.parallelism);
        long producedFrom;
        long producedTo;
        int i = 0;
        try (RedisWatch watch = RedisWatch.start(stack.redisServer, PREFIX)) {
            JobClient job = stack.startJob(config, rules);
            Sampler sampler = new Sampler(config.jobName());
            try {
                Thread.sleep(1_000); // let the source readers take their partitions
                sampler.start();
                log("%s: producing at %,.0f events/s for %d s", phase, rate, o.seconds);
                long startNs;
                try (GcPauses gc = GcPauses.start()) {
                    startNs = System.nanoTime();
                    producedFrom = System.currentTimeMillis();
                    long endNs = startNs + TimeUnit.SECONDS.toNanos(o.seconds);
                    int n = events.size();
                    while (i < n) {
                        long now = System.nanoTime();
                        if (now >= endNs) {
                            break;
                        }
                        long due = Math.min(n, (long) ((now - startNs) / 1e9 * rate) + 1);
                        while (i < due) {
                            stack.producer.send(
                                    new ProducerRecord<>(
                                            topic,
                                            events.keys[i],
                                            events.stamped(i, System.currentTimeMillis())));
                            i++;
                        }
                        LockSupport.parkNanos(200_000);
                    }
                    producedTo = System.currentTimeMillis();
                    r.gcPauses = gc.count();
                    r.gcPauseTotalMs = gc.totalMs();
                    r.gcPauseMaxMs = gc.maxMs();
                }
                stack.producer.flush();
                r.eventsSent = i;
                r.achievedRate = i * 1e9 / Math.max(1, System.nanoTime() - startNs);
                // stalls still open fall due after the input stops: wait until the job has taken in
                // every event and
                // Redis has seen no write for long enough for the idle clock to pass the last
                // deadline
                long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(10);
                while (JobMetrics.counter(config.jobName(), Uids.DETECT, "numRecordsIn") < i
                        || System.currentTimeMillis() - Math.max(producedTo, watch.lastWrite)
                                < drainMs) {
                    if (System.nanoTime() > deadline) {
                        throw new IllegalStateException(
                                phase + ": the job did not catch up with the input");
                    }
                    Thread.sleep(100);
                }
            } finally {
                sampler.stop();
                stack.stopJob(job, config.jobName());
            }
            long from = producedFrom + o.warmupSeconds * 1000L;
            for (long[] x : sampler.samples) {
                r.samples.add((x[0] - from) + "," + x[1] + "," + x[2] + "," + x[3]);
            }
            r.older = watch.older.size();
            // a trigger with ts in the last out-of-orderness bound before the input stopped is
            // evaluated only once
            // event time follows the idle clock: it belongs with those after the input
            measure(
                    r,
                    stack.readAudit(config.auditTopic()),
                    watch.readableAt,
                    kindOf,
                    producedFrom + o.warmupSeconds * 1000L,
                    producedTo - boundMs - WINDOW_END_MARGIN_MS);
        }
        return r;
    }

    /** Samples the job's restarts and checkpoints every 100 ms on a thread of its own. */
    static final class Sampler {
        final List<long[]> samples = java.util.Collections.synchronizedList(new ArrayList<>());
        private final String job;
        private final Thread thread;
        private volatile boolean stopping;

        Sampler(String job) {
            this.job = job;
            this.thread = new Thread(this::loop, "bench-sampler");
            thread.setDaemon(true);
        }

        void start() {
            thread.start();
        }

        private void loop() {
            while (!stopping) {
                long now = System.currentTimeMillis();
                samples.add(
                        new long[] {
                            now,
                            JobMetrics.gaugeSum(job, "numRestarts"),
                            JobMetrics.gaugeSum(job, "numberOfFailedCheckpoints"),
                            JobMetrics.gaugeSum(job, "numberOfCompletedCheckpoints")
                        });
                LockSupport.parkNanos(100_000_000L);
            }
        }

        void stop() throws InterruptedException {
            stopping = true;
            thread.join(5_000);
        }
    }

    /** Matches every delivered trigger of the audit topic with its write to Redis. */
    static void measure(
            RateRun r,
            List<Trigger> audit,
            Map<String, Long> readableAt,
            Map<String, String> kindOf,
            long windowFrom,
            long windowTo) {
        Map<String, Trigger> delivered = new LinkedHashMap<>();
        long suppressed = 0;
        List<Trigger> all = new ArrayList<>(audit);
        all.sort((a, b) -> Long.compare(a.ts, b.ts));
        long from = windowFrom;
        for (Trigger t : all) {
            if (t.isDelivered()) {
                delivered.putIfAbsent(t.triggerId, t);
            } else {
                suppressed++;
            }
            Long at = readableAt.get(t.triggerId);
            r.trace.add(
                    (t.ts - from)
                            + ","
                            + t.ruleId
                            + ","
                            + t.kind
                            + ","
                            + t.status
                            + ","
                            + (at == null || !t.isDelivered() ? "" : Long.toString(at - t.ts)));
        }
        List<Trigger> ordered = new ArrayList<>(delivered.values());
        ordered.sort((a, b) -> Long.compare(a.ts, b.ts));
        List<Long> caused = new ArrayList<>();
        List<Long> stalls = new ArrayList<>();
        List<Long> after = new ArrayList<>();
        long readable = 0;
        long warmup = 0;
        for (Trigger t : ordered) {
            Long at = readableAt.get(t.triggerId);
            if (at == null) {
                continue;
            }
            readable++;
            long latency = at - t.ts;
            String kind = kindOf.getOrDefault(t.ruleId, t.kind);
            if (t.ts < windowFrom) {
                warmup++;
            } else if (t.ts > windowTo) {
                after.add(latency);
            } else if (StallRule.KIND.equals(kind)) {
                stalls.add(latency);
            } else {
                caused.add(latency);
            }
        }
        r.delivered = delivered.size();
        r.suppressed = suppressed;
        r.readable = readable;
        r.warmup = warmup;
        r.caused = new Latencies(caused.stream().mapToLong(Long::longValue).toArray());
        r.stalls = new Latencies(stalls.stream().mapToLong(Long::longValue).toArray());
        r.afterInput = new Latencies(after.stream().mapToLong(Long::longValue).toArray());
    }

    // ---------------------------------------------------------------- the stack

    /** Redis, Kafka and a producer for the whole benchmark; a topic pair and a job per run. */
    static final class Stack implements AutoCloseable {
        final LocalRedis redisServer;
        final EmbeddedKafka kafka;
        final KafkaProducer<String, byte[]> producer;
        private final RedisClient redis;

        /** Checkpoints go to a local directory, as they go to a durable one in production. */
        private final Path checkpoints;

        private Stack(
                LocalRedis redisServer,
                EmbeddedKafka kafka,
                KafkaProducer<String, byte[]> producer,
                RedisClient redis,
                Path checkpoints) {
            this.redisServer = redisServer;
            this.kafka = kafka;
            this.producer = producer;
            this.redis = redis;
            this.checkpoints = checkpoints;
        }

        static Stack start() throws Exception {
            LocalRedis redisServer = LocalRedis.start();
            EmbeddedKafka kafka = null;
            KafkaProducer<String, byte[]> producer = null;
            RedisClient redis = null;
            try {
                kafka = EmbeddedKafka.start();
                kafka.createTopic(DEAD_LETTER_TOPIC, 1);
                kafka.createCompactedTopic(RULES_TOPIC, 1);
                Properties p = new Properties();
                p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
                p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
                p.put(
                        ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG,
                        ByteArraySerializer.class.getName());
                p.put(ProducerConfig.LINGER_MS_CONFIG, "5");
                producer = new KafkaProducer<>(p);
                redis =
                        RedisClient.builder()
                                .hostAndPort(redisServer.host(), redisServer.port())
                                .build();
                redis.configSet("notify-keyspace-events", "E$");
                log(
                        "Redis %s on port %d, Kafka on %s",
                        redisServer.binary(), redisServer.port(), kafka.bootstrapServers());
                return new Stack(
                        redisServer,
                        kafka,
                        producer,
                        redis,
                        Files.createTempDirectory("guidance-bench-checkpoints-"));
            } catch (Exception | Error e) {
                closeAll(redis, producer, kafka, redisServer);
                throw e;
            }
        }

        RedisClient redis() {
            return redis;
        }

        /** Creates the events and audit topics of a run; returns the events topic. */
        String newPhase(String phase, int partitions) throws Exception {
            kafka.createTopic("bench-events-" + phase, Math.max(2, partitions));
            kafka.createTopic("bench-audit-" + phase, 1);
            return "bench-events-" + phase;
        }

        JobConfig config(String phase, int parallelism) {
            return JobConfig.of(
                    Map.ofEntries(
                            Map.entry("kafka.bootstrap", kafka.bootstrapServers()),
                            Map.entry("kafka.topic", "bench-events-" + phase),
                            Map.entry("kafka.deadLetterTopic", DEAD_LETTER_TOPIC),
                            Map.entry("kafka.auditTopic", "bench-audit-" + phase),
                            Map.entry("kafka.rulesTopic", RULES_TOPIC),
                            Map.entry("kafka.groupId", "bench-" + phase),
                            Map.entry("kafka.startingOffsets", "earliest"),
                            Map.entry("redis.host", redisServer.host()),
                            Map.entry("redis.port", Integer.toString(redisServer.port())),
                            Map.entry("redis.prefix", PREFIX),
                            Map.entry("job.name", "bench-latency-" + phase),
                            Map.entry("job.parallelism", Integer.toString(parallelism)),
                            Map.entry("job.checkpointRetention", "delete_on_cancellation")));
        }

        /**
         * Starts the production job and returns once its detection operator runs on every subtask.
         */
        JobClient startJob(JobConfig config, RuleSet rules) throws Exception {
            Configuration c = JobMetrics.enable(FlinkSettings.from(config));
            // without a directory Flink keeps checkpoints in the JobManager's memory, which refuses
            // state over 5 MB:
            // the checkpoint fails and the job restarts. Production configures a durable directory
            // (docker/flink).
            c.setString("execution.checkpointing.dir", checkpoints.toUri().toString());
            StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(c);
            JobClient job = GuidanceJob.start(env, config, LiveRules.of(rules));
            long deadline = System.nanoTime() + JOB_START_TIMEOUT.toNanos();
            while (JobMetrics.registered(config.jobName(), Uids.DETECT, "numRecordsIn")
                    < config.parallelism()) {
                if (System.nanoTime() > deadline) {
                    stopJob(job, config.jobName());
                    throw new IllegalStateException("job " + config.jobName() + " did not start");
                }
                Thread.sleep(50);
            }
            return job;
        }

        void stopJob(JobClient job, String name) {
            try {
                job.cancel().get(60, TimeUnit.SECONDS);
                job.getJobExecutionResult().handle((x, e) -> null).get(60, TimeUnit.SECONDS);
            } catch (Exception e) {
                log("while cancelling %s: %s", name, e);
            }
            JobMetrics.forget(name);
        }

        /** Every trigger in an audit topic, read from its start to its current end. */
        List<Trigger> readAudit(String topic) {
            Properties p = new Properties();
            p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
            p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
            p.put(
                    ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG,
                    StringDeserializer.class.getName());
            p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_uncommitted");
            List<Trigger> out = new ArrayList<>();
            try (KafkaConsumer<String, String> c = new KafkaConsumer<>(p)) {
                List<TopicPartition> parts = new ArrayList<>();
                c.partitionsFor(topic)
                        .forEach(i -> parts.add(new TopicPartition(topic, i.partition())));
                c.assign(parts);
                c.seekToBeginning(parts);
                Map<TopicPartition, Long> end = c.endOffsets(parts);
                long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(2);
                while (parts.stream().anyMatch(tp -> c.position(tp) < end.get(tp))) {
                    if (System.nanoTime() > deadline) {
                        throw new IllegalStateException("could not read " + topic + " to its end");
                    }
                    for (ConsumerRecord<String, String> rec : c.poll(Duration.ofMillis(500))) {
                        out.add(TriggerJson.fromJson(rec.value()));
                    }
                }
            }
            return out;
        }

        @Override
        public void close() {
            closeAll(redis, producer, kafka, redisServer);
            try {
                StateBenchmark.deleteTree(checkpoints);
            } catch (IOException e) {
                log("could not delete %s: %s", checkpoints, e);
            }
        }

        private static void closeAll(AutoCloseable... resources) {
            for (AutoCloseable r : resources) {
                if (r == null) {
                    continue;
                }
                try {
                    if (r instanceof KafkaProducer) {
                        ((KafkaProducer<?, ?>) r).close(Duration.ofSeconds(5));
                    } else {
                        r.close();
                    }
                } catch (Exception e) {
                    log("while closing: %s", e);
                }
            }
        }
    }

    /**
     * When each trigger became readable: a subscriber to Redis's {@code set} key events. The write
     * script sets the user key and then the trigger's marker; a marker set right after a user key
     * is a trigger published, stamped on arrival. A marker set alone is a write the script turned
     * down as older than the trigger the user key holds.
     */
    static final class RedisWatch implements AutoCloseable {
        final Map<String, Long> readableAt = new ConcurrentHashMap<>();
        final Set<String> older = ConcurrentHashMap.newKeySet();

        /** Wall-clock time of the last trigger key event seen. */
        volatile long lastWrite;

        private final RedisClient subscriber;
        private final JedisPubSub listener;
        private final Thread thread;

        private RedisWatch(LocalRedis redis, String prefix) {
            String userKeys = prefix + ":user:";
            String markers = prefix + ":written:";
            subscriber = RedisClient.builder().hostAndPort(redis.host(), redis.port()).build();
            listener =
                    new JedisPubSub() {
                        private boolean afterUserKey;

                        @Override
                        public void onPMessage(String pattern, String channel, String key) {
                            long now = System.currentTimeMillis();
                            lastWrite = now;
                            if (key.startsWith(userKeys)) {
                                afterUserKey = true;
                                return;
                            }
                            if (key.startsWith(markers)) {
                                String id = key.substring(markers.length());
                                if (afterUserKey) {
                                    readableAt.putIfAbsent(id, now);
                                } else {
                                    older.add(id);
                                }
                            }
                            afterUserKey = false;
                        }
                    };
            thread =
                    new Thread(
                            () -> {
                                try {
                                    subscriber.psubscribe(listener, "__keyevent@*__:set");
                                } catch (RuntimeException e) {
                                    log("Redis watch stopped: %s", e.getMessage());
                                }
                            },
                            "bench-redis-watch");
            thread.setDaemon(true);
        }

        static RedisWatch start(LocalRedis redis, String prefix) throws InterruptedException {
            RedisWatch w = new RedisWatch(redis, prefix);
            w.thread.start();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (!w.listener.isSubscribed()) {
                if (System.nanoTime() > deadline) {
                    w.close();
                    throw new IllegalStateException("could not subscribe to Redis key events");
                }
                Thread.sleep(10);
            }
            return w;
        }

        @Override
        public void close() {
            try {
                if (listener.isSubscribed()) {
                    listener.punsubscribe();
                }
                thread.join(5_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (RuntimeException e) {
                log("while closing the Redis watch: %s", e);
            }
            subscriber.close();
        }
    }

    /**
     * Events ready to send: the JSON bytes, the key (userId) and where the 13 digits of {@code ts}
     * sit, so that a copy stamped with the send time costs an array copy, not a serialization.
     */
    static final class Prepared {
        final byte[][] json;
        final String[] keys;
        final int[] tsAt;

        private Prepared(byte[][] json, String[] keys, int[] tsAt) {
            this.json = json;
            this.keys = keys;
            this.tsAt = tsAt;
        }

        static Prepared of(byte[][] events) {
            EventParser parser = new EventParser();
            String[] keys = new String[events.length];
            int[] at = new int[events.length];
            byte[] field = "\"ts\":".getBytes(StandardCharsets.US_ASCII);
            for (int i = 0; i < events.length; i++) {
                EventParser.Result r = parser.parse(events[i]);
                if (!r.ok()) {
                    throw new IllegalStateException(
                            "bad benchmark event: " + r.reason + " " + r.detail);
                }
                keys[i] = r.event.userId;
                int f = indexOf(events[i], field);
                int digits = 0;
                while (f >= 0
                        && f + field.length + digits < events[i].length
                        && Character.isDigit(events[i][f + field.length + digits])) {
                    digits++;
                }
                if (f < 0 || digits != 13) {
                    throw new IllegalStateException(
                            "no 13-digit ts in " + new String(events[i], StandardCharsets.UTF_8));
                }
                at[i] = f + field.length;
            }
            return new Prepared(events, keys, at);
        }

        int size() {
            return json.length;
        }

        /** A copy of event {@code i} with {@code ts} set to {@code ts} (13 digits). */
        byte[] stamped(int i, long ts) {
            byte[] b = json[i].clone();
            long v = ts;
            for (int d = tsAt[i] + 12; d >= tsAt[i]; d--) {
                b[d] = (byte) ('0' + (v % 10));
                v /= 10;
            }
            return b;
        }

        private static int indexOf(byte[] a, byte[] needle) {
            outer:
            for (int i = 0; i + needle.length <= a.length; i++) {
                for (int j = 0; j < needle.length; j++) {
                    if (a[i + j] != needle[j]) {
                        continue outer;
                    }
                }
                return i;
            }
            return -1;
        }
    }

    // ---------------------------------------------------------------- report

    /** A docs section: the method, the sustainable rate, and latency per rate and kind. */
    public static String markdown(Result r) {
        Options o = r.options;
        StringBuilder md = new StringBuilder();
        md.append("## Latency with Kafka and Redis\n\n")
                .append(
                        "The production job (`GuidanceJob`: Kafka source with live watermarks, detection, Redis and audit sinks) ")
                .append("on a local MiniCluster at parallelism ")
                .append(o.parallelism)
                .append(
                        ", with the in-process Kafka broker (`EmbeddedKafka`) and a real `redis-server` (`LocalRedis`), as ")
                .append(
                        "`guidance demo` runs them, all on this machine. Settings are the job's defaults: ")
                .append("`events.maxOutOfOrderness` ")
                .append(r.boundMs)
                .append(" ms, `events.idleTimeout` ")
                .append(r.idleTimeoutMs)
                .append(" ms, exactly-once checkpoints every ")
                .append(r.checkpointIntervalMs)
                .append(" ms, `redis.flushInterval` 50 ms.\n\n")
                .append("**Input.** The real sessions of ")
                .append(String.format(Locale.ROOT, "%,d", r.baseEvents))
                .append(
                        " events (Taobao and YOOCHOOSE, `ScaledEvents`), in their real order, each stamped at the moment it ")
                .append(
                        "is sent with the wall clock as its `ts` (live mode), keyed by user, from a producer paced to a fixed ")
                .append(
                        "rate. The sessions therefore pass far faster than they happened, so the rules are those of ")
                .append(
                        "config/rules.yaml with the stall waits cut to 4 s and 5 s and the comeback gap to 10 s (`")
                .append(r.rulesSource)
                .append("`, ")
                .append(r.rules)
                .append(" rules), so that stalls fall due during a run.\n\n")
                .append(
                        "**Latency.** A trigger caused by an event (burst, loop, threshold, comeback) has the event's `ts`, ")
                .append(
                        "which is its produce time; a stall has its deadline. Latency = when the trigger became readable in Redis ")
                .append(
                        "minus that `ts`. Readable is observed with Redis keyspace notifications (`notify-keyspace-events E$`): ")
                .append(
                        "the atomic write script sets the user key and then the trigger's `written` marker, and a subscriber ")
                .append(
                        "stamps the marker's `set` event on arrival with the same JVM clock that stamped the events. ")
                .append(
                        "Resolution 1 ms plus the loopback hop of the notification (well under 1 ms). Every delivered trigger ")
                .append(
                        "of the audit topic is matched with its write. Percentiles are nearest-rank over the triggers whose ")
                .append("`ts` falls between ")
                .append(o.warmupSeconds)
                .append(" s after the producer started and ")
                .append("the out-of-orderness bound + ")
                .append(WINDOW_END_MARGIN_MS)
                .append(" ms before it stopped. Triggers ")
                .append(
                        "with a later `ts` (events of the last moments, stalls due after the input stopped) are evaluated only ")
                .append(
                        "once event time follows the clock after `events.idleTimeout` with no input; they are listed apart, as ")
                .append("\"after the input\".\n\n")
                .append(
                        "The Taobao events are shifted so that the two datasets' median times meet (`interleavedBase`): in ")
                .append(
                        "plain `ts` order the YOOCHOOSE clicks (2014, item views only) would all come before the Taobao events ")
                .append("(2017, with carts, favourites and purchases).\n\n");
        if (r.maxMeasured) {
            md.append(
                            String.format(
                                    Locale.ROOT,
                                    "**Max.** %,.0f events/s: a backlog of %,d events written to a fresh topic ",
                                    r.maxRate,
                                    r.calibrationEvents))
                    .append(
                            String.format(
                                    Locale.ROOT,
                                    "first, then drained by a fresh job; the rate at which the detection "
                                            + "operator took in events from 10 %% to 90 %% of the backlog (%,d ms). ",
                                    r.calibrationMillis))
                    .append(
                            "Kafka in, detection, and the Redis and audit sinks are one back-pressured graph, so this is the rate ")
                    .append("at which Kafka-in to Redis-out keeps up.\n\n");
        } else {
            md.append(
                    String.format(
                            Locale.ROOT,
                            "**Max.** %,.0f events/s, given with `--max-rate`.\n\n",
                            r.maxRate));
        }
        md.append(
                String.format(
                        Locale.ROOT,
                        "Target: p99 below `events.maxOutOfOrderness` + %d ms = **%,d ms**.%n%n",
                        TARGET_SLACK_MS,
                        r.targetMs()));
        md.append(
                        "| share of max | events/s sent | delivered | readable | event → readable p50 / p99 / max ms (n) "
                                + "| deadline → readable p50 / p99 / max ms (n) | p99 within target | after the input: max ms (n) "
                                + "| GC pauses while sending: n, total / longest ms |\n")
                .append("|---:|---:|---:|---:|---|---|---|---|---|\n");
        for (RateRun x : r.runs) {
            boolean ok = x.caused.p99 <= r.targetMs() && x.stalls.p99 <= r.targetMs();
            md.append(
                    String.format(
                            Locale.ROOT,
                            "| %.0f %% | %,.0f (target %,.0f) | %,d | %,d | %s | %s | %s | %s "
                                    + "| %d, %,d / %,d |%n",
                            x.fraction * 100,
                            x.achievedRate,
                            x.targetRate,
                            x.delivered,
                            x.readable,
                            cell(x.caused),
                            cell(x.stalls),
                            ok ? "yes" : "**no**",
                            x.afterInput.count == 0
                                    ? "-"
                                    : String.format(
                                            Locale.ROOT,
                                            "%,d (%d)",
                                            x.afterInput.max,
                                            x.afterInput.count),
                            x.gcPauses,
                            x.gcPauseTotalMs,
                            x.gcPauseMaxMs));
        }
        md.append("\n![latency against input rate](benchmarks-latency.png)\n\n");
        md.append(
                String.format(
                        Locale.ROOT,
                        "Run %s on %s (`nproc` %s, %s, Java %s, JVM options `%s`), %,d s in all. "
                                + "Reproduce: `bench/run.sh --sections latency` with the options `%s`.%n",
                        ZonedDateTime.now().format(DateTimeFormatter.ISO_OFFSET_DATE_TIME),
                        BenchmarkReport.cpuModel(),
                        BenchmarkReport.command("nproc"),
                        BenchmarkReport.memTotal(),
                        System.getProperty("java.version"),
                        String.join(
                                " ",
                                java.lang.management.ManagementFactory.getRuntimeMXBean()
                                        .getInputArguments()),
                        r.totalMillis / 1000,
                        o.command));
        return md.toString();
    }

    private static String cell(Latencies l) {
        return l.count == 0
                ? "-"
                : String.format(Locale.ROOT, "%,d / %,d / %,d (%,d)", l.p50, l.p99, l.max, l.count);
    }

    /**
     * Latency (p50, p99, max of both kinds) against the rate sent, with the target as a dashed
     * line.
     */
    public static void chart(Result r, Path png) throws IOException {
        int w = 900;
        int h = 560;
        int left = 90;
        int right = 230;
        int top = 70;
        int bottom = 70;
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
        g.setRenderingHint(
                RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, w, h);
        int plotW = w - left - right;
        int plotH = h - top - bottom;

        double xMax = 1;
        double yMax = r.targetMs();
        for (RateRun x : r.runs) {
            xMax = Math.max(xMax, Math.max(x.achievedRate, x.targetRate));
            yMax = Math.max(yMax, Math.max(x.caused.max, x.stalls.max));
        }
        xMax = niceCeiling(xMax * 1.05);
        yMax = niceCeiling(yMax * 1.1);

        g.setColor(Color.BLACK);
        g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 20));
        center(g, "guidance: latency vs input rate (Kafka in, Redis out)", left + plotW / 2, 32);
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 14));
        center(
                g,
                String.format(
                        Locale.ROOT,
                        "parallelism %d, max %,.0f events/s, %d s per rate (shared machine: noisy)",
                        r.options.parallelism,
                        r.maxRate,
                        r.options.seconds),
                left + plotW / 2,
                54);

        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 13));
        FontMetrics fm = g.getFontMetrics();
        for (int i = 0; i <= 5; i++) {
            int y = top + plotH - (int) Math.round(plotH * i / 5.0);
            int x = left + (int) Math.round(plotW * i / 5.0);
            g.setColor(new Color(225, 225, 225));
            g.drawLine(left, y, left + plotW, y);
            g.drawLine(x, top, x, top + plotH);
            g.setColor(Color.BLACK);
            String yl = String.format(Locale.ROOT, "%,.0f", yMax * i / 5);
            g.drawString(yl, left - 8 - fm.stringWidth(yl), y + fm.getAscent() / 2 - 2);
            center(g, String.format(Locale.ROOT, "%,.0f", xMax * i / 5), x, top + plotH + 20);
        }
        g.drawRect(left, top, plotW, plotH);
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 15));
        center(g, "events per second sent", left + plotW / 2, h - 22);
        Graphics2D rot = (Graphics2D) g.create();
        rot.rotate(-Math.PI / 2);
        rot.setFont(g.getFont());
        rot.drawString(
                "latency (ms)",
                -(top + plotH / 2) - rot.getFontMetrics().stringWidth("latency (ms)") / 2,
                24);
        rot.dispose();

        // the target
        int ty = top + plotH - (int) Math.round(plotH * r.targetMs() / yMax);
        g.setColor(new Color(200, 40, 40));
        g.setStroke(
                new BasicStroke(
                        2f,
                        BasicStroke.CAP_BUTT,
                        BasicStroke.JOIN_MITER,
                        10f,
                        new float[] {8f, 6f},
                        0f));
        g.drawLine(left, ty, left + plotW, ty);

        String[] names = {
            "event: p50", "event: p99", "event: max", "stall: p50", "stall: p99", "stall: max"
        };
        Color blue = new Color(31, 119, 180);
        Color orange = new Color(255, 127, 14);
        Color[] colors = {blue, blue, blue, orange, orange, orange};
        float[][] dashes = {null, {10f, 5f}, {2f, 4f}, null, {10f, 5f}, {2f, 4f}};
        for (int s = 0; s < names.length; s++) {
            g.setColor(colors[s]);
            g.setStroke(
                    dashes[s] == null
                            ? new BasicStroke(3f)
                            : new BasicStroke(
                                    2.5f,
                                    BasicStroke.CAP_BUTT,
                                    BasicStroke.JOIN_MITER,
                                    10f,
                                    dashes[s],
                                    0f));
            int px = -1;
            int py = -1;
            for (RateRun x : r.runs) {
                Latencies l = s < 3 ? x.caused : x.stalls;
                if (l.count == 0) {
                    continue;
                }
                long v = s % 3 == 0 ? l.p50 : s % 3 == 1 ? l.p99 : l.max;
                int cx = left + (int) Math.round(plotW * x.achievedRate / xMax);
                int cy = top + plotH - (int) Math.round(plotH * v / yMax);
                if (px >= 0) {
                    g.drawLine(px, py, cx, cy);
                }
                g.fillOval(cx - 4, cy - 4, 8, 8);
                px = cx;
                py = cy;
            }
            // legend
            int ly = top + 10 + s * 24;
            g.drawLine(left + plotW + 20, ly, left + plotW + 60, ly);
            g.setColor(Color.BLACK);
            g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 13));
            g.drawString(
                    names[s] + (s < 3 ? " (event → Redis)" : " (deadline → Redis)"),
                    left + plotW + 66,
                    ly + 5);
        }
        int ly = top + 10 + names.length * 24;
        g.setColor(new Color(200, 40, 40));
        g.setStroke(
                new BasicStroke(
                        2f,
                        BasicStroke.CAP_BUTT,
                        BasicStroke.JOIN_MITER,
                        10f,
                        new float[] {8f, 6f},
                        0f));
        g.drawLine(left + plotW + 20, ly, left + plotW + 60, ly);
        g.setColor(Color.BLACK);
        g.drawString(
                String.format(Locale.ROOT, "target %,d ms", r.targetMs()),
                left + plotW + 66,
                ly + 5);
        g.dispose();
        Files.createDirectories(png.toAbsolutePath().getParent());
        ImageIO.write(img, "png", png.toFile());
    }

    private static void center(Graphics2D g, String s, int x, int y) {
        g.drawString(s, x - g.getFontMetrics().stringWidth(s) / 2, y);
    }

    private static double niceCeiling(double v) {
        double p = Math.pow(10, Math.floor(Math.log10(Math.max(v, 1e-9))));
        for (double m : new double[] {1, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10}) {
            if (m * p >= v) {
                return m * p;
            }
        }
        return 10 * p;
    }

    static void log(String format, Object... args) {
        System.out.printf(Locale.ROOT, "[latency] " + format + "%n", args);
        System.out.flush();
    }

    public static void main(String[] args) throws Exception {
        System.setProperty("java.awt.headless", "true");
        Options o = Options.parse(args);
        Result r = run(o);
        String md = markdown(r);
        System.out.println();
        System.out.println(md);
        Path png = Path.of("benchmarks-latency.png");
        chart(r, png);
        if (o.trace != null) {
            List<String> lines = new ArrayList<>();
            lines.add(
                    "share of max,ms after the measured window opened,rule,kind,status,latency ms");
            for (RateRun x : r.runs) {
                for (String t : x.trace) {
                    lines.add(x.fraction + "," + t);
                }
            }
            Files.write(o.trace, lines);
            List<String> samples = new ArrayList<>();
            samples.add(
                    "share of max,ms after the measured window opened,restarts,failed checkpoints,"
                            + "completed checkpoints");
            for (RateRun x : r.runs) {
                for (String t : x.samples) {
                    samples.add(x.fraction + "," + t);
                }
            }
            Files.write(Path.of(o.trace + ".samples.csv"), samples);
        }
        log("wrote %s", png);
    }
}
