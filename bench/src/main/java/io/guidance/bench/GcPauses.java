package io.guidance.bench;

import com.sun.management.GarbageCollectionNotificationInfo;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import javax.management.ListenerNotFoundException;
import javax.management.Notification;
import javax.management.NotificationEmitter;
import javax.management.NotificationListener;
import javax.management.openmbean.CompositeData;

/**
 * Collections of this JVM while it is open, from the collectors' notifications: how many, their
 * total and their longest duration. The benchmarks run Flink, Kafka and the producer in one JVM, so
 * a collection stops all of them; a latency percentile means little without the pauses beside it.
 * Durations are the collectors' own: for Parallel and G1 the stop-the-world pause of a young, mixed
 * or full collection. On Java 17, G1's remark and cleanup pauses (short, during a concurrent cycle)
 * are reported by no collector bean, so they are not counted.
 */
final class GcPauses implements AutoCloseable {
    private final List<NotificationEmitter> emitters = new ArrayList<>();
    private final NotificationListener listener = this::onNotification;
    private long count;
    private long totalMs;
    private long maxMs;

    private GcPauses() {}

    static GcPauses start() {
        GcPauses p = new GcPauses();
        for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
            if (gc instanceof NotificationEmitter) {
                NotificationEmitter e = (NotificationEmitter) gc;
                e.addNotificationListener(p.listener, null, null);
                p.emitters.add(e);
            }
        }
        return p;
    }

    private synchronized void onNotification(Notification n, Object handback) {
        if (!GarbageCollectionNotificationInfo.GARBAGE_COLLECTION_NOTIFICATION.equals(
                n.getType())) {
            return;
        }
        GarbageCollectionNotificationInfo info =
                GarbageCollectionNotificationInfo.from((CompositeData) n.getUserData());
        if (info.getGcCause().equals("No GC") || info.getGcName().contains("Cycles")) {
            return; // ZGC's and Shenandoah's concurrent cycles: not a pause
        }
        long ms = info.getGcInfo().getDuration();
        count++;
        totalMs += ms;
        maxMs = Math.max(maxMs, ms);
    }

    synchronized long count() {
        return count;
    }

    synchronized long totalMs() {
        return totalMs;
    }

    synchronized long maxMs() {
        return maxMs;
    }

    @Override
    public void close() {
        for (NotificationEmitter e : emitters) {
            try {
                e.removeNotificationListener(listener);
            } catch (ListenerNotFoundException ignored) {
                // already gone
            }
        }
    }
}
