package io.guidance.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * docker/ cannot run here (no Docker engine), so this keeps it in step with the tested path: the
 * job settings it passes load as a JobConfig, the topics it creates are the ones those settings
 * name, and the Flink settings of the compose setup and the Kubernetes manifest agree. CI also runs
 * {@code docker-compose config} on the compose file.
 */
class DockerFilesTest {
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    private static final Path ROOT = Path.of("..");

    @Test
    void theComposeJobRunsTheJobClassWithTheClusterSettings() throws Exception {
        JsonNode compose = YAML.readTree(ROOT.resolve("docker/docker-compose.yml").toFile());
        List<String> command = texts(compose.path("services").path("jobmanager").path("command"));
        assertThat(command)
                .containsSubsequence(
                        "standalone-job",
                        "--job-classname",
                        GuidanceJob.class.getName(),
                        "--config",
                        "/opt/guidance/config/cluster.yaml");

        String dockerfile = Files.readString(ROOT.resolve("docker/Dockerfile"));
        assertThat(dockerfile)
                .contains("COPY config/cluster.yaml /opt/guidance/config/cluster.yaml")
                .contains("COPY config/rules.yaml /opt/guidance/config/rules.yaml")
                .contains("/opt/flink/usrlib/guidance-job.jar");
    }

    @Test
    void theComposeSetupCreatesEveryTopicTheClusterSettingsName() throws Exception {
        JobConfig cluster = JobConfig.load(ROOT.resolve("config/cluster.yaml"), java.util.Map.of());
        assertThat(cluster.rulesFile()).isEqualTo(Path.of("/opt/guidance/config/rules.yaml"));
        assertThat(cluster.kafkaBootstrap()).isEqualTo("kafka:9092");
        assertThat(cluster.get("redis.host")).isEqualTo("redis");

        JsonNode compose = YAML.readTree(ROOT.resolve("docker/docker-compose.yml").toFile());
        String topicsScript =
                String.join(" ", texts(compose.path("services").path("topics").path("command")));
        assertThat(topicsScript)
                .contains(cluster.eventsTopic() + ":")
                .contains(cluster.deadLetterTopic() + ":")
                .contains(cluster.auditTopic() + ":")
                .contains("--topic " + cluster.rulesTopic())
                .contains("cleanup.policy=compact");
        assertThat(compose.path("services").has("kafka")).isTrue();
        assertThat(compose.path("services").has("redis")).isTrue();
    }

    @Test
    void composeAndKubernetesShareTheFlinkSettings() throws Exception {
        JsonNode flink = YAML.readTree(ROOT.resolve("docker/flink/config.yaml").toFile());
        JsonNode k8s = YAML.readTree(ROOT.resolve("docker/k8s/flink-deployment.yaml").toFile());
        JsonNode k8sFlink = k8s.path("spec").path("flinkConfiguration");

        String reporter =
                flink.path("metrics")
                        .path("reporter")
                        .path("prom")
                        .path("factory")
                        .path("class")
                        .asText();
        assertThat(reporter)
                .isEqualTo("org.apache.flink.metrics.prometheus.PrometheusReporterFactory");
        assertThat(k8sFlink.path("metrics.reporter.prom.factory.class").asText())
                .isEqualTo(reporter);
        assertThat(k8sFlink.path("metrics.reporter.prom.port").asText())
                .isEqualTo(
                        flink.path("metrics").path("reporter").path("prom").path("port").asText());
        assertThat(k8sFlink.path("taskmanager.numberOfTaskSlots").asText())
                .isEqualTo(flink.path("taskmanager").path("numberOfTaskSlots").asText());
        assertThat(k8sFlink.path("state.backend.type").asText())
                .isEqualTo(flink.path("state").path("backend").path("type").asText());

        JsonNode job = k8s.path("spec").path("job");
        assertThat(job.path("entryClass").asText()).isEqualTo(GuidanceJob.class.getName());
        assertThat(job.path("jarURI").asText())
                .isEqualTo("local:///opt/flink/usrlib/guidance-job.jar");
        assertThat(texts(job.path("args")))
                .containsExactly("--config", "/opt/guidance/config/cluster.yaml");
        assertThat(job.path("upgradeMode").asText()).isEqualTo("savepoint");

        String prometheus = Files.readString(ROOT.resolve("docker/prometheus/prometheus.yml"));
        assertThat(prometheus).contains("jobmanager:9249").contains("taskmanager:9249");
    }

    private static List<String> texts(JsonNode list) {
        List<String> out = new ArrayList<>();
        list.forEach(n -> out.add(n.asText()));
        return out;
    }
}
