package io.guidance.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.jar.JarFile;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The shaded job jar that SREs submit with {@code flink run}: our code and the connectors inside,
 * Flink itself, any logging backend, the Kafka broker and the local commands outside (the cluster
 * provides the first two; the rest never runs there and would clash with the cluster's classpath).
 */
class JobJarIT {
    private static List<String> entries;
    private static String mainClass;

    @BeforeAll
    static void readJar() throws IOException {
        Path jar = null;
        try (DirectoryStream<Path> d =
                Files.newDirectoryStream(Path.of("target"), "guidance-pipeline-*-job.jar")) {
            for (Path p : d) {
                jar = p;
            }
        }
        assertThat(jar).as("the shaded job jar in pipeline/target").isNotNull();
        entries = new ArrayList<>();
        try (JarFile j = new JarFile(jar.toFile())) {
            j.stream().forEach(e -> entries.add(e.getName()));
            mainClass = j.getManifest().getMainAttributes().getValue("Main-Class");
        }
    }

    @Test
    void holdsTheJobAndItsConnectors() {
        assertThat(mainClass).isEqualTo(GuidanceJob.class.getName());
        assertThat(entries)
                .contains(
                        "io/guidance/pipeline/GuidanceJob.class",
                        "io/guidance/detect/LiveRulesFunction.class",
                        "io/guidance/rules/RulesParser.class",
                        "org/apache/flink/connector/kafka/source/KafkaSource.class",
                        "org/apache/kafka/clients/consumer/KafkaConsumer.class",
                        "redis/clients/jedis/RedisClient.class",
                        "io/guidance/redis/TriggerWriteScript.class",
                        "io/guidance/config/Settings.class",
                        "com/fasterxml/jackson/dataformat/yaml/YAMLFactory.class");
    }

    @Test
    void leavesOutFlinkLoggingTheBrokerAndTheLocalCommands() {
        assertThat(entries)
                .noneMatch(e -> e.startsWith("org/apache/flink/streaming/api/environment/"));
        assertThat(entries).noneMatch(e -> e.startsWith("org/apache/flink/runtime/"));
        assertThat(entries).noneMatch(e -> e.startsWith("org/apache/logging/log4j/"));
        assertThat(entries).noneMatch(e -> e.startsWith("org/slf4j/"));
        assertThat(entries).noneMatch(e -> e.startsWith("scala/"));
        // the local module (broker, local Redis, LocalStack, importers), the commands, the web
        // service: none of them is a dependency of the job, so none may reach its jar
        assertThat(entries).noneMatch(e -> e.startsWith("io/guidance/local/"));
        assertThat(entries).noneMatch(e -> e.startsWith("io/guidance/cli/"));
        assertThat(entries).noneMatch(e -> e.startsWith("io/guidance/web/"));
        assertThat(entries).noneMatch(e -> e.startsWith("redis/embedded/"));
        assertThat(entries).noneMatch(e -> e.startsWith("kafka/") && e.endsWith(".class"));
        assertThat(entries)
                .noneMatch(e -> e.endsWith("log4j2.properties") || e.endsWith("log4j2.xml"));
    }
}
