package io.guidance.local.importer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.guidance.event.Event;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TaobaoImporterTest {

    private static final String HEADER = "user_id,item_id,category_id,behavior_type,timestamp\n";

    @TempDir Path dir;

    private List<Event> read(String content) throws IOException {
        Path file = dir.resolve("taobao.csv");
        Files.writeString(file, content);
        return new TaobaoImporter().readSorted(file);
    }

    private static Map<String, String> props(String item, String category) {
        Map<String, String> p = new LinkedHashMap<>();
        p.put("item", item);
        p.put("category", category);
        return p;
    }

    @Test
    void mapsEachBehaviourType() throws IOException {
        List<Event> events =
                read(
                        HEADER
                                + "7,100,9,pv,1511544000\n"
                                + "7,100,9,cart,1511544060\n"
                                + "7,200,8,fav,1511544120\n"
                                + "7,100,9,buy,1511544180\n");

        assertThat(events)
                .containsExactly(
                        new Event(
                                "tb-2",
                                "tb-7",
                                "tb-7-1",
                                1511544000000L,
                                "page_view",
                                "/item/100",
                                null,
                                props("100", "9")),
                        new Event(
                                "tb-3",
                                "tb-7",
                                "tb-7-1",
                                1511544060000L,
                                "add_to_cart",
                                "/item/100",
                                "#add-to-cart",
                                props("100", "9")),
                        new Event(
                                "tb-4",
                                "tb-7",
                                "tb-7-1",
                                1511544120000L,
                                "favorite",
                                "/item/200",
                                "#favorite",
                                props("200", "8")),
                        new Event(
                                "tb-5",
                                "tb-7",
                                "tb-7-1",
                                1511544180000L,
                                "purchase",
                                "/checkout",
                                null,
                                props("100", "9")));
    }

    @Test
    void gapOfExactlyThirtyMinutesStartsANewSession() throws IOException {
        // gaps: 29:59 (same session), 30:00 (new), 30:01 (new)
        List<Event> events =
                read(
                        HEADER
                                + "1,10,5,pv,1511544000\n"
                                + "1,10,5,pv,1511545799\n"
                                + "1,10,5,pv,1511547599\n"
                                + "1,10,5,pv,1511549400\n");

        assertThat(events)
                .extracting(e -> e.sessionId)
                .containsExactly("tb-1-1", "tb-1-1", "tb-1-2", "tb-1-3");
    }

    @Test
    void sessionsAreCountedPerUserInTimeOrderIncludingStrayEarlyRows() throws IOException {
        // user 5's second row is a stray timestamp from September, earlier than the rest of their
        // history
        List<Event> events =
                read(
                        HEADER
                                + "5,10,5,pv,1511544000\n"
                                + "5,11,5,pv,1505117799\n"
                                + "5,12,5,pv,1511544100\n"
                                + "6,13,5,pv,1511544050\n");

        assertThat(events)
                .extracting(e -> e.eventId + " " + e.sessionId)
                .containsExactly("tb-3 tb-5-1", "tb-2 tb-5-2", "tb-5 tb-6-1", "tb-4 tb-5-2");
    }

    @Test
    void equalTimestampsKeepFileOrder() throws IOException {
        List<Event> events =
                read(
                        HEADER
                                + "2,20,5,pv,1511544100\n"
                                + "1,10,5,pv,1511544100\n"
                                + "1,11,5,cart,1511544000\n"
                                + "3,30,5,pv,1511544100\n"
                                + "1,12,5,fav,1511544100\n");

        assertThat(events)
                .extracting(e -> e.eventId)
                .containsExactly("tb-4", "tb-2", "tb-3", "tb-5", "tb-6");
    }

    @Test
    void acceptsTheOriginalHeaderlessFileWithWindowsLineEnds() throws IOException {
        List<Event> events = read("7,100,9,pv,1511544000\r\n\r\n7,100,9,buy,1511544001\r\n");

        assertThat(events)
                .extracting(e -> e.eventId + " " + e.type + " " + e.ts)
                .containsExactly("tb-1 page_view 1511544000000", "tb-3 purchase 1511544001000");
    }

    @Test
    void unknownBehaviourNamesFileAndLine() {
        assertThatThrownBy(() -> read(HEADER + "1,10,5,pv,1511544000\n1,10,5,click,1511544001\n"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("taobao.csv line 3:")
                .hasMessageContaining("behavior_type must be pv, cart, fav or buy, got \"click\"");
    }

    @Test
    void wrongFieldCountNamesFileAndLine() {
        assertThatThrownBy(() -> read(HEADER + "1,10,5,pv\n"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("taobao.csv line 2: expected 5 fields")
                .hasMessageContaining("found 4");
    }

    @Test
    void nonNumericTimestampNamesFileAndLine() {
        assertThatThrownBy(
                        () ->
                                read(
                                        HEADER
                                                + "1,10,5,pv,1511544000\n1,10,5,pv,1511544000\n1,10,5,pv,2017-11-25\n"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(
                        "taobao.csv line 4: timestamp must be a non-negative integer, got \"2017-11-25\"");
    }
}
