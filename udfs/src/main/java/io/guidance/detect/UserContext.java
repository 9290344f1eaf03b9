package io.guidance.detect;

import io.guidance.rules.RuleSet;

/**
 * What a {@link Detector} may read of the user at the instant being run. One instance per engine,
 * refilled before each event and each deadline, so that dispatch allocates nothing.
 */
public final class UserContext {
    /** {@link #previousEventTs} when the user had no event before this one. */
    static final long NO_PREVIOUS_EVENT = Long.MIN_VALUE;

    /** The rules in force, for building triggers. */
    RuleSet rules;

    /** The same rules by id and by event type. */
    RuleIndex index;

    String userId;

    /** The user's inbox, which holds the per-session state of the session kinds. */
    Inbox inbox;

    /**
     * First and last seen, before this event updates last seen; null unless some rule keeps
     * per-user state ({@link RuleIndex#hasPerUserRules}).
     */
    UserActivity activity;

    /** Last seen before this event, or {@link #NO_PREVIOUS_EVENT}. */
    long previousEventTs;

    /**
     * The event is the user's first with a sessionId not seen before (SPEC); only computed when
     * some rule's reach asks for session starts, false otherwise.
     */
    boolean newSession;

    UserContext() {}
}
