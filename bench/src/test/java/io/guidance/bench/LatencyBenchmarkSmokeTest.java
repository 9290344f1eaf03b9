package io.guidance.bench;

import static org.assertj.core.api.Assertions.assertThat;

import io.guidance.event.EventParser;
import java.nio.file.Path;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Runs the latency benchmark on a tiny configuration (a short backlog, one short paced run) with
 * the real Kafka broker and Redis server, so that its code cannot rot: every delivered trigger must
 * have been seen written to Redis, and the report and chart must come out. No timing is asserted.
 */
class LatencyBenchmarkSmokeTest {

    @Test
    void percentilesAreNearestRank() {
        long[] v = new long[100];
        for (int i = 0; i < v.length; i++) {
            v[i] = 100 - i; // 100 down to 1, unsorted on purpose
        }
        Latencies l = new Latencies(v);
        assertThat(l.count).isEqualTo(100);
        assertThat(l.p50).isEqualTo(50);
        assertThat(l.p99).isEqualTo(99);
        assertThat(l.max).isEqualTo(100);
        assertThat(l.min).isEqualTo(1);
        assertThat(new Latencies(new long[] {7}).p99).isEqualTo(7);
        assertThat(new Latencies(new long[0]).count).isZero();
    }

    @Test
    void aStampedEventCarriesTheSendTimeAndNothingElseChanges() throws Exception {
        byte[][] events = ScaledEvents.scale(ScaledEvents.Inputs.samples(), 50).events;
        StampedEvents p = StampedEvents.of(events);
        EventParser parser = new EventParser();
        long now = 1_765_432_109_876L;
        for (int i = 0; i < p.size(); i++) {
            EventParser.Result before = parser.parse(events[i]);
            EventParser.Result after = parser.parse(p.stamped(i, now + i));
            assertThat(after.ok()).isTrue();
            assertThat(after.event.ts).isEqualTo(now + i);
            assertThat(after.event.eventId).isEqualTo(before.event.eventId);
            assertThat(after.event.userId).isEqualTo(before.event.userId).isEqualTo(p.keys[i]);
            assertThat(after.event.type).isEqualTo(before.event.type);
            assertThat(parser.parse(events[i]).event.ts)
                    .as("the original is left alone")
                    .isEqualTo(before.event.ts);
        }
    }

    @Test
    void everyDeliveredTriggerIsMatchedWithItsWriteToRedis(@TempDir Path dir) throws Exception {
        LatencyOptions o = new LatencyOptions();
        o.inputs = ScaledEvents.Inputs.samples();
        o.calibrationEvents = 20_000;
        o.fractions = new double[] {0.2};
        o.seconds = 8;
        o.warmupSeconds = 1;
        o.parallelism = 2;
        o.jobDir = dir.resolve("job");
        LatencyResult r = LatencyBenchmark.run(o);

        assertThat(r.maxMeasured).isTrue();
        assertThat(r.maxRate).isPositive();
        assertThat(r.boundMs).isEqualTo(2_000);
        assertThat(r.runs).hasSize(1);
        LatencyResult.RateRun run = r.runs.get(0);
        assertThat(run.eventsSent).isPositive();
        assertThat(run.delivered).as("delivered triggers in the audit topic").isPositive();
        assertThat(run.readable)
                .as("every delivered trigger seen written to Redis")
                .isEqualTo(run.delivered);
        assertThat(run.older).isZero();
        assertThat(run.caused.count + run.stalls.count + run.afterInput.count + run.warmup)
                .as("every readable trigger falls in one group")
                .isEqualTo(run.readable);
        assertThat(run.caused.count).isPositive();
        // a trigger is evaluated once the watermark, out-of-orderness behind the newest event,
        // passes its ts
        assertThat(run.caused.min).isGreaterThanOrEqualTo(0);
        assertThat(run.caused.p50).isLessThanOrEqualTo(run.caused.p99);
        assertThat(run.caused.p99).isLessThanOrEqualTo(run.caused.max);
        assertThat(run.trace).hasSize((int) (run.delivered + run.suppressed));
        assertThat(run.gcPauseMaxMs).isLessThanOrEqualTo(run.gcPauseTotalMs);
        assertThat(run.jobGcPauseMaxMs).isLessThanOrEqualTo(run.jobGcPauseTotalMs);
        assertThat(r.jobJvmOptions).contains("-XX:+UseG1GC");
        assertThat(dir.resolve("job").resolve("job-gc.log"))
                .as("the job ran in a JVM of its own, with its own GC log")
                .content()
                .contains("Using G1");
        assertThat(
                        ProcessHandle.current()
                                .descendants()
                                .filter(
                                        p ->
                                                p.info()
                                                        .commandLine()
                                                        .orElse("")
                                                        .contains(JobProcess.class.getName())))
                .as("the job JVM is gone")
                .isEmpty();

        String md = LatencyPage.markdown(r);
        assertThat(md)
                .contains("## Latency with Kafka and Redis", "| 20 % |", "benchmarks-latency.png");
        LatencyPage.chart(r, dir.resolve("latency.png"));
        assertThat(ImageIO.read(dir.resolve("latency.png").toFile()).getWidth()).isEqualTo(900);
    }
}
