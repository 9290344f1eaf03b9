package io.guidance.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.Map;
import org.apache.flink.configuration.Configuration;
import org.junit.jupiter.api.Test;

/** Settings that reach Flink's own configuration, and the refusal of bad values by key. */
class JobConfigTest {
    @Test
    void theWatermarkIntervalIsFiftyMillisecondsAndReachesFlink() {
        JobConfig defaults = JobConfig.defaults();
        assertThat(defaults.watermarkInterval()).isEqualTo(Duration.ofMillis(50));
        Configuration flink = FlinkSettings.from(defaults);
        assertThat(flink.toMap()).containsEntry("pipeline.auto-watermark-interval", "50 ms");

        JobConfig slower = JobConfig.of(Map.of("events.watermarkInterval", "200ms"));
        assertThat(FlinkSettings.forBoundedRun(slower).toMap())
                .containsEntry("pipeline.auto-watermark-interval", "200 ms");
    }

    @Test
    void aWatermarkIntervalOfZeroIsRefusedByName() {
        assertThatThrownBy(() -> JobConfig.of(Map.of("events.watermarkInterval", "0s")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("events.watermarkInterval")
                .hasMessageContaining("positive");
    }

    @Test
    void theJobsSettingsReachFlinkUnderFlinksOwnKeys() {
        JobConfig config =
                JobConfig.of(
                        Map.of(
                                "job.checkpointMode", "at_least_once",
                                "job.checkpointRetention", "delete_on_cancellation",
                                "job.checkpointInterval", "3s",
                                "job.stateBackend", "rocksdb",
                                "job.parallelism", "3",
                                "job.maxParallelism", "64"));

        Map<String, String> flink = FlinkSettings.from(config).toMap();

        assertThat(flink)
                .containsEntry("pipeline.generic-types", "false")
                .containsEntry("pipeline.auto-generate-uids", "false")
                .containsEntry("parallelism.default", "3")
                .containsEntry("pipeline.max-parallelism", "64")
                .containsEntry("state.backend.type", "rocksdb")
                .containsEntry("execution.checkpointing.interval", "3 s")
                .containsEntry("execution.checkpointing.timeout", "2 min")
                .containsEntry("execution.checkpointing.mode", "AT_LEAST_ONCE")
                .containsEntry(
                        "execution.checkpointing.externalized-checkpoint-retention",
                        "DELETE_ON_CANCELLATION")
                .containsEntry("restart-strategy.type", "exponential-delay")
                .containsEntry("restart-strategy.exponential-delay.initial-backoff", "1 s")
                .containsEntry("restart-strategy.exponential-delay.max-backoff", "1 min")
                .containsEntry("execution.buffer-timeout.interval", "10 ms");
        assertThat(FlinkSettings.forBoundedRun(config).toMap())
                .containsEntry("restart-strategy.type", "none")
                .doesNotContainKey("execution.checkpointing.interval")
                .doesNotContainKey("execution.buffer-timeout.interval");
        assertThat(FlinkSettings.from(JobConfig.of(Map.of("job.bufferTimeout", "0s"))).toMap())
                .containsEntry("execution.buffer-timeout.interval", "0 ms");
    }
}
