package io.guidance.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import java.util.UUID;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(120)
class EmbeddedKafkaTest {

    @Test
    void producesAndConsumesThroughARealBrokerAndReleasesPortAndThreadsOnClose() throws Exception {
        Set<Thread> threadsBefore = Thread.getAllStackTraces().keySet();
        EmbeddedKafka kafka = EmbeddedKafka.start();
        int port;
        int controllerPort;
        try {
            port = kafka.port();
            controllerPort = kafka.controllerPort();
            assertThat(kafka.bootstrapServers()).isEqualTo("127.0.0.1:" + port);

            kafka.createTopic("clicks", 2);
            List<String> sent = new ArrayList<>();
            try (KafkaProducer<String, String> producer =
                    new KafkaProducer<>(producerProps(kafka))) {
                for (int i = 0; i < 10; i++) {
                    String value = "event-" + i;
                    sent.add(value);
                    producer.send(new ProducerRecord<>("clicks", "session-" + (i % 3), value))
                            .get();
                }
            }

            List<String> received = new ArrayList<>();
            Set<Integer> partitions = new HashSet<>();
            try (KafkaConsumer<String, String> consumer =
                    new KafkaConsumer<>(consumerProps(kafka))) {
                consumer.subscribe(List.of("clicks"));
                long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
                while (received.size() < sent.size() && System.nanoTime() < deadline) {
                    for (ConsumerRecord<String, String> record :
                            consumer.poll(Duration.ofMillis(200))) {
                        received.add(record.value());
                        partitions.add(record.partition());
                    }
                }
            }
            assertThat(received).containsExactlyInAnyOrderElementsOf(sent);
            assertThat(partitions).isSubsetOf(0, 1);
        } finally {
            kafka.close();
        }

        assertRefusesConnections(port);
        assertRefusesConnections(controllerPort);
        kafka.close(); // idempotent
        assertNoThreadsLeftBehind(threadsBefore);
    }

    @Test
    void createsCompactedTopicsAndRejectsDuplicates() throws Exception {
        try (EmbeddedKafka kafka = EmbeddedKafka.start()) {
            kafka.createCompactedTopic("latest-triggers", 1);

            Properties props = new Properties();
            props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
            try (Admin admin = Admin.create(props)) {
                ConfigResource topic =
                        new ConfigResource(ConfigResource.Type.TOPIC, "latest-triggers");
                String policy =
                        admin.describeConfigs(List.of(topic))
                                .all()
                                .get()
                                .get(topic)
                                .get(TopicConfig.CLEANUP_POLICY_CONFIG)
                                .value();
                assertThat(policy).isEqualTo(TopicConfig.CLEANUP_POLICY_COMPACT);
            }

            assertThatThrownBy(() -> kafka.createTopic("latest-triggers", 1))
                    .isInstanceOf(TopicExistsException.class);
        }
    }

    private static void assertRefusesConnections(int port) {
        assertThatThrownBy(
                        () -> {
                            try (Socket socket = new Socket()) {
                                socket.connect(new InetSocketAddress("127.0.0.1", port), 1000);
                            }
                        })
                .as("connecting to port %d after close", port)
                .isInstanceOf(IOException.class);
    }

    /**
     * Every thread the broker and the clients started must be gone after close, except the single
     * JVM-wide tick thread pool of the Yammer metrics library that Kafka's server code uses.
     */
    private static void assertNoThreadsLeftBehind(Set<Thread> threadsBefore)
            throws InterruptedException {
        List<String> leftOver = List.of();
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (System.nanoTime() < deadline) {
            leftOver =
                    Thread.getAllStackTraces().keySet().stream()
                            .filter(t -> !threadsBefore.contains(t) && t.isAlive())
                            .map(Thread::getName)
                            .filter(name -> !name.startsWith("metrics-meter-tick-thread"))
                            .toList();
            if (leftOver.isEmpty()) {
                return;
            }
            Thread.sleep(100);
        }
        assertThat(leftOver).as("threads still running after close").isEmpty();
    }

    private static Properties producerProps(EmbeddedKafka kafka) {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        return p;
    }

    private static Properties consumerProps(EmbeddedKafka kafka) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        p.put(ConsumerConfig.GROUP_ID_CONFIG, "test-" + UUID.randomUUID());
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        return p;
    }
}
