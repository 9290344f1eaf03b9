package io.guidance.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.offset;

import io.guidance.event.Event;
import io.guidance.event.EventParser;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The soak on a tiny configuration (the repository samples, a low fixed rate, 20 s) with the real
 * Kafka broker and Redis server, so that its code cannot rot: samples are taken, checkpoints
 * complete, nothing restarts, and the section and its chart come out. No timing is asserted.
 */
class SoakBenchmarkSmokeTest {

    @Test
    void aLapHasIdsAndSessionsOfItsOwnAndTheSameUsers() throws Exception {
        List<Event> base =
                LatencyBenchmark.interleavedBase(ScaledEvents.Inputs.samples()).subList(0, 200);
        StampedEvents lap = SoakBenchmark.lap(base, 7);
        EventParser parser = new EventParser();
        assertThat(lap.size()).isEqualTo(base.size());
        for (int i = 0; i < lap.size(); i++) {
            Event e = parser.parse(lap.json[i]).event;
            Event b = base.get(i);
            assertThat(e.userId).isEqualTo(b.userId).isEqualTo(lap.keys[i]);
            assertThat(e.eventId).isEqualTo(b.eventId + "~7");
            assertThat(e.sessionId).isEqualTo(b.sessionId + "~7");
            assertThat(e.type).isEqualTo(b.type);
            assertThat(e.page).isEqualTo(b.page);
        }
    }

    @Test
    void aSeriesIsFlatWhenItsSlopeIsAtMostTwoPercentOfItsMeanPerMinute() {
        double[] minutes = {0, 1, 2, 3};
        // 10, 12, 14, 16: slope 2 per minute, mean 13, so 15.4 % of the mean per minute
        SoakResult.Trend growing = SoakResult.trend(minutes, new double[] {10, 12, 14, 16});
        assertThat(growing.slopePerMinute()).isCloseTo(2.0, offset(1e-9));
        assertThat(growing.mean()).isEqualTo(13.0);
        assertThat(growing.first()).isEqualTo(10.0);
        assertThat(growing.max()).isEqualTo(16.0);
        assertThat(growing.flat()).isFalse();
        // 100, 101, 99, 102: slope 0.4 per minute (2 / 5), mean 100.5, 0.4 % per minute
        SoakResult.Trend wobbling = SoakResult.trend(minutes, new double[] {100, 101, 99, 102});
        assertThat(wobbling.slopePerMinute()).isCloseTo(0.4, offset(1e-9));
        assertThat(wobbling.flat()).isTrue();
        // shrinking is not growing
        assertThat(SoakResult.trend(minutes, new double[] {16, 14, 12, 10}).flat()).isTrue();
        assertThat(SoakResult.trend(new double[] {0, 1}, new double[] {5, 5}).judged())
                .as("two samples are too few")
                .isFalse();
    }

    @Test
    void theHeapFloorCountsEachOldRegionCollectionAfterTheWarmupOnce() {
        SoakOptions o = new SoakOptions();
        o.warmupSeconds = 60;
        SoakResult r = new SoakResult(o);
        // seconds, heap after any GC, heap after the last old-region GC, old-region GCs so far
        long[][] looks = {
            {30, 900, 500, 1}, // in the warm-up
            {65, 950, 500, 1}, // the same collection as before: not a new point
            {70, 700, 600, 2},
            {75, 800, 600, 2},
            {90, 650, 620, 4}
        };
        for (long[] l : looks) {
            r.samples.add(new SoakResult.Sample(l[0], l[1], l[2], l[3], 0, 0, 0, 0, 0, 0, 0, 0));
        }
        SoakResult.Trend floor = r.heapFloor();
        assertThat(floor.n()).isEqualTo(2);
        assertThat(floor.first()).isEqualTo(600.0);
        assertThat(floor.last()).isEqualTo(620.0);
        // 20 over a third of a minute
        assertThat(floor.slopePerMinute()).isCloseTo(60.0, offset(1e-9));
        assertThat(floor.judged()).isFalse();
        assertThat(r.heap().n()).as("every sample after the warm-up").isEqualTo(4);
    }

    @Test
    void badOptionsAreRefused() {
        assertThatThrownBy(() -> SoakOptions.parse(new String[] {"--speed", "3"}))
                .hasMessageContaining("unknown soak option --speed");
        assertThatThrownBy(() -> SoakOptions.parse(new String[] {"--fraction", "0"}))
                .hasMessageContaining("must be positive");
        assertThatThrownBy(() -> SoakOptions.parse(new String[] {"--seconds"}))
                .hasMessageContaining("missing value for --seconds");
        SoakOptions o = SoakOptions.parse(new String[] {"--max-rate", "20_000"});
        assertThat(o.maxRate).isEqualTo(20_000.0);
        assertThat(o.seconds).isEqualTo(600);
        assertThat(o.fraction).isEqualTo(0.5);
    }

    @Test
    void aShortSoakSamplesCheckpointsAndWritesItsSection(@TempDir Path dir) throws Exception {
        SoakOptions o = new SoakOptions();
        o.inputs = ScaledEvents.Inputs.samples();
        o.maxRate = 3_000;
        o.fraction = 0.5;
        o.seconds = 20;
        o.warmupSeconds = 4;
        o.sampleSeconds = 2;
        o.parallelism = 2;
        SoakResult r = SoakBenchmark.run(o);

        assertThat(r.maxMeasured).isFalse();
        assertThat(r.targetRate).isEqualTo(1_500.0);
        assertThat(r.sent.events()).isPositive();
        assertThat(r.laps).isPositive();
        assertThat(r.samples).as("samples taken").isNotEmpty();
        SoakResult.Sample last = r.last();
        assertThat(last.completedCheckpoints()).as("completed checkpoints").isPositive();
        assertThat(last.checkpointBytes()).as("size of the last checkpoint").isPositive();
        // a checkpoint may time out on a loaded machine in a run this short; the real soak reports
        // failed checkpoints in its table, and a failure must not have cost a restart
        assertThat(last.failedCheckpoints()).isLessThan(last.completedCheckpoints());
        assertThat(last.restarts()).isZero();
        assertThat(last.sent()).isLessThanOrEqualTo(r.sent.events());

        String md = SoakPage.markdown(r);
        assertThat(md).startsWith("## Soak").contains("**Verdict: ", SoakPage.CHART);
        assertThat(SoakPage.headline(r)).startsWith("Soak, ");
        Path png = dir.resolve(SoakPage.CHART);
        SoakPage.chart(r, png);
        assertThat(Files.exists(png)).isTrue();
        assertThat(ImageIO.read(png.toFile()).getWidth()).isEqualTo(900);
    }
}
