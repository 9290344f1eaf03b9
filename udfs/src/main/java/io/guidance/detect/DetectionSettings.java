package io.guidance.detect;

import java.io.Serializable;

/**
 * How long the detection function remembers things it has no rule-given end for. Rule windows
 * always win: a session is kept at least as long as its longest burst or loop window, a user at
 * least as long as the longest threshold window or comeback gap.
 */
public final class DetectionSettings implements Serializable {
    private static final long serialVersionUID = 1L;

    public static final long DEFAULT_DEDUP_WINDOW = 3_600_000L;
    public static final long DEFAULT_SESSION_TIMEOUT = 30 * 60_000L;
    public static final long DEFAULT_USER_RETENTION = 90 * 86_400_000L;
    public static final long DEFAULT_FEEDBACK_GRACE = 3_600_000L;

    /** An event id is remembered this long (event time) after its ts, to drop duplicates. */
    public final long dedupWindowMs;

    /** A session with no event for this long is forgotten: its burst groups and loop windows go. */
    public final long sessionTimeoutMs;

    /**
     * A user with no event for this long is forgotten: first/last seen and threshold counts go, so
     * a user back after that is a new user (no comeback, a new sinceFirstSeen window).
     */
    public final long userRetentionMs;

    /**
     * The live guide funnel keeps a trigger id this long after the trigger's {@code expiresAt} (or
     * after feedback naming an id whose trigger has not come): feedback later than that is not
     * counted.
     */
    public final long feedbackGraceMs;

    public DetectionSettings(long dedupWindowMs, long sessionTimeoutMs, long userRetentionMs) {
        this(dedupWindowMs, sessionTimeoutMs, userRetentionMs, DEFAULT_FEEDBACK_GRACE);
    }

    public DetectionSettings(
            long dedupWindowMs, long sessionTimeoutMs, long userRetentionMs, long feedbackGraceMs) {
        if (dedupWindowMs <= 0
                || sessionTimeoutMs <= 0
                || userRetentionMs <= 0
                || feedbackGraceMs <= 0) {
            throw new IllegalArgumentException(
                    "dedup window, session timeout, user retention and feedback grace must be"
                            + " positive");
        }
        this.dedupWindowMs = dedupWindowMs;
        this.sessionTimeoutMs = sessionTimeoutMs;
        this.userRetentionMs = userRetentionMs;
        this.feedbackGraceMs = feedbackGraceMs;
    }

    public static DetectionSettings defaults() {
        return new DetectionSettings(
                DEFAULT_DEDUP_WINDOW, DEFAULT_SESSION_TIMEOUT, DEFAULT_USER_RETENTION);
    }
}
