package io.guidance.cli;

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
import io.guidance.rules.RuleSet;
import io.guidance.trigger.Trigger;
import io.guidance.trigger.TriggerJson;
import io.guidance.web.GuidanceWebServer;
import io.guidance.web.WebSettings;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
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
            "guidance demo [--seconds N] [--speed X] [--port N] [--rules FILE] [--data FILE]";

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
                    "the Taobao CSV to replay (default data/samples/taobao-sample.csv)");

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
        Args a = Args.parse(args, 1, Set.of("seconds", "speed", "port", "rules", "data"));
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

        DemoCommand demo = new DemoCommand(out);
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
        say("starting Redis and Kafka (a KRaft broker in this process)");
        LocalStack stack = LocalStack.start(TOPICS, 2);
        resources.add(stack);
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
                        "job.name", "guidance-demo",
                        "job.parallelism", "2",
                        "job.checkpointInterval", "2s"));
        JobConfig config = JobConfig.of(settings);
        // The shop: the same graph, rules topic and Redis, on topics of its own. Its events carry
        // the browser's clock, while the dataset replay's event time runs thousands of times faster
        // than the wall clock: one watermark cannot serve both, so the shop is a job of its own.
        stack.createTopics(SHOP_TOPICS, 1);
        settings.putAll(stack.settings(SHOP_TOPICS));
        settings.putAll(
                Map.of(
                        "kafka.groupId", "guidance-demo-shop",
                        "job.name", "guidance-demo-shop",
                        "job.parallelism", "1"));
        JobConfig shopConfig = JobConfig.of(settings);
        Map<String, String> shopService = new HashMap<>(settings);
        shopService.putAll(
                Map.of(
                        "web.host", "127.0.0.1",
                        "web.port", Integer.toString(port),
                        "web.demoShop", "true"));
        watchRedis(redis, config.get("redis.prefix"));
        consume(stack.bootstrapServers(), DEAD_LETTER_TOPIC, this::deadLetter);
        consume(
                stack.bootstrapServers(),
                AUDIT_TOPIC,
                r -> {
                    Trigger t = TriggerJson.fromJson(new String(r.value(), StandardCharsets.UTF_8));
                    if (!t.isDelivered()) {
                        suppressed.incrementAndGet();
                        say(
                                String.format(
                                        "  held %-16s -> %-12s %-20s %s  (%s: %s) %s",
                                        t.guide,
                                        t.userId,
                                        t.sessionId == null ? "" : "session " + t.sessionId,
                                        DATASET_TIME.format(Instant.ofEpochMilli(t.ts - timeShift)),
                                        t.ruleId,
                                        why(t),
                                        t.status));
                    }
                });

        say("starting the job on a Flink MiniCluster with " + rules.rules.size() + " rules");
        StreamExecutionEnvironment env =
                StreamExecutionEnvironment.getExecutionEnvironment(FlinkSettings.from(config));
        JobClient job = GuidanceJob.start(env, config, LiveRules.of(rules));
        resources.add(0, () -> job.cancel().get(30, TimeUnit.SECONDS));
        StreamExecutionEnvironment shopEnv =
                StreamExecutionEnvironment.getExecutionEnvironment(FlinkSettings.from(shopConfig));
        JobClient shopJob = GuidanceJob.start(shopEnv, shopConfig, LiveRules.of(rules));
        resources.add(0, () -> shopJob.cancel().get(30, TimeUnit.SECONDS));
        consume(stack.bootstrapServers(), SHOP_DEAD_LETTER_TOPIC, this::deadLetter);
        consume(
                stack.bootstrapServers(),
                SHOP_AUDIT_TOPIC,
                r -> {
                    Trigger t = TriggerJson.fromJson(new String(r.value(), StandardCharsets.UTF_8));
                    if (!t.isDelivered()) {
                        suppressed.incrementAndGet();
                    }
                    say(
                            String.format(
                                    "  shop %-16s -> %-12s (%s: %s) %s",
                                    t.guide, t.userId, t.ruleId, why(t), t.status));
                });
        GuidanceWebServer web = GuidanceWebServer.start(WebSettings.of(shopService));
        resources.add(0, web);
        say(
                "the shop's job is running; open http://localhost:"
                        + web.port()
                        + " and wait on the checkout page");

        say(
                String.format(
                        "replaying %d events of %s at %dx (dataset time runs %d s per second)",
                        events.size(), data.getFileName(), speed, speed));
        produce(stack.bootstrapServers(), events, speed);
        background(
                "demo-status",
                () -> {
                    while (!stopping.get()) {
                        pause(5_000);
                        if (!stopping.get()) {
                            say("events " + status());
                        }
                    }
                });
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
     * Prints each trigger as Redis receives it, from keyspace notifications on the trigger keys.
     */
    private void watchRedis(LocalRedis redis, String prefix) {
        RedisClient client = RedisClient.builder().hostAndPort(redis.host(), redis.port()).build();
        resources.add(client);
        client.configSet("notify-keyspace-events", "K$");
        Set<String> printed = new HashSet<>();
        JedisPubSub listener =
                new JedisPubSub() {
                    @Override
                    public void onPMessage(String pattern, String channel, String message) {
                        if (!"set".equals(message)) {
                            return;
                        }
                        String key = channel.substring(channel.indexOf(':') + 1);
                        String json = client.get(key);
                        if (json == null) {
                            return;
                        }
                        Trigger t = TriggerJson.fromJson(json);
                        if (t.userId.startsWith(GuidanceWebServer.DEMO_VISITOR_PREFIX)) {
                            triggersSeen
                                    .incrementAndGet(); // a shop visitor's guide: printed from the
                            // shop's audit topic
                            return;
                        }
                        if (printed.add(t.triggerId)) {
                            triggersSeen.incrementAndGet();
                            say(
                                    String.format(
                                            "guide %-16s -> %-12s %-20s %s  (%s: %s)",
                                            t.guide,
                                            t.userId,
                                            t.sessionId == null ? "" : "session " + t.sessionId,
                                            DATASET_TIME.format(
                                                    Instant.ofEpochMilli(t.ts - timeShift)),
                                            t.ruleId,
                                            why(t)));
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
        say("stopping: events " + status());
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
        for (AutoCloseable r : resources) {
            try {
                r.close();
            } catch (Exception e) {
                say("while stopping: " + e);
            }
        }
        say("stopped; nothing left running");
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
