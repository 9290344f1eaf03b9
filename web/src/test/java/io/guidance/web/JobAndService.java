package io.guidance.web;

import io.guidance.local.LocalStack;
import io.guidance.pipeline.FlinkSettings;
import io.guidance.pipeline.GuidanceJob;
import io.guidance.pipeline.JobConfig;
import io.guidance.pipeline.LiveRules;
import io.guidance.rules.RulesParser;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * The product on this machine, as the browser tests meet it: a real Kafka broker and redis-server
 * ({@link LocalStack}), the job on a Flink MiniCluster reading and writing them at parallelism 2
 * with a checkpoint every 2 s, and the HTTP service in front of both on a free port. {@link
 * #close()} stops the service, then the job, then Kafka and Redis.
 */
final class JobAndService implements AutoCloseable {
    private final LocalStack stack;
    private final JobClient job;
    private final GuidanceWebServer web;

    private JobAndService(LocalStack stack, JobClient job, GuidanceWebServer web) {
        this.stack = stack;
        this.job = job;
        this.web = web;
    }

    /**
     * Starts Kafka with {@code topics} (two partitions each) and Redis, the job named {@code name}
     * under {@code rulesYaml}, and the service with the job's settings and {@code web} added.
     *
     * @param maxOutOfOrderness {@code events.maxOutOfOrderness}
     * @param idleTimeout {@code events.idleTimeout}; an unused partition follows the wall clock
     *     after 3 s
     */
    static JobAndService start(
            String name,
            LocalStack.Topics topics,
            String rulesYaml,
            Duration maxOutOfOrderness,
            Duration idleTimeout,
            Map<String, String> web)
            throws Exception {
        LocalStack stack = LocalStack.start(topics, 2);
        JobClient job = null;
        try {
            Map<String, String> settings = stack.settings(topics);
            settings.put("kafka.groupId", name);
            settings.put("events.maxOutOfOrderness", maxOutOfOrderness.toMillis() + "ms");
            settings.put("events.idleTimeout", idleTimeout.toMillis() + "ms");
            settings.put("events.startupIdleTimeout", "3s");
            settings.put("job.name", name);
            settings.put("job.parallelism", "2");
            settings.put("job.checkpointInterval", "2s");
            JobConfig config = JobConfig.of(settings);
            job =
                    GuidanceJob.start(
                            StreamExecutionEnvironment.getExecutionEnvironment(
                                    FlinkSettings.from(config)),
                            config,
                            LiveRules.of(RulesParser.parse(rulesYaml, "test rules")));
            Map<String, String> service = new HashMap<>(settings);
            service.put("web.host", "127.0.0.1");
            service.put("web.port", "0");
            service.putAll(web);
            return new JobAndService(stack, job, GuidanceWebServer.start(WebSettings.of(service)));
        } catch (Throwable t) {
            if (job != null) {
                job.cancel().get(30, TimeUnit.SECONDS);
            }
            stack.close();
            throw t;
        }
    }

    LocalStack stack() {
        return stack;
    }

    /** {@code http://127.0.0.1:PORT} of the service. */
    String base() {
        return "http://127.0.0.1:" + web.port();
    }

    /** The job's status, or null when the MiniCluster does not answer within 5 s. */
    JobStatus jobStatus() {
        try {
            return job.getJobStatus().get(5, TimeUnit.SECONDS);
        } catch (Exception e) {
            return null;
        }
    }

    @Override
    public void close() throws Exception {
        try {
            web.close();
            job.cancel().get(30, TimeUnit.SECONDS);
        } finally {
            stack.close();
        }
    }

    /** Waits until {@code condition} holds, polling every 100 ms; fails after {@code timeout}. */
    static void waitFor(String what, BooleanSupplier condition, Duration timeout)
            throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError(what + ": not within " + timeout.toSeconds() + " s");
            }
            Thread.sleep(100);
        }
    }
}
