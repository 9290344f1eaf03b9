package io.guidance.detect;

import io.guidance.event.Event;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The visit that state size is measured with (docs/state-size.md): twelve events in 70 seconds, ten
 * item views in one category, an add-to-cart and a purchase, so that every rule kind of
 * config/rules.yaml keeps something in state. Shared by {@link StateSizeTest} and the state
 * benchmark of the {@code bench} module (through this module's test jar).
 */
public final class StateSizeVisit {
    public static final int EVENTS = 12;

    /** The last event comes this long after the first. */
    public static final long SPAN_MS = 70_000L;

    private StateSizeVisit() {}

    /**
     * The visit of {@code user} in {@code session} starting at {@code start}, with the event ids
     * {@code "e" + firstId} to {@code "e" + (firstId + 11)}.
     */
    public static List<Event> events(String user, String session, long start, long firstId) {
        List<Event> out = new ArrayList<>(EVENTS);
        long id = firstId;
        for (int i = 0; i < EVENTS - 2; i++) {
            String item = Integer.toString(1000 + i % 4);
            out.add(
                    event(
                            "e" + id++,
                            user,
                            session,
                            start + i * 5_000L,
                            "page_view",
                            "/item/" + item,
                            Map.of("item", item, "category", "42")));
        }
        out.add(
                event(
                        "e" + id++,
                        user,
                        session,
                        start + 60_000L,
                        "add_to_cart",
                        "/item/1000",
                        Map.of("item", "1000", "category", "42")));
        out.add(
                event(
                        "e" + id,
                        user,
                        session,
                        start + SPAN_MS,
                        "purchase",
                        "/checkout",
                        Map.of("item", "1000", "category", "42")));
        return out;
    }

    private static Event event(
            String id,
            String user,
            String session,
            long ts,
            String type,
            String page,
            Map<String, String> props) {
        return new Event(id, user, session, ts, type, page, null, new HashMap<>(props));
    }
}
