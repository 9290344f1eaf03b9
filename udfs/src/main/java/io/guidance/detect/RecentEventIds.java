package io.guidance.detect;

import java.util.Iterator;
import java.util.Map;
import org.apache.flink.api.common.functions.RuntimeContext;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.typeinfo.Types;

/**
 * The engine's dedup: the ids of the user's recent events. An id marks duplicates until the sweep
 * at ts + dedupWindow (rounded up to the minute) is due.
 */
final class RecentEventIds {
    private final long dedupWindowMs;

    /**
     * eventId -> ts. End of life: a sweep at or after the id's expiry removes it; sweeps that
     * remove ids are at most a dedup window apart, and the last id leaves at the sweep at its own
     * expiry.
     */
    private final MapState<String, Long> seenIds;

    RecentEventIds(RuntimeContext ctx, long dedupWindowMs) {
        this.dedupWindowMs = dedupWindowMs;
        this.seenIds =
                ctx.getMapState(
                        new MapStateDescriptor<>(
                                StateNames.SEEN_EVENT_IDS, Types.STRING, Types.LONG));
    }

    /**
     * True while an id seen before still marks duplicates at {@code watermark}: until the sweep at
     * its expiry, rounded up to the minute, is due. A sweep may leave an expired id in the map for
     * a while; from that sweep on it is forgotten all the same.
     */
    boolean isDuplicate(String eventId, long watermark) throws Exception {
        Long seenAt = seenIds.get(eventId);
        return seenAt != null && DetectionEngine.roundUp(seenAt + dedupWindowMs) > watermark;
    }

    void remember(String eventId, long ts) throws Exception {
        seenIds.put(eventId, ts);
    }

    /**
     * Forgets the ids that expired at {@code time}; returns when the next sweep is due for them, or
     * {@code Long.MAX_VALUE}. {@code sessionRetentionMs}: an id not evaluated yet has no session in
     * the inbox to plan a sweep, so the one planned for it when it arrived is kept.
     */
    long sweep(long time, long sessionRetentionMs) throws Exception {
        long next = Long.MAX_VALUE;
        boolean removed = false;
        long firstExpiry = Long.MAX_VALUE;
        long lastExpiry = Long.MIN_VALUE;
        for (Iterator<Map.Entry<String, Long>> it = seenIds.iterator(); it.hasNext(); ) {
            long seenAt = it.next().getValue();
            long expiry = seenAt + dedupWindowMs;
            if (expiry <= time) {
                it.remove();
                removed = true;
            } else {
                firstExpiry = Math.min(firstExpiry, expiry);
                lastExpiry = Math.max(lastExpiry, expiry);
            }
            if (seenAt > time) {
                // not evaluated yet: keep the sweep planned for it, or its session outlives its
                // retention
                next = Math.min(next, seenAt + Math.min(dedupWindowMs, sessionRetentionMs));
            }
        }
        if (removed && seenIds.isEmpty()) {
            // removing through the iterator leaves an empty map behind on the heap backend: drop
            // the key's entry
            seenIds.clear();
        }
        if (firstExpiry != Long.MAX_VALUE) {
            // An id past its sweep is no longer a duplicate, so it need not leave at that sweep:
            // ids are removed at most one dedup window apart, not at a sweep for every minute in
            // which an event came; the last of them still leaves at the sweep at its own expiry.
            next =
                    Math.min(
                            next,
                            Math.min(lastExpiry, Math.max(firstExpiry, time + dedupWindowMs)));
        }
        return next;
    }
}
