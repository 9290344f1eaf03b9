package io.guidance.bench;

import io.guidance.discover.DiscoveryQuery;
import io.guidance.event.Event;
import io.guidance.event.EventJson;
import io.guidance.pipeline.discover.DiscoveryJob;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * How fast discovery ({@link DiscoveryJob}, SPEC section 8) runs on this machine, and how its time
 * grows with the grid (actions x counts x days): the scaled real data of the other benchmarks
 * (Taobao and YOOCHOOSE, {@link ScaledEvents}) written to a JSON Lines file, then one batch job per
 * grid on a local MiniCluster.
 *
 * <p>Discovery does not depend on the order of its input, so the copies are written one after the
 * other rather than merged in time order; copy {@code k} of a user is its own user, as in the other
 * benchmarks. Each run's time includes the MiniCluster's start (a few seconds), as a user of {@code
 * guidance discover} sees it.
 *
 * <p>The {@code discovery} section of {@code bench/run.sh} ({@code --discovery-events N}, {@code
 * --discovery-parallelism P}); alone: {@code java -cp ... io.guidance.bench.DiscoveryBenchmark
 * [--events 5000000] [--parallelism 2] [--out FILE.md]}.
 */
public final class DiscoveryBenchmark {

    /** What one run measured: the markdown table, and per grid its cells and events per second. */
    record Measured(String table, List<Integer> cells, List<Double> eventsPerSecond) {}

    /** One grid: the options of {@code guidance discover} it stands for. */
    record Grid(String actions, String counts, String days) {}

    static final String RETENTION = "5d-8d";

    static final List<Grid> GRIDS =
            List.of(
                    new Grid("page_view", "1", "1"),
                    new Grid(null, "1-5", "1,3,5"),
                    new Grid(null, "1-10", "1-5"),
                    new Grid(null, "1-50", "1-5"));

    private DiscoveryBenchmark() {}

    public static void main(String[] args) throws Exception {
        int events = 5_000_000;
        int parallelism = 2;
        Path out = null;
        for (int i = 0; i + 1 < args.length; i += 2) {
            switch (args[i]) {
                case "--events" -> events = Integer.parseInt(args[i + 1]);
                case "--parallelism" -> parallelism = Integer.parseInt(args[i + 1]);
                case "--out" -> out = Path.of(args[i + 1]);
                default -> throw new IllegalArgumentException("unknown option " + args[i]);
            }
        }
        String table = run(events, parallelism).table();
        System.out.print(table);
        if (out != null) {
            Files.writeString(out, table);
        }
    }

    /**
     * Writes {@code events} scaled events to a temporary file, runs every grid over them, and
     * returns the result as a markdown table with a line saying what was measured.
     */
    static Measured run(int events, int parallelism) throws Exception {
        ScaledEvents.Inputs inputs = ScaledEvents.Inputs.defaults();
        Path file = Files.createTempFile("discovery-bench", ".jsonl");
        try {
            long bytes = write(ScaledEvents.readBase(inputs), events, file);
            System.err.printf(
                    Locale.ROOT,
                    "%,d events (%,d MB) from %s in %s%n",
                    events,
                    bytes >> 20,
                    inputs,
                    file);
            // one job first, unreported: the JVM's warm-up and the first read of the file would
            // otherwise land on the first grid alone and hide how the time grows with the grid
            Grid first = GRIDS.get(0);
            DiscoveryJob.run(
                    file.toString(),
                    DiscoveryQuery.of(
                            RETENTION, first.counts(), first.days(), first.actions(), null),
                    parallelism,
                    null);
            List<String> rows = new ArrayList<>();
            List<Integer> cells = new ArrayList<>();
            List<Double> eventsPerSecond = new ArrayList<>();
            for (Grid g : GRIDS) {
                DiscoveryQuery q =
                        DiscoveryQuery.of(RETENTION, g.counts(), g.days(), g.actions(), null);
                DiscoveryJob.Result r = DiscoveryJob.run(file.toString(), q, parallelism, null);
                int actions = r.tally().actions.length;
                String row =
                        String.format(
                                Locale.ROOT,
                                "| %s | %d x %d x %d = %,d | %,d | %,d | %.1f | %,.0f |",
                                g.actions() == null ? "all" : g.actions(),
                                actions,
                                q.counts().length,
                                q.days().length,
                                r.ranked().size(),
                                r.eventsRead(),
                                r.tally().users,
                                r.elapsedMs() / 1000.0,
                                r.eventsRead() * 1000.0 / r.elapsedMs());
                System.err.println(row);
                rows.add(row);
                cells.add(r.ranked().size());
                eventsPerSecond.add(r.eventsRead() * 1000.0 / r.elapsedMs());
            }
            String table =
                    String.format(
                                    Locale.ROOT,
                                    "Discovery over %,d events (%s; retention %s), parallelism %d,"
                                            + " %d cores:%n%n",
                                    events,
                                    inputs,
                                    RETENTION,
                                    parallelism,
                                    Runtime.getRuntime().availableProcessors())
                            + "| actions | cells (actions x counts x days) | events | users |"
                            + " seconds | events/s |\n|---|---|---|---|---|---|\n"
                            + String.join("\n", rows)
                            + "\n";
            return new Measured(table, cells, eventsPerSecond);
        } finally {
            Files.deleteIfExists(file);
        }
    }

    /** The first {@code n} events of copies 0, 1, 2, ... of {@code base}, as JSON Lines. */
    static long write(List<Event> base, int n, Path file) throws IOException {
        long bytes = 0;
        try (OutputStream o = new BufferedOutputStream(Files.newOutputStream(file), 1 << 20)) {
            int written = 0;
            for (int k = 0; written < n; k++) {
                for (int i = 0; i < base.size() && written < n; i++, written++) {
                    byte[] json = EventJson.toJsonBytes(ScaledEvents.copy(base.get(i), k));
                    o.write(json);
                    o.write('\n');
                    bytes += json.length + 1;
                }
            }
        }
        return bytes;
    }
}
