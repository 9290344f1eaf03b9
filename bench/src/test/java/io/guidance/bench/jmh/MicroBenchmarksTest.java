package io.guidance.bench.jmh;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.options.VerboseMode;

/**
 * Runs every microbenchmark once, briefly and in this JVM, so that none can rot: each must run
 * without error (the benchmarks check their own input and output in setup and teardown, and the
 * runner fails on any error), report a positive time, and have its row in the markdown. No time is
 * asserted.
 */
class MicroBenchmarksTest {
    /** Every benchmark and parameter value the package declares. */
    private static final List<String> EXPECTED =
            List.of(
                    "ParseBenchmark.parse",
                    "ParseBenchmark.parseBad reason=not_json",
                    "ParseBenchmark.parseBad reason=missing_field",
                    "EventSerdeBenchmark.serializeAndDeserialize serializer=pojo",
                    "EventSerdeBenchmark.serializeAndDeserialize serializer=event",
                    "RuleMatchBenchmark.matchEvent rules=demo",
                    "RuleMatchBenchmark.matchEvent rules=100",
                    "RuleMatchBenchmark.matchEvent rules=1000",
                    "DetectorBenchmark.onEvent detector=none",
                    "DetectorBenchmark.onEvent detector=stall",
                    "DetectorBenchmark.onEvent detector=burst",
                    "DetectorBenchmark.onEvent detector=loop",
                    "DetectorBenchmark.onEvent detector=threshold",
                    "DetectorBenchmark.onEvent detector=comeback",
                    "DeliveryPolicyBenchmark.decide",
                    "TriggerJsonBenchmark.toJson");

    @BeforeAll
    static void allowAnotherJmhRun() {
        // JMH refuses to start while another JMH run holds its machine-wide lock; this short run
        // does not care
        System.setProperty("jmh.ignoreLock", "true");
    }

    @Test
    void everyBenchmarkRunsAndHasItsRow() throws Exception {
        MicroBenchmarks.Options o = new MicroBenchmarks.Options();
        o.forks = 0;
        o.warmupIterations = 1;
        o.warmupMs = 100;
        o.iterations = 1;
        o.iterationMs = 100;
        o.verbosity = VerboseMode.SILENT;

        List<RunResult> results = MicroBenchmarks.run(o);

        assertThat(results.stream().map(r -> MicroBenchmarks.label(r.getParams())))
                .containsExactlyElementsOf(EXPECTED);
        for (RunResult r : results) {
            assertThat(r.getPrimaryResult().getScore())
                    .as(MicroBenchmarks.label(r.getParams()))
                    .isPositive();
            assertThat(r.getPrimaryResult().getScoreUnit()).isEqualTo("ns/op");
        }

        String md = MicroBenchmarks.markdown(o, results, null);
        List<String> rows =
                Arrays.stream(md.split("\n"))
                        .filter(l -> l.startsWith("| ") && !l.startsWith("| Benchmark"))
                        .collect(Collectors.toList());
        assertThat(rows).hasSize(EXPECTED.size());
        for (int i = 0; i < rows.size(); i++) {
            String[] cells = rows.get(i).split("\\|");
            assertThat(cells[1].trim()).isEqualTo(EXPECTED.get(i));
            double ns = Double.parseDouble(cells[2].trim().replace(",", ""));
            double opsPerSecond = Double.parseDouble(cells[4].trim().replace(",", ""));
            assertThat(ns).isPositive();
            // ops/s is the inverse of ns/op, to the rounding of the two cells
            assertThat(opsPerSecond * ns / 1e9).isCloseTo(1.0, within(0.01));
        }
        assertThat(md)
                .startsWith("## Microbenchmarks")
                .contains("| Benchmark | ns/op | Error (99.9%) | ops/s |");
    }
}
