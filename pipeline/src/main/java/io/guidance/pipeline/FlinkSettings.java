package io.guidance.pipeline;

import org.apache.flink.configuration.Configuration;

/**
 * The Flink settings every run of the graph shares: no Kryo, no generated uids, checkpointing and
 * restarts as the job's config says. Applied to the environment's configuration so that cluster,
 * demo and tests behave alike.
 */
public final class FlinkSettings {
    private FlinkSettings() {}

    public static Configuration from(JobConfig config) {
        Configuration c = forBoundedRun(config);
        c.setString(
                "execution.checkpointing.interval", config.checkpointInterval().toMillis() + " ms");
        c.setString(
                "execution.checkpointing.timeout", config.checkpointTimeout().toMillis() + " ms");
        c.setString("execution.checkpointing.mode", config.checkpointMode());
        c.setString(
                "execution.checkpointing.externalized-checkpoint-retention",
                config.checkpointRetention());
        c.setString("restart-strategy.type", "exponential-delay");
        c.setString("restart-strategy.exponential-delay.initial-backoff", "1 s");
        c.setString("restart-strategy.exponential-delay.max-backoff", "1 min");
        return c;
    }

    /**
     * For replays: the same type and uid rules, no checkpoints and no restarts (a failed replay is
     * reported).
     */
    public static Configuration forBoundedRun(JobConfig config) {
        Configuration c = new Configuration();
        c.setString("pipeline.generic-types", "false");
        c.setString("pipeline.auto-generate-uids", "false");
        c.setString("pipeline.max-parallelism", Integer.toString(config.maxParallelism()));
        c.setString("parallelism.default", Integer.toString(config.parallelism()));
        c.setString("state.backend.type", config.stateBackend());
        c.setString(
                "pipeline.auto-watermark-interval", config.watermarkInterval().toMillis() + " ms");
        c.setString("restart-strategy.type", "none");
        return c;
    }
}
