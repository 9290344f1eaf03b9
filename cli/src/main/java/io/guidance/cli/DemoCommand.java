package io.guidance.cli;

import io.guidance.config.JobKeys;
import io.guidance.event.DeadLetter;
import io.guidance.event.Event;
import io.guidance.event.EventJson;
import io.guidance.local.LocalRedis;
import io.guidance.local.LocalStack;
import io.guidance.local.importer.TaobaoImporter;
import io.guidance.pipeline.FlinkSettings;
import io.guidance.pipeline.GuidanceJob;
import io.guidance.pipeline.JobConfig;
import io.guidance.pipeline.LiveRules;
import io.guidance.pipeline.kafka.DeadLetterSerializer;
import io.guidance.rules.PublishedRules;
import io.guidance.rules.RuleSet;
import io.guidance.rules.RuleValidationException;
import io.guidance.trigger.Trigger;
import io.guidance.trigger.TriggerJson;
import io.guidance.web.GuidanceWebServer;
import io.guidance.web.WebSettings;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import redis.clients.jedis.JedisPubSub;
import redis.clients.jedis.RedisClient;

/**
 * {@code guidance demo}: the whole product on this machine. A real Kafka broker in this JVM, a real
 * Redis server, the job on a Flink MiniCluster, and a producer replaying the Taobao sample that the
 * repository ships, time-compressed. Beside it the demo shop: the HTTP service with guidance.js and
 * a few shop pages, feeding a second job on the wall clock. Prints each trigger as Redis receives
 * it. Stops on Ctrl-C or after {@code --seconds}, and leaves nothing running.
 */
final class DemoCommand {
    static final String USAGE =
            "guidance demo [--seconds N] [--speed X] [--port N] [--rules FILE] [--data FILE]"
                    + " [--out DIR]";

    static final String DESCRIPTION =
            "run the whole pipeline locally (Kafka, Redis, Flink) on a dataset sample, with a demo shop";

    static final String HELP =
            Args.help(
                    DESCRIPTION,
                    USAGE,
                    "--seconds N",
                    "stop after N seconds (default 0: run until Ctrl-C)",
                    "--speed X",
                    "replay the dataset X times faster than it happened (default 3600)",
                    "--port N",
                    "serve the demo shop on port N (default 8080, 0 picks a free port)",
                    "--rules FILE",
                    "the rules to start with (default config/rules.yaml)",
                    "--data FILE",
                    "the Taobao CSV to replay (default data/samples/taobao-sample.csv)",
                    "--out DIR",
                    "leave the run's folder guidance-demo-YYYYMMDD-HHMMSS in DIR (default .)");

    /** Where the demo shop is served; {@code --port} changes it, 0 picks a free port. */
    static final int DEFAULT_PORT = 8080;

    /** The dataset replay's topics: guidance-events, guidance-dead-letters, ... */
    static final LocalStack.Topics TOPICS = LocalStack.Topics.named("guidance");

    /**
     * The demo shop's own topics: its events run on the wall clock, the dataset replay runs far
     * ahead of it. The rules topic is shared: one publish changes both jobs.
     */
    static final LocalStack.Topics SHOP_TOPICS =
            LocalStack.Topics.named("guidance-shop").withRules(TOPICS.rules());

    static final String EVENTS_TOPIC = TOPICS.events();
    static final String DEAD_LETTER_TOPIC = TOPICS.deadLetters();
    static final String AUDIT_TOPIC = TOPICS.audit();
    static final String SHOP_DEAD_LETTER_TOPIC = SHOP_TOPICS.deadLetters();
    static final String SHOP_AUDIT_TOPIC = SHOP_TOPICS.audit();

    /**
     * The shop job's Redis key prefix. The two jobs share one Redis; each keeps its own triggers
     * and experiment totals, so a shop visitor's guide is never taken for a dataset guide and the
     * two jobs do not overwrite each other's totals of the same experiment.
     */
    static final String SHOP_REDIS_PREFIX = "guidance-shop";

    /** How often the experiment table is printed while the demo runs (and once at stop). */
    static final long EXPERIMENT_TABLE_EVERY_MS = 10_000;

    /** The jobs' names, which the rules version gauges are kept under. */
    static final String JOB_NAME = "guidance-demo";

    static final String SHOP_JOB_NAME = "guidance-demo-shop";

    /**
     * A longer quiet spell in the dataset is cut to this on the wall clock (the sample starts with
     * stray old rows).
     */
    static final long MAX_PAUSE_MS = 2_000;

    /** Dead letters of each reason the demo did not cause on purpose that are printed in full. */
    static final int UNEXPECTED_DEAD_LETTERS_SHOWN = 5;

    /** One deliberately broken record after this many events, so the dead-letter path shows too. */
    static final int BROKEN_RECORD_EVERY = 500;

    private static final DateTimeFormatter DATASET_TIME =
            DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm").withZone(ZoneOffset.ofHours(8));

    private final PrintStream out;
    private final long startedAt = System.nanoTime();
    private final AtomicLong eventsSent = new AtomicLong();
    private final AtomicLong brokenSent = new AtomicLong();
    private final AtomicLong triggersSeen = new AtomicLong();
    private final AtomicLong deadLetters = new AtomicLong();

    /** Dead letters by reason, in alphabetical order of the reason. */
    private final Map<String, AtomicLong> deadLettersByReason = new ConcurrentSkipListMap<>();

    private final AtomicLong suppressed = new AtomicLong();

    /** The rules the experiment table reads the shares from: the newest version in force. */
    private volatile RuleSet rules;

    /** The newest published version not yet reported in force; -1 when none is waiting. */
    private volatile long waitingVersion = -1;

    private volatile RuleSet waitingRules;

    private volatile String waitingYaml;

    /** The text of the rules in force, left in the run's folder. */
    private volatile String rulesYaml;

    /**
     * The published rules version in force in both jobs; 0 is the rules file the demo started with.
     */
    private volatile long versionInForce;

    private volatile DemoRunFolder folder;
    private volatile RedisClient redisReader;
    private volatile String redisPrefix;
    private final AtomicBoolean stopping = new AtomicBoolean();

    /** Counted down once on stop: wakes every sleeping demo thread at once. */
    private final CountDownLatch stopSignal = new CountDownLatch(1);

    /**
     * Called first on stop, before the threads are joined: they unblock whatever a thread waits on.
     */
    private final List<Runnable> wakers = new ArrayList<>();

    private final List<AutoCloseable> resources = new ArrayList<>();
    private final List<Thread> threads = new ArrayList<>();
    private volatile long timeShift;

    private DemoCommand(PrintStream out) {
        this.out = out;
    }

    static int run(String[] args, PrintStream out, PrintStream err) throws Exception {
        Args a = Args.parse(args, 1, Set.of("seconds", "speed", "port", "rules", "data", "out"));
        if (!a.positional().isEmpty()) {
            throw new Args.UsageException("unexpected argument '" + a.positional().get(0) + "'");
        }
        int seconds = a.intOption("seconds", 0);
        int speed = a.intOption("speed", 3600);
        int port = a.intOption("port", DEFAULT_PORT);
        if (seconds < 0) {
            throw new Args.UsageException("--seconds must be 0 or more, not " + seconds);
        }
        if (speed < 1) {
            throw new Args.UsageException("--speed must be at least 1, not " + speed);
        }
        if (port < 0 || port > 65_535) {
            throw new Args.UsageException("--port must be 0 to 65535, not " + port);
        }
        // Everything that can be checked is checked before Kafka, Redis and Flink start.
        Path rulesFile = Args.existingFile(a.get("rules", "config/rules.yaml"));
        Path data = Args.existingFile(a.get("data", "data/samples/taobao-sample.csv"));
        checkPortFree(port);
        RuleSet rules = RulesCommand.load(rulesFile);
        List<Event> events = new TaobaoImporter().readSorted(data);
        Path outParent = Path.of(a.get("out", "."));
        if (!Files.isDirectory(outParent)) {
            throw new Args.InputException(
                    "--out " + outParent + ": no such directory; create it or pass another");
        }

        DemoCommand demo = new DemoCommand(out);
        demo.rulesYaml = Files.readString(rulesFile);
        demo.folder = DemoRunFolder.create(outParent);
        CountDownLatch stopped = new CountDownLatch(1);
        Thread hook =
                new Thread(
                        () -> {
                            demo.stop();
                            stopped.countDown();
                        },
                        "demo-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        try {
            demo.start(rules, events, speed, data, port);
            if (seconds > 0) {
                stopped.await(seconds, TimeUnit.SECONDS);
            } else {
                out.println("Ctrl-C to stop.");
                stopped.await();
            }
        } finally {
            demo.stop();
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException shuttingDown) {
                // already running: it calls stop(), which is idempotent
            }
        }
        return 0;
    }

    /** Binds the shop's port and lets it go: a busy port is found before anything starts. */
    static void checkPortFree(int port) throws Args.InputException {
        if (port == 0) {
            return;
        }
        try (ServerSocket probe = new ServerSocket()) {
            probe.bind(new InetSocketAddress(port));
        } catch (IOException e) {
            throw new Args.InputException(
                    "port " + port + " is in use: stop what uses it or pass --port N");
        }
    }

    private void start(RuleSet rules, List<Event> events, int speed, Path data, int port)
            throws Exception {
        this.rules = rules;
        say("this run's records go to " + folder.dir() + "/ (kept when the demo stops)");
        say("starting Redis and Kafka (a KRaft broker in this process)");
        LocalStack stack = LocalStack.start(TOPICS, 2);
        resources.add(stack);
        // stop() closes the stack after reading the experiments from Redis; on Ctrl-C it runs in
        // a shutdown hook, and the stack's own hooks would stop Redis and Kafka beside it
        stack.leaveClosingToOwner();
        LocalRedis redis = stack.redis();
        say("Redis " + redis.binary() + " on port " + redis.port());
        say(
                "Kafka on "
                        + stack.bootstrapServers()
                        + "; change the rules while it runs with: ./guidance rules publish"
                        + " FILE --bootstrap "
                        + stack.bootstrapServers());

        Map<String, String> settings = stack.settings(TOPICS);
        settings.putAll(
                Map.of(
                        "kafka.groupId", "guidance-demo",
                        "events.idleTimeout", "2s",
                        // the dataset's event time runs thousands of times faster than the clock,
                        // hours ahead of it within seconds: no bound on how far ahead it may be
                        "events.maxFutureSkew", "0s",
                        "job.name", JOB_NAME,
                        "job.parallelism", "2",
                        "job.checkpointInterval", "2s"));
        JobConfig config = JobConfig.of(settings);
        // The shop: the same graph, rules topic and Redis, on topics and keys of its own. Its
        // events carry the browser's clock, while the dataset replay's event time runs thousands of
        // times faster than the wall clock: one watermark cannot serve both, so the shop is a job
        // of its own.
        stack.createTopics(SHOP_TOPICS, 1);
        settings.putAll(stack.settings(SHOP_TOPICS));
        settings.putAll(
                Map.of(
                        "kafka.groupId",
                        "guidance-demo-shop",
                        // the shop's events carry the browser's clock, clamped by the collector:
                        // the usual bound
                        JobKeys.MAX_FUTURE_SKEW.key(),
                        JobKeys.MAX_FUTURE_SKEW.defaultText(),
                        "job.name",
                        SHOP_JOB_NAME,
                        "job.parallelism",
                        "1",
                        "redis.prefix",
                        SHOP_REDIS_PREFIX));
        JobConfig shopConfig = JobConfig.of(settings);
        Map<String, String> shopService = new HashMap<>(settings);
        shopService.putAll(
                Map.of(
                        "web.host", "127.0.0.1",
                        "web.port", Integer.toString(port),
                        "web.demoShop", "true",
                        // on loopback, so no token: the dataset's totals, then the shop's
                        "web.dashboard", "true",
                        "web.dashboardPrefixes",
                                config.get("redis.prefix") + "," + SHOP_REDIS_PREFIX));
        redisPrefix = config.get("redis.prefix");
        watchRedis(redis, redisPrefix);
        redisReader = RedisClient.builder().hostAndPort(redis.host(), redis.port()).build();
        resources.add(redisReader);
        String bootstrap = stack.bootstrapServers();
        consume(bootstrap, DEAD_LETTER_TOPIC, this::deadLetter);
        // Delivered and held-back triggers from one stream, the audit topic: it is keyed by user,
        // so each user's triggers arrive in the order the delivery policy decided them, and a
        // held-back trigger is never printed before the guide it was held against.
        consume(
                bootstrap,
                AUDIT_TOPIC,
                r -> {
                    folder.append(DemoRunFolder.AUDIT, r.value());
                    say(triggerLine(TriggerJson.fromJson(utf8(r.value()))));
                });
        consume(
                bootstrap,
                TOPICS.experiments(),
                r -> folder.append(DemoRunFolder.EXPERIMENTS, r.value()));
        consume(bootstrap, TOPICS.rules(), this::rulesPublished);

        say("starting the job on a Flink MiniCluster with " + rules.rules.size() + " rules");
        StreamExecutionEnvironment env =
                StreamExecutionEnvironment.getExecutionEnvironment(flinkSettings(config));
        JobClient job = GuidanceJob.start(env, config, LiveRules.of(rules));
        resources.add(0, () -> job.cancel().get(30, TimeUnit.SECONDS));
        StreamExecutionEnvironment shopEnv =
                StreamExecutionEnvironment.getExecutionEnvironment(flinkSettings(shopConfig));
        JobClient shopJob = GuidanceJob.start(shopEnv, shopConfig, LiveRules.of(rules));
        resources.add(0, () -> shopJob.cancel().get(30, TimeUnit.SECONDS));
        consume(bootstrap, SHOP_DEAD_LETTER_TOPIC, this::deadLetter);
        consume(
                bootstrap,
                SHOP_AUDIT_TOPIC,
                r -> {
                    folder.append(DemoRunFolder.SHOP_AUDIT, r.value());
                    Trigger t = TriggerJson.fromJson(utf8(r.value()));
                    if (!t.isDelivered()) {
                        suppressed.incrementAndGet();
                    } else {
                        triggersSeen.incrementAndGet();
                    }
                    say(
                            String.format(
                                    "  shop %-16s -> %-12s (%s: %s) %s",
                                    t.guide, t.userId, t.ruleId, why(t), t.status));
                });
        consume(
                bootstrap,
                SHOP_TOPICS.experiments(),
                r -> folder.append(DemoRunFolder.SHOP_EXPERIMENTS, r.value()));
        folder.routeWebLog();
        GuidanceWebServer web = GuidanceWebServer.start(WebSettings.of(shopService));
        resources.add(0, web);
        say(
                "live dashboard of experiments and guide funnels: http://localhost:"
                        + web.port()
                        + "/dashboard");
        say(
                "the shop's job is running; open http://localhost:"
                        + web.port()
                        + " and wait on the checkout page");

        say(
                String.format(
                        "replaying %d events of %s at %dx (dataset time runs %d s per second)",
                        events.size(), data.getFileName(), speed, speed));
        produce(bootstrap, events, speed);
        background(
                "demo-status",
                () -> {
                    long nextStatus = System.currentTimeMillis() + 5_000;
                    long nextTable = System.currentTimeMillis() + EXPERIMENT_TABLE_EVERY_MS;
                    while (!stopping.get()) {
                        pause(1_000);
                        if (stopping.get()) {
                            return;
                        }
                        checkRulesInForce();
                        long now = System.currentTimeMillis();
                        if (now >= nextStatus) {
                            say("events " + status());
                            nextStatus = now + 5_000;
                        }
                        if (now >= nextTable) {
                            printExperimentTable();
                            nextTable = now + EXPERIMENT_TABLE_EVERY_MS;
                        }
                    }
                });
    }

    /** The job's Flink settings, plus the reporter that lets the demo read the rules version. */
    private static org.apache.flink.configuration.Configuration flinkSettings(JobConfig config) {
        org.apache.flink.configuration.Configuration c = FlinkSettings.from(config);
        c.set(
                org.apache.flink.configuration.ConfigOptions.key(RulesVersionGauges.CONFIG_KEY)
                        .stringType()
                        .noDefaultValue(),
                RulesVersionGauges.class.getName());
        return c;
    }

    /**
     * A line of the dataset's audit: a delivered guide, or a trigger held back with the policy's
     * reason ({@code suppressed:control} and {@code suppressed:holdout} for experiments).
     */
    String triggerLine(Trigger t) {
        String when = DATASET_TIME.format(Instant.ofEpochMilli(t.ts - timeShift));
        String session = t.sessionId == null ? "" : "session " + t.sessionId;
        if (t.isDelivered()) {
            return String.format(
                    "guide %-16s -> %-12s %-20s %s  (%s: %s)",
                    t.guide, t.userId, session, when, t.ruleId, why(t));
        }
        suppressed.incrementAndGet();
        return String.format(
                "  held %-16s -> %-12s %-20s %s  (%s: %s) %s",
                t.guide, t.userId, session, when, t.ruleId, why(t), t.status);
    }

    /**
     * A version on the rules topic: valid ones are awaited in the jobs, refused ones said at once
     * (the jobs keep their rules and dead-letter it as {@code bad_rules}).
     */
    private void rulesPublished(ConsumerRecord<byte[], byte[]> r) {
        PublishedRules published;
        RuleSet parsed;
        try {
            published = PublishedRules.fromJson(r.value());
            parsed = published.parseRules();
        } catch (IllegalArgumentException | RuleValidationException e) {
            say("rules published but refused; the jobs keep their rules: " + firstLine(e));
            return;
        }
        waitingRules = parsed;
        waitingYaml = published.yaml;
        waitingVersion = published.version;
        say(
                "rules version "
                        + published.version
                        + " published ("
                        + parsed.rules.size()
                        + " rules); waiting for both jobs to apply it");
    }

    /** Says once that the published version is in force in every subtask of both jobs. */
    private void checkRulesInForce() {
        long v = waitingVersion;
        if (v < 0) {
            return;
        }
        long dataset = RulesVersionGauges.versionInForce(JOB_NAME).orElse(-1);
        long shop = RulesVersionGauges.versionInForce(SHOP_JOB_NAME).orElse(-1);
        if (dataset >= v && shop >= v) {
            rules = waitingRules;
            rulesYaml = waitingYaml;
            versionInForce = v;
            waitingVersion = -1;
            say("rules version " + v + " is in force in both jobs");
        }
    }

    private static String firstLine(Exception e) {
        String m = String.valueOf(e.getMessage());
        int nl = m.indexOf('\n');
        return nl < 0 ? m : m.substring(0, nl);
    }

    /** The experiment table from the dataset job's Redis hashes, if there is anything to show. */
    private List<String> experimentTable() {
        Map<String, Map<String, String>> hashes = new TreeMap<>();
        String keyPrefix = redisPrefix + ":experiment:";
        for (String key : redisReader.keys(keyPrefix + "*")) {
            hashes.put(key.substring(keyPrefix.length()), redisReader.hgetAll(key));
        }
        return ExperimentTable.lines(rules, hashes);
    }

    private void printExperimentTable() {
        try {
            List<String> lines = experimentTable();
            if (!lines.isEmpty()) {
                say("experiments (users exposed and converted so far, from Redis):");
                lines.forEach(this::say);
            }
        } catch (RuntimeException e) {
            say("experiment results not readable from Redis: " + e.getMessage());
        }
    }

    private static String utf8(byte[] b) {
        return new String(b, StandardCharsets.UTF_8);
    }

    /**
     * Sends the events in time order, paced at {@code speed} times their real spacing, shifted to
     * start now.
     */
    private void produce(String bootstrap, List<Event> events, int speed) {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        p.put(ProducerConfig.LINGER_MS_CONFIG, "5");
        KafkaProducer<String, byte[]> producer = new KafkaProducer<>(p);
        resources.add(0, () -> producer.close(Duration.ofSeconds(5)));
        long first = events.get(0).ts;
        long wallStart = System.currentTimeMillis();
        // Event time starts now and then runs at the dataset's pace, ahead of the wall clock. It
        // must not start in the
        // past: a partition that saw nothing yet follows the wall clock, and would take older
        // events for late ones.
        timeShift = wallStart - first;
        background(
                "demo-producer",
                () -> {
                    int n = 0;
                    long previous = first;
                    long due = wallStart;
                    for (Event e : events) {
                        due += Math.min((e.ts - previous) / speed, MAX_PAUSE_MS);
                        previous = e.ts;
                        long wait = due - System.currentTimeMillis();
                        if (wait > 0) {
                            pause(wait);
                        }
                        if (stopping.get()) {
                            return;
                        }
                        Event shifted =
                                new Event(
                                        e.eventId,
                                        e.userId,
                                        e.sessionId,
                                        e.ts + timeShift,
                                        e.type,
                                        e.page,
                                        e.target,
                                        e.props);
                        producer.send(
                                new ProducerRecord<>(
                                        EVENTS_TOPIC, e.userId, EventJson.toJsonBytes(shifted)));
                        eventsSent.incrementAndGet();
                        if (++n % BROKEN_RECORD_EVERY == 0) {
                            byte[] broken =
                                    (n / BROKEN_RECORD_EVERY) % 2 == 1
                                            ? "{\"eventId\": \"broken-"
                                                    .concat(Integer.toString(n))
                                                    .concat("\", \"ts\": ")
                                                    .getBytes(StandardCharsets.UTF_8)
                                            : ("{\"eventId\":\"no-user-"
                                                            + n
                                                            + "\",\"sessionId\":\"s\",\"ts\":"
                                                            + (e.ts + timeShift)
                                                            + ",\"type\":\"click\"}")
                                                    .getBytes(StandardCharsets.UTF_8);
                            producer.send(new ProducerRecord<>(EVENTS_TOPIC, "broken", broken));
                            brokenSent.incrementAndGet();
                        }
                    }
                    producer.flush();
                    say(
                            "dataset replayed: "
                                    + eventsSent.get()
                                    + " events and "
                                    + brokenSent.get()
                                    + " broken records sent; still watching (stalls still open fire as event time passes)");
                });
    }

    /**
     * Counts the dataset job's guides as Redis receives them, from keyspace notifications on its
     * trigger keys (the lines themselves are printed from the audit topic, in decision order).
     */
    private void watchRedis(LocalRedis redis, String prefix) {
        RedisClient client = RedisClient.builder().hostAndPort(redis.host(), redis.port()).build();
        resources.add(client);
        client.configSet("notify-keyspace-events", "K$");
        Set<String> counted = new HashSet<>();
        JedisPubSub listener =
                new JedisPubSub() {
                    @Override
                    public void onPMessage(String pattern, String channel, String message) {
                        if (!"set".equals(message)) {
                            return;
                        }
                        String key = channel.substring(channel.indexOf(':') + 1);
                        String json = client.get(key);
                        if (json != null && counted.add(TriggerJson.fromJson(json).triggerId)) {
                            triggersSeen.incrementAndGet();
                        }
                    }
                };
        RedisClient subscriber =
                RedisClient.builder().hostAndPort(redis.host(), redis.port()).build();
        wakers.add(
                () -> {
                    if (listener.isSubscribed()) {
                        listener.punsubscribe();
                    }
                });
        resources.add(0, subscriber);
        background(
                "demo-redis-watch",
                () -> {
                    try {
                        subscriber.psubscribe(listener, "__keyspace@0__:" + prefix + ":user:*");
                    } catch (RuntimeException e) {
                        if (!stopping.get()) {
                            say("Redis watch stopped: " + e.getMessage());
                        }
                    }
                });
    }

    /** The reason of a trigger in a few words, from the numbers it carries. */
    static String why(Trigger t) {
        Map<String, String> r = t.reason;
        java.util.function.Function<String, String> d =
                k ->
                        r.containsKey(k)
                                ? io.guidance.rules.Durations.format(Long.parseLong(r.get(k)))
                                : "?";
        switch (t.kind) {
            case "stall":
                return "no progress within " + d.apply("within");
            case "burst":
                return r.get("count")
                        + " in "
                        + d.apply("within")
                        + (r.containsKey("value") ? " on " + r.get("value") : "");
            case "loop":
                return r.get("value") + " " + r.get("times") + " times within " + d.apply("within");
            case "threshold":
                return r.get("count")
                        + " of "
                        + r.get("target")
                        + (r.containsKey("reached") ? ", reached" : "");
            case "comeback":
                return String.format(
                        "back after %.1f days",
                        Long.parseLong(r.getOrDefault("away", "0")) / 86_400_000.0);
            default:
                return r.toString();
        }
    }

    /**
     * Reads a topic from its start on a thread of its own, handing each record to {@code onRecord}.
     */
    private void consume(
            String bootstrap,
            String topic,
            java.util.function.Consumer<ConsumerRecord<byte[], byte[]>> onRecord) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ConsumerConfig.GROUP_ID_CONFIG, "guidance-demo-" + topic);
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        p.put(
                ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG,
                ByteArrayDeserializer.class.getName());
        KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(p);
        consumer.subscribe(List.of(topic));
        wakers.add(consumer::wakeup);
        background(
                "demo-" + topic,
                () -> {
                    try {
                        while (!stopping.get()) {
                            consumer.poll(Duration.ofMillis(500)).forEach(onRecord);
                        }
                    } catch (org.apache.kafka.common.errors.WakeupException e) {
                        // stopping
                    } finally {
                        consumer.close(Duration.ofSeconds(2));
                    }
                });
    }

    /**
     * The running totals after "events": {@code 1200 | guides in Redis 3 | ... | dead letters 2
     * (not_json 1)}.
     */
    private String status() {
        StringBuilder reasons = new StringBuilder();
        deadLettersByReason.forEach(
                (reason, n) ->
                        reasons.append(reasons.length() == 0 ? " (" : ", ")
                                .append(reason)
                                .append(' ')
                                .append(n.get()));
        return String.format(
                "%d | guides in Redis %d | held back %d | dead letters %d%s",
                eventsSent.get(),
                triggersSeen.get(),
                suppressed.get(),
                deadLetters.get(),
                reasons.length() == 0 ? "" : reasons + ")");
    }

    /**
     * Counts a dead letter by its reason. The first few of each reason the demo did not break on
     * purpose are printed with their detail; the rest only count, so a burst of them does not flood
     * the screen.
     */
    private void deadLetter(ConsumerRecord<byte[], byte[]> r) {
        String reason = header(r, DeadLetterSerializer.REASON);
        long n =
                deadLettersByReason
                        .computeIfAbsent(reason, k -> new AtomicLong())
                        .incrementAndGet();
        deadLetters.incrementAndGet();
        folder.deadLetter(r.topic(), reason, header(r, DeadLetterSerializer.DETAIL), r.value());
        boolean deliberate =
                reason.equals(DeadLetter.NOT_JSON) || reason.equals(DeadLetter.MISSING_FIELD);
        if (!deliberate && n <= UNEXPECTED_DEAD_LETTERS_SHOWN) {
            say(
                    String.format(
                            "  dead letter %s on %s: %s%s",
                            reason,
                            r.topic(),
                            header(r, DeadLetterSerializer.DETAIL),
                            n == UNEXPECTED_DEAD_LETTERS_SHOWN
                                    ? " (more of these are only counted)"
                                    : ""));
        }
    }

    private static String header(ConsumerRecord<byte[], byte[]> r, String name) {
        Header h = r.headers().lastHeader(name);
        return h == null ? "?" : new String(h.value(), StandardCharsets.UTF_8);
    }

    /**
     * Idempotent: stops the threads, cancels the job, then closes Kafka and Redis (in reverse order
     * of start).
     */
    synchronized void stop() {
        if (!stopping.compareAndSet(false, true)) {
            return;
        }
        String finalStatus = "events " + status();
        say("stopping: " + finalStatus);
        stopSignal.countDown();
        for (Runnable w : wakers) {
            try {
                w.run();
            } catch (RuntimeException e) {
                say("while stopping: " + e);
            }
        }
        for (Thread t : threads) {
            try {
                t.join(5_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        List<String> table = List.of();
        if (redisReader != null) {
            try {
                table = experimentTable();
            } catch (RuntimeException e) {
                say("experiment results not readable from Redis: " + e.getMessage());
            }
        }
        if (!table.isEmpty()) {
            say("experiments at stop (users exposed and converted, from Redis):");
            table.forEach(this::say);
        }
        for (AutoCloseable r : resources) {
            try {
                r.close();
            } catch (Exception e) {
                say("while stopping: " + e);
            }
        }
        leaveFolder(finalStatus, table);
        say("stopped; nothing left running");
    }

    /**
     * {@code guidance report} over the run's audit, experiment records and rules in force, into the
     * run's folder (report.html, report.json; what it prints goes to report.txt).
     */
    private void writeReport(Path dir) {
        Path audit = dir.resolve(DemoRunFolder.AUDIT);
        if (!Files.exists(audit)) {
            return;
        }
        List<String> args =
                new ArrayList<>(
                        List.of(
                                "report",
                                "--triggers",
                                audit.toString(),
                                "--rules",
                                dir.resolve(DemoRunFolder.RULES).toString(),
                                "--out",
                                dir.toString()));
        Path experiments = dir.resolve(DemoRunFolder.EXPERIMENTS);
        if (Files.exists(experiments)) {
            args.addAll(List.of("--experiments", experiments.toString()));
        }
        java.io.ByteArrayOutputStream text = new java.io.ByteArrayOutputStream();
        PrintStream printed = new PrintStream(text, true, StandardCharsets.UTF_8);
        try {
            int code = ReportCommand.run(args.toArray(new String[0]), printed, printed);
            Files.write(dir.resolve(DemoRunFolder.REPORT_TEXT), text.toByteArray());
            if (code != 0) {
                say("the run's report was not written; see " + DemoRunFolder.REPORT_TEXT);
            }
        } catch (Exception e) {
            say("the run's report was not written: " + e.getMessage());
        }
    }

    /** Writes the summary, closes the run's files and names the folder and what it holds. */
    private void leaveFolder(String finalStatus, List<String> table) {
        if (folder == null) {
            return;
        }
        try {
            List<String> summary = new ArrayList<>();
            summary.add("guidance demo run, stopped " + Instant.now());
            summary.add(finalStatus);
            summary.add(
                    "rules in force: "
                            + (versionInForce == 0
                                    ? "the rules file the demo started with"
                                    : "version " + versionInForce + " from the rules topic"));
            summary.add("");
            summary.add("experiments (users exposed and converted, dataset job):");
            summary.addAll(table.isEmpty() ? List.of("  none yet") : table);
            summary.add("");
            summary.add(
                    "files: "
                            + DemoRunFolder.AUDIT
                            + " and "
                            + DemoRunFolder.SHOP_AUDIT
                            + " (every trigger with its status), "
                            + DemoRunFolder.EXPERIMENTS
                            + " and "
                            + DemoRunFolder.SHOP_EXPERIMENTS
                            + " (exposures and conversions), "
                            + DemoRunFolder.DEAD_LETTERS
                            + " (topic, reason, detail, record), "
                            + DemoRunFolder.WEB_LOG
                            + " (the shop's web server), "
                            + DemoRunFolder.RULES
                            + " (the rules in force at stop)");
            folder.write(DemoRunFolder.RULES, rulesYaml);
            folder.summary(summary);
            folder.close();
            writeReport(folder.dir());
            say("this run is in " + folder.dir() + "/: " + String.join(", ", folder.fileNames()));
        } catch (IOException | RuntimeException e) {
            say("the run's folder " + folder.dir() + " is incomplete: " + e);
        }
    }

    private void background(String name, Runnable body) {
        Thread t = new Thread(body, name);
        t.setDaemon(true);
        threads.add(t);
        t.start();
    }

    private void say(String line) {
        double s = (System.nanoTime() - startedAt) / 1e9;
        synchronized (out) {
            out.printf("[%6.1fs] %s%n", s, line);
            out.flush();
        }
    }

    /** Sleeps, or returns at once when the demo stops. */
    private void pause(long ms) {
        try {
            stopSignal.await(ms, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
