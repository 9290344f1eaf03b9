package io.guidance.bench;

import io.guidance.bench.StateResult.Backend;
import io.guidance.bench.StateResult.Phase;
import io.guidance.bench.report.Markdown;

/** What the state benchmark writes: its docs section. */
final class StatePage {
    private StatePage() {}

    /**
     * A docs section: bytes per active session and per tracked user on both backends, and the
     * checkpoints.
     */
    static String markdown(StateResult r) {
        StringBuilder md = new StringBuilder();
        md.append(Markdown.format("## State at %,d sessions%n%n", r.users))
                .append(
                        Markdown.format(
                                "The production topology (`GuidanceTopology`, the %d rules of "
                                        + "config/rules.yaml, default settings) on a local MiniCluster at parallelism %d, fed %,d users with one "
                                        + "visit each: the visit docs/state-size.md is measured with (`StateSizeVisit`: ten item views in one "
                                        + "category, an add-to-cart and a purchase, so every rule kind keeps something), %,d events in all, "
                                        + "users interleaved in `ts` order. The job stays up; after each phase a full checkpoint is triggered "
                                        + "to a local directory and measured: state size and end-to-end duration from Flink's checkpoint "
                                        + "statistics, and the bytes in the checkpoint's directory. Live size: on HashMap, the heap in use after "
                                        + "a full GC (the MiniCluster runs in the benchmark's JVM); on RocksDB, its estimate of live SST data "
                                        + "plus its memtables (`rocksdb.estimate-live-data-size` + `rocksdb.cur-size-all-mem-tables`), with 1 GiB "
                                        + "of managed memory for its caches and write buffers. "
                                        + "Per user = (phase - empty job) / users.%n%n",
                                r.rules, r.options.parallelism, r.users, r.events));
        Markdown.Table phases =
                Markdown.table()
                        .left("backend")
                        .right("users")
                        .left("phase")
                        .right("checkpoint bytes")
                        .right("per user")
                        .right("checkpoint duration ms")
                        .right("checkpoint directory bytes")
                        .right("live bytes")
                        .right("live per user");
        for (Backend b : r.backends) {
            for (int i = 0; i < b.phases.size(); i++) {
                Phase p = b.phase(i);
                phases.row(
                        b.name,
                        Markdown.count(b.users),
                        p.name,
                        Markdown.count(p.stateBytes),
                        i == 0 ? "" : Markdown.rounded(b.checkpointPerUser(i)),
                        Markdown.count(p.durationMs),
                        Markdown.count(p.directoryBytes),
                        Markdown.count(p.liveBytes),
                        i == 0 ? "" : Markdown.rounded(b.livePerUser(i)));
            }
        }
        md.append(phases.render());
        md.append(
                "\nSo, per active session (a user during a visit) and per tracked user (idle, kept for "
                        + "`events.userRetention`), and the checkpoint with every session active:\n\n");
        Markdown.Table perUser =
                Markdown.table()
                        .left("backend")
                        .right("users")
                        .right("checkpoint per active session")
                        .right("live per active session")
                        .right("checkpoint per tracked user")
                        .right("live per tracked user")
                        .right("checkpoint")
                        .right("its duration")
                        .right("evaluating the events");
        for (Backend b : r.backends) {
            Phase active = b.phase(1);
            boolean idle = b.hasPhase(3);
            perUser.row(
                    b.name,
                    Markdown.count(b.users),
                    Markdown.rounded(b.checkpointPerUser(1)) + " B",
                    Markdown.rounded(b.livePerUser(1)) + " B",
                    idle ? Markdown.rounded(b.checkpointPerUser(3)) + " B" : "not run",
                    idle ? Markdown.rounded(b.livePerUser(3)) + " B" : "not run",
                    Markdown.format("%.1f MiB", active.stateBytes / (1024.0 * 1024.0)),
                    Markdown.count(active.durationMs) + " ms",
                    Markdown.format(
                            "%,d ms (%,.0f events/s)",
                            b.feedMillis, b.events * 1000.0 / Math.max(1, b.feedMillis)));
        }
        md.append(perUser.render());
        for (Backend b : r.backends) {
            if (b.hasPhase(3)) {
                md.append(
                        Markdown.format(
                                "%n%s, %,d users: moving event time 2 h and then 25 h on, which "
                                        + "fires every user's cleanup timers, took %,d ms including the two checkpoints.",
                                b.name, b.users, b.cleanupMillis));
            }
        }
        md.append('\n');
        md.append('\n')
                .append(
                        Markdown.runLine(
                                Markdown.format(
                                        "max heap %,d MiB",
                                        Runtime.getRuntime().maxMemory() / (1024 * 1024)),
                                r.totalMillis,
                                "state",
                                r.options.command));
        return md.toString();
    }
}
