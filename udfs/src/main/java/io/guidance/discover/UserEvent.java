package io.guidance.discover;

import io.guidance.event.Event;

/**
 * The part of an event that discovery needs, and no more: what crosses the network between reading
 * and the per-user step is a quarter of a full {@link Event}. A Flink POJO.
 */
public class UserEvent {
    public String userId;

    /** Kept so that a duplicate (same id, SPEC section 1) is counted once. */
    public String eventId;

    public long ts;
    public String type;

    public UserEvent() {}

    public UserEvent(String userId, String eventId, long ts, String type) {
        this.userId = userId;
        this.eventId = eventId;
        this.ts = ts;
        this.type = type;
    }

    public static UserEvent of(Event e) {
        return new UserEvent(e.userId, e.eventId, e.ts, e.type);
    }

    @Override
    public String toString() {
        return "UserEvent{" + userId + ", " + eventId + ", " + ts + ", " + type + "}";
    }
}
