package io.guidance.detect;

/**
 * Names of every piece of keyed state. They identify state in checkpoints and savepoints: never
 * rename one; add a new name and migrate instead.
 */
public final class StateNames {
    /**
     * The user's inbox: waiting events, the key's timer and next sweep, sessions, stall waits,
     * burst groups, loop windows and first/last seen, which were the states named {@code
     * LEGACY_...} below.
     */
    public static final String INBOX = "inbox";

    public static final String SEEN_EVENT_IDS = "seen-event-ids";
    // Before the inbox: read once per key from older savepoints, moved into the key's inbox, then
    // cleared.
    public static final String LEGACY_PENDING_EVENTS = "pending-events";
    public static final String LEGACY_NEXT_CLEANUP = "next-cleanup";
    public static final String LEGACY_SESSIONS = "sessions";
    public static final String LEGACY_STALL_DEADLINES = "stall-deadlines";
    public static final String LEGACY_BURST_GROUPS = "burst-groups";
    public static final String LEGACY_LOOP_WINDOWS = "loop-windows";
    public static final String LEGACY_USER_ACTIVITY = "user-activity";
    public static final String THRESHOLD_COUNTS = "threshold-counts";
    public static final String USER_SESSIONS = "user-sessions";

    /** Broadcast state: the rule set in force. */
    public static final String LIVE_RULES = "live-rules";

    // the delivery policy's
    public static final String DISMISSED_GUIDES = "dismissed-guides";
    public static final String LAST_DELIVERED = "last-delivered";
    public static final String RECENT_DELIVERIES = "recent-deliveries";

    private StateNames() {}
}
