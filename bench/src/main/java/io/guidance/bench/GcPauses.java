package io.guidance.bench;

import com.sun.management.GarbageCollectionNotificationInfo;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.lang.management.MemoryUsage;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import javax.management.ListenerNotFoundException;
import javax.management.Notification;
import javax.management.NotificationEmitter;
import javax.management.NotificationListener;
import javax.management.openmbean.CompositeData;

/**
 * Collections of this JVM while it is open, from the collectors' notifications: how many, their
 * total and their longest duration, and the heap the most recent one left. The throughput and soak
 * benchmarks run Flink, Kafka and the producer in one JVM, so a collection stops all of them (the
 * latency benchmark runs the job in a JVM of its own and reads that JVM's GC log, {@link GcLog}); a
 * rate or a percentile means little without the pauses beside it. Durations are the collectors'
 * own: for Parallel and G1 the stop-the-world pause of a young, mixed or full collection. On Java
 * 17, G1's remark and cleanup pauses (short, during a concurrent cycle) are reported by no
 * collector bean, so they are not counted.
 */
final class GcPauses implements AutoCloseable {
    private final List<NotificationEmitter> emitters = new ArrayList<>();
    private final NotificationListener listener = this::onNotification;
    private final Set<String> heapPools = new HashSet<>();
    private long count;
    private long totalMs;
    private long maxMs;
    private long heapAfterLast;
    private long heapAfterReclaim;
    private long reclaims;

    private GcPauses() {}

    static GcPauses start() {
        GcPauses p = new GcPauses();
        for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
            if (pool.getType() == MemoryType.HEAP) {
                p.heapPools.add(pool.getName());
            }
        }
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
        long heap = 0;
        long oldAfter = -1;
        for (Map.Entry<String, MemoryUsage> e :
                info.getGcInfo().getMemoryUsageAfterGc().entrySet()) {
            if (heapPools.contains(e.getKey())) {
                heap += e.getValue().getUsed();
            }
            if (isOldGeneration(e.getKey())) {
                oldAfter = e.getValue().getUsed();
            }
        }
        heapAfterLast = heap;
        MemoryUsage oldBefore =
                info.getGcInfo().getMemoryUsageBeforeGc().entrySet().stream()
                        .filter(e -> isOldGeneration(e.getKey()))
                        .map(Map.Entry::getValue)
                        .findFirst()
                        .orElse(null);
        if (oldBefore != null && oldAfter >= 0 && oldAfter < oldBefore.getUsed()) {
            // a mixed or full collection: old regions taken back, so what is left is live data
            heapAfterReclaim = heap;
            reclaims++;
        }
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

    /**
     * The heap in use right after the most recent collection (every heap pool), 0 before the first:
     * what survived it, plus, under G1, garbage in old regions that only a mixed or full collection
     * takes back.
     */
    synchronized long heapAfterLast() {
        return heapAfterLast;
    }

    /**
     * The heap in use right after the most recent collection that made the old generation smaller
     * (under G1 a mixed or full collection, under Parallel a full one), 0 before the first: the
     * floor that a leak would raise.
     */
    synchronized long heapAfterReclaim() {
        return heapAfterReclaim;
    }

    /** How many collections made the old generation smaller. */
    synchronized long reclaims() {
        return reclaims;
    }

    private static boolean isOldGeneration(String pool) {
        return pool.contains("Old Gen") || pool.contains("Tenured");
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
