package io.guidance.bench;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.apache.flink.api.connector.source.Boundedness;
import org.apache.flink.api.connector.source.ReaderOutput;
import org.apache.flink.api.connector.source.Source;
import org.apache.flink.api.connector.source.SourceReader;
import org.apache.flink.api.connector.source.SourceReaderContext;
import org.apache.flink.api.connector.source.SplitEnumerator;
import org.apache.flink.api.connector.source.SplitEnumeratorContext;
import org.apache.flink.core.io.InputStatus;
import org.apache.flink.core.io.SimpleVersionedSerializer;

/**
 * Like {@link ArraySource} (subtask {@code i} of {@code p} reads the indices {@code i, i + p, ...}
 * of a static array), but it reads only up to a limit the benchmark raises phase by phase, and
 * stays open in between until {@link #finish}: so the job keeps its state while the benchmark takes
 * checkpoints and measures. A reader at the limit is idle (not blocked), so checkpoints pass
 * through it.
 */
final class GatedSource
        implements Source<byte[], ArraySource.StridedSplit, Collection<ArraySource.StridedSplit>> {
    private static final long serialVersionUID = 1L;

    private static volatile byte[][] events = new byte[0][];
    private static volatile int limit;
    private static volatile boolean finished;

    /** Completed, and replaced, whenever the limit rises or the input finishes. */
    private static volatile CompletableFuture<Void> gate = new CompletableFuture<>();

    static synchronized void load(byte[][] all) {
        events = all;
        limit = 0;
        finished = false;
        gate = new CompletableFuture<>();
    }

    /** Lets the readers read the indices below {@code newLimit}. */
    static synchronized void openTo(int newLimit) {
        limit = Math.min(newLimit, events.length);
        release();
    }

    /** The readers end their input once they have read up to the limit. */
    static synchronized void finish() {
        finished = true;
        release();
    }

    private static void release() {
        CompletableFuture<Void> g = gate;
        gate = new CompletableFuture<>();
        g.complete(null);
    }

    @Override
    public Boundedness getBoundedness() {
        return Boundedness.CONTINUOUS_UNBOUNDED;
    }

    @Override
    public SourceReader<byte[], ArraySource.StridedSplit> createReader(SourceReaderContext ctx) {
        return new Reader(ctx);
    }

    @Override
    public SplitEnumerator<ArraySource.StridedSplit, Collection<ArraySource.StridedSplit>>
            createEnumerator(SplitEnumeratorContext<ArraySource.StridedSplit> ctx) {
        int p = ctx.currentParallelism();
        List<ArraySource.StridedSplit> splits = new ArrayList<>();
        for (int i = 0; i < p; i++) {
            splits.add(new ArraySource.StridedSplit(i, p, i, events.length));
        }
        return new ArraySource.Enumerator(ctx, splits);
    }

    @Override
    public SplitEnumerator<ArraySource.StridedSplit, Collection<ArraySource.StridedSplit>>
            restoreEnumerator(
                    SplitEnumeratorContext<ArraySource.StridedSplit> ctx,
                    Collection<ArraySource.StridedSplit> checkpoint) {
        return new ArraySource.Enumerator(ctx, checkpoint);
    }

    @Override
    public SimpleVersionedSerializer<ArraySource.StridedSplit> getSplitSerializer() {
        return new ArraySource.SplitSerializer();
    }

    @Override
    public SimpleVersionedSerializer<Collection<ArraySource.StridedSplit>>
            getEnumeratorCheckpointSerializer() {
        return new ArraySource.CheckpointSerializer();
    }

    /** Reads its one split up to the gate's limit, a batch per poll. */
    static final class Reader implements SourceReader<byte[], ArraySource.StridedSplit> {
        private static final int BATCH = 1_000;
        private final SourceReaderContext ctx;
        private final CompletableFuture<Void> assigned = new CompletableFuture<>();
        private ArraySource.StridedSplit split;
        private int position;
        private boolean noMoreSplits;

        Reader(SourceReaderContext ctx) {
            this.ctx = ctx;
        }

        @Override
        public void start() {
            ctx.sendSplitRequest();
        }

        @Override
        public InputStatus pollNext(ReaderOutput<byte[]> output) {
            if (split == null) {
                return noMoreSplits ? InputStatus.END_OF_INPUT : InputStatus.NOTHING_AVAILABLE;
            }
            byte[][] all = events;
            int end = Math.min(split.end, limit);
            for (int n = 0; n < BATCH && position < end; n++) {
                output.collect(all[position]);
                position += split.stride;
            }
            if (position < end) {
                return InputStatus.MORE_AVAILABLE;
            }
            return finished ? InputStatus.END_OF_INPUT : InputStatus.NOTHING_AVAILABLE;
        }

        @Override
        public CompletableFuture<Void> isAvailable() {
            if (split == null) {
                return assigned;
            }
            CompletableFuture<Void> g = gate;
            if (position < Math.min(split.end, limit) || finished) {
                return CompletableFuture.completedFuture(null);
            }
            return g;
        }

        @Override
        public List<ArraySource.StridedSplit> snapshotState(long checkpointId) {
            return split == null
                    ? List.of()
                    : List.of(
                            new ArraySource.StridedSplit(
                                    split.index, split.stride, position, split.end));
        }

        @Override
        public void addSplits(List<ArraySource.StridedSplit> splits) {
            split = splits.get(0);
            position = split.next;
            assigned.complete(null);
        }

        @Override
        public void notifyNoMoreSplits() {
            noMoreSplits = true;
            assigned.complete(null);
        }

        @Override
        public void close() {}
    }
}
