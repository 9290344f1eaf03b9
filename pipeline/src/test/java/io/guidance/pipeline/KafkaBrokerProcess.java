package io.guidance.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.ServerSocket;
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
 * A Kafka broker (KRaft, combined broker and controller) as a process of its own: its log directory
 * formatted with Kafka's storage tool and {@code kafka.Kafka} started on it, as {@code
 * kafka-storage.sh format} and {@code kafka-server-start.sh} would, from the module's class path
 * with the broker ({@code target/kafka-broker-classpath.txt}). {@link #stop()} and {@link
 * #restart()} take it down and bring it back on the same ports and log directory, as an operator's
 * restart would. Its output goes to a log file the caller names, kept after the run.
 */
final class KafkaBrokerProcess implements AutoCloseable {
    private static final Duration START_TIMEOUT = Duration.ofSeconds(90);
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

    /**
     * Formats {@code dir} and starts the broker on two free loopback ports; waits until it answers
     * an admin client.
     *
     * @param log where the broker's output goes (appended across restarts)
     */
    static KafkaBrokerProcess start(Path dir, Path log) throws Exception {
        String cp = Files.readString(Path.of("target", "kafka-broker-classpath.txt")).trim();
        Files.createDirectories(dir);
        Files.createDirectories(log.toAbsolutePath().getParent());
        Files.deleteIfExists(log);
        int[] ports = freePorts(2);
        KafkaBrokerProcess broker =
                new KafkaBrokerProcess(dir, log.toAbsolutePath(), cp, "127.0.0.1:" + ports[0]);
        Files.writeString(
                broker.properties,
                String.join(
                        "\n",
                        "process.roles=broker,controller",
                        "node.id=1",
                        "controller.quorum.voters=1@127.0.0.1:" + ports[1],
                        "listeners=PLAINTEXT://127.0.0.1:"
                                + ports[0]
                                + ",CONTROLLER://127.0.0.1:"
                                + ports[1],
                        "advertised.listeners=PLAINTEXT://127.0.0.1:" + ports[0],
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
            assertThat(format.waitFor(START_TIMEOUT.toSeconds(), TimeUnit.SECONDS))
                    .as("kafka-storage format finished")
                    .isTrue();
            assertThat(format.exitValue()).as("kafka-storage format exit code").isZero();
            broker.launch();
        } catch (Throwable t) {
            broker.close();
            throw t;
        }
        return broker;
    }

    /** {@code 127.0.0.1:PORT}, the same across restarts. */
    String bootstrap() {
        return bootstrap;
    }

    /** The broker's output. */
    Path log() {
        return log;
    }

    /** The running broker process, or null while stopped. */
    Process process() {
        return process;
    }

    boolean isRunning() {
        Process p = process;
        return p != null && p.isAlive();
    }

    /**
     * Stops the broker with SIGTERM, a controlled shutdown that flushes its logs, and waits until
     * the process is gone (forcibly after {@link #STOP_TIMEOUT}). Does nothing while stopped.
     */
    synchronized void stop() throws InterruptedException {
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
    synchronized void restart() throws Exception {
        stop();
        launch();
    }

    Admin admin() {
        return Admin.create(
                Map.of(
                        AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG,
                        bootstrap,
                        AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG,
                        30_000));
    }

    /**
     * Creates the topics (partition counts by name) and one compacted topic, and waits for their
     * leaders.
     */
    void createTopics(Map<String, Integer> topics, String compacted) throws Exception {
        List<NewTopic> all = new ArrayList<>();
        topics.forEach((name, partitions) -> all.add(new NewTopic(name, partitions, (short) 1)));
        all.add(
                new NewTopic(compacted, 1, (short) 1)
                        .configs(
                                Map.of(
                                        TopicConfig.CLEANUP_POLICY_CONFIG,
                                        TopicConfig.CLEANUP_POLICY_COMPACT)));
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
                    "Kafka broker on " + bootstrap,
                    () -> {
                        assertThat(p.isAlive()).as("Kafka broker process alive").isTrue();
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
                                "-Dlog4j.configurationFile=" + log4j.toUri(),
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

    private static void waitFor(String what, BooleanSupplier condition) throws Exception {
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError(what + ": not within " + START_TIMEOUT);
            }
            Thread.sleep(200);
        }
    }

    /** {@code n} ports free at the moment of asking. */
    static int[] freePorts(int n) throws IOException {
        ServerSocket[] sockets = new ServerSocket[n];
        int[] ports = new int[n];
        try {
            for (int i = 0; i < n; i++) {
                sockets[i] = new ServerSocket(0);
                ports[i] = sockets[i].getLocalPort();
            }
        } finally {
            for (ServerSocket s : sockets) {
                if (s != null) {
                    s.close();
                }
            }
        }
        return ports;
    }
}
