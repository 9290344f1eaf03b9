package io.guidance.bench;

import java.util.ArrayList;
import java.util.List;

/** Everything the state benchmark measured: one entry per backend and run. */
public final class StateResult {
    public final StateOptions options;
    public long users;
    public long events;
    public int rules;
    public final List<Backend> backends = new ArrayList<>();
    public long totalMillis;

    StateResult(StateOptions options) {
        this.options = options;
    }

    /** One phase's checkpoint and live size. */
    public static final class Phase {
        public final String name;
        public long checkpointId;

        /**
         * Flink's checkpoint statistics: the state size and the time from trigger to the last
         * acknowledgement.
         */
        public long stateBytes;

        public long durationMs;

        /** What the checkpoint left in its directory (chk-N). */
        public long directoryBytes;

        /**
         * HashMap: heap in use after a full GC. RocksDB: estimated live SST data plus memtables.
         */
        public long liveBytes;

        /** Heap in use after a full GC, on either backend. */
        public long heapBytes;

        Phase(String name) {
            this.name = name;
        }
    }

    /** One backend. */
    public static final class Backend {
        public final String name;
        public final long users;
        public final List<Phase> phases = new ArrayList<>();

        /** Events the detection operator took in, and how long feeding them took. */
        public long events;

        public long feedMillis;

        /**
         * Triggers emitted; -1 when the job was cancelled (visit-only runs) and its sinks did not
         * report.
         */
        public long triggers;

        /**
         * From opening the gate for the clock events to the completed checkpoints after them
         * (timers included).
         */
        public long cleanupMillis;

        Backend(String name, long users) {
            this.name = name;
            this.users = users;
        }

        public Phase empty() {
            return phases.get(0);
        }

        public Phase phase(int i) {
            return phases.get(i);
        }

        public boolean hasPhase(int i) {
            return i < phases.size();
        }

        /** Checkpoint bytes per user of phase {@code i}, over the empty job. */
        public double checkpointPerUser(int i) {
            return (phase(i).stateBytes - empty().stateBytes) / (double) users;
        }

        /** Live bytes per user of phase {@code i}, over the empty job. */
        public double livePerUser(int i) {
            return (phase(i).liveBytes - empty().liveBytes) / (double) users;
        }
    }
}
