package io.guidance.event;

import java.util.Map;
import java.util.Objects;
import org.apache.flink.api.common.typeinfo.TypeInfo;

/**
 * One clickstream event as SPEC section 1 defines it, after validation.
 *
 * <p>Serialized by its own {@link EventSerializer} ({@link EventTypeInfo}, named below), which type
 * extraction picks wherever an {@code Event} crosses a shuffle or sits in state. It is still a
 * Flink POJO (public fields, no-arg constructor): state written with the POJO serializer keeps it,
 * through {@link EventTypeInfo#asPojo}. {@code props} holds each property as text: strings as they
 * are, numbers and booleans as their JSON text, which is what rule patterns compare against.
 */
@TypeInfo(EventTypeInfo.Factory.class)
public class Event {
    public String eventId;
    public String userId;
    public String sessionId;
    public long ts;
    public String type;

    /** Optional; null when absent. */
    public String page;

    /** Optional; null when absent. */
    public String target;

    /** Optional flat properties; null when absent. */
    public Map<String, String> props;

    public Event() {}

    public Event(
            String eventId,
            String userId,
            String sessionId,
            long ts,
            String type,
            String page,
            String target,
            Map<String, String> props) {
        this.eventId = eventId;
        this.userId = userId;
        this.sessionId = sessionId;
        this.ts = ts;
        this.type = type;
        this.page = page;
        this.target = target;
        this.props = props;
    }

    /**
     * The text of a matchable field ({@code type}, {@code page}, {@code target}, {@code
     * props.NAME}); null if absent.
     */
    public String field(String name) {
        switch (name) {
            case "type":
                return type;
            case "page":
                return page;
            case "target":
                return target;
            case "userId":
                return userId;
            case "sessionId":
                return sessionId;
            default:
                if (name.startsWith("props.") && props != null) {
                    return props.get(name.substring(6));
                }
                return null;
        }
    }

    @Override
    public boolean equals(Object o) {
        if (this == o) return true;
        if (!(o instanceof Event)) return false;
        Event e = (Event) o;
        return ts == e.ts
                && Objects.equals(eventId, e.eventId)
                && Objects.equals(userId, e.userId)
                && Objects.equals(sessionId, e.sessionId)
                && Objects.equals(type, e.type)
                && Objects.equals(page, e.page)
                && Objects.equals(target, e.target)
                && Objects.equals(props, e.props);
    }

    @Override
    public int hashCode() {
        return Objects.hash(eventId, userId, sessionId, ts, type, page, target, props);
    }

    @Override
    public String toString() {
        return "Event{"
                + eventId
                + ' '
                + type
                + " ts="
                + ts
                + " user="
                + userId
                + " session="
                + sessionId
                + (page != null ? " page=" + page : "")
                + (target != null ? " target=" + target : "")
                + (props != null ? " props=" + props : "")
                + '}';
    }
}
