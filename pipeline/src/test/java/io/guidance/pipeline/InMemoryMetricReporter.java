package io.guidance.pipeline;

import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Gauge;
import org.apache.flink.metrics.Metric;
import org.apache.flink.metrics.MetricConfig;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.metrics.reporter.MetricReporter;
import org.apache.flink.metrics.reporter.MetricReporterFactory;

/**
 * Keeps every metric a MiniCluster registers, so that a test can read the job's own counters while
 * it runs. Enable it in the MiniCluster's configuration with {@link #enable}; metrics are grouped
 * by job name, so tests that run several jobs at once keep them apart. Static, since Flink creates
 * the reporter itself.
 */
public final class InMemoryMetricReporter implements MetricReporter {
    private static final String JOB_NAME = "<job_name>";

    /** job name -> metric name -> every instance (one per subtask). */
    private static final Map<String, Map<String, List<Metric>>> METRICS = new ConcurrentHashMap<>();

    /** Adds the reporter to a MiniCluster's configuration. */
    public static Configuration enable(Configuration c) {
        c.setString("metrics.reporter.in-memory.factory.class", Factory.class.getName());
        return c;
    }

    /**
     * The sum over all subtasks of the job's counters with this name; 0 when none is registered.
     */
    public static long counter(String jobName, String name) {
        long sum = 0;
        for (Metric m : instances(jobName, name)) {
            sum += ((Counter) m).getCount();
        }
        return sum;
    }

    /**
     * The sum over all subtasks of the job's numeric gauges with this name; 0 when none is
     * registered.
     */
    public static long gauge(String jobName, String name) {
        long sum = 0;
        for (Metric m : instances(jobName, name)) {
            Object v = ((Gauge<?>) m).getValue();
            sum += v == null ? 0 : ((Number) v).longValue();
        }
        return sum;
    }

    /** How many instances of the metric the job registered so far (0 before its tasks run). */
    public static int registered(String jobName, String name) {
        return instances(jobName, name).size();
    }

    private static List<Metric> instances(String jobName, String name) {
        return METRICS.getOrDefault(jobName, Map.of()).getOrDefault(name, List.of());
    }

    @Override
    public void open(MetricConfig config) {}

    @Override
    public void close() {}

    @Override
    public void notifyOfAddedMetric(Metric metric, String name, MetricGroup group) {
        String job = group.getAllVariables().get(JOB_NAME);
        if (job == null) {
            return; // cluster metrics
        }
        METRICS.computeIfAbsent(job, j -> new ConcurrentHashMap<>())
                .computeIfAbsent(name, n -> new CopyOnWriteArrayList<>())
                .add(metric);
    }

    @Override
    public void notifyOfRemovedMetric(Metric metric, String name, MetricGroup group) {
        String job = group.getAllVariables().get(JOB_NAME);
        if (job != null) {
            instances(job, name).remove(metric);
        }
    }

    /** Found by Flink through {@code META-INF/services}. */
    public static final class Factory implements MetricReporterFactory {
        @Override
        public MetricReporter createMetricReporter(Properties properties) {
            return new InMemoryMetricReporter();
        }
    }
}
