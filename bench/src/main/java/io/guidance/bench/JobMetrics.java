package io.guidance.bench;

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
 * Keeps the metrics of the jobs a local MiniCluster runs, so that a benchmark can read a job's own
 * counters live (how many events the detection operator took in, RocksDB's sizes) with no REST call
 * and no reporting interval. Enabled in the cluster's configuration with {@link #enable}; static,
 * since Flink creates the reporter itself.
 */
public final class JobMetrics implements MetricReporter {
    /**
     * job name -> "operator/metric" and "metric" -> every instance (one per subtask, or per column
     * family).
     */
    private static final Map<String, Map<String, List<Metric>>> METRICS = new ConcurrentHashMap<>();

    public static Configuration enable(Configuration c) {
        c.setString("metrics.reporter.bench.factory.class", Factory.class.getName());
        return c;
    }

    /**
     * The sum over all subtasks of counters {@code name} of operator {@code operator}; 0 before
     * they exist.
     */
    public static long counter(String job, String operator, String name) {
        long sum = 0;
        for (Metric m : instances(job, operator + "/" + name)) {
            sum += ((Counter) m).getCount();
        }
        return sum;
    }

    /**
     * The sum of every numeric gauge {@code name} of the job (any operator); 0 before they exist.
     */
    public static long gaugeSum(String job, String name) {
        long sum = 0;
        for (Metric m : instances(job, name)) {
            Object v = ((Gauge<?>) m).getValue();
            sum += v instanceof Number ? ((Number) v).longValue() : 0;
        }
        return sum;
    }

    /** How many instances of the metric exist: 0 until the job's tasks have started. */
    public static int registered(String job, String operator, String name) {
        return instances(job, operator + "/" + name).size();
    }

    /** Forgets a finished job's metrics. */
    public static void forget(String job) {
        METRICS.remove(job);
    }

    private static List<Metric> instances(String job, String key) {
        return METRICS.getOrDefault(job, Map.of()).getOrDefault(key, List.of());
    }

    @Override
    public void open(MetricConfig config) {}

    @Override
    public void close() {}

    @Override
    public void notifyOfAddedMetric(Metric metric, String name, MetricGroup group) {
        Map<String, String> v = group.getAllVariables();
        String job = v.get("<job_name>");
        if (job == null) {
            return;
        }
        Map<String, List<Metric>> byName =
                METRICS.computeIfAbsent(job, j -> new ConcurrentHashMap<>());
        byName.computeIfAbsent(name, n -> new CopyOnWriteArrayList<>()).add(metric);
        String operator = v.get("<operator_name>");
        if (operator != null) {
            byName.computeIfAbsent(operator + "/" + name, n -> new CopyOnWriteArrayList<>())
                    .add(metric);
        }
    }

    @Override
    public void notifyOfRemovedMetric(Metric metric, String name, MetricGroup group) {
        Map<String, String> v = group.getAllVariables();
        String job = v.get("<job_name>");
        if (job == null) {
            return;
        }
        instances(job, name).remove(metric);
        String operator = v.get("<operator_name>");
        if (operator != null) {
            instances(job, operator + "/" + name).remove(metric);
        }
    }

    /** Found by Flink through {@code META-INF/services}. */
    public static final class Factory implements MetricReporterFactory {
        @Override
        public MetricReporter createMetricReporter(Properties properties) {
            return new JobMetrics();
        }
    }
}
