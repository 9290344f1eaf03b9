package io.guidance.pipeline;

import static io.guidance.pipeline.LivePipeline.waitFor;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.StateRecoveryOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * Tests that restart the real job from one of its checkpoints: where they are, which completed
 * when, and how to start the job from one.
 */
final class Checkpoints {
    private final Path dir;

    Checkpoints(Path dir) {
        this.dir = dir;
    }

    /**
     * The job manager keeps this many completed checkpoints (a cluster setting, not a job one): all
     * of them, so that an early one is still there to restore from.
     */
    static Configuration keepEveryCheckpoint() {
        Configuration c = new Configuration();
        c.set(CheckpointingOptions.MAX_RETAINED_CHECKPOINTS, 1000);
        return c;
    }

    /** Starts the job with checkpoints in this directory, from {@code restoreFrom} if not null. */
    JobClient start(JobConfig config, io.guidance.rules.RuleSet rules, Path restoreFrom)
            throws Exception {
        Configuration flink = FlinkSettings.from(config);
        flink.set(CheckpointingOptions.CHECKPOINTS_DIRECTORY, dir.toUri().toString());
        if (restoreFrom != null) {
            flink.set(StateRecoveryOptions.SAVEPOINT_PATH, restoreFrom.toUri().toString());
        }
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(flink);
        return GuidanceJob.start(env, config, rules);
    }

    static void cancel(JobClient job) throws Exception {
        job.cancel().get(60, TimeUnit.SECONDS);
        waitFor(
                "job " + job.getJobID() + " cancelled",
                () -> job.getJobStatus().join().isGloballyTerminalState(),
                Duration.ofSeconds(60));
        assertThat(job.getJobStatus().get()).isEqualTo(JobStatus.CANCELED);
    }

    Path lastCompletedBefore(JobClient job, long instant) {
        List<Path> completed = completed(job);
        return completed.stream()
                .filter(chk -> modified(chk.resolve("_metadata")) < instant)
                .reduce((a, b) -> b)
                .orElseThrow(
                        () ->
                                new AssertionError(
                                        "no checkpoint completed before "
                                                + instant
                                                + ": "
                                                + completed.stream()
                                                        .map(
                                                                c ->
                                                                        c.getFileName()
                                                                                + "@"
                                                                                + modified(
                                                                                        c.resolve(
                                                                                                "_metadata")))
                                                        .collect(Collectors.joining(", "))));
    }

    void awaitCompletedAfter(JobClient job, long instant, Duration patience)
            throws InterruptedException {
        waitFor(
                "a checkpoint completed after " + instant,
                () ->
                        completed(job).stream()
                                .anyMatch(c -> modified(c.resolve("_metadata")) > instant),
                patience);
    }

    /** chk-N directories of the job that hold their metadata, by N. */
    List<Path> completed(JobClient job) {
        Path jobDir = dir.resolve(job.getJobID().toString());
        if (!Files.isDirectory(jobDir)) {
            return List.of();
        }
        try (Stream<Path> s = Files.list(jobDir)) {
            return s.filter(p -> p.getFileName().toString().startsWith("chk-"))
                    .filter(p -> Files.exists(p.resolve("_metadata")))
                    .sorted(
                            Comparator.comparingLong(
                                    p -> Long.parseLong(p.getFileName().toString().substring(4))))
                    .collect(Collectors.toList());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static long modified(Path file) {
        try {
            return Files.getLastModifiedTime(file).toMillis();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
