package io.guidance.bench;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.sink2.SinkWriter;
import org.apache.flink.api.connector.sink2.WriterInitContext;

/**
 * A sink that discards everything and counts it in a named counter of this JVM (the benchmark runs
 * on a local MiniCluster). Each writer counts locally and adds its count once, when it closes.
 */
public final class CountingSink<T> implements Sink<T> {
    private static final long serialVersionUID = 1L;
    private static final Map<String, LongAdder> COUNTS = new ConcurrentHashMap<>();

    private final String counter;

    public CountingSink(String counter) {
        this.counter = counter;
    }

    public static void reset() {
        COUNTS.clear();
    }

    public static long count(String counter) {
        LongAdder a = COUNTS.get(counter);
        return a == null ? 0 : a.sum();
    }

    static void add(String counter, long n) {
        COUNTS.computeIfAbsent(counter, c -> new LongAdder()).add(n);
    }

    @Override
    public SinkWriter<T> createWriter(WriterInitContext context) {
        return new SinkWriter<>() {
            private long n;

            @Override
            public void write(T element, Context ctx) {
                n++;
            }

            @Override
            public void flush(boolean endOfInput) {}

            @Override
            public void close() {
                add(counter, n);
                n = 0;
            }
        };
    }
}
