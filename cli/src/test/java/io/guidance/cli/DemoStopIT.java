package io.guidance.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code guidance demo} as its own process, stopped as a person stops it: by a signal, which runs
 * the demo's stop in a JVM shutdown hook. The stop reads the experiments from Redis and writes the
 * run's report before it closes Kafka and Redis, so neither may stop on its own beside it (their
 * own shutdown hooks used to, and the stop then found Redis gone and could not write the report's
 * charts). The demo's output is in {@code target/demo-stop-it/}.
 */
class DemoStopIT {
    private static final Duration FIRST_GUIDE = Duration.ofSeconds(240);
    private static final Duration STOP = Duration.ofSeconds(120);
    private static final Path LOGS = Path.of("target", "demo-stop-it");

    @Test
    void aSignalStopsTheDemoAfterItReadRedisAndWroteTheReport(@TempDir Path out) throws Exception {
        Files.createDirectories(LOGS);
        Path log = LOGS.resolve("demo.log");
        Files.deleteIfExists(log);
        Process demo =
                new ProcessBuilder(
                                CliProcess.command(
                                        List.of("-Xmx1g"),
                                        "log4j2-cli.properties",
                                        List.of("demo", "--port", "0", "--out", out.toString())))
                        .directory(Path.of("..").toAbsolutePath().normalize().toFile())
                        .redirectErrorStream(true)
                        .redirectOutput(log.toFile())
                        .start();
        List<ProcessHandle> children = List.of();
        try {
            long deadline = System.nanoTime() + FIRST_GUIDE.toNanos();
            while (!Files.readString(log).contains("] guide ")) {
                assertThat(demo.isAlive()).as("the demo is running; see " + log).isTrue();
                assertThat(System.nanoTime()).as("a first guide; see " + log).isLessThan(deadline);
                Thread.sleep(500);
            }
            children = demo.descendants().toList();
            assertThat(children).as("the demo's redis-server and its watchdog").isNotEmpty();

            demo.destroy(); // SIGTERM, as Ctrl-C: the JVM's shutdown hooks run
            assertThat(demo.waitFor(STOP.toSeconds(), TimeUnit.SECONDS))
                    .as("stopped; see " + log)
                    .isTrue();

            String printed = Files.readString(log);
            assertThat(printed)
                    .as(log.toString())
                    .contains("stopping: events", "stopped; nothing left running")
                    .doesNotContain("not readable from Redis", "report was not written");
            Path run = onlyRunFolder(out);
            assertThat(run.resolve("report.html")).isNotEmptyFile();
            assertThat(run.resolve("summary.txt")).isNotEmptyFile();
            for (ProcessHandle child : children) {
                assertThat(child.onExit())
                        .as("pid %d ended with the demo", child.pid())
                        .succeedsWithin(Duration.ofSeconds(15));
            }
        } finally {
            demo.destroyForcibly();
            demo.waitFor(30, TimeUnit.SECONDS);
            children.forEach(ProcessHandle::destroyForcibly);
        }
    }

    private static Path onlyRunFolder(Path out) throws IOException {
        try (Stream<Path> dirs = Files.list(out)) {
            List<Path> runs =
                    dirs.filter(d -> d.getFileName().toString().startsWith("guidance-demo-"))
                            .toList();
            assertThat(runs).hasSize(1);
            return runs.get(0);
        }
    }
}
