package io.guidance.bench;

import io.guidance.bench.ThroughputBenchmark.Run;
import io.guidance.bench.report.Markdown;
import io.guidance.experiment.Experiment;
import io.guidance.rules.DeliverySettings;
import io.guidance.rules.Glob;
import io.guidance.rules.Matcher;
import io.guidance.rules.Rule;
import io.guidance.rules.RuleSet;
import io.guidance.rules.RulesParser;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What experiments cost (SPEC section 7): the full pipeline with the rules of config/rules.yaml,
 * and the same rules plus an experiment on the first two rules (two variants and a control) and a
 * program holdout of 5 %, on the heap and on RocksDB, runs of the two interleaved so that the
 * machine's drift hits both alike. The target is at most 10 % slower with experiments on.
 *
 * <p>The {@code experiments} section of {@code bench/run.sh} ({@code --experiments-events N},
 * {@code --experiments-rocksdb-events N}, {@code --experiments-runs N}, {@code
 * --experiments-parallelism P}).
 */
public final class ExperimentsBenchmark {
    /** What was measured, per backend: runs without and with experiments. */
    record Measured(
            List<String> backends,
            List<Long> events,
            List<List<Run>> without,
            List<List<Run>> with,
            int parallelism,
            String inputs) {}

    private ExperimentsBenchmark() {}

    /** The same rules with no experiment and no holdout. */
    public static RuleSet withoutExperiments(RuleSet rules) {
        DeliverySettings d = rules.delivery;
        return new RuleSet(
                rules.version,
                new DeliverySettings(d.ttlMs, d.minGapMs, d.maxPerDay, d.cooldownMs),
                rules.rules,
                Map.of());
    }

    /** The rules with experiments on their first two rules and a 5 % program holdout. */
    static RuleSet withExperiments(RuleSet base) {
        Matcher purchase = new Matcher(Map.of("type", List.of(new Glob("purchase"))));
        DeliverySettings d = base.delivery;
        DeliverySettings delivery =
                new DeliverySettings(
                        d.ttlMs,
                        d.minGapMs,
                        d.maxPerDay,
                        d.cooldownMs,
                        5,
                        purchase,
                        7 * 86_400_000L);
        Map<String, Experiment> experiments = new LinkedHashMap<>();
        for (Rule r : base.rules.subList(0, Math.min(2, base.rules.size()))) {
            Map<String, Integer> variants = new LinkedHashMap<>();
            variants.put(r.guide, 40);
            variants.put(r.guide + "-short", 40);
            experiments.put(r.id, new Experiment(r.id, variants, 20, purchase, 86_400_000L, r.id));
        }
        return new RuleSet(base.version, delivery, base.rules, experiments);
    }

    static Measured run(
            int events,
            int rocksdbEvents,
            int runs,
            int parallelism,
            Path rulesFile,
            ScaledEvents.Inputs inputs)
            throws Exception {
        var base = ScaledEvents.readBase(inputs);
        RuleSet configured = RulesParser.parseFile(rulesFile);
        RuleSet plain = withoutExperiments(configured);
        RuleSet experiments = withExperiments(plain);
        List<String> backends = List.of("hashmap", "rocksdb");
        List<Long> sizes = new ArrayList<>();
        List<List<Run>> without = new ArrayList<>();
        List<List<Run>> with = new ArrayList<>();
        for (String backend : backends) {
            int n = backend.equals("rocksdb") ? rocksdbEvents : events;
            byte[][] all = ScaledEvents.scale(base, n).events;
            sizes.add((long) all.length);
            List<Run> a = new ArrayList<>();
            List<Run> b = new ArrayList<>();
            // one unreported run first: the JVM's warm-up would otherwise land on the first row
            ThroughputBenchmark.pipeline(all, parallelism, experiments, backend);
            for (int i = 0; i < runs; i++) {
                // the order alternates, so that drift of the machine favours neither
                boolean withFirst = i % 2 == 1;
                if (withFirst) {
                    b.add(
                            run(
                                    backend + " with experiments",
                                    all,
                                    parallelism,
                                    experiments,
                                    backend));
                }
                a.add(run(backend + " without", all, parallelism, plain, backend));
                if (!withFirst) {
                    b.add(
                            run(
                                    backend + " with experiments",
                                    all,
                                    parallelism,
                                    experiments,
                                    backend));
                }
            }
            without.add(a);
            with.add(b);
        }
        ArraySource.load(new byte[0][]);
        return new Measured(backends, sizes, without, with, parallelism, inputs.toString());
    }

    private static Run run(
            String what, byte[][] all, int parallelism, RuleSet rules, String backend)
            throws Exception {
        return ThroughputBenchmark.measured(
                what, ThroughputBenchmark.pipeline(all, parallelism, rules, backend), all.length);
    }

    static Benchmarks.Fragment fragment(Measured m) {
        Markdown.Table t =
                Markdown.table()
                        .left("state backend")
                        .right("events")
                        .right("without, events/s")
                        .right("with experiments, events/s")
                        .right("**with / without**")
                        .right("experiment records per run")
                        .left("runs (events/s, without; with)");
        List<String> headline = new ArrayList<>();
        for (int i = 0; i < m.backends().size(); i++) {
            double a = ThroughputBenchmark.median(m.without().get(i));
            double b = ThroughputBenchmark.median(m.with().get(i));
            t.row(
                    m.backends().get(i),
                    Markdown.count(m.events().get(i)),
                    Markdown.format("%,.0f", a),
                    Markdown.format("%,.0f", b),
                    Markdown.format("**%.2f**", b / a),
                    Markdown.count(m.with().get(i).get(0).records),
                    list(m.without().get(i)) + "; " + list(m.with().get(i)));
            headline.add(Markdown.format("%s %.2f", m.backends().get(i), b / a));
        }
        String md =
                "## Experiments\n\n"
                        + Markdown.format(
                                "The full pipeline (`GuidanceTopology.build`, parallelism %d) with the"
                                        + " rules of config/rules.yaml without their experiments, against the same rules with an"
                                        + " experiment on the first two (two variants of 40 %% and a"
                                        + " control of 20 %%, goal a purchase within a day) and a program"
                                        + " holdout of 5 %% (goal a purchase within 7 days): assignment,"
                                        + " checks 5 and 6, exposures and conversions in map state, the"
                                        + " records' side output. Events: %s, scaled as in the throughput"
                                        + " section. Medians, after one unreported warm-up run; runs without and with interleaved,"
                                        + " in alternating order. Target:"
                                        + " with / without >= 0.90 on both backends.%n%n",
                                m.parallelism(), m.inputs())
                        + t.render();
        return new Benchmarks.Fragment("experiments on / off: " + String.join(", ", headline), md);
    }

    private static String list(List<Run> runs) {
        List<String> l = new ArrayList<>();
        for (Run r : runs) {
            l.add(Markdown.format("%,.0f", r.eventsPerSecond()));
        }
        return String.join(", ", l);
    }
}
