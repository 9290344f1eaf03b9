package io.guidance.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.guidance.pipeline.JobConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The web section of the job's settings file: read by the service, skipped by the job, checked key
 * by key.
 */
class WebSettingsTest {
    @Test
    void theShippedLocalSettingsLoadForTheJobAndForTheService() throws Exception {
        Path local = Path.of("..", "config", "local.yaml");

        JobConfig job = JobConfig.load(local, Map.of());
        WebSettings web =
                WebSettings.load(local, Map.of("web.port", "9090", "redis.prefix", "shop"));

        assertThat(job.asMap().keySet()).noneMatch(k -> k.startsWith("web."));
        assertThat(web.port()).isEqualTo(9090);
        assertThat(web.allowedOrigins()).containsExactly("http://localhost:8080");
        assertThat(web.demoShop()).isTrue();
        assertThat(web.tokenSecret()).isEmpty();
        assertThat(web.redis().userKey("u1")).isEqualTo("shop:user:u1");
        assertThat(web.eventsTopic()).isEqualTo(job.eventsTopic());
        assertThat(web.kafkaBootstrap()).isEqualTo(job.kafkaBootstrap());
    }

    @Test
    void defaultsAreSafeForProduction() {
        WebSettings web = WebSettings.of(Map.of());

        assertThat(web.port()).isEqualTo(8080);
        assertThat(web.allowedOrigins()).isEmpty();
        assertThat(web.demoShop()).isFalse();
        assertThat(web.rateLimit()).isEqualTo(20.0);
        assertThat(web.maxBatchEvents()).isEqualTo(100);
        assertThat(web.maxBodyBytes()).isEqualTo(256 * 1024);
    }

    @Test
    void aListOfOriginsInYamlIsReadAsTheList(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("web.yaml");
        Files.writeString(
                file, "web:\n  allowedOrigins: [https://a.example, \"https://b.example/\"]\n");

        assertThat(WebSettings.load(file, Map.of()).allowedOrigins())
                .isEqualTo(List.of("https://a.example", "https://b.example"));
    }

    @Test
    void unknownKeysAndBadValuesFailNamingTheKey(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("web.yaml");
        Files.writeString(file, "web:\n  prot: 8080\n");

        assertThatThrownBy(() -> WebSettings.load(file, Map.of()))
                .hasMessageContaining("unknown setting 'web.prot'");
        assertThatThrownBy(() -> WebSettings.of(Map.of("web.rateLimit", "-1")))
                .hasMessageContaining("web.rateLimit");
        assertThatThrownBy(() -> WebSettings.of(Map.of("web.port", "70000")))
                .hasMessageContaining("web.port");
        assertThatThrownBy(() -> WebSettings.of(Map.of("web.demoShop", "yes")))
                .hasMessageContaining("web.demoShop");
        assertThatThrownBy(() -> WebSettings.load(null, Map.of("kafka.topik", "x")))
                .hasMessageContaining("kafka.topik");
    }

    @Test
    void theSecretIsNeverShown() {
        WebSettings web = WebSettings.of(Map.of("web.tokenSecret", "hunter2"));

        assertThat(web.toString()).doesNotContain("hunter2").contains("web.tokenSecret=***");
    }
}
