package io.guidance.bench;

import java.util.Map;

/**
 * Where a benchmark runs the production job, one job at a time: in the benchmark's own JVM ({@link
 * LocalJobHost}) or in a JVM of its own, as a TaskManager runs on a cluster ({@link JobProcess}).
 */
interface JobHost {
    /**
     * Starts the job with these job settings and returns once its detection operator runs on every
     * subtask.
     */
    void start(Map<String, String> settings) throws Exception;

    /** The running job's counters, summed over its subtasks; zeros before they exist. */
    JobStatus status() throws Exception;

    /** Cancels the running job, if any, and waits for it to end. */
    void stop();

    /** What the benchmarks read of a running job. */
    record JobStatus(
            long detectRecordsIn,
            long restarts,
            long failedCheckpoints,
            long completedCheckpoints) {}
}
