package io.guidance.detect;

import java.util.Arrays;
import java.util.Map;
import org.apache.flink.api.common.functions.RuntimeContext;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.typeinfo.Types;

/**
 * The engine's dedup: the ids of the user's recent events, kept in the user's {@link Inbox} as
 * pairs of (64-bit hash of the id, ts of its event) in {@link Inbox#recentIds}. An id marks as
 * duplicates the events with its id and a ts before its ts + dedupWindow, rounded up to the minute.
 *
 * <p>Why in the inbox and hashed: the inbox is read and written once per firing of the user's timer
 * anyway, so checking and remembering ids costs no state access of its own, and forgetting them
 * needs no iteration over a map state (on RocksDB each iteration is a seek, which cost more than
 * everything else per event together). A hash takes 16 bytes per id with its ts, where a map entry
 * of the id held the id's text. Two different ids of one user within one dedup window share a
 * 64-bit hash with a probability of about n²/2⁶⁵ for n ids (1,000 ids: 3·10⁻¹⁴); the hash mixes
 * every character of the id.
 */
final class RecentEventIds {
    private final long dedupWindowMs;

    /**
     * The map state of the first layout, eventId -> ts: read once per user restored from such a
     * snapshot ({@link #migrate}), then cleared. End of life: at that migration.
     */
    private final MapState<String, Long> legacyIds;

    RecentEventIds(RuntimeContext ctx, long dedupWindowMs) {
        this.dedupWindowMs = dedupWindowMs;
        this.legacyIds =
                ctx.getMapState(
                        new MapStateDescriptor<>(
                                StateNames.SEEN_EVENT_IDS, Types.STRING, Types.LONG));
    }

    /**
     * The ids of the firing being run: {@link #open} copies the inbox's pairs here, {@link #close}
     * writes them back, so that remembering the ids of a firing's arrivals copies the array once.
     */
    private long[] ids = new long[16];

    private int size;

    /** Starts checking arrivals against the user's ids. */
    void open(Inbox in) {
        long[] kept = in.recentIds;
        size = kept == null ? 0 : kept.length;
        if (ids.length < size) {
            ids = new long[Math.max(size, 2 * ids.length)];
        }
        if (kept != null) {
            System.arraycopy(kept, 0, ids, 0, size);
        }
    }

    /**
     * Moves the ids of a user restored from the first layout into its ids (after {@link #open}).
     */
    void migrate() throws Exception {
        Iterable<Map.Entry<String, Long>> old = legacyIds.entries();
        if (old != null) {
            for (Map.Entry<String, Long> e : old) {
                remember(e.getKey(), e.getValue());
            }
        }
        legacyIds.clear();
    }

    /**
     * True for an event whose id was seen before at a ts whose dedup window, rounded up to the
     * minute, has not ended at the event's own {@code ts}. Decided by event time alone, so the
     * moment the check runs (the watermark then) does not change it: an id whose window has ended
     * is swept at a watermark past its end, and an event with a ts behind the watermark never gets
     * here.
     */
    boolean isDuplicate(String eventId, long ts) {
        long h = hash(eventId);
        for (int i = 0; i < size; i += 2) {
            if (ids[i] == h && expiry(ids[i + 1]) > ts) {
                return true;
            }
        }
        return false;
    }

    void remember(String eventId, long ts) {
        if (size + 2 > ids.length) {
            ids = Arrays.copyOf(ids, 2 * ids.length);
        }
        ids[size++] = hash(eventId);
        ids[size++] = ts;
    }

    /** Writes the ids back to the inbox, if {@code changed}. */
    void close(Inbox in, boolean changed) {
        if (changed) {
            in.recentIds = size == 0 ? null : Arrays.copyOf(ids, size);
        }
    }

    /**
     * Forgets the ids that no longer mark duplicates at {@code time}; returns when the next sweep
     * is due for them, or {@code Long.MAX_VALUE}. An expired id no longer marks duplicates, so it
     * need not leave at its own expiry: ids leave at sweeps at most one dedup window apart, not at
     * one for every minute in which an event came; the last of them still leaves at its expiry.
     */
    long sweep(Inbox in, long time) {
        long[] kept = in.recentIds;
        if (kept == null) {
            return Long.MAX_VALUE;
        }
        long firstExpiry = Long.MAX_VALUE;
        long lastExpiry = Long.MIN_VALUE;
        int n = 0;
        for (int i = 0; i < kept.length; i += 2) {
            long expiry = expiry(kept[i + 1]);
            if (expiry > time) {
                kept[n++] = kept[i];
                kept[n++] = kept[i + 1];
                firstExpiry = Math.min(firstExpiry, expiry);
                lastExpiry = Math.max(lastExpiry, expiry);
            }
        }
        in.recentIds = n == 0 ? null : n == kept.length ? kept : Arrays.copyOf(kept, n);
        return n == 0
                ? Long.MAX_VALUE
                : Math.min(lastExpiry, Math.max(firstExpiry, time + dedupWindowMs));
    }

    /** The first instant at which an id seen at {@code ts} no longer marks duplicates. */
    private long expiry(long ts) {
        return DetectionEngine.roundUp(ts + dedupWindowMs);
    }

    /**
     * A 64-bit hash of the id's characters: FNV-1a over the UTF-16 units, then the finalizer of
     * MurmurHash3 (fmix64) so that every bit of the input reaches every bit of the output.
     */
    static long hash(String id) {
        long h = 0xcbf29ce484222325L;
        for (int i = 0; i < id.length(); i++) {
            h ^= id.charAt(i);
            h *= 0x100000001b3L;
        }
        h ^= h >>> 33;
        h *= 0xff51afd7ed558ccdL;
        h ^= h >>> 33;
        h *= 0xc4ceb9fe1a85ec53L;
        h ^= h >>> 33;
        return h;
    }
}
