package io.guidance.local.importer;

import io.guidance.event.Event;
import java.io.IOException;
import java.nio.file.Path;
import java.time.LocalDate;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.time.format.ResolverStyle;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The CDNOW purchase log (Fader and Hardie's {@code CDNOW_master.txt}): one purchase per row,
 * {@code customer date n_cds amount} separated by whitespace, no header. SPEC section 8 fixes the
 * mapping, with {@code N} the row's line number:
 *
 * <pre>
 * eventId   cd-N
 * userId    cd-{customer}               as written, leading zeros kept: cd-00001
 * sessionId cd-{customer}-{date}        one session per customer and day: cd-00001-19970101
 * ts        the date at 00:00 UTC
 * type      purchase
 * props     {"cds": n_cds, "amount": amount}   JSON numbers, as written
 * </pre>
 *
 * <p>The log has days, not times, so a customer's purchases of one day share a ts; the import's
 * stable sort keeps them in file order.
 */
public final class CdnowImporter implements DatasetImporter {

    static final String[] COLUMNS = {"customer", "date", "n_cds", "amount"};

    private static final DateTimeFormatter DATE =
            DateTimeFormatter.ofPattern("uuuuMMdd").withResolverStyle(ResolverStyle.STRICT);
    private static final Pattern AMOUNT = Pattern.compile("[0-9]+(\\.[0-9]+)?");

    @Override
    public String name() {
        return "cdnow";
    }

    @Override
    public List<Event> read(Path file, BadLines bad) throws IOException {
        List<Event> events = new ArrayList<>();
        DataLines.readWhitespaceSeparated(
                file, COLUMNS, (line, f) -> events.add(toEvent(line, f)), bad);
        return events;
    }

    @Override
    public Set<String> numericProps() {
        return Set.of("cds", "amount");
    }

    private static Event toEvent(long line, String[] f) {
        String customer = DataLines.integerId(f[0], "customer");
        String date = f[1];
        long ts;
        try {
            if (date.length() != 8) {
                throw new DateTimeParseException("not 8 digits", date, 0);
            }
            ts = LocalDate.parse(date, DATE).toEpochDay() * 86_400_000L;
        } catch (DateTimeParseException e) {
            throw new IllegalArgumentException(
                    "date must be a day written YYYYMMDD, got \"" + date + "\"");
        }
        String cds = DataLines.integerId(f[2], "n_cds");
        if (!AMOUNT.matcher(f[3]).matches()) {
            throw new IllegalArgumentException(
                    "amount must be a non-negative decimal number, got \"" + f[3] + "\"");
        }
        Map<String, String> props = new LinkedHashMap<>(4);
        props.put("cds", cds);
        props.put("amount", f[3]);
        String user = "cd-" + customer;
        return new Event("cd-" + line, user, user + "-" + date, ts, "purchase", null, null, props);
    }
}
