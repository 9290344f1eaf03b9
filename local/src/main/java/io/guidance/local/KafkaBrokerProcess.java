package io.guidance.local;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.TopicPartitionInfo;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.config.TopicConfig;

/**
 * A Kafka broker (KRaft, combined broker and controller) as a process of its own, for tests that
 * need what {@link EmbeddedKafka} cannot give inside the test's JVM: a broker that is stopped and
 * restarted on the same ports and log directory, as an operator's restart would, or one that comes
 * up late on ports chosen beforehand, where a service already looks for it.
 *
 * <p>The log directory is formatted with Kafka's storage tool and {@code kafka.Kafka} runs on it,
 * as {@code kafka-storage.sh format} and {@code kafka-server-start.sh} would, on the class path the
 * caller gives (one that holds the broker, e.g. from {@code dependency:build-classpath}). The
 * broker's output goes to a log file the caller names, kept after the run; a shutdown hook kills
 * the process if the JVM ends without {@link #close()}.
 */
public final class KafkaBrokerProcess implements AutoCloseable {
    private static final Duration START_TIMEOUT = Duration.ofSeconds(120);
    private static final Duration STOP_TIMEOUT = Duration.ofSeconds(60);

    private final Path dir;
    private final Path properties;
    private final Path log4j;
    private final Path log;
    private final String classpath;
    private final String bootstrap;
    private final Thread shutdownHook;

    /** The running broker, or null while stopped. */
    private volatile Process process;

    private KafkaBrokerProcess(Path dir, Path log, String classpath, String bootstrap) {
        this.dir = dir;
        this.properties = dir.resolve("server.properties");
        this.log4j = dir.resolve("log4j2.properties");
        this.log = log;
        this.classpath = classpath;
        this.bootstrap = bootstrap;
        this.shutdownHook =
                new Thread(
                        () -> {
                            Process p = process;
                            if (p != null) {
                                p.destroyForcibly();
                            }
                        },
                        "kafka-broker-process-cleanup");
    }

    /** As {@link #start(Path, Path, String, int, int)}, on two loopback ports free a moment ago. */
    public static KafkaBrokerProcess start(Path dir, Path log, String classpath) throws Exception {
        int[] ports = FreePorts.onLoopback(2);
        return start(dir, log, classpath, ports[0], ports[1]);
    }

    /**
     * Formats {@code dir}, starts the broker on {@code brokerPort} (its controller on {@code
     * controllerPort}) and waits until it answers an admin client.
     *
     * @param log where the broker's output goes (emptied now, appended to across restarts)
     * @param classpath the class path the broker runs on
     */
    public static KafkaBrokerProcess start(
            Path dir, Path log, String classpath, int brokerPort, int controllerPort)
            throws Exception {
        Files.createDirectories(dir);
        Path logFile = log.toAbsolutePath();
        Files.createDirectories(logFile.getParent());
        Files.deleteIfExists(logFile);
        KafkaBrokerProcess broker =
                new KafkaBrokerProcess(dir, logFile, classpath, "127.0.0.1:" + brokerPort);
        Files.writeString(
                broker.properties,
                String.join(
                        "\n",
                        "process.roles=broker,controller",
                        "node.id=1",
                        "controller.quorum.voters=1@127.0.0.1:" + controllerPort,
                        "listeners=PLAINTEXT://127.0.0.1:"
                                + brokerPort
                                + ",CONTROLLER://127.0.0.1:"
                                + controllerPort,
                        "advertised.listeners=PLAINTEXT://127.0.0.1:" + brokerPort,
                        "controller.listener.names=CONTROLLER",
                        "listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT",
                        "inter.broker.listener.name=PLAINTEXT",
                        "log.dirs=" + dir.resolve("data"),
                        "num.partitions=1",
                        "offsets.topic.replication.factor=1",
                        "offsets.topic.num.partitions=1",
                        "transaction.state.log.replication.factor=1",
                        "transaction.state.log.min.isr=1",
                        "share.coordinator.state.topic.replication.factor=1",
                        "share.coordinator.state.topic.min.isr=1",
                        "group.initial.rebalance.delay.ms=0",
                        "auto.create.topics.enable=false",
                        ""));
        Files.writeString(
                broker.log4j,
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
                        ""));
        Runtime.getRuntime().addShutdownHook(broker.shutdownHook);
        try {
            Process format =
                    broker.java(
                            "256m",
                            "kafka.tools.StorageTool",
                            "format",
                            "-t",
                            Uuid.randomUuid().toString(),
                            "-c",
                            broker.properties.toString());
            if (!format.waitFor(START_TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
                format.destroyForcibly();
                throw new IllegalStateException(
                        "kafka-storage format: not within " + START_TIMEOUT + "; see " + logFile);
            }
            if (format.exitValue() != 0) {
                throw new IllegalStateException(
                        "kafka-storage format exited with "
                                + format.exitValue()
                                + "; see "
                                + logFile);
            }
            broker.launch();
        } catch (Throwable t) {
            broker.close();
            throw t;
        }
        return broker;
    }

    /** {@code 127.0.0.1:PORT}, the same across restarts. */
    public String bootstrap() {
        return bootstrap;
    }

    /** The broker's output. */
    public Path log() {
        return log;
    }

    /** The running broker process, or null while stopped. */
    public Process process() {
        return process;
    }

    public boolean isRunning() {
        Process p = process;
        return p != null && p.isAlive();
    }

    /**
     * Stops the broker with SIGTERM, a controlled shutdown that flushes its logs, and waits until
     * the process is gone (forcibly after {@link #STOP_TIMEOUT}). Does nothing while stopped.
     */
    public synchronized void stop() throws InterruptedException {
        Process p = process;
        if (p == null) {
            return;
        }
        p.destroy();
        if (!p.waitFor(STOP_TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
            p.destroyForcibly();
            p.waitFor(STOP_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
        }
        process = null;
    }

    /**
     * Starts the broker again on the same ports and log directory (stopping it first if it runs);
     * waits until it answers an admin client.
     */
    public synchronized void restart() throws Exception {
        stop();
        launch();
    }

    public Admin admin() {
        return Admin.create(
                Map.of(
                        AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG,
                        bootstrap,
                        AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG,
                        30_000));
    }

    /**
     * Creates the topics (partition counts by name) and the compacted ones (one partition each),
     * and waits for their leaders.
     */
    public void createTopics(Map<String, Integer> partitions, String... compacted)
            throws Exception {
        List<NewTopic> all = new ArrayList<>();
        partitions.forEach((name, n) -> all.add(new NewTopic(name, n, (short) 1)));
        for (String name : compacted) {
            all.add(
                    new NewTopic(name, 1, (short) 1)
                            .configs(
                                    Map.of(
                                            TopicConfig.CLEANUP_POLICY_CONFIG,
                                            TopicConfig.CLEANUP_POLICY_COMPACT)));
        }
        try (Admin admin = admin()) {
            admin.createTopics(all).all().get(60, TimeUnit.SECONDS);
            List<String> names = all.stream().map(NewTopic::name).toList();
            waitFor(
                    "leaders of " + names,
                    () -> {
                        try {
                            for (TopicDescription d :
                                    admin.describeTopics(names)
                                            .allTopicNames()
                                            .get(5, TimeUnit.SECONDS)
                                            .values()) {
                                for (TopicPartitionInfo partition : d.partitions()) {
                                    if (partition.leader() == null
                                            || partition.leader().isEmpty()) {
                                        return false;
                                    }
                                }
                            }
                            return true;
                        } catch (Exception e) {
                            return false;
                        }
                    });
        }
    }

    /** Stops the broker; its directory stays for the caller to delete. */
    @Override
    public void close() throws InterruptedException {
        try {
            stop();
        } finally {
            try {
                Runtime.getRuntime().removeShutdownHook(shutdownHook);
            } catch (IllegalStateException e) {
                // the JVM is already shutting down
            }
        }
    }

    private void launch() throws Exception {
        Process p = java("512m", "kafka.Kafka", properties.toString());
        process = p;
        try (Admin admin = admin()) {
            waitFor(
                    "the Kafka broker on " + bootstrap + " (log " + log + ")",
                    () -> {
                        if (!p.isAlive()) {
                            throw new IllegalStateException(
                                    "the Kafka broker exited with "
                                            + p.exitValue()
                                            + "; see "
                                            + log);
                        }
                        try {
                            return admin.describeCluster().nodes().get(2, TimeUnit.SECONDS).size()
                                    == 1;
                        } catch (Exception e) {
                            return false;
                        }
                    });
        } catch (Throwable t) {
            stop();
            throw t;
        }
    }

    private Process java(String heap, String mainClass, String... args) throws IOException {
        List<String> command =
                new ArrayList<>(
                        List.of(
                                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                                "-Xmx" + heap,
                                "-XX:+UseSerialGC",
                                "-Dlog4j2.configurationFile=" + log4j.toUri(),
                                "-cp",
                                classpath,
                                mainClass));
        command.addAll(List.of(args));
        return new ProcessBuilder(command)
                .directory(dir.toFile())
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
                .start();
    }

    private static void waitFor(String what, BooleanSupplier condition)
            throws InterruptedException {
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException(what + ": not within " + START_TIMEOUT);
            }
            Thread.sleep(200);
        }
    }
}
