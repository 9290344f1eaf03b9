package io.guidance.detect;

/**
 * Names of the detection functions' keyed and broadcast state. They identify state in checkpoints
 * and savepoints: never rename one; add a new name and migrate instead. The delivery policy's are
 * in {@link io.guidance.deliver.DeliveryStateNames}.
 */
public final class StateNames {
    /**
     * The user's inbox: waiting events, the key's timer and next sweep, sessions, first/last seen,
     * stall waits, burst groups and loop windows.
     */
    public static final String INBOX = "inbox";

    /** Events that arrived since the user's timer last fired, not yet checked for duplicates. */
    public static final String ARRIVALS = "arrivals";

    /**
     * The first layout's event ids, eventId -> ts: read once per restored user and moved into the
     * inbox ({@link Inbox#recentIds}); nothing writes it any more.
     */
    public static final String SEEN_EVENT_IDS = "seen-event-ids";

    public static final String THRESHOLD_COUNTS = "threshold-counts";
    public static final String USER_SESSIONS = "user-sessions";

    /** Broadcast state: the rule set in force. */
    public static final String LIVE_RULES = "live-rules";

    private StateNames() {}
}
