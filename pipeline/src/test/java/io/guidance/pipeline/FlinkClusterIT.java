package io.guidance.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.guidance.event.Event;
import io.guidance.event.EventJson;
import io.guidance.local.FreePorts;
import io.guidance.local.KafkaBrokerProcess;
import io.guidance.local.LocalRedis;
import io.guidance.trigger.TriggerJson;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;
import redis.clients.jedis.RedisClient;

/**
 * The job jar on a real Flink standalone session cluster: a JobManager and a TaskManager as
 * separate JVMs started from the class path a Flink distribution's {@code lib/} would hold ({@code
 * target/flink-cluster-classpath.txt}), the jar uploaded and run over the REST API as an SRE would,
 * against a real Kafka broker (KRaft, formatted with Kafka's storage tool and started as {@code
 * kafka.Kafka} in a process of its own) and a real {@code redis-server} process. Free ports, a
 * {@code config.yaml} with small memory sizes, checkpoint and savepoint directories all live in a
 * temporary directory; the processes' output goes to {@code target/flink-cluster-it/} and its tail
 * is printed when a step fails. One run covers, in order:
 *
 * <ol>
 *   <li>exact triggers in Redis at parallelism 2;
 *   <li>a savepoint with cancel and a resume from it at parallelism 1: the earlier triggers stay,
 *       the new ones come, a user's cooldown moves along with the state, and the audit topic holds
 *       every decision exactly once;
 *   <li>the TaskManager killed with SIGKILL while events stream in, a new TaskManager started:
 *       Redis ends up with exactly the triggers a run without the failure gives.
 * </ol>
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class FlinkClusterIT {
    static final String EVENTS = "guidance-events";
    static final String DEAD_LETTERS = "guidance-dead-letters";
    static final String AUDIT = "guidance-audit";
    static final String EXPERIMENTS = "guidance-experiments";
    static final String RULES_TOPIC = "guidance-rules";
    static final String RULES = LivePipeline.CHECKOUT_STALL_2S;
    static final Duration CLUSTER_START_TIMEOUT = Duration.ofSeconds(60);
    static final ObjectMapper JSON = new ObjectMapper();

    @TempDir static Path dir;

    /**
     * The Kafka broker (KRaft, combined broker and controller) as a process of its own, and its
     * address.
     */
    static KafkaBrokerProcess kafka;

    static String bootstrap;
    static LocalRedis redis;
    static Process jobManager;
    static final List<Process> taskManagers = new ArrayList<>();
    static final List<Path> logs = new ArrayList<>();
    static int restPort;
    static HttpClient http;
    static Path flinkConf;
    static String classpath;
    static volatile String currentJob;
    static String jarId;
    static Path rulesFile;
    static KafkaProducer<String, byte[]> producer;
    static RedisClient redisClient;

    /** Every trigger id the job must have written to Redis so far. */
    static final Set<String> expected = new TreeSet<>();

    static final int RESUME_PARALLELISM = 1;

    @BeforeAll
    static void startEverything() throws Exception {
        long start = System.nanoTime();
        try {
            classpath = Files.readString(Path.of("target", "flink-cluster-classpath.txt")).trim();
            int[] ports = FreePorts.onLoopback(2);
            restPort = ports[1];
            flinkConf = Files.createDirectories(dir.resolve("conf"));
            writeFlinkConfig(ports[0], restPort);

            kafka =
                    KafkaBrokerProcess.start(
                            dir.resolve("kafka"),
                            Path.of("target", "flink-cluster-it", "kafka.log"),
                            Files.readString(Path.of("target", "kafka-broker-classpath.txt"))
                                    .trim());
            logs.add(kafka.log());
            bootstrap = kafka.bootstrap();
            redis = LocalRedis.start();
            kafka.createTopics(
                    Map.of(EVENTS, 2, DEAD_LETTERS, 1, AUDIT, 2, EXPERIMENTS, 2), RULES_TOPIC);
            http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
            rulesFile = dir.resolve("rules.yaml");
            Files.writeString(rulesFile, RULES);
            producer = producer();
            redisClient = RedisClient.builder().hostAndPort(redis.host(), redis.port()).build();

            jobManager =
                    launch(
                            "jobmanager",
                            "org.apache.flink.runtime.entrypoint.StandaloneSessionClusterEntrypoint",
                            "384m");
            awaitRest();
            startTaskManager();
            awaitSlots(2);
            System.out.printf(
                    "Flink cluster up in %d ms (REST on %d)%n",
                    TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start), restPort);
        } catch (Throwable t) {
            printLogs();
            throw t;
        }
    }

    @AfterAll
    static void stopEverything() throws Exception {
        if (producer != null) {
            producer.close(Duration.ofSeconds(5));
        }
        if (redisClient != null) {
            redisClient.close();
        }
        for (Process tm : taskManagers) {
            kill(tm);
        }
        kill(jobManager);
        if (kafka != null) {
            kafka.close(); // a clean shutdown first
        }
        if (redis != null) {
            redis.close();
        }
        // whatever else this class started (a process of a failed step), so that no JVM outlives
        // the test
        for (ProcessHandle child : ProcessHandle.current().children().toList()) {
            String command = child.info().commandLine().orElse("");
            if (command.contains("TaskManagerRunner")
                    || command.contains("StandaloneSessionClusterEntrypoint")
                    || command.contains("kafka.Kafka")
                    || command.contains("kafka.tools.StorageTool")) {
                child.destroyForcibly();
                child.onExit().get(20, TimeUnit.SECONDS);
            }
        }
        for (Process p : allProcesses()) {
            assertThat(p.isAlive()).as("process %d still running", p.pid()).isFalse();
        }
    }

    static List<Process> allProcesses() {
        List<Process> all = new ArrayList<>(taskManagers);
        if (jobManager != null) {
            all.add(jobManager);
        }
        if (kafka != null && kafka.process() != null) {
            all.add(kafka.process());
        }
        return all;
    }

    /** Runs a step; on failure prints the cluster's logs and the job's state. */
    static void step(ThrowingRunnable body) throws Exception {
        try {
            body.run();
        } catch (Throwable t) {
            printLogs();
            printJob();
            throw t;
        }
    }

    interface ThrowingRunnable {
        void run() throws Exception;
    }

    @Test
    @Order(1)
    void submittedOverRestTheJobWritesExactlyTheStallsToRedis() throws Exception {
        step(
                () -> {
                    long phase = System.nanoTime();
                    jarId = uploadJar(jobJar());
                    String job = runJar(jarId, 2, null, "1s");
                    awaitRunning(job);
                    long t0 = System.currentTimeMillis();
                    // ann stalls on checkout; bob pays in time; cid comes back, so the wait
                    // restarts
                    send(event("a1", "ann", "s1", t0, "page_view", "/checkout", null));
                    send(event("b1", "bob", "s2", t0, "page_view", "/checkout", null));
                    send(event("b2", "bob", "s2", t0 + 1_000, "click", "/checkout", "#pay"));
                    send(event("c1", "cid", "s3", t0, "page_view", "/checkout", null));
                    send(event("c2", "cid", "s3", t0 + 1_500, "page_view", "/checkout", null));
                    producer.flush();
                    expected.add("checkout-stall|ann|s1|" + (t0 + 2_000));
                    expected.add("checkout-stall|cid|s3|" + (t0 + 3_500));
                    awaitTriggers();
                    assertThat(userTrigger("ann"))
                            .isEqualTo("checkout-stall|ann|s1|" + (t0 + 2_000));
                    assertThat(userTrigger("cid"))
                            .isEqualTo("checkout-stall|cid|s3|" + (t0 + 3_500));
                    assertThat(redisClient.keys("guidance:user:*"))
                            .containsExactlyInAnyOrder("guidance:user:ann", "guidance:user:cid");
                    System.out.printf(
                            "step 1 (submit over REST, parallelism 2): %d ms%n",
                            millisSince(phase));
                });
    }

    @Test
    @Order(2)
    void aSavepointMovesTheJobToAnotherParallelismWithoutLosingOrRepeatingTriggers()
            throws Exception {
        step(
                () -> {
                    long phase = System.nanoTime();
                    String savepoint = savepointAndCancel(currentJob);
                    // from here on the production idle timeout: a restored reader must have fetched
                    // its backlog within it, or
                    // that backlog is behind a wall-clock watermark and dead-lettered as late (step
                    // 3 restores mid-stream)
                    String job = runJar(jarId, RESUME_PARALLELISM, savepoint, "5s");
                    awaitRunning(job);
                    assertThat(vertexParallelisms(job)).containsOnly(RESUME_PARALLELISM);
                    long t1 = System.currentTimeMillis();
                    // eve stalls; fay pays; ann stalls again in a new session, but her cooldown,
                    // which is state that moved
                    // with the savepoint, holds that trigger back
                    send(event("e1", "eve", "s5", t1, "page_view", "/checkout", null));
                    send(event("f1", "fay", "s6", t1, "page_view", "/checkout", null));
                    send(event("f2", "fay", "s6", t1 + 500, "click", "/checkout", "#pay"));
                    send(event("a2", "ann", "s4", t1, "page_view", "/checkout", null));
                    producer.flush();
                    String ann = userTrigger("ann");
                    String cid = userTrigger("cid");
                    expected.add("checkout-stall|eve|s5|" + (t1 + 2_000));
                    awaitTriggers();
                    assertThat(userTrigger("ann")).isEqualTo(ann);
                    assertThat(userTrigger("cid")).isEqualTo(cid);
                    assertThat(userTrigger("eve"))
                            .isEqualTo("checkout-stall|eve|s5|" + (t1 + 2_000));
                    assertThat(redisClient.keys("guidance:user:*"))
                            .containsExactlyInAnyOrder(
                                    "guidance:user:ann", "guidance:user:cid", "guidance:user:eve");
                    // every decision exactly once on the audit topic: none lost or repeated across
                    // the move
                    Map<String, String> audit = new TreeMap<>();
                    expected.forEach(id -> audit.put(id, "delivered"));
                    audit.put("checkout-stall|ann|s4|" + (t1 + 2_000), "suppressed:cooldown");
                    List<Map.Entry<String, String>> decisions = auditDecisions(audit.size());
                    assertThat(decisions).containsExactlyInAnyOrderElementsOf(audit.entrySet());
                    System.out.printf(
                            "step 2 (savepoint, resume at parallelism %d): %d ms%n",
                            RESUME_PARALLELISM, millisSince(phase));
                });
    }

    @Test
    @Order(3)
    void aTaskManagerKilledMidStreamLeavesRedisAsARunWithoutTheFailure() throws Exception {
        step(
                () -> {
                    long phase = System.nanoTime();
                    String job = currentJob;
                    long t2 = System.currentTimeMillis();
                    List<String> users = List.of("gus", "hal", "ida", "jon", "kim", "lea");
                    Map<String, String> triggerOf = new TreeMap<>();
                    for (int i = 0; i < users.size(); i++) {
                        String u = users.get(i);
                        long ts = t2 + i * 300L;
                        send(event(u + "1", u, u + "-s", ts, "page_view", "/checkout", null));
                        triggerOf.put(u, "checkout-stall|" + u + "|" + u + "-s|" + (ts + 2_000));
                        if (i == 2) {
                            // half of them sent: SIGKILL the TaskManager, bring up a new one, send
                            // the rest once the job
                            // has failed over to it
                            producer.flush();
                            Process old = taskManagers.get(taskManagers.size() - 1);
                            old.destroyForcibly();
                            assertThat(old.waitFor(10, TimeUnit.SECONDS)).isTrue();
                            startTaskManager();
                            waitFor(
                                    "the failover of " + job,
                                    Duration.ofSeconds(60),
                                    () -> {
                                        try {
                                            return !get("/jobs/" + job + "/exceptions")
                                                    .path("exceptionHistory")
                                                    .path("entries")
                                                    .isEmpty();
                                        } catch (IOException e) {
                                            return false;
                                        }
                                    });
                            awaitRunning(job);
                            t2 = System.currentTimeMillis() - (i + 1) * 300L;
                        }
                    }
                    producer.flush();
                    expected.addAll(triggerOf.values());
                    awaitTriggers();
                    triggerOf.forEach((u, id) -> assertThat(userTrigger(u)).isEqualTo(id));
                    Set<String> userKeys = new TreeSet<>();
                    for (String u :
                            List.of(
                                    "ann", "cid", "eve", "gus", "hal", "ida", "jon", "kim",
                                    "lea")) {
                        userKeys.add("guidance:user:" + u);
                    }
                    assertThat(redisClient.keys("guidance:user:*"))
                            .containsExactlyInAnyOrderElementsOf(userKeys);
                    assertThat(jobState(job)).isEqualTo("RUNNING");
                    assertThat(
                                    get("/jobs/" + job + "/exceptions")
                                            .path("exceptionHistory")
                                            .path("entries"))
                            .as("the job failed over once the TaskManager was gone")
                            .isNotEmpty();
                    System.out.printf(
                            "step 3 (TaskManager killed and replaced): %d ms%n",
                            millisSince(phase));
                });
    }

    // ---- the cluster

    static void writeFlinkConfig(int rpcPort, int restPort) throws IOException {
        Path work = Files.createDirectories(dir.resolve("flink"));
        Map<String, String> c = new LinkedHashMap<>();
        c.put("jobmanager.rpc.address", "localhost");
        c.put("jobmanager.rpc.port", Integer.toString(rpcPort));
        c.put("jobmanager.bind-host", "localhost");
        c.put("rest.address", "localhost");
        c.put("rest.bind-address", "localhost");
        c.put("rest.port", Integer.toString(restPort));
        c.put("blob.server.port", "0");
        c.put("taskmanager.host", "localhost");
        c.put("taskmanager.bind-host", "localhost");
        c.put("taskmanager.rpc.port", "0");
        c.put("taskmanager.data.port", "0");
        c.put("taskmanager.numberOfTaskSlots", "2");
        c.put("jobmanager.memory.process.size", "768m");
        // what flink's start scripts would compute from a process size of 1216m and pass as dynamic
        // properties
        c.put("taskmanager.cpu.cores", "2");
        c.put("taskmanager.memory.framework.heap.size", "128m");
        c.put("taskmanager.memory.task.heap.size", "384m");
        c.put("taskmanager.memory.framework.off-heap.size", "128m");
        c.put("taskmanager.memory.task.off-heap.size", "0m");
        c.put("taskmanager.memory.network.min", "64m");
        c.put("taskmanager.memory.network.max", "64m");
        c.put("taskmanager.memory.managed.size", "64m");
        c.put("taskmanager.memory.jvm-metaspace.size", "256m");
        c.put("taskmanager.memory.jvm-overhead.min", "192m");
        c.put("taskmanager.memory.jvm-overhead.max", "192m");
        c.put("execution.checkpointing.dir", work.resolve("checkpoints").toUri().toString());
        c.put(
                "execution.checkpointing.savepoint-dir",
                work.resolve("savepoints").toUri().toString());
        // a killed TaskManager is noticed within seconds, not the default 50
        c.put("heartbeat.interval", "1000");
        c.put("heartbeat.timeout", "5000");
        c.put("web.tmpdir", work.resolve("web").toString());
        c.put("web.upload.dir", Files.createDirectories(work.resolve("upload")).toString());
        c.put("io.tmp.dirs", Files.createDirectories(work.resolve("tmp")).toString());
        StringBuilder yaml = new StringBuilder();
        c.forEach((k, v) -> yaml.append(k).append(": ").append(v).append('\n'));
        Files.writeString(flinkConf.resolve("config.yaml"), yaml.toString());
        Files.writeString(
                flinkConf.resolve("log4j.properties"),
                String.join(
                        "\n",
                        "rootLogger.level = INFO",
                        "rootLogger.appenderRef.console.ref = console",
                        "appender.console.type = Console",
                        "appender.console.name = console",
                        "appender.console.layout.type = PatternLayout",
                        "appender.console.layout.pattern = %d{HH:mm:ss.SSS} %-5p %c{1} - %m%n",
                        "logger.kafka.name = org.apache.kafka",
                        "logger.kafka.level = WARN",
                        "logger.kafkaserver.name = kafka",
                        "logger.kafkaserver.level = WARN",
                        "logger.checkpoints.name = org.apache.flink.runtime.checkpoint.CheckpointCoordinator",
                        "logger.checkpoints.level = WARN",
                        "logger.sources.name = org.apache.flink.runtime.source.coordinator.SourceCoordinator",
                        "logger.sources.level = WARN",
                        "logger.metrics.name = org.apache.flink.metrics.MetricGroup",
                        "logger.metrics.level = ERROR",
                        ""));
    }

    /** Kills the cluster's processes also when this JVM ends without running {@code @AfterAll}. */
    static final Thread KILL_CHILDREN =
            new Thread(
                    () -> {
                        taskManagers.forEach(Process::destroyForcibly);
                        if (jobManager != null) {
                            jobManager.destroyForcibly();
                        }
                    },
                    "flink-cluster-it-cleanup");

    static String javaBin() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    /**
     * Starts a process with its output in {@code target/flink-cluster-it/NAME.log}, kept after the
     * run.
     */
    static Process startProcess(String name, List<String> command) throws IOException {
        Path log =
                Files.createDirectories(Path.of("target", "flink-cluster-it"))
                        .resolve(name + ".log")
                        .toAbsolutePath();
        Files.deleteIfExists(log);
        logs.add(log);
        if (logs.size() == 1) {
            Runtime.getRuntime().addShutdownHook(KILL_CHILDREN);
        }
        return new ProcessBuilder(command)
                .directory(dir.toFile())
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
                .start();
    }

    static Process launch(String name, String mainClass, String heap) throws IOException {
        List<String> command =
                new ArrayList<>(
                        List.of(
                                javaBin(),
                                "-Xmx" + heap,
                                "-XX:+UseSerialGC",
                                "-XX:MaxDirectMemorySize=256m",
                                "-XX:MaxMetaspaceSize=256m",
                                "-Dlog4j.configurationFile="
                                        + flinkConf.resolve("log4j.properties").toUri(),
                                "--add-opens=java.base/java.lang=ALL-UNNAMED",
                                "--add-opens=java.base/java.util=ALL-UNNAMED",
                                "--add-opens=java.base/java.lang.reflect=ALL-UNNAMED",
                                "--add-opens=java.base/java.net=ALL-UNNAMED",
                                "--add-opens=java.base/java.io=ALL-UNNAMED",
                                "--add-opens=java.base/java.nio=ALL-UNNAMED",
                                "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED",
                                "--add-opens=java.base/java.time=ALL-UNNAMED",
                                "--add-opens=java.base/java.util.concurrent=ALL-UNNAMED",
                                "--add-opens=java.base/java.util.concurrent.atomic=ALL-UNNAMED",
                                "--add-exports=java.base/sun.net.util=ALL-UNNAMED",
                                "-cp",
                                classpath,
                                mainClass,
                                "--configDir",
                                flinkConf.toString()));
        return startProcess(name, command);
    }

    static void startTaskManager() throws IOException {
        taskManagers.add(
                launch(
                        "taskmanager-" + (taskManagers.size() + 1),
                        "org.apache.flink.runtime.taskexecutor.TaskManagerRunner",
                        "512m"));
    }

    static void kill(Process p) throws InterruptedException {
        if (p == null) {
            return;
        }
        p.destroyForcibly();
        p.waitFor(20, TimeUnit.SECONDS);
    }

    static void awaitRest() throws Exception {
        waitFor(
                "REST endpoint on " + restPort,
                CLUSTER_START_TIMEOUT,
                () -> {
                    assertThat(jobManager.isAlive()).as("JobManager process alive").isTrue();
                    try {
                        return get("/overview").has("taskmanagers");
                    } catch (IOException e) {
                        return false;
                    }
                });
    }

    static void awaitSlots(int slots) throws Exception {
        waitFor(
                slots + " free slots",
                CLUSTER_START_TIMEOUT,
                () -> {
                    assertThat(taskManagers.get(taskManagers.size() - 1).isAlive())
                            .as("TaskManager process alive")
                            .isTrue();
                    try {
                        return get("/overview").path("slots-available").asInt() >= slots;
                    } catch (IOException e) {
                        return false;
                    }
                });
    }

    /** Records in and out and the watermarks of every task of the current job. */
    static void printJob() {
        if (currentJob == null) {
            return;
        }
        try {
            JsonNode j = get("/jobs/" + currentJob);
            System.out.println("==== job " + currentJob + " " + j.path("state").asText() + " ====");
            for (JsonNode v : j.path("vertices")) {
                System.out.println(
                        v.path("name").asText()
                                + " "
                                + v.path("status").asText()
                                + " "
                                + v.path("metrics")
                                + " watermarks "
                                + get(
                                        "/jobs/"
                                                + currentJob
                                                + "/vertices/"
                                                + v.path("id").asText()
                                                + "/watermarks"));
            }
            System.out.println("exceptions: " + get("/jobs/" + currentJob + "/exceptions"));
            try (KafkaConsumer<byte[], byte[]> c =
                    new KafkaConsumer<>(
                            Map.of(
                                    ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                                    ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG,
                                            ByteArrayDeserializer.class.getName(),
                                    ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG,
                                            ByteArrayDeserializer.class.getName()))) {
                System.out.println(
                        "events end offsets: "
                                + c.endOffsets(
                                        List.of(
                                                new org.apache.kafka.common.TopicPartition(
                                                        EVENTS, 0),
                                                new org.apache.kafka.common.TopicPartition(
                                                        EVENTS, 1))));
                for (String topic : List.of(DEAD_LETTERS, AUDIT)) {
                    List<org.apache.kafka.common.TopicPartition> tps = new ArrayList<>();
                    c.partitionsFor(topic)
                            .forEach(
                                    i ->
                                            tps.add(
                                                    new org.apache.kafka.common.TopicPartition(
                                                            topic, i.partition())));
                    c.assign(tps);
                    c.seekToBeginning(tps);
                    for (ConsumerRecord<byte[], byte[]> r : c.poll(Duration.ofSeconds(3))) {
                        System.out.println(
                                topic
                                        + ": "
                                        + new String(r.value(), StandardCharsets.UTF_8)
                                        + " "
                                        + r.headers());
                    }
                }
            }
            System.out.println("redis: " + redisClient.keys("*"));
        } catch (IOException e) {
            System.out.println("(no job details: " + e + ")");
        }
    }

    static void printLogs() {
        for (Path log : logs) {
            try {
                List<String> lines = Files.readAllLines(log);
                System.out.println("==== last lines of " + log.getFileName() + " ====");
                lines.subList(Math.max(0, lines.size() - 80), lines.size())
                        .forEach(System.out::println);
            } catch (IOException e) {
                System.out.println("(cannot read " + log + ": " + e + ")");
            }
        }
    }

    // ---- the REST API

    static JsonNode get(String path) throws IOException {
        return send(HttpRequest.newBuilder(rest(path)).GET());
    }

    static JsonNode post(String path, Object body) throws IOException {
        return send(
                HttpRequest.newBuilder(rest(path))
                        .header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body))));
    }

    static URI rest(String path) {
        return URI.create("http://localhost:" + restPort + path);
    }

    static JsonNode send(HttpRequest.Builder request) throws IOException {
        try {
            HttpResponse<String> r =
                    http.send(
                            request.timeout(Duration.ofSeconds(60)).build(),
                            HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() / 100 != 2) {
                throw new IOException(
                        "HTTP " + r.statusCode() + " from " + r.uri() + ": " + r.body());
            }
            return JSON.readTree(r.body());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException(e);
        }
    }

    static String uploadJar(Path jar) throws IOException {
        String boundary = "----guidance" + UUID.randomUUID();
        byte[] head =
                ("--"
                                + boundary
                                + "\r\n"
                                + "Content-Disposition: form-data; name=\"jarfile\"; filename=\""
                                + jar.getFileName()
                                + "\"\r\n"
                                + "Content-Type: application/x-java-archive\r\n\r\n")
                        .getBytes(StandardCharsets.UTF_8);
        byte[] tail = ("\r\n--" + boundary + "--\r\n").getBytes(StandardCharsets.UTF_8);
        JsonNode r =
                send(
                        HttpRequest.newBuilder(rest("/jars/upload"))
                                .header("Content-Type", "multipart/form-data; boundary=" + boundary)
                                .POST(
                                        HttpRequest.BodyPublishers.concat(
                                                HttpRequest.BodyPublishers.ofByteArray(head),
                                                HttpRequest.BodyPublishers.ofFile(jar),
                                                HttpRequest.BodyPublishers.ofByteArray(tail))));
        assertThat(r.path("status").asText()).as("upload: %s", r).isEqualTo("success");
        return Path.of(r.path("filename").asText()).getFileName().toString();
    }

    static String runJar(String jarId, int parallelism, String savepoint, String idleTimeout)
            throws IOException {
        List<String> args =
                List.of(
                        "--kafka.bootstrap",
                        bootstrap,
                        "--kafka.groupId",
                        "cluster-it",
                        "--kafka.startingOffsets",
                        "earliest",
                        "--events.idleTimeout",
                        idleTimeout,
                        "--events.startupIdleTimeout",
                        "3s",
                        "--redis.host",
                        redis.host(),
                        "--redis.port",
                        Integer.toString(redis.port()),
                        "--rules.file",
                        rulesFile.toAbsolutePath().toString(),
                        "--job.checkpointInterval",
                        "1s",
                        "--job.parallelism",
                        Integer.toString(parallelism));
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("entryClass", GuidanceJob.class.getName());
        body.put("programArgsList", args);
        body.put("parallelism", parallelism);
        if (savepoint != null) {
            body.put("savepointPath", savepoint);
            body.put("allowNonRestoredState", false);
        }
        JsonNode r = post("/jars/" + jarId + "/run", body);
        String job = r.path("jobid").asText();
        assertThat(job).as("run: %s", r).isNotEmpty();
        currentJob = job;
        return job;
    }

    static String jobState(String job) throws IOException {
        return get("/jobs/" + job).path("state").asText();
    }

    /** The job and every one of its tasks running. */
    static void awaitRunning(String job) throws Exception {
        waitFor(
                "job " + job + " running",
                Duration.ofSeconds(60),
                () -> {
                    try {
                        JsonNode j = get("/jobs/" + job);
                        assertThat(j.path("state").asText())
                                .isNotIn("FAILED", "CANCELED", "FINISHED");
                        if (!j.path("state").asText().equals("RUNNING")) {
                            return false;
                        }
                        for (JsonNode v : j.path("vertices")) {
                            if (!v.path("status").asText().equals("RUNNING")) {
                                return false;
                            }
                        }
                        return true;
                    } catch (IOException e) {
                        return false;
                    }
                });
    }

    static List<Integer> vertexParallelisms(String job) throws IOException {
        List<Integer> out = new ArrayList<>();
        for (JsonNode v : get("/jobs/" + job).path("vertices")) {
            if (!v.path("name").asText().contains("rules")) { // the rules source always runs at 1
                out.add(v.path("parallelism").asInt());
            }
        }
        return out;
    }

    static String savepointAndCancel(String job) throws Exception {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("target-directory", dir.resolve("flink").resolve("savepoints").toUri().toString());
        body.put("cancel-job", true);
        String trigger = post("/jobs/" + job + "/savepoints", body).path("request-id").asText();
        String[] location = new String[1];
        waitFor(
                "savepoint of " + job,
                Duration.ofSeconds(60),
                () -> {
                    try {
                        JsonNode r = get("/jobs/" + job + "/savepoints/" + trigger);
                        if (!r.path("status").path("id").asText().equals("COMPLETED")) {
                            return false;
                        }
                        assertThat(r.path("operation").has("failure-cause"))
                                .as("savepoint: %s", r)
                                .isFalse();
                        location[0] = r.path("operation").path("location").asText();
                        return true;
                    } catch (IOException e) {
                        return false;
                    }
                });
        waitFor(
                "job " + job + " canceled",
                Duration.ofSeconds(30),
                () -> {
                    try {
                        return jobState(job).equals("CANCELED");
                    } catch (IOException e) {
                        return false;
                    }
                });
        assertThat(location[0]).isNotEmpty();
        return location[0];
    }

    // ---- Kafka and Redis

    static void send(Event e) {
        producer.send(new ProducerRecord<>(EVENTS, e.userId, EventJson.toJsonBytes(e)));
    }

    static Event event(
            String id,
            String user,
            String session,
            long ts,
            String type,
            String page,
            String target) {
        return new Event(id, user, session, ts, type, page, target, null);
    }

    static KafkaProducer<String, byte[]> producer() {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        return new KafkaProducer<>(p);
    }

    /**
     * The ids of every trigger written to Redis (the write-once markers), once exactly {@code
     * expected}.
     */
    static void awaitTriggers() throws Exception {
        waitFor(
                "triggers " + expected,
                Duration.ofSeconds(60),
                () -> writtenTriggerIds().containsAll(expected));
        // two more checkpoints: a wrong extra trigger would be flushed by now
        Thread.sleep(2_500);
        assertThat(writtenTriggerIds()).containsExactlyInAnyOrderElementsOf(expected);
    }

    static Set<String> writtenTriggerIds() {
        Set<String> ids = new TreeSet<>();
        for (String k : redisClient.keys("guidance:written:*")) {
            ids.add(k.substring("guidance:written:".length()));
        }
        return ids;
    }

    static String userTrigger(String user) {
        String json = redisClient.get("guidance:user:" + user);
        assertThat(json).as("trigger of %s", user).isNotNull();
        return TriggerJson.fromJson(json).triggerId;
    }

    /**
     * Every trigger id on the audit topic with its status, duplicates included, read until {@code
     * expected} came and a bit longer.
     */
    static List<Map.Entry<String, String>> auditDecisions(int expected) throws IOException {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ConsumerConfig.GROUP_ID_CONFIG, "audit-reader-" + UUID.randomUUID());
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        p.put(
                ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG,
                ByteArrayDeserializer.class.getName());
        List<Map.Entry<String, String>> out = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(p)) {
            consumer.subscribe(List.of(AUDIT));
            long deadline = System.currentTimeMillis() + 30_000;
            while (out.size() < expected && System.currentTimeMillis() < deadline) {
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(500))) {
                    out.add(decision(r));
                }
            }
            for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofSeconds(2))) {
                out.add(decision(r));
            }
        }
        return out;
    }

    static Map.Entry<String, String> decision(ConsumerRecord<byte[], byte[]> r) throws IOException {
        JsonNode t = JSON.readTree(r.value());
        return Map.entry(t.path("triggerId").asText(), t.path("status").asText());
    }

    // ---- helpers

    static Path jobJar() throws IOException {
        try (DirectoryStream<Path> d =
                Files.newDirectoryStream(Path.of("target"), "guidance-pipeline-*-job.jar")) {
            for (Path p : d) {
                return p.toAbsolutePath();
            }
        }
        throw new IllegalStateException("no job jar in target/: run mvn verify");
    }

    static long millisSince(long nanos) {
        return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - nanos);
    }

    static void waitFor(String what, Duration timeout, BooleanSupplier condition) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError(what + ": not within " + timeout);
            }
            Thread.sleep(200);
        }
    }
}
