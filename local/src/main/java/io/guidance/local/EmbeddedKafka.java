package io.guidance.local;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import kafka.server.BrokerServer;
import kafka.server.ControllerServer;
import kafka.server.FaultHandlerFactory;
import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import kafka.server.Server;
import kafka.server.SharedServer;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.TopicPartitionInfo;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.apache.kafka.common.metrics.Metrics;
import org.apache.kafka.common.network.Selectable;
import org.apache.kafka.common.utils.AppInfoParser;
import org.apache.kafka.common.utils.Time;
import org.apache.kafka.metadata.bootstrap.BootstrapMetadata;
import org.apache.kafka.metadata.properties.MetaPropertiesEnsemble;
import org.apache.kafka.metadata.storage.Formatter;
import org.apache.kafka.raft.QuorumConfig;
import org.apache.kafka.server.ServerSocketFactory;
import org.apache.kafka.server.common.MetadataVersion;
import org.apache.kafka.server.fault.FaultHandler;
import org.apache.kafka.server.fault.LoggingFaultHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import scala.Tuple2;

/**
 * A real, single-node Apache Kafka broker running inside the current JVM, for the {@code guidance
 * demo} command and for integration tests.
 *
 * <p>Why a real broker rather than a mock: the pipeline's Kafka source depends on genuine broker
 * behaviour (consumer-group coordination, offset commits, partition assignment, compacted topics),
 * which only the real server code reproduces. Why in-process: the demo must work on a machine with
 * nothing but a JDK (no Docker, no Kafka installation), and tests must not leave daemons behind.
 *
 * <p>The broker runs in KRaft <em>combined</em> mode (broker and sole controller voter in one
 * node), as {@code kafka-server-start.sh} would run it after {@code kafka-storage.sh format}: the
 * log directory is formatted with Kafka's own {@link Formatter}, and the node is assembled from
 * Kafka's server classes ({@link SharedServer}, {@link ControllerServer}, {@link BrokerServer})
 * exactly as {@code kafka.server.KafkaRaftServer} assembles them, with two differences that make it
 * safe to embed:
 *
 * <ul>
 *   <li>Both listeners get sockets that this class has already bound to port 0 on {@code
 *       127.0.0.1}, so there is no window in which another process can take a port chosen in
 *       advance.
 *   <li>Faults that Kafka treats as fatal are logged and surfaced as exceptions instead of halting
 *       the whole JVM (which {@code KafkaRaftServer} does, for example when a listener cannot
 *       bind), so a broken broker fails a test or the demo rather than killing it silently.
 * </ul>
 *
 * Each instance has a fresh temporary log directory that {@link #close()} deletes. Settings are
 * tuned for a single node and a small machine: replication factors of internal topics are 1,
 * internal topics have one partition, consumer-group rebalances start without delay, topics are
 * never auto-created, and thread pools and buffers are small.
 *
 * <p>Kafka's own logging goes through SLF4J under the {@code kafka} and {@code org.apache.kafka}
 * loggers; this class configures no logging, so the application's logging configuration decides how
 * verbose the broker is. Instances are thread-safe.
 */
public final class EmbeddedKafka implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(EmbeddedKafka.class);

    private static final String HOST = LocalResources.LOOPBACK;
    private static final int NODE_ID = 1;
    private static final String BROKER_LISTENER = "PLAINTEXT";
    private static final String CONTROLLER_LISTENER = "CONTROLLER";

    private static final Duration READY_TIMEOUT = Duration.ofSeconds(60);
    private static final Duration ADMIN_TIMEOUT = Duration.ofSeconds(30);
    private static final Duration CONTROLLED_SHUTDOWN_TIMEOUT = Duration.ofSeconds(10);
    private static final Duration SHUTDOWN_TIMEOUT = Duration.ofSeconds(30);
    private static final Duration POLL_INTERVAL = Duration.ofMillis(50);

    private final KafkaConfig config;
    private final Path logDir;
    private final int brokerPort;
    private final int controllerPort;
    private final Metrics metrics;
    private final ControllerServer controller;
    private final BrokerServer broker;
    private final AtomicBoolean closed = new AtomicBoolean();
    private final Thread shutdownHook;

    /** Created when first needed; guarded by {@code this}. */
    private Admin admin;

    private EmbeddedKafka(
            KafkaConfig config, Path logDir, PreboundSockets sockets, FaultHandlerFactory faults) {
        this.config = config;
        this.logDir = logDir;
        this.brokerPort = sockets.port(BROKER_LISTENER);
        this.controllerPort = sockets.port(CONTROLLER_LISTENER);
        // From here on this mirrors the constructor of kafka.server.KafkaRaftServer.
        Tuple2<MetaPropertiesEnsemble, BootstrapMetadata> storage =
                KafkaRaftServer.initializeLogDirs(
                        config, LOG, "[EmbeddedKafka " + brokerPort + "] ");
        this.metrics =
                Server.initializeMetrics(
                        config, Time.SYSTEM, storage._1().clusterId().orElseThrow());
        try {
            QuorumConfig quorum = config.quorumConfig();
            SharedServer shared =
                    new SharedServer(
                            config,
                            storage._1(),
                            Time.SYSTEM,
                            metrics,
                            CompletableFuture.completedFuture(
                                    QuorumConfig.parseVoterConnections(quorum.voters())),
                            QuorumConfig.parseBootstrapServers(quorum.bootstrapServers()),
                            faults,
                            sockets);
            this.controller =
                    new ControllerServer(shared, KafkaRaftServer.configSchema(), storage._2());
            this.broker = new BrokerServer(shared);
        } catch (RuntimeException | Error e) {
            metrics.close();
            throw e;
        }
        // Without this, a demo stopped with Ctrl-C would leave its log directory in the temp
        // folder.
        this.shutdownHook =
                new Thread(this::closeQuietly, "embedded-kafka-shutdown-hook-" + brokerPort);
    }

    /**
     * Formats a fresh log directory and starts a single combined broker/controller on free loopback
     * ports.
     *
     * @return a broker that is registered, unfenced and ready to accept producers and consumers
     * @throws Exception if the broker cannot be started; nothing is left running or on disk in that
     *     case
     */
    public static EmbeddedKafka start() throws Exception {
        long startNanos = System.nanoTime();
        Path dir = Files.createTempDirectory("guidance-kafka-");
        PreboundSockets sockets = null;
        EmbeddedKafka kafka = null;
        try {
            sockets = new PreboundSockets(BROKER_LISTENER, CONTROLLER_LISTENER);
            KafkaConfig config =
                    KafkaConfig.fromProps(
                            brokerProperties(
                                    dir,
                                    sockets.port(BROKER_LISTENER),
                                    sockets.port(CONTROLLER_LISTENER)),
                            false);
            format(config, dir);
            String name = HOST + ":" + sockets.port(BROKER_LISTENER);
            kafka =
                    new EmbeddedKafka(
                            config, dir, sockets, new NonHaltingFaultHandlerFactory(name));
            kafka.startServers();
            kafka.awaitBrokerReady();
            Runtime.getRuntime().addShutdownHook(kafka.shutdownHook);
            LOG.info(
                    "Embedded Kafka {} started in {} ms (log dir {})",
                    kafka.bootstrapServers(),
                    TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNanos),
                    dir);
            return kafka;
        } catch (Exception | Error e) {
            if (kafka != null) {
                kafka.closeAdmin();
                kafka.shutdownServers();
            }
            if (sockets != null) {
                sockets.closeUnclaimed();
            }
            LocalResources.deleteRecursively(dir);
            throw e;
        }
    }

    /**
     * Mirrors {@code KafkaRaftServer.startup()}: controller first, then broker; each blocks until
     * ready.
     */
    private void startServers() {
        controller.startup();
        // Returns once the broker has registered with the controller, caught up with the metadata
        // log and
        // been unfenced.
        broker.startup();
        AppInfoParser.registerAppInfo(
                Server.MetricsPrefix(),
                String.valueOf(config.brokerId()),
                metrics,
                Time.SYSTEM.milliseconds());
    }

    private static Properties brokerProperties(Path dir, int brokerPort, int controllerPort) {
        Properties p = new Properties();
        p.put("process.roles", "broker,controller");
        p.put("node.id", String.valueOf(NODE_ID));
        p.put("controller.quorum.voters", NODE_ID + "@" + HOST + ":" + controllerPort);
        p.put(
                "listeners",
                BROKER_LISTENER
                        + "://"
                        + HOST
                        + ":"
                        + brokerPort
                        + ","
                        + CONTROLLER_LISTENER
                        + "://"
                        + HOST
                        + ":"
                        + controllerPort);
        p.put("advertised.listeners", BROKER_LISTENER + "://" + HOST + ":" + brokerPort);
        p.put(
                "listener.security.protocol.map",
                BROKER_LISTENER + ":PLAINTEXT," + CONTROLLER_LISTENER + ":PLAINTEXT");
        p.put("controller.listener.names", CONTROLLER_LISTENER);
        p.put("inter.broker.listener.name", BROKER_LISTENER);
        p.put("log.dirs", dir.toString());
        p.put("metadata.log.dir", dir.toString());

        // One node: every internal topic must live with replication factor 1.
        p.put("offsets.topic.replication.factor", "1");
        p.put("offsets.topic.num.partitions", "1");
        p.put("transaction.state.log.replication.factor", "1");
        p.put("transaction.state.log.min.isr", "1");
        p.put("transaction.state.log.num.partitions", "1");
        p.put("share.coordinator.state.topic.replication.factor", "1");
        p.put("share.coordinator.state.topic.min.isr", "1");
        p.put("share.coordinator.state.topic.num.partitions", "1");
        p.put("default.replication.factor", "1");
        p.put("min.insync.replicas", "1");
        p.put("num.partitions", "1");

        // Tests and the demo create their topics explicitly; a typo must fail rather than create a
        // topic.
        p.put("auto.create.topics.enable", "false");
        // Consumers join immediately instead of waiting for more members.
        p.put("group.initial.rebalance.delay.ms", "0");

        // Small footprint for a 2-core laptop or CI machine.
        p.put("num.network.threads", "2");
        p.put("num.io.threads", "2");
        p.put("background.threads", "2");
        p.put("num.recovery.threads.per.data.dir", "1");
        p.put("num.replica.fetchers", "1");
        p.put("log.cleaner.threads", "1");
        p.put("log.cleaner.dedupe.buffer.size", String.valueOf(4 * 1024 * 1024));
        p.put("log.segment.bytes", String.valueOf(8 * 1024 * 1024));
        p.put("log.index.size.max.bytes", String.valueOf(1024 * 1024));
        // Faster registration/unfencing, so start() returns within a few seconds.
        p.put("broker.heartbeat.interval.ms", "500");
        p.put("broker.session.timeout.ms", "6000");
        return p;
    }

    /**
     * Does what {@code kafka-storage.sh format --cluster-id <random>} does for this configuration.
     */
    private static void format(KafkaConfig config, Path dir) throws Exception {
        ByteArrayOutputStream formatterOutput = new ByteArrayOutputStream();
        try (PrintStream out = new PrintStream(formatterOutput, true, StandardCharsets.UTF_8)) {
            new Formatter()
                    .setPrintStream(out)
                    .setNodeId(config.nodeId())
                    .setClusterId(Uuid.randomUuid().toString())
                    .setDirectories(List.of(dir.toString()))
                    .setMetadataLogDirectory(config.metadataLogDir())
                    .setControllerListenerName(config.controllerListenerNames().get(0))
                    .setUnstableFeatureVersionsEnabled(false)
                    .setReleaseVersion(MetadataVersion.latestProduction())
                    .run();
        }
        LOG.debug(
                "Formatted {}: {}", dir, formatterOutput.toString(StandardCharsets.UTF_8).strip());
    }

    /** {@code host:port} of the client listener, for {@code bootstrap.servers}. */
    public String bootstrapServers() {
        return HOST + ":" + brokerPort;
    }

    /** Port of the client listener on {@code 127.0.0.1}. */
    public int port() {
        return brokerPort;
    }

    /**
     * Port of the controller (KRaft quorum) listener on {@code 127.0.0.1}; clients never use it.
     */
    int controllerPort() {
        return controllerPort;
    }

    /**
     * Creates a topic with replication factor 1 and waits until every partition has a leader.
     *
     * @throws org.apache.kafka.common.errors.TopicExistsException if the topic already exists
     */
    public void createTopic(String name, int partitions) throws Exception {
        createTopic(name, partitions, Map.of());
    }

    /**
     * Creates a log-compacted topic ({@code cleanup.policy=compact}), for keyed state such as the
     * latest value per key, and waits until every partition has a leader.
     */
    public void createCompactedTopic(String name, int partitions) throws Exception {
        createTopic(
                name,
                partitions,
                Map.of(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT));
    }

    /**
     * Creates a topic with replication factor 1 and the given topic-level configuration, and waits
     * until every partition has a leader, so that producers and consumers can use it at once.
     */
    public void createTopic(String name, int partitions, Map<String, String> topicConfig)
            throws Exception {
        if (partitions < 1) {
            throw new IllegalArgumentException("partitions must be at least 1, got " + partitions);
        }
        NewTopic topic = new NewTopic(name, partitions, (short) 1).configs(topicConfig);
        get(admin().createTopics(List.of(topic)).all(), "create topic " + name);
        awaitLeaders(name, partitions);
    }

    private void awaitLeaders(String name, int partitions) throws Exception {
        long deadline = System.nanoTime() + ADMIN_TIMEOUT.toNanos();
        while (true) {
            try {
                TopicDescription description =
                        get(
                                admin().describeTopics(List.of(name)).topicNameValues().get(name),
                                "describe topic " + name);
                if (description.partitions().size() == partitions
                        && allHaveLeaders(description.partitions())) {
                    return;
                }
            } catch (UnknownTopicOrPartitionException e) {
                // The broker has not seen the new topic's metadata yet.
            }
            if (System.nanoTime() > deadline) {
                throw new TimeoutException(
                        "Partitions of topic " + name + " got no leader within " + ADMIN_TIMEOUT);
            }
            Thread.sleep(POLL_INTERVAL.toMillis());
        }
    }

    private static boolean allHaveLeaders(List<TopicPartitionInfo> partitions) {
        return partitions.stream().allMatch(p -> p.leader() != null && !p.leader().isEmpty());
    }

    /**
     * The server's startup already waits for unfencing; this confirms that clients really see the
     * broker.
     */
    private void awaitBrokerReady() throws Exception {
        long deadline = System.nanoTime() + READY_TIMEOUT.toNanos();
        while (true) {
            Collection<Node> nodes = get(admin().describeCluster().nodes(), "describe cluster");
            if (nodes.stream().anyMatch(n -> n.id() == NODE_ID)) {
                return;
            }
            if (System.nanoTime() > deadline) {
                throw new TimeoutException(
                        "Embedded Kafka broker not visible to clients within " + READY_TIMEOUT);
            }
            Thread.sleep(POLL_INTERVAL.toMillis());
        }
    }

    private synchronized Admin admin() {
        if (closed.get()) {
            throw new IllegalStateException("Embedded Kafka " + bootstrapServers() + " is closed");
        }
        if (admin == null) {
            Properties p = new Properties();
            p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers());
            p.put(AdminClientConfig.CLIENT_ID_CONFIG, "embedded-kafka-admin-" + brokerPort);
            p.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, "10000");
            p.put(
                    AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG,
                    String.valueOf(ADMIN_TIMEOUT.toMillis()));
            admin = Admin.create(p);
        }
        return admin;
    }

    private synchronized void closeAdmin() {
        if (admin != null) {
            try {
                admin.close(Duration.ofSeconds(5));
            } catch (RuntimeException e) {
                LOG.warn(
                        "Closing the admin client of embedded Kafka {} failed",
                        bootstrapServers(),
                        e);
            }
            admin = null;
        }
    }

    /**
     * Waits for a Kafka future and rethrows the failure itself rather than an {@link
     * ExecutionException}.
     */
    private static <T> T get(KafkaFuture<T> future, String what) throws Exception {
        try {
            return future.get(ADMIN_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof Exception ex) {
                throw ex;
            }
            throw new IllegalStateException("Could not " + what, cause);
        } catch (TimeoutException e) {
            throw new TimeoutException("Could not " + what + " within " + ADMIN_TIMEOUT);
        }
    }

    /**
     * For an owner whose own shutdown hook closes this broker in its order: removes the broker's
     * shutdown hook, which would otherwise close it at the same moment as the owner's.
     */
    public void leaveClosingToOwner() {
        Runtime.getRuntime().removeShutdownHook(shutdownHook);
    }

    /**
     * Shuts the broker and controller down, waits (bounded) for their threads to finish, releases
     * both ports and deletes the log directory. Safe to call more than once and from any thread.
     */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        long startNanos = System.nanoTime();
        try {
            Runtime.getRuntime().removeShutdownHook(shutdownHook);
        } catch (IllegalStateException e) {
            // The JVM is already shutting down (we may be running inside the hook).
        }
        closeAdmin();
        shutdownServers();
        LocalResources.deleteRecursively(logDir);
        LOG.info(
                "Embedded Kafka {} stopped in {} ms",
                bootstrapServers(),
                TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNanos));
    }

    private void closeQuietly() {
        try {
            close();
        } catch (RuntimeException e) {
            LOG.warn("Closing embedded Kafka {} failed", bootstrapServers(), e);
        }
    }

    /**
     * Mirrors {@code KafkaRaftServer.shutdown()} and {@code awaitShutdown()}: the broker goes
     * first, because its controlled shutdown needs the controller. Runs on a separate thread so
     * that a broker stuck in shutdown cannot hang the caller: after {@link #SHUTDOWN_TIMEOUT} we
     * stop waiting and leave the daemon thread behind.
     */
    private void shutdownServers() {
        Thread stopper =
                new Thread(
                        () -> {
                            swallow(
                                    "shut down the broker",
                                    () -> broker.shutdown(CONTROLLED_SHUTDOWN_TIMEOUT));
                            swallow("shut down the controller", controller::shutdown);
                            swallow(
                                    "unregister app info",
                                    () ->
                                            AppInfoParser.unregisterAppInfo(
                                                    Server.MetricsPrefix(),
                                                    String.valueOf(config.brokerId()),
                                                    metrics));
                            swallow("await broker shutdown", broker::awaitShutdown);
                            swallow("await controller shutdown", controller::awaitShutdown);
                            swallow("close metrics", metrics::close);
                        },
                        "embedded-kafka-shutdown-" + brokerPort);
        stopper.setDaemon(true);
        stopper.start();
        try {
            stopper.join(SHUTDOWN_TIMEOUT.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (stopper.isAlive()) {
            LOG.warn(
                    "Embedded Kafka {} did not shut down within {}; giving up waiting",
                    bootstrapServers(),
                    SHUTDOWN_TIMEOUT);
        }
    }

    private void swallow(String what, Runnable action) {
        try {
            action.run();
        } catch (RuntimeException e) {
            LOG.warn("Embedded Kafka {}: could not {}", bootstrapServers(), what, e);
        }
    }

    /**
     * Hands Kafka's socket servers listening sockets that were bound to port 0 before the
     * configuration was written, so the ports in the configuration are guaranteed to be ours.
     */
    private static final class PreboundSockets implements ServerSocketFactory {

        private static final int BACKLOG = 128;

        private final Map<String, ServerSocketChannel> unclaimed = new ConcurrentHashMap<>();
        private final Map<String, Integer> ports = new ConcurrentHashMap<>();

        PreboundSockets(String... listeners) throws IOException {
            try {
                for (String listener : listeners) {
                    ServerSocketChannel channel = ServerSocketChannel.open();
                    unclaimed.put(listener, channel);
                    channel.bind(new InetSocketAddress(InetAddress.getByName(HOST), 0), BACKLOG);
                    ports.put(listener, ((InetSocketAddress) channel.getLocalAddress()).getPort());
                }
            } catch (IOException | RuntimeException e) {
                closeUnclaimed();
                throw e;
            }
        }

        int port(String listener) {
            return ports.get(listener);
        }

        @Override
        public ServerSocketChannel openServerSocket(
                String listenerName,
                InetSocketAddress address,
                int listenBacklogSize,
                int recvBufferSize)
                throws IOException {
            ServerSocketChannel channel = unclaimed.remove(listenerName);
            if (channel == null || address.getPort() != ports.get(listenerName)) {
                if (channel != null) {
                    unclaimed.put(listenerName, channel);
                }
                return ServerSocketFactory.INSTANCE.openServerSocket(
                        listenerName, address, listenBacklogSize, recvBufferSize);
            }
            channel.configureBlocking(false);
            if (recvBufferSize != Selectable.USE_DEFAULT_BUFFER_SIZE) {
                channel.socket().setReceiveBufferSize(recvBufferSize);
            }
            return channel; // Kafka owns and closes it from now on.
        }

        void closeUnclaimed() {
            unclaimed
                    .values()
                    .forEach(
                            channel -> {
                                try {
                                    channel.close();
                                } catch (IOException e) {
                                    LOG.warn(
                                            "Could not close a listening socket: {}", e.toString());
                                }
                            });
            unclaimed.clear();
        }
    }

    /**
     * Like Kafka's {@code StandardFaultHandlerFactory}, except that a fatal fault is logged and
     * returned as an exception (which Kafka then throws) instead of halting the JVM. Non-fatal
     * faults are handled as usual.
     */
    static final class NonHaltingFaultHandlerFactory implements FaultHandlerFactory {

        private final String broker;

        NonHaltingFaultHandlerFactory(String broker) {
            this.broker = broker;
        }

        @Override
        public FaultHandler build(String name, boolean fatal, Runnable action) {
            if (!fatal) {
                return new LoggingFaultHandler(name, action);
            }
            return (failureMessage, cause) -> {
                LOG.error(
                        "Embedded Kafka {}: fatal fault in {}: {} (a standalone broker would halt here)",
                        broker,
                        name,
                        failureMessage,
                        cause);
                try {
                    action.run();
                } catch (RuntimeException e) {
                    LOG.error("Embedded Kafka {}: fault action of {} failed", broker, name, e);
                }
                return new IllegalStateException(
                        "Fatal fault in embedded Kafka "
                                + broker
                                + " ("
                                + name
                                + "): "
                                + failureMessage,
                        cause);
            };
        }
    }

    @Override
    public String toString() {
        return "EmbeddedKafka[" + bootstrapServers() + ", " + logDir + "]";
    }
}
