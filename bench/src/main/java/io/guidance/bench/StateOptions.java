package io.guidance.bench;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * What the state benchmark runs: {@code --sessions N --backends hashmap,rocksdb --parallelism P
 * --visit-only rocksdb --cleanup-sessions M --rules FILE}.
 */
public final class StateOptions {
    public int sessions = 1_000_000;
    public String[] backends = {"hashmap", "rocksdb"};

    /** The job's default parallelism, as docs/benchmarks.md is measured. */
    public int parallelism = 2;

    /**
     * Backends measured at {@link #sessions} only empty and during the visit (the checkpoint at N
     * sessions). The later phases fire every user's cleanup timers, which on RocksDB slow down with
     * the number of users, too much for a million; such a backend gets all phases in a second run
     * at {@link #cleanupSessions}.
     */
    public Set<String> visitOnly = new HashSet<>(List.of("rocksdb"));

    public int cleanupSessions = 5_000;
    public Path rulesFile = ScaledEvents.repositoryRoot().resolve("config/rules.yaml");
    public String command = "";

    public static StateOptions parse(String[] args) {
        StateOptions o = new StateOptions();
        o.command = String.join(" ", args);
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            switch (a) {
                case "--sessions":
                    o.sessions = Integer.parseInt(args[++i].replace("_", ""));
                    break;
                case "--backends":
                    o.backends = args[++i].split(",");
                    break;
                case "--parallelism":
                    o.parallelism = Integer.parseInt(args[++i]);
                    break;
                case "--visit-only":
                    o.visitOnly = new HashSet<>(Arrays.asList(args[++i].split(",")));
                    break;
                case "--cleanup-sessions":
                    o.cleanupSessions = Integer.parseInt(args[++i].replace("_", ""));
                    break;
                case "--rules":
                    o.rulesFile = Path.of(args[++i]);
                    break;
                default:
                    throw new IllegalArgumentException("unknown argument " + a);
            }
        }
        return o;
    }
}
