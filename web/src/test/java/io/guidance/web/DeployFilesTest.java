package io.guidance.web;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.guidance.config.Settings;
import io.guidance.rules.Durations;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * docker/ cannot run here (no Docker engine, no cluster), so this keeps the service's image, its
 * compose service and its Kubernetes manifests in step with the tested code: the settings each
 * passes load as {@link WebSettings}, and ports, probe paths, names and the grace periods agree
 * with each other. CI also runs {@code docker-compose config} on the compose file.
 */
class DeployFilesTest {
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Path ROOT = Path.of("..");
    private static final String SHUTDOWN_GRACE_KEY = "web.shutdownGrace";

    @Test
    void theImageRunsTheServiceJarWithTheSettingsAndLogConfigurationItCopies() throws Exception {
        Dockerfile image = Dockerfile.read(ROOT.resolve("docker/web.Dockerfile"));

        assertThat(image.from).isEqualTo("eclipse-temurin:17-jre");
        assertThat(image.user).as("USER").isNotEmpty().doesNotStartWith("0").isNotEqualTo("root");
        assertThat(image.entrypoint.get(0)).isEqualTo("java");
        assertThat(image.entrypoint).anyMatch(a -> a.startsWith("-XX:MaxRAMPercentage="));

        String jar = image.entrypoint.get(image.entrypoint.indexOf("-jar") + 1);
        assertThat(image.copies.get(jar)).isEqualTo(serviceJarOfTheBuild());

        String logConfig =
                image.entrypoint.stream()
                        .filter(a -> a.startsWith("-Dlog4j2.configurationFile="))
                        .map(a -> a.substring(a.indexOf('=') + 1))
                        .findFirst()
                        .orElse("");
        assertThat(image.copies.get(logConfig)).isEqualTo("config/log4j2-serve.properties");

        assertThat(image.copies.get(image.configPath(List.of()))).isEqualTo("config/cluster.yaml");
        WebSettings settings = image.settings(List.of());
        assertThat(image.exposed).containsExactly(settings.port());
    }

    @Test
    void theComposeServiceReachesKafkaAndRedisByServiceNameAndPublishesItsPort() throws Exception {
        JsonNode services =
                YAML.readTree(ROOT.resolve("docker/docker-compose.yml").toFile()).path("services");
        JsonNode web = services.path("web");
        assertThat(web.path("image").asText()).isEqualTo("guidance-web:0.1.0");
        assertThat(web.path("build").path("dockerfile").asText())
                .isEqualTo("docker/web.Dockerfile");

        Dockerfile image = Dockerfile.read(ROOT.resolve("docker/web.Dockerfile"));
        List<String> command = new ArrayList<>();
        web.path("command").forEach(a -> command.add(interpolateWithDefaults(a.asText())));
        WebSettings settings = image.settings(command);

        for (String server : settings.kafkaBootstrap().split(",")) {
            assertThat(services.has(server.substring(0, server.lastIndexOf(':'))))
                    .as("Kafka host %s is a compose service", server)
                    .isTrue();
        }
        assertThat(services.has(settings.redis().host()))
                .as("Redis host %s is a compose service", settings.redis().host())
                .isTrue();
        assertThat(web.path("depends_on").path("topics").path("condition").asText())
                .isEqualTo("service_completed_successfully");
        assertThat(web.path("depends_on").has("redis")).isTrue();
        // nothing in front of the compose service: a client must not pick its own rate-limit key
        assertThat(settings.clientIpHeader()).isEmpty();

        List<String> ports = texts(web.path("ports"));
        assertThat(ports).containsExactly(settings.port() + ":" + settings.port());

        List<String> check = texts(web.path("healthcheck").path("test"));
        assertThat(check.get(0)).isEqualTo("CMD");
        assertThat(check.get(1)).as("a tool the image has").isEqualTo("curl");
        assertThat(image.text).contains("command -v curl");
        assertThat(check.get(check.size() - 1))
                .isEqualTo("http://localhost:" + settings.port() + "/readyz");

        Duration stopGrace =
                Duration.ofMillis(Durations.parse(web.path("stop_grace_period").asText()));
        assertThat(stopGrace).isGreaterThan(shutdownGrace(settings));
    }

    @Test
    void theKubernetesManifestsAgreeWithTheSettingsTheImageAndEachOther(@TempDir Path dir)
            throws Exception {
        Map<String, JsonNode> byKind = new HashMap<>();
        try (var docs =
                YAML.readerFor(JsonNode.class)
                        .<JsonNode>readValues(ROOT.resolve("docker/k8s/web.yaml").toFile())) {
            while (docs.hasNext()) {
                JsonNode doc = docs.next();
                assertThat(byKind.put(doc.path("kind").asText(), doc))
                        .as("one of each kind")
                        .isNull();
            }
        }
        assertThat(byKind.keySet())
                .containsExactlyInAnyOrder(
                        "ConfigMap",
                        "Deployment",
                        "Service",
                        "PodDisruptionBudget",
                        "HorizontalPodAutoscaler");
        JsonNode configMap = byKind.get("ConfigMap");
        JsonNode deployment = byKind.get("Deployment");
        JsonNode pod = deployment.path("spec").path("template");
        List<JsonNode> containers = list(pod.path("spec").path("containers"));
        assertThat(containers).hasSize(1);
        JsonNode container = containers.get(0);

        // the settings file: the ConfigMap, mounted where the image's entrypoint reads it
        Dockerfile image = Dockerfile.read(ROOT.resolve("docker/web.Dockerfile"));
        String configPath = image.configPath(List.of());
        JsonNode mount =
                list(container.path("volumeMounts")).stream()
                        .filter(m -> m.path("mountPath").asText().equals(configPath))
                        .findFirst()
                        .orElseThrow(() -> new AssertionError("nothing mounted at " + configPath));
        JsonNode volume =
                list(pod.path("spec").path("volumes")).stream()
                        .filter(v -> v.path("name").asText().equals(mount.path("name").asText()))
                        .findFirst()
                        .orElseThrow(() -> new AssertionError("no volume " + mount.path("name")));
        assertThat(volume.path("configMap").path("name").asText())
                .isEqualTo(configMap.path("metadata").path("name").asText());
        String fileName = mount.path("subPath").asText();
        Path settingsFile = dir.resolve("settings.yaml");
        Files.writeString(settingsFile, configMap.path("data").path(fileName).asText());
        WebSettings settings = WebSettings.load(settingsFile, Map.of());

        // the service writes where the job (config/cluster.yaml in its image) reads, and reads what
        // it writes
        WebSettings job = WebSettings.load(ROOT.resolve("config/cluster.yaml"), Map.of());
        assertThat(settings.kafkaBootstrap()).isEqualTo(job.kafkaBootstrap());
        assertThat(settings.eventsTopic()).isEqualTo(job.eventsTopic());
        assertThat(settings.redis().host()).isEqualTo(job.redis().host());
        assertThat(settings.redis().port()).isEqualTo(job.redis().port());
        assertThat(settings.redis().userKey("u1")).isEqualTo(job.redis().userKey("u1"));

        assertThat(container.path("image").asText())
                .isEqualTo(
                        YAML.readTree(ROOT.resolve("docker/docker-compose.yml").toFile())
                                .path("services")
                                .path("web")
                                .path("image")
                                .asText());

        Map<String, Integer> ports = new LinkedHashMap<>();
        container
                .path("ports")
                .forEach(p -> ports.put(p.path("name").asText(), p.path("containerPort").asInt()));
        assertThat(ports.values()).containsExactly(settings.port());
        assertThat(port(container.path("readinessProbe").path("httpGet").path("port"), ports))
                .isEqualTo(settings.port());
        assertThat(port(container.path("livenessProbe").path("httpGet").path("port"), ports))
                .isEqualTo(settings.port());
        assertThat(container.path("livenessProbe").path("httpGet").path("path").asText())
                .isEqualTo("/healthz");
        assertThat(container.path("readinessProbe").path("httpGet").path("path").asText())
                .isEqualTo("/readyz");
        JsonNode startup = container.path("startupProbe").path("httpGet");
        assertThat(startup.path("path").asText()).isEqualTo("/healthz");
        assertThat(port(startup.path("port"), ports)).isEqualTo(settings.port());

        JsonNode annotations = pod.path("metadata").path("annotations");
        assertThat(annotations.path("prometheus.io/scrape").asText()).isEqualTo("true");
        assertThat(annotations.path("prometheus.io/port").asText())
                .isEqualTo(Integer.toString(settings.port()));
        assertThat(annotations.path("prometheus.io/path").asText()).isEqualTo("/metrics");

        // the token secret: an argument Kubernetes fills from a Secret that must exist (an unset
        // variable would be passed on literally, as the secret)
        List<String> args = texts(container.path("args"));
        String secretArg = args.get(args.indexOf("--web.tokenSecret") + 1);
        Matcher variable = Pattern.compile("\\$\\(([A-Z_]+)\\)").matcher(secretArg);
        assertThat(variable.matches()).as(secretArg).isTrue();
        JsonNode secretRef =
                list(container.path("env")).stream()
                        .filter(e -> e.path("name").asText().equals(variable.group(1)))
                        .findFirst()
                        .orElseThrow(() -> new AssertionError("no env " + variable.group(1)))
                        .path("valueFrom")
                        .path("secretKeyRef");
        assertThat(secretRef.path("name").asText()).isNotEmpty();
        assertThat(secretRef.path("optional").asBoolean(false)).isFalse();

        // pods, Service and autoscaler point at each other
        Map<String, String> podLabels = strings(pod.path("metadata").path("labels"));
        assertThat(podLabels)
                .containsAllEntriesOf(
                        strings(deployment.path("spec").path("selector").path("matchLabels")));
        JsonNode service = byKind.get("Service").path("spec");
        assertThat(strings(service.path("selector"))).isNotEmpty();
        assertThat(podLabels).containsAllEntriesOf(strings(service.path("selector")));
        assertThat(list(service.path("ports")))
                .allSatisfy(
                        p ->
                                assertThat(port(p.path("targetPort"), ports))
                                        .isEqualTo(settings.port()));

        Map<String, String> budgetSelector =
                strings(
                        byKind.get("PodDisruptionBudget")
                                .path("spec")
                                .path("selector")
                                .path("matchLabels"));
        assertThat(budgetSelector).isNotEmpty();
        assertThat(podLabels).containsAllEntriesOf(budgetSelector);

        JsonNode hpa = byKind.get("HorizontalPodAutoscaler");
        assertThat(hpa.path("apiVersion").asText()).isEqualTo("autoscaling/v2");
        JsonNode target = hpa.path("spec").path("scaleTargetRef");
        assertThat(target.path("kind").asText()).isEqualTo("Deployment");
        assertThat(target.path("name").asText())
                .isEqualTo(deployment.path("metadata").path("name").asText());
        assertThat(hpa.path("spec").path("minReplicas").asInt()).isEqualTo(2);
        assertThat(hpa.path("spec").path("maxReplicas").asInt()).isEqualTo(10);
        assertThat(deployment.path("spec").path("replicas").asInt()).isEqualTo(2);
        // utilization is relative to the request, so the autoscaler needs one
        assertThat(container.path("resources").path("requests").path("cpu").asText()).isNotEmpty();
        assertThat(container.path("resources").path("limits").path("memory").asText()).isNotEmpty();

        // the pod is killed only after the preStop pause and a whole graceful stop
        List<String> preStop =
                texts(container.path("lifecycle").path("preStop").path("exec").path("command"));
        Duration pause =
                preStop.size() == 2 && preStop.get(0).equals("sleep")
                        ? Duration.ofSeconds(Long.parseLong(preStop.get(1)))
                        : Duration.ZERO;
        assertThat(
                        Duration.ofSeconds(
                                pod.path("spec").path("terminationGracePeriodSeconds").asLong()))
                .isGreaterThan(pause.plus(shutdownGrace(settings)));

        // non-root, as the image's user
        JsonNode security = pod.path("spec").path("securityContext");
        assertThat(security.path("runAsNonRoot").asBoolean()).isTrue();
        assertThat(security.path("runAsUser").asText() + ":" + security.path("runAsGroup").asText())
                .isEqualTo(image.user);
    }

    /**
     * {@code web.shutdownGrace} of these settings; the service's 10 s where the key is not
     * declared.
     */
    private static Duration shutdownGrace(WebSettings settings) {
        boolean declared =
                WebSettings.KEYS.stream().anyMatch(s -> s.key().equals(SHUTDOWN_GRACE_KEY));
        return declared
                ? Duration.ofMillis(Durations.parse(settings.get(SHUTDOWN_GRACE_KEY)))
                : Duration.ofSeconds(10);
    }

    /** The shaded jar of this module's build, as the repository root names it. */
    private static String serviceJarOfTheBuild() throws Exception {
        String pom = Files.readString(Path.of("pom.xml"));
        String version = firstGroup(pom, "<parent>.*?<version>(.+?)</version>");
        String artifact = firstGroup(pom, "</parent>\\s*<artifactId>(.+?)</artifactId>");
        String classifier = firstGroup(pom, "<shadedClassifierName>(.+?)</shadedClassifierName>");
        return "web/target/" + artifact + "-" + version + "-" + classifier + ".jar";
    }

    private static String firstGroup(String text, String regex) {
        Matcher m = Pattern.compile(regex, Pattern.DOTALL).matcher(text);
        assertThat(m.find()).as(regex).isTrue();
        return m.group(1);
    }

    /** Compose's {@code ${NAME:-default}} as it reads with NAME unset. */
    private static String interpolateWithDefaults(String value) {
        return value.replaceAll("\\$\\{[A-Za-z_][A-Za-z0-9_]*:-([^}]*)}", "$1");
    }

    /** A container port given by number or by name. */
    private static int port(JsonNode ref, Map<String, Integer> named) {
        if (ref.isInt()) {
            return ref.asInt();
        }
        assertThat(named).as("named ports").containsKey(ref.asText());
        return named.get(ref.asText());
    }

    private static List<JsonNode> list(JsonNode array) {
        List<JsonNode> out = new ArrayList<>();
        array.forEach(out::add);
        return out;
    }

    private static List<String> texts(JsonNode array) {
        List<String> out = new ArrayList<>();
        array.forEach(n -> out.add(n.asText()));
        return out;
    }

    private static Map<String, String> strings(JsonNode object) {
        Map<String, String> out = new LinkedHashMap<>();
        object.fields().forEachRemaining(e -> out.put(e.getKey(), e.getValue().asText()));
        return out;
    }

    /**
     * What the image's Dockerfile says: base, user, copies (image path to repository path), ports,
     * entrypoint.
     */
    private static final class Dockerfile {
        final String text;
        String from = "";
        String user = "";
        final Map<String, String> copies = new HashMap<>();
        final List<Integer> exposed = new ArrayList<>();
        List<String> entrypoint = List.of();

        private Dockerfile(String text) {
            this.text = text;
        }

        static Dockerfile read(Path file) throws Exception {
            Dockerfile d = new Dockerfile(Files.readString(file));
            // one instruction per logical line: comments dropped, continuations joined
            String joined = d.text.replaceAll("(?m)^\\s*#.*\\n", "").replaceAll("\\\\\\n", " ");
            for (String line : joined.split("\\n")) {
                String[] parts = line.trim().split("\\s+", 2);
                if (parts.length < 2) {
                    continue;
                }
                switch (parts[0]) {
                    case "FROM" -> d.from = parts[1].trim();
                    case "USER" -> d.user = parts[1].trim();
                    case "EXPOSE" -> d.exposed.add(Integer.parseInt(parts[1].trim()));
                    case "COPY" -> {
                        String[] paths = parts[1].trim().split("\\s+");
                        assertThat(paths).as(line).hasSize(2);
                        d.copies.put(paths[1], paths[0]);
                    }
                    case "ENTRYPOINT" ->
                            d.entrypoint = List.of(JSON.readValue(parts[1], String[].class));
                    default -> {}
                }
            }
            return d;
        }

        /** The service's arguments: the entrypoint's after the jar, then {@code extra}. */
        List<String> arguments(List<String> extra) {
            List<String> args =
                    new ArrayList<>(
                            entrypoint.subList(entrypoint.indexOf("-jar") + 2, entrypoint.size()));
            args.addAll(extra);
            return args;
        }

        /** The settings file the service reads in the image. */
        String configPath(List<String> extra) {
            Settings.CommandLine line =
                    Settings.CommandLine.parse(arguments(extra).toArray(String[]::new));
            assertThat(line.file()).as("--config").isNotNull();
            return line.file().toString();
        }

        /**
         * The settings the service runs with: the copied file the arguments name, with their
         * overrides.
         */
        WebSettings settings(List<String> extra) throws Exception {
            Settings.CommandLine line =
                    Settings.CommandLine.parse(arguments(extra).toArray(String[]::new));
            String source = copies.get(configPath(extra));
            assertThat(source).as("the image copies " + configPath(extra)).isNotNull();
            return WebSettings.load(ROOT.resolve(source), line.overrides());
        }
    }
}
