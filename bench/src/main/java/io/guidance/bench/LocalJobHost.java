package io.guidance.bench;

import io.guidance.pipeline.FlinkSettings;
import io.guidance.pipeline.GuidanceJob;
import io.guidance.pipeline.JobConfig;
import io.guidance.pipeline.LiveRules;
import io.guidance.pipeline.Uids;
import io.guidance.rules.RuleSet;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/** Runs the production job on a local MiniCluster in this JVM, read through {@link JobMetrics}. */
final class LocalJobHost implements JobHost {
    private static final Duration JOB_START_TIMEOUT = Duration.ofMinutes(3);

    /**
     * Settings under this prefix are Flink options for the cluster, not job settings: for
     * experiments with what the product does not set (e.g. {@code flink.execution.buffer-timeout}).
     */
    static final String FLINK_PREFIX = "flink.";

    /** Null: the job reads the rules file its settings name. */
    private final RuleSet rules;

    private final Path checkpoints;
    private JobClient job;
    private String name;

    /**
     * @param rules the rules every job starts with, or null for the settings' {@code rules.file}
     * @param checkpoints where the jobs keep their checkpoints
     */
    LocalJobHost(RuleSet rules, Path checkpoints) {
        this.rules = rules;
        this.checkpoints = checkpoints;
    }

    @Override
    public void start(Map<String, String> settings) throws Exception {
        if (job != null) {
            throw new IllegalStateException("job " + name + " still runs");
        }
        JobConfig config = JobConfig.of(jobSettings(settings));
        LiveRules live =
                rules != null ? LiveRules.of(rules) : LiveRules.fromFile(config.rulesFile());
        job = startJob(config, live, checkpoints, flinkOptions(settings));
        name = config.jobName();
    }

    @Override
    public JobStatus status() {
        if (name == null) {
            return new JobStatus(0, 0, 0, 0);
        }
        return new JobStatus(
                JobMetrics.counter(name, Uids.DETECT, "numRecordsIn"),
                JobMetrics.gaugeSum(name, "numRestarts"),
                JobMetrics.gaugeSum(name, "numberOfFailedCheckpoints"),
                JobMetrics.gaugeSum(name, "numberOfCompletedCheckpoints"));
    }

    @Override
    public void stop() {
        if (job != null) {
            stopJob(job, name);
            job = null;
        }
    }

    /** Starts the production job and returns once its detection operator runs on every subtask. */
    static JobClient startJob(JobConfig config, LiveRules rules, Path checkpoints)
            throws Exception {
        return startJob(config, rules, checkpoints, Map.of());
    }

    /** The settings without the Flink options. */
    static Map<String, String> jobSettings(Map<String, String> settings) {
        Map<String, String> out = new TreeMap<>(settings);
        out.keySet().removeIf(k -> k.startsWith(FLINK_PREFIX));
        return out;
    }

    /** The Flink options among the settings, without their prefix. */
    static Map<String, String> flinkOptions(Map<String, String> settings) {
        Map<String, String> out = new TreeMap<>();
        settings.forEach(
                (k, v) -> {
                    if (k.startsWith(FLINK_PREFIX)) {
                        out.put(k.substring(FLINK_PREFIX.length()), v);
                    }
                });
        return out;
    }

    /** {@link #startJob}, with {@code flinkOptions} set on the cluster's configuration. */
    static JobClient startJob(
            JobConfig config, LiveRules rules, Path checkpoints, Map<String, String> flinkOptions)
            throws Exception {
        Configuration c = JobMetrics.enable(FlinkSettings.from(config));
        flinkOptions.forEach(c::setString);
        // without a directory Flink keeps checkpoints in the JobManager's memory, which refuses
        // state over 5 MB: the checkpoint fails and the job restarts. Production configures a
        // durable directory (docker/flink).
        c.setString("execution.checkpointing.dir", checkpoints.toUri().toString());
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(c);
        JobClient job = GuidanceJob.start(env, config, rules);
        long deadline = System.nanoTime() + JOB_START_TIMEOUT.toNanos();
        while (JobMetrics.registered(config.jobName(), Uids.DETECT, "numRecordsIn")
                < config.parallelism()) {
            if (System.nanoTime() > deadline) {
                stopJob(job, config.jobName());
                throw new IllegalStateException("job " + config.jobName() + " did not start");
            }
            Thread.sleep(50);
        }
        return job;
    }

    static void stopJob(JobClient job, String name) {
        try {
            job.cancel().get(60, TimeUnit.SECONDS);
            job.getJobExecutionResult().handle((x, e) -> null).get(60, TimeUnit.SECONDS);
        } catch (Exception e) {
            LatencyBenchmark.log("while cancelling %s: %s", name, e);
        }
        JobMetrics.forget(name);
    }
}
