package io.guidance.local.importer;

import io.guidance.event.Event;
import java.io.IOException;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The YOOCHOOSE (RecSys Challenge 2015) click files as prepared by session-rec: tab-separated
 * {@code SessionId ItemId Time}, {@code Time} in epoch seconds with a fraction, and an optional
 * header.
 *
 * <p>Mapping, with {@code N} the row's line number:
 *
 * <pre>
 * eventId   yc-N
 * userId    yc-{SessionId}      the data has no user ids: each session stands for its own user
 * sessionId yc-{SessionId}
 * ts        round(Time * 1000)  decimal arithmetic, half up
 * type      page_view
 * page      /item/{ItemId}
 * props     {"item": "{ItemId}"}
 * </pre>
 *
 * <p>{@code Time} is parsed as a decimal, not a double: {@code 1396839069.277} must become {@code
 * 1396839069277}, and a double does not hold that value exactly.
 */
public final class YoochooseImporter implements DatasetImporter {

    static final String HEADER = "SessionId\tItemId\tTime";

    private static final Pattern DECIMAL_SECONDS = Pattern.compile("[0-9]+(\\.[0-9]+)?");

    @Override
    public String name() {
        return "yoochoose";
    }

    @Override
    public List<Event> read(Path file) throws IOException {
        List<Event> events = new ArrayList<>();
        DataLines.read(file, HEADER, '\t', (line, f) -> events.add(toEvent(line, f)));
        return events;
    }

    private static Event toEvent(long line, String[] f) {
        String session = "yc-" + DataLines.integerId(f[0], "SessionId");
        String item = DataLines.integerId(f[1], "ItemId");
        Map<String, String> props = new HashMap<>(2);
        props.put("item", item);
        return new Event(
                "yc-" + line,
                session,
                session,
                epochMillis(f[2]),
                "page_view",
                "/item/" + item,
                null,
                props);
    }

    /** Epoch seconds with an optional fraction, as epoch milliseconds rounded half up. */
    static long epochMillis(String seconds) {
        if (!DECIMAL_SECONDS.matcher(seconds).matches()) {
            throw new IllegalArgumentException(
                    "Time must be epoch seconds such as 1396839069.277, got \"" + seconds + "\"");
        }
        try {
            return new BigDecimal(seconds)
                    .movePointRight(3)
                    .setScale(0, RoundingMode.HALF_UP)
                    .longValueExact();
        } catch (ArithmeticException e) {
            throw new IllegalArgumentException("Time out of range: " + seconds);
        }
    }
}
