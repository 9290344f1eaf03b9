package io.guidance.pipeline.redis;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.flink.api.common.JobInfo;
import org.apache.flink.api.common.TaskInfo;
import org.apache.flink.api.common.TaskInfoImpl;
import org.apache.flink.api.common.operators.MailboxExecutor;
import org.apache.flink.api.common.operators.ProcessingTimeService;
import org.apache.flink.api.common.serialization.SerializationSchema;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.connector.sink2.WriterInitContext;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Gauge;
import org.apache.flink.metrics.SimpleCounter;
import org.apache.flink.metrics.groups.OperatorIOMetricGroup;
import org.apache.flink.metrics.groups.SinkWriterMetricGroup;
import org.apache.flink.metrics.groups.UnregisteredMetricsGroup;
import org.apache.flink.util.UserCodeClassLoader;

/**
 * Just enough of a writer context to create the sink's writer outside a job, with metrics the test
 * can read.
 */
final class TestWriterInitContext implements WriterInitContext {
    final Metrics metrics = new Metrics();
    final ManualTimers timers = new ManualTimers();

    @Override
    public SinkWriterMetricGroup metricGroup() {
        return metrics;
    }

    @Override
    public TaskInfo getTaskInfo() {
        return new TaskInfoImpl("trigger sink test", 1, 0, 1, 0);
    }

    @Override
    public OptionalLong getRestoredCheckpointId() {
        return OptionalLong.empty();
    }

    @Override
    public boolean isObjectReuseEnabled() {
        return false;
    }

    @Override
    public JobInfo getJobInfo() {
        throw new UnsupportedOperationException();
    }

    @Override
    public UserCodeClassLoader getUserCodeClassLoader() {
        throw new UnsupportedOperationException();
    }

    @Override
    public MailboxExecutor getMailboxExecutor() {
        throw new UnsupportedOperationException();
    }

    @Override
    public ProcessingTimeService getProcessingTimeService() {
        return timers;
    }

    /**
     * Processing-time timers that run only when the test says so, on the test's thread, as the task
     * thread would run them: the writer's timed writes become deterministic steps.
     */
    static final class ManualTimers implements ProcessingTimeService {
        private final java.util.TreeMap<Long, java.util.List<ProcessingTimeCallback>> timers =
                new java.util.TreeMap<>();

        @Override
        public long getCurrentProcessingTime() {
            return System.currentTimeMillis();
        }

        @Override
        public synchronized java.util.concurrent.ScheduledFuture<?> registerTimer(
                long at, ProcessingTimeCallback c) {
            timers.computeIfAbsent(at, k -> new java.util.ArrayList<>()).add(c);
            return null;
        }

        synchronized int scheduled() {
            return timers.values().stream().mapToInt(java.util.List::size).sum();
        }

        /**
         * Runs every timer registered so far, whatever its time; timers they register wait for the
         * next call.
         */
        void fireAll() throws Exception {
            java.util.List<java.util.Map.Entry<Long, java.util.List<ProcessingTimeCallback>>> due;
            synchronized (this) {
                due = new java.util.ArrayList<>(timers.entrySet());
                timers.clear();
            }
            for (var e : due) {
                for (ProcessingTimeCallback c : e.getValue()) {
                    c.onProcessingTime(e.getKey());
                }
            }
        }
    }

    @Override
    public SerializationSchema.InitializationContext asSerializationSchemaInitializationContext() {
        throw new UnsupportedOperationException();
    }

    @Override
    public <IN> TypeSerializer<IN> createInputSerializer() {
        throw new UnsupportedOperationException();
    }

    /** Keeps every registered counter and gauge by name. */
    static final class Metrics extends UnregisteredMetricsGroup implements SinkWriterMetricGroup {
        private final Map<String, Counter> counters = new ConcurrentHashMap<>();
        private final Map<String, Gauge<?>> gauges = new ConcurrentHashMap<>();

        /**
         * The value of a counter the writer registered; fails when it registered none of that name.
         */
        long count(String name) {
            assertThat(counters).as("registered counters").containsKey(name);
            return counters.get(name).getCount();
        }

        Object gaugeValue(String name) {
            assertThat(gauges).as("registered gauges").containsKey(name);
            return gauges.get(name).getValue();
        }

        @Override
        public Counter counter(String name) {
            return counter(name, new SimpleCounter());
        }

        @Override
        public <C extends Counter> C counter(String name, C counter) {
            counters.put(name, counter);
            return counter;
        }

        @Override
        public <T, G extends Gauge<T>> G gauge(String name, G gauge) {
            gauges.put(name, gauge);
            return gauge;
        }

        @Override
        public OperatorIOMetricGroup getIOMetricGroup() {
            return UnregisteredMetricsGroup.createOperatorIOMetricGroup();
        }

        @Override
        public Counter getNumRecordsOutErrorsCounter() {
            return counters.computeIfAbsent("numRecordsOutErrors", n -> new SimpleCounter());
        }

        @Override
        public Counter getNumRecordsSendErrorsCounter() {
            return counters.computeIfAbsent("numRecordsSendErrors", n -> new SimpleCounter());
        }

        @Override
        public Counter getNumRecordsSendCounter() {
            return counters.computeIfAbsent("numRecordsSend", n -> new SimpleCounter());
        }

        @Override
        public Counter getNumBytesSendCounter() {
            return counters.computeIfAbsent("numBytesSend", n -> new SimpleCounter());
        }

        @Override
        public void setCurrentSendTimeGauge(Gauge<Long> gauge) {
            gauges.put("currentSendTime", gauge);
        }
    }
}
