package io.guidance.local.importer;

import io.guidance.event.Event;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The Taobao "UserBehavior" file (Alibaba Tianchi): {@code
 * user_id,item_id,category_id,behavior_type,timestamp} with {@code timestamp} in epoch seconds and
 * an optional header.
 *
 * <p>Mapping, with {@code N} the row's line number:
 *
 * <pre>
 * eventId   tb-N
 * userId    tb-{user_id}
 * sessionId tb-{user_id}-{n}    n = 1, 2, ... per user in time order, see below
 * ts        timestamp * 1000
 * pv        type page_view,   page /item/{item_id}
 * cart      type add_to_cart, page /item/{item_id}, target #add-to-cart
 * fav       type favorite,    page /item/{item_id}, target #favorite
 * buy       type purchase,    page /checkout
 * props     {"item": "{item_id}", "category": "{category_id}"}   (strings, as written)
 * </pre>
 *
 * <p>The dataset has no sessions, so they are derived: a user's events are taken in time order
 * (equal timestamps in file order) and a gap of {@link #SESSION_GAP} or more starts the next
 * session. Rows whose timestamp lies outside the dataset's nine days (35 in the 814-user file, as
 * in the original) are kept and sessionized by their time like any other row, which usually gives
 * them sessions of their own.
 */
public final class TaobaoImporter implements DatasetImporter {

    static final String HEADER = "user_id,item_id,category_id,behavior_type,timestamp";

    /**
     * Inactivity that ends a session; the common web-analytics default. A gap of exactly this long
     * splits.
     */
    public static final Duration SESSION_GAP = Duration.ofMinutes(30);

    private static final long SESSION_GAP_MS = SESSION_GAP.toMillis();

    @Override
    public String name() {
        return "taobao";
    }

    @Override
    public List<Event> read(Path file) throws IOException {
        List<Event> events = new ArrayList<>();
        DataLines.read(file, HEADER, ',', (line, f) -> events.add(toEvent(line, f)));
        assignSessions(events);
        return events;
    }

    private static Event toEvent(long line, String[] f) {
        String user = DataLines.integerId(f[0], "user_id");
        String item = DataLines.integerId(f[1], "item_id");
        String category = DataLines.integerId(f[2], "category_id");
        long ts = epochMillis(f[4]);
        String page = "/item/" + item;
        String type;
        String target = null;
        switch (f[3]) {
            case "pv":
                type = "page_view";
                break;
            case "cart":
                type = "add_to_cart";
                target = "#add-to-cart";
                break;
            case "fav":
                type = "favorite";
                target = "#favorite";
                break;
            case "buy":
                type = "purchase";
                page = "/checkout";
                break;
            default:
                throw new IllegalArgumentException(
                        "behavior_type must be pv, cart, fav or buy, got \"" + f[3] + "\"");
        }
        Map<String, String> props = new LinkedHashMap<>(4);
        props.put("item", item);
        props.put("category", category);
        return new Event("tb-" + line, "tb-" + user, null, ts, type, page, target, props);
    }

    private static long epochMillis(String seconds) {
        DataLines.integerId(seconds, "timestamp");
        try {
            return Math.multiplyExact(Long.parseLong(seconds), 1000L);
        } catch (ArithmeticException | NumberFormatException e) {
            throw new IllegalArgumentException("timestamp out of range: " + seconds);
        }
    }

    /**
     * Sets every event's sessionId: per user, in time order, a new session after a gap of {@link
     * #SESSION_GAP}.
     */
    private static void assignSessions(List<Event> events) {
        Map<String, List<Event>> byUser = new LinkedHashMap<>();
        for (Event e : events) {
            byUser.computeIfAbsent(e.userId, u -> new ArrayList<>()).add(e);
        }
        for (List<Event> history : byUser.values()) {
            List<Event> inTime = DatasetImporter.sortedByTs(history);
            int session = 0;
            long previous = 0;
            for (Event e : inTime) {
                if (session == 0 || e.ts - previous >= SESSION_GAP_MS) {
                    session++;
                }
                e.sessionId = e.userId + "-" + session;
                previous = e.ts;
            }
        }
    }
}
