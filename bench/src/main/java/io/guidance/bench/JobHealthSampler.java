package io.guidance.bench;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.locks.LockSupport;

/** Samples the job's restarts and checkpoints every 100 ms on a thread of its own. */
final class JobHealthSampler {
    final List<long[]> samples = Collections.synchronizedList(new ArrayList<>());
    private final JobHost job;
    private final Thread thread;
    private volatile boolean stopping;

    JobHealthSampler(JobHost job) {
        this.job = job;
        this.thread = new Thread(this::loop, "bench-sampler");
        thread.setDaemon(true);
    }

    void start() {
        thread.start();
    }

    private void loop() {
        while (!stopping) {
            long now = System.currentTimeMillis();
            try {
                JobHost.JobStatus s = job.status();
                samples.add(
                        new long[] {
                            now, s.restarts(), s.failedCheckpoints(), s.completedCheckpoints()
                        });
            } catch (Exception e) {
                LatencyBenchmark.log("could not sample the job: %s", e.getMessage());
                return;
            }
            LockSupport.parkNanos(100_000_000L);
        }
    }

    void stop() throws InterruptedException {
        stopping = true;
        thread.join(5_000);
    }
}
