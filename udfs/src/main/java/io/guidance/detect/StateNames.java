package io.guidance.detect;

/**
 * Names of every piece of keyed state. They identify state in checkpoints and savepoints: never rename one; add a
 * new name and migrate instead.
 */
public final class StateNames {
    public static final String PENDING_EVENTS = "pending-events";
    public static final String SEEN_EVENT_IDS = "seen-event-ids";
    public static final String NEXT_DEDUP_SWEEP = "next-dedup-sweep";
    public static final String STALL_DEADLINES = "stall-deadlines";

    private StateNames() {}
}
