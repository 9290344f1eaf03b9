package io.guidance.local.importer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.guidance.event.Event;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class YoochooseImporterTest {

    private static final String HEADER = "SessionId\tItemId\tTime\n";

    @TempDir Path dir;

    private List<Event> read(String content) throws IOException {
        Path file = dir.resolve("clicks.txt");
        Files.writeString(file, content);
        return new YoochooseImporter().readSorted(file);
    }

    @Test
    void mapsAClickToAPageView() throws IOException {
        List<Event> events = read(HEADER + "1\t214536502\t1396839069.277\n");

        assertThat(events)
                .containsExactly(
                        new Event(
                                "yc-2",
                                "yc-1",
                                "yc-1",
                                1396839069277L,
                                "page_view",
                                "/item/214536502",
                                null,
                                Map.of("item", "214536502")));
    }

    @Test
    void parsesFractionsExactly() throws IOException {
        List<Event> events =
                read(
                        HEADER
                                + "1\t10\t1396839069.277\n" // a double would give
                                // 1396839069276.9998
                                + "2\t10\t1396437466.94\n" // two digits: 940 ms
                                + "3\t10\t1396437467.5\n"
                                + "4\t10\t1396437468\n" // no fraction
                                + "5\t10\t1396437469.0005\n" // below a millisecond: rounds half up
                                + "6\t10\t1396437470.0004\n");

        assertThat(events)
                .extracting(e -> e.sessionId + " " + e.ts)
                .containsExactly(
                        "yc-2 1396437466940",
                        "yc-3 1396437467500",
                        "yc-4 1396437468000",
                        "yc-5 1396437469001",
                        "yc-6 1396437470000",
                        "yc-1 1396839069277");
    }

    @Test
    void sortsStablyAcrossSessions() throws IOException {
        List<Event> events =
                read(
                        HEADER
                                + "9\t1\t1396839069.277\n"
                                + "9\t2\t1396839070.000\n"
                                + "4\t3\t1396839069.277\n"
                                + "4\t4\t1396839060.1\n");

        assertThat(events)
                .extracting(e -> e.eventId)
                .containsExactly("yc-5", "yc-2", "yc-4", "yc-3");
    }

    @Test
    void badTimeNamesFileAndLine() {
        assertThatThrownBy(() -> read(HEADER + "1\t10\t1396839069.277\n1\t11\t1.3968e9\n"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("clicks.txt line 3: Time must be epoch seconds")
                .hasMessageContaining("got \"1.3968e9\"");
    }

    @Test
    void missingFieldNamesFileAndLine() {
        assertThatThrownBy(() -> read(HEADER + "1\t10\n"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("clicks.txt line 2: expected 3 fields")
                .hasMessageContaining("found 2");
    }

    @Test
    void theRawRecSysFormatIsRejectedAtLineOne() {
        // yoochoose-clicks.dat as distributed: comma-separated, ISO time, no header
        assertThatThrownBy(() -> read("1,2014-04-07T10:51:09.277Z,214536502,0\n"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("clicks.txt line 1: expected 3 fields");
    }
}
