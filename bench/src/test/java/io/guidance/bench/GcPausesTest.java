package io.guidance.bench;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class GcPausesTest {
    @Test
    void aCollectionWhileOpenIsCountedAndNoneAfterClose() throws Exception {
        GcPauses pauses = GcPauses.start();
        System.gc(); // a full collection: a stop-the-world pause under every collector the
        // benchmarks use
        long deadline = System.currentTimeMillis() + 10_000;
        while (pauses.count() == 0 && System.currentTimeMillis() < deadline) {
            Thread.sleep(20); // the collectors notify from a thread of their own
        }
        pauses.close();
        assertThat(pauses.count()).isPositive();
        assertThat(pauses.maxMs()).isLessThanOrEqualTo(pauses.totalMs());

        Thread.sleep(200);
        long counted = pauses.count();
        System.gc();
        Thread.sleep(500);
        assertThat(pauses.count()).as("closed: no longer listening").isEqualTo(counted);
    }
}
