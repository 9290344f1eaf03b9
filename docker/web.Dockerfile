# The HTTP service image (collector, trigger API, guidance.js): a JRE plus the shaded service jar, the settings file
# and the service's log configuration. Build from the repository root after `./mvnw -B -DskipTests package`:
#   docker build -f docker/web.Dockerfile -t guidance-web:0.1.0 .
# Extra JVM flags: the JAVA_TOOL_OPTIONS environment variable. Extra settings: arguments after the image name
# (`--key value`, e.g. `--web.tokenSecret ...`), which follow the entrypoint's `--config`.
FROM eclipse-temurin:17-jre

# the health check of docker-compose.yml calls curl; the Temurin images ship it, this keeps it if they stop
RUN command -v curl >/dev/null \
    || (apt-get update && apt-get install -y --no-install-recommends curl && rm -rf /var/lib/apt/lists/*)

# a fixed numeric id, so that Kubernetes' runAsNonRoot can check it (docker/k8s/web.yaml)
RUN groupadd --system --gid 10001 guidance \
    && useradd --system --uid 10001 --gid guidance --no-create-home --shell /usr/sbin/nologin guidance

COPY web/target/guidance-web-0.1.0-SNAPSHOT-service.jar /opt/guidance/guidance-web.jar
COPY config/cluster.yaml /opt/guidance/config/cluster.yaml
COPY config/log4j2-serve.properties /opt/guidance/config/log4j2-serve.properties

USER 10001:10001
WORKDIR /opt/guidance
EXPOSE 8080

# MaxRAMPercentage sizes the heap from the container's memory limit; on an OutOfMemoryError the process exits and
# the orchestrator restarts it rather than leaving a half-working instance in the pool.
ENTRYPOINT ["java", "-XX:MaxRAMPercentage=75", "-XX:+ExitOnOutOfMemoryError", \
    "-Dlog4j2.configurationFile=/opt/guidance/config/log4j2-serve.properties", \
    "-jar", "/opt/guidance/guidance-web.jar", \
    "--config", "/opt/guidance/config/cluster.yaml"]
