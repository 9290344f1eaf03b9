package io.guidance.cli;

import java.util.Map;
import java.util.OptionalLong;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.flink.metrics.Gauge;
import org.apache.flink.metrics.Metric;
import org.apache.flink.metrics.MetricConfig;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.metrics.reporter.MetricReporter;
import org.apache.flink.metrics.reporter.MetricReporterFactory;

/**
 * A Flink metric reporter for the demo's MiniClusters, which run in the demo's own JVM: it keeps
 * the {@code rules.version} gauge of every detection subtask, so that the demo can tell when a
 * published rules version is in force in every subtask of a job. Registered as a service and named
 * in the job's configuration under {@link #CONFIG_KEY}.
 */
public final class RulesVersionGauges implements MetricReporterFactory {
    /** The configuration key that enables this reporter on a MiniCluster. */
    static final String CONFIG_KEY = "metrics.reporter.demo-rules-version.factory.class";

    /** "job name/subtask index" -> that subtask's rules version gauge. */
    private static final Map<String, Gauge<?>> GAUGES = new ConcurrentHashMap<>();

    @Override
    public MetricReporter createMetricReporter(Properties properties) {
        return new Reporter();
    }

    /**
     * The lowest rules version in force over the subtasks of a job; empty before its detection
     * subtasks have started (or after they stopped).
     */
    static OptionalLong versionInForce(String jobName) {
        String prefix = jobName + "/";
        return GAUGES.entrySet().stream()
                .filter(e -> e.getKey().startsWith(prefix))
                .map(e -> e.getValue().getValue())
                .filter(v -> v instanceof Number)
                .mapToLong(v -> ((Number) v).longValue())
                .min();
    }

    private static String key(MetricGroup group) {
        Map<String, String> v = group.getAllVariables();
        return v.getOrDefault("<job_name>", "?") + "/" + v.getOrDefault("<subtask_index>", "?");
    }

    private static boolean isRulesVersion(String name, MetricGroup group) {
        return "version".equals(name) && group.getMetricIdentifier(name).endsWith("rules.version");
    }

    private static final class Reporter implements MetricReporter {
        @Override
        public void open(MetricConfig config) {}

        @Override
        public void close() {}

        @Override
        public void notifyOfAddedMetric(Metric metric, String name, MetricGroup group) {
            if (metric instanceof Gauge<?> g && isRulesVersion(name, group)) {
                GAUGES.put(key(group), g);
            }
        }

        @Override
        public void notifyOfRemovedMetric(Metric metric, String name, MetricGroup group) {
            if (isRulesVersion(name, group)) {
                GAUGES.remove(key(group), metric);
            }
        }
    }
}
