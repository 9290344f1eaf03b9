package io.guidance.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.guidance.local.EmbeddedKafka;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code guidance report --bootstrap}: the same hand-written records as {@link ReportCommandTest},
 * on the topics that {@code --config} names, give the same report as the files, with bad records
 * named by partition and offset and a trigger written twice counted once.
 */
class ReportFromTopicsTest {
    static EmbeddedKafka kafka;
    @TempDir Path dir;

    @BeforeAll
    static void startKafka() throws Exception {
        kafka = EmbeddedKafka.start();
    }

    @AfterAll
    static void stopKafka() {
        if (kafka != null) {
            kafka.close();
        }
    }

    @Test
    void theTopicsGiveTheSameReportAsTheFiles() throws Exception {
        kafka.createTopic("t-audit", 1);
        kafka.createTopic("t-experiments", 1);
        kafka.createTopic("t-events", 1);
        try (KafkaProducer<String, byte[]> producer = producer()) {
            send(producer, "t-audit", ReportCommandTest.TRIGGERS);
            // at least once: the first trigger again
            send(producer, "t-audit", ReportCommandTest.TRIGGERS.lines().findFirst().orElseThrow());
            send(producer, "t-experiments", ReportCommandTest.EXPERIMENTS);
            send(producer, "t-events", ReportCommandTest.EVENTS);
            producer.flush();
        }
        Path rules = Files.writeString(dir.resolve("rules.yaml"), ReportCommandTest.RULES);
        Path config =
                Files.writeString(
                        dir.resolve("job.yaml"),
                        "kafka:\n  auditTopic: t-audit\n  experimentsTopic: t-experiments\n"
                                + "  topic: t-events\n");
        Path fromFiles = dir.resolve("files");
        Path fromTopics = dir.resolve("topics");
        ReportCommandTest.Result files =
                ReportCommandTest.cli(
                        "report",
                        "--triggers",
                        Files.writeString(dir.resolve("t.jsonl"), ReportCommandTest.TRIGGERS)
                                .toString(),
                        "--experiments",
                        Files.writeString(dir.resolve("x.jsonl"), ReportCommandTest.EXPERIMENTS)
                                .toString(),
                        "--events",
                        Files.writeString(dir.resolve("e.jsonl"), ReportCommandTest.EVENTS)
                                .toString(),
                        "--rules",
                        rules.toString(),
                        "--out",
                        fromFiles.toString());
        assertThat(files.code()).as(files.err()).isZero();

        ReportCommandTest.Result topics =
                ReportCommandTest.cli(
                        "report",
                        "--bootstrap",
                        kafka.bootstrapServers(),
                        "--config",
                        config.toString(),
                        "--rules",
                        rules.toString(),
                        "--out",
                        fromTopics.toString());

        assertThat(topics.code()).as(topics.err()).isZero();
        ObjectMapper mapper = new ObjectMapper();
        JsonNode a = mapper.readTree(fromFiles.resolve("report.json").toFile());
        JsonNode b = mapper.readTree(fromTopics.resolve("report.json").toFile());
        assertThat(b.get("rules")).isEqualTo(a.get("rules"));
        assertThat(b.get("experiments")).isEqualTo(a.get("experiments"));
        assertThat(b.get("feedback")).isEqualTo(a.get("feedback"));
        // the triggers topic: five records and the repeated one; its third record (offset 2)
        assertThat(b.get("inputs").get(0).get("read").asLong()).isEqualTo(6);
        assertThat(b.get("inputs").get(0).get("bad").asLong()).isEqualTo(1);
        assertThat(b.get("inputs").get(0).get("firstBad").get(0).asText())
                .startsWith("partition 0 offset 2: ");
        assertThat(b.get("inputs").get(2).get("firstBad").get(0).asText())
                .startsWith("partition 0 offset 5: ");
        assertThat(topics.err()).contains("report: read 6 records of t-audit");
        assertThat(Files.readString(fromTopics.resolve("report.html"))).contains("topic t-audit");
    }

    /** Each non-blank line as one record of partition 0, in order. */
    private static void send(KafkaProducer<String, byte[]> producer, String topic, String lines) {
        lines.lines()
                .filter(l -> !l.isBlank())
                .forEach(
                        l ->
                                producer.send(
                                        new ProducerRecord<>(
                                                topic,
                                                0,
                                                null,
                                                l.getBytes(StandardCharsets.UTF_8))));
    }

    private static KafkaProducer<String, byte[]> producer() {
        return new KafkaProducer<>(
                Map.of(
                        ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers(),
                        ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG,
                                StringSerializer.class.getName(),
                        ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG,
                                ByteArraySerializer.class.getName()));
    }
}
