package io.guidance.web;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.guidance.event.Event;
import io.guidance.event.EventParser;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One {@code POST /v1/events} body, read and checked: each event with the job's own {@link
 * EventParser}, so that the service accepts exactly what the job would process and says why it
 * refuses the rest.
 *
 * <p>The body is a JSON array of SPEC events, a single event object, or {@code {"sentAt": MS,
 * "events": [...]}}.
 *
 * <p><b>Event time from browsers.</b> Events keep the {@code ts} the page gave them, corrected by
 * the service's clock: when the batch carries {@code sentAt} (the page's clock when it sent the
 * batch), every {@code ts} is shifted by {@code receivedAt - sentAt}, which removes the page
 * clock's error and keeps the spacing and order of the page's events (network delay is counted as
 * clock error, a few milliseconds late at worst). Then no {@code ts} may be ahead of the service's
 * clock: a later one is set to {@code receivedAt}. An event from the future would push the
 * partition's watermark ahead and make other users' events late; an event from long ago is still
 * passed on and, if it is behind the watermark, dead-lettered by the job as {@code late}, like any
 * other producer's.
 */
final class EventBatch {
    /** An event the service refused, by its position in the batch. */
    static final class Rejection {
        final int index;
        final String eventId;
        final String reason;
        final String detail;

        Rejection(int index, String eventId, String reason, String detail) {
            this.index = index;
            this.eventId = eventId;
            this.reason = reason;
            this.detail = detail;
        }

        Map<String, Object> toJson() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("index", index);
            if (eventId != null) {
                m.put("eventId", eventId);
            }
            m.put("reason", reason);
            m.put("detail", detail);
            return m;
        }
    }

    /** The body itself is unusable: not JSON, or not events. */
    static final class BadBody extends Exception {
        private static final long serialVersionUID = 1L;
        final String error;

        BadBody(String error, String message) {
            super(message);
            this.error = error;
        }
    }

    final List<Event> accepted = new ArrayList<>();
    final List<Rejection> rejected = new ArrayList<>();

    /** How many events the body held. */
    final int size;

    private EventBatch(int size) {
        this.size = size;
    }

    /**
     * Reads a body received at {@code receivedAt} (the service's clock, epoch ms).
     *
     * @throws BadBody when the body is not JSON, not events, or holds more than {@code maxEvents}
     */
    static EventBatch read(
            byte[] body, long receivedAt, int maxEvents, ObjectMapper mapper, EventParser parser)
            throws BadBody {
        JsonNode root;
        try {
            root = mapper.readTree(body);
        } catch (IOException e) {
            throw new BadBody("not_json", "the body is not JSON: " + firstLine(e.getMessage()));
        }
        if (root == null || root.isMissingNode()) {
            throw new BadBody("not_json", "the body is empty");
        }
        JsonNode events;
        long skew = 0;
        if (root.isArray()) {
            events = root;
        } else if (root.isObject() && root.has("events")) {
            events = root.get("events");
            if (!events.isArray()) {
                throw new BadBody("not_events", "\"events\" must be an array of events");
            }
            JsonNode sentAt = root.get("sentAt");
            if (sentAt != null && !sentAt.isNull()) {
                if (!sentAt.isIntegralNumber() || !sentAt.canConvertToLong()) {
                    throw new BadBody(
                            "not_events", "\"sentAt\" must be an integer (epoch milliseconds)");
                }
                skew = receivedAt - sentAt.longValue();
            }
        } else if (root.isObject()) {
            events = mapper.createArrayNode().add(root);
        } else {
            throw new BadBody(
                    "not_events",
                    "expected a JSON array of events, an event object, or {\"sentAt\": ..., \"events\": [...]}");
        }
        if (events.size() > maxEvents) {
            throw new BadBody(
                    "too_many_events",
                    events.size() + " events in one request, limit " + maxEvents);
        }
        EventBatch batch = new EventBatch(events.size());
        for (int i = 0; i < events.size(); i++) {
            JsonNode node = events.get(i);
            byte[] bytes;
            try {
                bytes = mapper.writeValueAsBytes(node);
            } catch (JsonProcessingException e) {
                throw new IllegalStateException("a parsed JSON tree could not be written back", e);
            }
            EventParser.Result r = parser.parse(bytes);
            if (!r.ok()) {
                JsonNode id = node.get("eventId");
                batch.rejected.add(
                        new Rejection(
                                i,
                                id != null && id.isTextual() ? id.asText() : null,
                                r.reason,
                                r.detail));
                continue;
            }
            Event e = r.event;
            e.ts = Math.min(saturatedAdd(e.ts, skew), receivedAt);
            batch.accepted.add(e);
        }
        return batch;
    }

    private static long saturatedAdd(long a, long b) {
        long r = a + b;
        if (((a ^ r) & (b ^ r)) < 0) {
            return b > 0 ? Long.MAX_VALUE : Long.MIN_VALUE;
        }
        return r;
    }

    private static String firstLine(String s) {
        if (s == null) return "malformed JSON";
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }
}
