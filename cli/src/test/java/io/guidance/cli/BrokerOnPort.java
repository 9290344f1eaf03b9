package io.guidance.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.Uuid;

/**
 * A Kafka broker (KRaft, combined broker and controller) as a process of its own, on ports the
 * caller chose beforehand: so that a service can be started against an address where nothing
 * listens yet, and the broker can come up there later, as when Kafka starts after the service. The
 * log directory is formatted with Kafka's storage tool and {@code kafka.Kafka} runs on it, as
 * {@code kafka-storage.sh format} and {@code kafka-server-start.sh} would, from this module's run
 * class path (which holds the broker). Output to a log file the caller names.
 */
final class BrokerOnPort implements AutoCloseable {
    private static final Duration START_TIMEOUT = Duration.ofSeconds(120);

    private final Path dir;
    private final Path log;
    private final String bootstrap;
    private Process process;

    private BrokerOnPort(Path dir, Path log, String bootstrap) {
        this.dir = dir;
        this.log = log;
        this.bootstrap = bootstrap;
    }

    /**
     * Formats {@code dir}, starts the broker on {@code brokerPort} (controller on {@code
     * controllerPort}) and waits until it answers an admin client.
     */
    static BrokerOnPort start(Path dir, Path log, int brokerPort, int controllerPort)
            throws Exception {
        Files.createDirectories(dir);
        Path properties = dir.resolve("server.properties");
        Files.writeString(
                properties,
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
                dir.resolve("log4j2.properties"),
                String.join(
                        "\n",
                        "rootLogger.level = WARN",
                        "rootLogger.appenderRef.console.ref = console",
                        "appender.console.type = Console",
                        "appender.console.name = console",
                        "appender.console.layout.type = PatternLayout",
                        "appender.console.layout.pattern = %d{HH:mm:ss.SSS} %-5p %c{1} - %m%n",
                        ""));
        BrokerOnPort broker = new BrokerOnPort(dir, log, "127.0.0.1:" + brokerPort);
        Process format =
                broker.java(
                        "kafka.tools.StorageTool",
                        "format",
                        "-t",
                        Uuid.randomUuid().toString(),
                        "-c",
                        properties.toString());
        if (!format.waitFor(START_TIMEOUT.toSeconds(), TimeUnit.SECONDS)
                || format.exitValue() != 0) {
            format.destroyForcibly();
            throw new IllegalStateException("kafka-storage format failed; see " + log);
        }
        broker.process = broker.java("kafka.Kafka", properties.toString());
        try (Admin admin = broker.admin()) {
            ServeIT.waitFor(
                    "the broker on " + broker.bootstrap + " (log " + log + ")",
                    START_TIMEOUT,
                    () -> {
                        if (!broker.process.isAlive()) {
                            throw new AssertionError("the broker exited; see " + log);
                        }
                        try {
                            return admin.describeCluster().nodes().get(2, TimeUnit.SECONDS).size()
                                    == 1;
                        } catch (Exception e) {
                            return false;
                        }
                    });
        } catch (Throwable t) {
            broker.close();
            throw t;
        }
        return broker;
    }

    String bootstrap() {
        return bootstrap;
    }

    Admin admin() {
        return Admin.create(
                Map.of(
                        AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG,
                        bootstrap,
                        AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG,
                        30_000));
    }

    void createTopic(String name, int partitions) throws Exception {
        try (Admin admin = admin()) {
            admin.createTopics(List.of(new NewTopic(name, partitions, (short) 1)))
                    .all()
                    .get(60, TimeUnit.SECONDS);
        }
    }

    private Process java(String mainClass, String... args) throws IOException {
        List<String> command =
                new ArrayList<>(
                        List.of(
                                ServeIT.javaBinary(),
                                "-Xmx384m",
                                "-XX:+UseSerialGC",
                                "-Dlog4j2.configurationFile="
                                        + dir.resolve("log4j2.properties").toUri(),
                                "-cp",
                                ServeIT.runClasspath(),
                                mainClass));
        command.addAll(List.of(args));
        return new ProcessBuilder(command)
                .directory(dir.toFile())
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
                .start();
    }

    /** Stops the broker (SIGTERM, then forcibly); the caller deletes the directory. */
    @Override
    public void close() throws InterruptedException {
        if (process != null) {
            process.destroy();
            if (!process.waitFor(60, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
            }
            process = null;
        }
    }
}
