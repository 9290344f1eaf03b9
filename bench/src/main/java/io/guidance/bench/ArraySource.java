package io.guidance.bench;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Set;
import org.apache.flink.api.connector.source.Boundedness;
import org.apache.flink.api.connector.source.Source;
import org.apache.flink.api.connector.source.SourceReader;
import org.apache.flink.api.connector.source.SourceReaderContext;
import org.apache.flink.api.connector.source.SplitEnumerator;
import org.apache.flink.api.connector.source.SplitEnumeratorContext;
import org.apache.flink.api.connector.source.lib.util.IteratorSourceReader;
import org.apache.flink.api.connector.source.lib.util.IteratorSourceSplit;
import org.apache.flink.core.io.SimpleVersionedSerializer;

/**
 * A bounded source over the pre-serialized events in {@link #EVENTS}, a static array shared by all
 * subtasks of a local MiniCluster (same JVM, nothing is copied or shipped). Subtask {@code i} of
 * {@code p} reads the indices {@code i, i + p, i + 2p, ...}: every subtask's split is in {@code ts}
 * order and spans the whole time range, so no subtask's watermark holds the others back for long
 * and no event is late.
 */
public final class ArraySource
        implements Source<byte[], ArraySource.StridedSplit, Collection<ArraySource.StridedSplit>> {
    private static final long serialVersionUID = 1L;

    /** The events every {@link ArraySource} reads; set before the job runs. */
    static volatile byte[][] EVENTS = new byte[0][];

    public static void load(byte[][] events) {
        EVENTS = events;
    }

    @Override
    public Boundedness getBoundedness() {
        return Boundedness.BOUNDED;
    }

    @Override
    public SourceReader<byte[], StridedSplit> createReader(SourceReaderContext ctx) {
        return new IteratorSourceReader<>(ctx);
    }

    @Override
    public SplitEnumerator<StridedSplit, Collection<StridedSplit>> createEnumerator(
            SplitEnumeratorContext<StridedSplit> ctx) {
        int p = ctx.currentParallelism();
        List<StridedSplit> splits = new ArrayList<>();
        for (int i = 0; i < p; i++) {
            splits.add(new StridedSplit(i, p, i, EVENTS.length));
        }
        return new Enumerator(ctx, splits);
    }

    @Override
    public SplitEnumerator<StridedSplit, Collection<StridedSplit>> restoreEnumerator(
            SplitEnumeratorContext<StridedSplit> ctx, Collection<StridedSplit> checkpoint) {
        return new Enumerator(ctx, checkpoint);
    }

    @Override
    public SimpleVersionedSerializer<StridedSplit> getSplitSerializer() {
        return new SplitSerializer();
    }

    @Override
    public SimpleVersionedSerializer<Collection<StridedSplit>> getEnumeratorCheckpointSerializer() {
        return new CheckpointSerializer();
    }

    /**
     * Indices {@code next, next + stride, ...} below {@code end}; split {@code index} goes to
     * subtask {@code index}.
     */
    public static final class StridedSplit
            implements IteratorSourceSplit<byte[], StridedSplit.Cursor> {
        final int index;
        final int stride;
        final int next;
        final int end;

        StridedSplit(int index, int stride, int next, int end) {
            this.index = index;
            this.stride = stride;
            this.next = next;
            this.end = end;
        }

        @Override
        public String splitId() {
            return Integer.toString(index);
        }

        @Override
        public Cursor getIterator() {
            return new Cursor(next);
        }

        @Override
        public IteratorSourceSplit<byte[], Cursor> getUpdatedSplitForIterator(Cursor cursor) {
            return new StridedSplit(index, stride, cursor.position, end);
        }

        /** Walks the split over {@link #EVENTS}. */
        public final class Cursor implements Iterator<byte[]> {
            private final byte[][] events = EVENTS;
            int position;

            Cursor(int position) {
                this.position = position;
            }

            @Override
            public boolean hasNext() {
                return position < end;
            }

            @Override
            public byte[] next() {
                if (position >= end) {
                    throw new NoSuchElementException();
                }
                byte[] e = events[position];
                position += stride;
                return e;
            }
        }
    }

    /** Gives split {@code i} to subtask {@code i} when it asks, and nothing more. */
    static final class Enumerator
            implements SplitEnumerator<StridedSplit, Collection<StridedSplit>> {
        private final SplitEnumeratorContext<StridedSplit> ctx;
        private final List<StridedSplit> remaining;
        private final Set<Integer> served = new HashSet<>();

        Enumerator(SplitEnumeratorContext<StridedSplit> ctx, Collection<StridedSplit> splits) {
            this.ctx = ctx;
            this.remaining = new ArrayList<>(splits);
        }

        @Override
        public void start() {}

        @Override
        public void handleSplitRequest(int subtask, String host) {
            if (served.add(subtask)) {
                for (Iterator<StridedSplit> it = remaining.iterator(); it.hasNext(); ) {
                    StridedSplit s = it.next();
                    if (s.index == subtask) {
                        it.remove();
                        ctx.assignSplit(s, subtask);
                        break;
                    }
                }
            }
            ctx.signalNoMoreSplits(subtask);
        }

        @Override
        public void addSplitsBack(List<StridedSplit> splits, int subtask) {
            remaining.addAll(splits);
            served.remove(subtask);
        }

        @Override
        public void addReader(int subtask) {}

        @Override
        public Collection<StridedSplit> snapshotState(long checkpointId) {
            return new ArrayList<>(remaining);
        }

        @Override
        public void close() {}
    }

    static final class SplitSerializer implements SimpleVersionedSerializer<StridedSplit> {
        @Override
        public int getVersion() {
            return 1;
        }

        @Override
        public byte[] serialize(StridedSplit s) throws IOException {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream(16);
            DataOutputStream out = new DataOutputStream(bytes);
            write(out, s);
            out.flush();
            return bytes.toByteArray();
        }

        @Override
        public StridedSplit deserialize(int version, byte[] serialized) throws IOException {
            return read(new DataInputStream(new ByteArrayInputStream(serialized)));
        }

        static void write(DataOutputStream out, StridedSplit s) throws IOException {
            out.writeInt(s.index);
            out.writeInt(s.stride);
            out.writeInt(s.next);
            out.writeInt(s.end);
        }

        static StridedSplit read(DataInputStream in) throws IOException {
            return new StridedSplit(in.readInt(), in.readInt(), in.readInt(), in.readInt());
        }
    }

    static final class CheckpointSerializer
            implements SimpleVersionedSerializer<Collection<StridedSplit>> {
        @Override
        public int getVersion() {
            return 1;
        }

        @Override
        public byte[] serialize(Collection<StridedSplit> splits) throws IOException {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            DataOutputStream out = new DataOutputStream(bytes);
            out.writeInt(splits.size());
            for (StridedSplit s : splits) {
                SplitSerializer.write(out, s);
            }
            out.flush();
            return bytes.toByteArray();
        }

        @Override
        public Collection<StridedSplit> deserialize(int version, byte[] serialized)
                throws IOException {
            DataInputStream in = new DataInputStream(new ByteArrayInputStream(serialized));
            int n = in.readInt();
            List<StridedSplit> splits = new ArrayList<>(n);
            for (int i = 0; i < n; i++) {
                splits.add(SplitSerializer.read(in));
            }
            return splits;
        }
    }
}
