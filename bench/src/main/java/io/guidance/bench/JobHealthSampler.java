package io.guidance.bench;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.locks.LockSupport;

/** Samples the job's restarts and checkpoints every 100 ms on a thread of its own. */
final class JobHealthSampler {
    final List<long[]> samples = Collections.synchronizedList(new ArrayList<>());
    private final String job;
    private final Thread thread;
    private volatile boolean stopping;

    JobHealthSampler(String job) {
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
            samples.add(
                    new long[] {
                        now,
                        JobMetrics.gaugeSum(job, "numRestarts"),
                        JobMetrics.gaugeSum(job, "numberOfFailedCheckpoints"),
                        JobMetrics.gaugeSum(job, "numberOfCompletedCheckpoints")
                    });
            LockSupport.parkNanos(100_000_000L);
        }
    }

    void stop() throws InterruptedException {
        stopping = true;
        thread.join(5_000);
    }
}
