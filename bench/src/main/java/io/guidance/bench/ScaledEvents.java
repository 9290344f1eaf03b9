package io.guidance.bench;

import io.guidance.event.Event;
import io.guidance.event.EventJson;
import io.guidance.local.importer.DatasetImporter;
import io.guidance.local.importer.TaobaoImporter;
import io.guidance.local.importer.YoochooseImporter;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.PriorityQueue;

/**
 * Real clickstream data scaled up to any number of events. The Taobao and YOOCHOOSE files are read
 * with the importers of {@code guidance import}; copy {@code k} of every event gets the user,
 * session and event ids {@code id + "~" + k} and is shifted in time by {@code k * COPY_OFFSET_MS},
 * so each copy keeps the real timing of every session while the copies interleave. The result is
 * the first {@code n} events of the merged copies in {@code ts} order (equal {@code ts}: copy, then
 * file order), serialized as SPEC JSON bytes ({@link EventJson}).
 *
 * <p>Only the base events are held as objects; copies are made one at a time while serializing, so
 * ten million events cost their bytes (about 200 each) and little more.
 */
public final class ScaledEvents {
    /** Copy {@code k} is shifted by {@code k} times this. */
    public static final long COPY_OFFSET_MS = 1_000;

    public static final Path SHARED_TAOBAO =
            Path.of("/work/shared/data/taobao_userbehavior_814users/UserBehavior_head_by_user.csv");
    public static final Path SHARED_YOOCHOOSE =
            Path.of("/work/shared/data/yoochoose_rsc15_100k/yoochoose-clicks-100k_train_full.txt");
    public static final Path SAMPLE_TAOBAO = Path.of("data/samples/taobao-sample.csv");
    public static final Path SAMPLE_YOOCHOOSE = Path.of("data/samples/yoochoose-sample.txt");

    /** The input files and what they hold. */
    public static final class Inputs {
        public final Path taobao;
        public final Path yoochoose;

        public Inputs(Path taobao, Path yoochoose) {
            this.taobao = taobao;
            this.yoochoose = yoochoose;
        }

        /**
         * The full datasets in /work/shared/data when present, else the samples shipped in the
         * repository.
         */
        public static Inputs defaults() {
            Path repo = repositoryRoot();
            Path tb = Files.isReadable(SHARED_TAOBAO) ? SHARED_TAOBAO : repo.resolve(SAMPLE_TAOBAO);
            Path yc =
                    Files.isReadable(SHARED_YOOCHOOSE)
                            ? SHARED_YOOCHOOSE
                            : repo.resolve(SAMPLE_YOOCHOOSE);
            return new Inputs(tb, yc);
        }

        /**
         * The defaults, with either file replaced where the command line names one (null: keep the
         * default).
         */
        public static Inputs defaultsOr(Path taobao, Path yoochoose) {
            Inputs d = defaults();
            return new Inputs(
                    taobao != null ? taobao : d.taobao,
                    yoochoose != null ? yoochoose : d.yoochoose);
        }

        /** The samples shipped in the repository. */
        public static Inputs samples() {
            Path repo = repositoryRoot();
            return new Inputs(repo.resolve(SAMPLE_TAOBAO), repo.resolve(SAMPLE_YOOCHOOSE));
        }

        @Override
        public String toString() {
            return taobao + " and " + yoochoose;
        }
    }

    /** The pre-serialized events and where they came from. */
    public static final class Scaled {
        public final byte[][] events;
        public final int baseEvents;
        public final int copies;
        public final long totalBytes;

        Scaled(byte[][] events, int baseEvents, int copies, long totalBytes) {
            this.events = events;
            this.baseEvents = baseEvents;
            this.copies = copies;
            this.totalBytes = totalBytes;
        }
    }

    private ScaledEvents() {}

    /** The directory holding {@code data/samples}: the working directory or one of its parents. */
    public static Path repositoryRoot() {
        Path dir = Path.of("").toAbsolutePath();
        for (Path d = dir; d != null; d = d.getParent()) {
            if (Files.isDirectory(d.resolve("data/samples"))) {
                return d;
            }
        }
        return dir;
    }

    /** Both datasets through their importers, merged and sorted by {@code ts} (stable). */
    public static List<Event> readBase(Inputs in) throws IOException {
        List<Event> all = new ArrayList<>(new TaobaoImporter().read(in.taobao));
        all.addAll(new YoochooseImporter().read(in.yoochoose));
        return DatasetImporter.sortedByTs(all);
    }

    public static Scaled scale(Inputs in, int n) throws IOException {
        return scale(readBase(in), n);
    }

    /**
     * The first {@code n} events of enough shifted copies of {@code base} (sorted by ts), as JSON
     * bytes.
     */
    public static Scaled scale(List<Event> base, int n) {
        if (base.isEmpty()) {
            throw new IllegalArgumentException("no base events");
        }
        int copies = (int) ((n + (long) base.size() - 1) / base.size());
        // k-way merge of the copies: each cursor is (copy, position in base); the head is the
        // smallest ts
        PriorityQueue<long[]> heads =
                new PriorityQueue<>(
                        (a, b) -> {
                            int c = Long.compare(a[2], b[2]);
                            if (c != 0) return c;
                            c = Long.compare(a[0], b[0]);
                            return c != 0 ? c : Long.compare(a[1], b[1]);
                        });
        for (int k = 0; k < copies; k++) {
            heads.add(new long[] {k, 0, base.get(0).ts + k * COPY_OFFSET_MS});
        }
        byte[][] out = new byte[n][];
        long bytes = 0;
        for (int i = 0; i < n; i++) {
            long[] h = heads.poll();
            int k = (int) h[0];
            int pos = (int) h[1];
            out[i] = EventJson.toJsonBytes(copy(base.get(pos), k));
            bytes += out[i].length;
            if (pos + 1 < base.size()) {
                h[1] = pos + 1;
                h[2] = base.get(pos + 1).ts + k * COPY_OFFSET_MS;
                heads.add(h);
            }
        }
        return new Scaled(out, base.size(), copies, bytes);
    }

    static Event copy(Event e, int k) {
        String suffix = "~" + k;
        return new Event(
                e.eventId + suffix,
                e.userId + suffix,
                e.sessionId + suffix,
                e.ts + k * COPY_OFFSET_MS,
                e.type,
                e.page,
                e.target,
                e.props);
    }
}
