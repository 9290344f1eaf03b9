package io.guidance.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The job JVM's pauses as {@link GcLog} reads them from lines of a unified GC log. */
class LatencyGcLogTest {
    private static final List<String> LOG =
            List.of(
                    "[0.011s][1000000000000ms][info][gc,init] Concurrent Workers: 1",
                    "[0.387s][1000000001000ms][info][gc,start    ] GC(0) Pause Young (Normal)"
                            + " (G1 Evacuation Pause)",
                    "[0.400s][1000000001013ms][info][gc          ] GC(0) Pause Young (Normal)"
                            + " (G1 Evacuation Pause) 6M->3M(64M) 13.016ms",
                    "[0.401s][1000000001013ms][info][gc,cpu      ] GC(0) User=0.01s Sys=0.00s"
                            + " Real=0.01s",
                    "[1.000s][1000000002000ms][info][gc          ] GC(1) Concurrent Mark Cycle"
                            + " 45.678ms",
                    "[1.100s][1000000002100ms][info][gc          ] GC(1) Pause Remark"
                            + " 30M->30M(64M) 1.500ms",
                    "[1.200s][1000000002200ms][info][gc,phases   ] GC(2)   Evacuate Collection"
                            + " Set: 3.2ms",
                    "[2.000s][1000000003050ms][info][gc          ] GC(2) Pause Full"
                            + " (System.gc()) 30M->2M(64M) 100.000ms");

    @Test
    void everyPauseIsCountedAndNothingElse() {
        GcLog.Pauses p = GcLog.pauses(LOG, 0, Long.MAX_VALUE);
        // Young 13.016 + Remark 1.5 + Full 100 = 114.516 ms; the concurrent cycle and the
        // phase line are not pauses
        assertThat(p.count()).isEqualTo(3);
        assertThat(p.totalMs()).isEqualTo(115);
        assertThat(p.maxMs()).isEqualTo(100);
    }

    @Test
    void onlyPausesThatOverlapTheIntervalCount() {
        // the full pause ran from ...2950 to ...3050: it overlaps an interval that ends at 3000
        GcLog.Pauses p = GcLog.pauses(LOG, 1_000_000_002_000L, 1_000_000_003_000L);
        assertThat(p.count()).isEqualTo(2);
        assertThat(p.maxMs()).isEqualTo(100);
        // the young pause ended at ...1013, before the interval; the remark ran from ...2098.5
        assertThat(GcLog.pauses(LOG, 1_000_000_001_014L, 1_000_000_002_098L).count()).isZero();
    }
}
