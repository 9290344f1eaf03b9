package io.guidance.pipeline;

import java.time.Duration;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.CoreOptions;
import org.apache.flink.configuration.ExecutionOptions;
import org.apache.flink.configuration.ExternalizedCheckpointRetention;
import org.apache.flink.configuration.PipelineOptions;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.configuration.StateBackendOptions;
import org.apache.flink.core.execution.CheckpointingMode;

/**
 * The Flink settings every run of the graph shares: no Kryo, no generated uids, checkpointing and
 * restarts as the job's config says. Applied to the environment's configuration so that cluster,
 * demo and tests behave alike. Set through Flink's typed options, so a renamed or retyped option
 * fails the build instead of being ignored.
 */
public final class FlinkSettings {
    private FlinkSettings() {}

    public static Configuration from(JobConfig config) {
        Configuration c = forBoundedRun(config);
        c.set(CheckpointingOptions.CHECKPOINTING_INTERVAL, config.checkpointInterval());
        c.set(CheckpointingOptions.CHECKPOINTING_TIMEOUT, config.checkpointTimeout());
        c.set(
                CheckpointingOptions.CHECKPOINTING_CONSISTENCY_MODE,
                CheckpointingMode.valueOf(config.checkpointMode()));
        c.set(
                CheckpointingOptions.EXTERNALIZED_CHECKPOINT_RETENTION,
                ExternalizedCheckpointRetention.valueOf(config.checkpointRetention()));
        c.set(RestartStrategyOptions.RESTART_STRATEGY, "exponential-delay");
        c.set(
                RestartStrategyOptions.RESTART_STRATEGY_EXPONENTIAL_DELAY_INITIAL_BACKOFF,
                Duration.ofSeconds(1));
        c.set(
                RestartStrategyOptions.RESTART_STRATEGY_EXPONENTIAL_DELAY_MAX_BACKOFF,
                Duration.ofMinutes(1));
        c.set(ExecutionOptions.BUFFER_TIMEOUT, config.bufferTimeout());
        return c;
    }

    /**
     * For replays: the same type and uid rules, no checkpoints and no restarts (a failed replay is
     * reported).
     */
    public static Configuration forBoundedRun(JobConfig config) {
        Configuration c = new Configuration();
        c.set(PipelineOptions.GENERIC_TYPES, false);
        c.set(PipelineOptions.AUTO_GENERATE_UIDS, false);
        c.set(PipelineOptions.MAX_PARALLELISM, config.maxParallelism());
        c.set(CoreOptions.DEFAULT_PARALLELISM, config.parallelism());
        c.set(StateBackendOptions.STATE_BACKEND, config.stateBackend());
        c.set(PipelineOptions.AUTO_WATERMARK_INTERVAL, config.watermarkInterval());
        c.set(RestartStrategyOptions.RESTART_STRATEGY, "none");
        return c;
    }
}
