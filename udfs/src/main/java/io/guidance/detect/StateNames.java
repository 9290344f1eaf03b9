package io.guidance.detect;

/**
 * Names of every piece of keyed state. They identify state in checkpoints and savepoints: never rename one; add a
 * new name and migrate instead.
 */
public final class StateNames {
    /** The waiting events, the key's timer and its next sweep; replaced the two below. */
    public static final String INBOX = "inbox";
    /** Waiting events by ts, before {@link #INBOX}: read once per key from older savepoints, then cleared. */
    public static final String LEGACY_PENDING_EVENTS = "pending-events";
    /** The next sweep, before {@link #INBOX}: read once per key from older savepoints, then cleared. */
    public static final String LEGACY_NEXT_CLEANUP = "next-cleanup";
    public static final String SEEN_EVENT_IDS = "seen-event-ids";
    public static final String SESSIONS = "sessions";
    public static final String STALL_DEADLINES = "stall-deadlines";
    public static final String BURST_GROUPS = "burst-groups";
    public static final String LOOP_WINDOWS = "loop-windows";
    public static final String USER_ACTIVITY = "user-activity";
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
