package io.guidance.local.importer;

import io.guidance.event.Event;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * Reads one public dataset's file format into SPEC events.
 *
 * <p>Implementations read the whole file into memory: sessionization and the global sort by {@code
 * ts} both need every row, and the datasets this command is for are at most a few hundred thousand
 * rows.
 */
public interface DatasetImporter {

    /** The dataset's name on the command line. */
    String name();

    /**
     * All events of {@code file}, in file order.
     *
     * @throws IllegalArgumentException for a malformed row; the message names the file and the line
     *     number
     * @throws IOException when the file cannot be read
     */
    List<Event> read(Path file) throws IOException;

    /** {@link #read} followed by {@link #sortedByTs}: the order {@code guidance import} writes. */
    default List<Event> readSorted(Path file) throws IOException {
        return sortedByTs(read(file));
    }

    /**
     * A copy of {@code events} sorted by {@code ts}; events with equal {@code ts} keep their
     * relative order, because SPEC section 2 evaluates them in input order.
     */
    static List<Event> sortedByTs(List<Event> events) {
        List<Event> sorted = new ArrayList<>(events);
        sorted.sort(Comparator.comparingLong(e -> e.ts)); // List.sort is a stable merge sort
        return sorted;
    }

    /** The importers {@code guidance import} offers, in the order its usage line lists them. */
    static List<DatasetImporter> all() {
        return List.of(new TaobaoImporter(), new YoochooseImporter());
    }

    static Optional<DatasetImporter> forName(String name) {
        return all().stream().filter(i -> i.name().equals(name)).findFirst();
    }
}
