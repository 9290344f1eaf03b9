package io.guidance.bench;

import io.guidance.bench.jmh.MicroBenchmarks;
import io.guidance.bench.report.MachineFacts;
import io.guidance.bench.report.Markdown;
import io.guidance.event.Event;
import io.guidance.rules.RuleSet;
import io.guidance.rules.RulesParser;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The benchmark command, {@code bench/run.sh}: runs the sections asked for (all by default) and
 * writes docs/benchmarks.md with its charts.
 *
 * <p>Each section's result is kept in {@code docs/benchmarks/SECTION.md} with the time, commit and
 * load it was measured at, so one section can be measured again ({@code --sections latency}) and
 * the page is rebuilt from the newest result of every section. Options go to the section they name:
 * {@code --latency-seconds 30} is {@code --seconds 30} for the latency section, {@code
 * --soak-seconds}, {@code --soak-fraction}, {@code --soak-max-rate}, {@code --state-sessions},
 * {@code --micro-...} and {@code --profile-events} likewise; the others ({@code --events}, {@code
 * --runs}, {@code --cep-runs}, {@code --parallelism}, {@code --rule-counts}, {@code --rule-events},
 * ...) are the throughput and rule-scaling options of {@link ThroughputBenchmark}.
 */
public final class Benchmarks {
    /** The sections, in the order of the page. */
    static final List<String> SECTIONS =
            List.of(
                    "throughput",
                    "rules",
                    "experiments",
                    "latency",
                    "soak",
                    "state",
                    "micro",
                    "profile",
                    "discovery");

    private static final String HEADLINE = "<!-- headline: ";
    private static final Pattern HEADLINE_LINE = Pattern.compile("<!-- headline: (.*) -->");

    private Benchmarks() {}

    /** What a section measured: its part of the page, and one line for the summary at the top. */
    record Fragment(String headline, String markdown) {
        String file() {
            return HEADLINE + headline + " -->\n" + markdown.strip() + "\n";
        }
    }

    /** The command line, split by section. */
    static final class Options {
        final List<String> sections = new ArrayList<>();
        final Map<String, List<String>> sectionArgs = new LinkedHashMap<>();
        final List<String> throughputArgs = new ArrayList<>();
        Path docs = ScaledEvents.repositoryRoot().resolve("docs");
        String command = "";

        static Options parse(String[] args) {
            Options o = new Options();
            o.command = String.join(" ", args);
            for (String s : SECTIONS) {
                o.sectionArgs.put(s, new ArrayList<>());
            }
            for (int i = 0; i < args.length; i++) {
                String a = args[i];
                if (a.equals("--sections")) {
                    for (String s : args[++i].split(",")) {
                        if (!SECTIONS.contains(s.trim())) {
                            throw new IllegalArgumentException(
                                    "unknown section '" + s + "'; sections: " + SECTIONS);
                        }
                        o.sections.add(s.trim());
                    }
                    continue;
                }
                if (a.equals("--docs")) {
                    o.docs = Path.of(args[++i]);
                    continue;
                }
                if (!a.startsWith("--") || i + 1 >= args.length) {
                    throw new IllegalArgumentException("expected --option value, got '" + a + "'");
                }
                String section =
                        SECTIONS.stream()
                                .filter(s -> a.startsWith("--" + s + "-"))
                                .findFirst()
                                .orElse(null);
                if (section != null) {
                    o.sectionArgs.get(section).add("--" + a.substring(section.length() + 3));
                } else {
                    o.throughputArgs.add(a);
                }
                o.sectionArgs.getOrDefault(section, o.throughputArgs).add(args[++i]);
            }
            if (o.sections.isEmpty()) {
                o.sections.addAll(SECTIONS);
            }
            return o;
        }
    }

    public static void main(String[] args) throws Exception {
        System.setProperty("java.awt.headless", "true");
        Options o;
        try {
            o = Options.parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println(e.getMessage());
            System.err.println(
                    "usage: bench/run.sh [--sections "
                            + String.join(",", SECTIONS)
                            + "] [--docs DIR] "
                            + "[--events N --runs R --cep-runs C --parallelism 1,2 --rule-counts 1,10,100,1000 --rule-events M --rocksdb-events N --rocksdb-runs R]"
                            + " [--latency-OPTION V] [--soak-OPTION V] [--state-OPTION V] [--micro-OPTION V] [--profile-events N]"
                            + " [--discovery-events N] [--discovery-parallelism P]");
            System.exit(2);
            return;
        }
        Path sectionsDir = o.docs.resolve("benchmarks");
        Files.createDirectories(sectionsDir);
        long start = System.nanoTime();
        ThroughputBenchmark.Results throughput = null;
        for (String section : o.sections) {
            String load = MachineFacts.loadAverage();
            long t0 = System.nanoTime();
            ThroughputBenchmark.log("section %s", section);
            Fragment f;
            switch (section) {
                case "throughput":
                case "rules":
                    if (throughput == null) {
                        throughput = throughputAndRules(o);
                    }
                    f =
                            section.equals("throughput")
                                    ? throughputFragment(throughput)
                                    : rulesFragment(throughput, o);
                    break;
                case "latency":
                    f = latency(o);
                    break;
                case "soak":
                    f = soak(o);
                    break;
                case "state":
                    f = state(o);
                    break;
                case "micro":
                    f = micro(o);
                    break;
                case "profile":
                    f = profile(o);
                    break;
                case "discovery":
                    f = discovery(o);
                    break;
                case "experiments":
                    f = experiments(o);
                    break;
                default:
                    throw new IllegalStateException(section);
            }
            String stamped =
                    f.markdown()
                            .replaceFirst(
                                    "\n",
                                    "\n\n"
                                            + BenchmarkReport.stamp(load).strip()
                                            + Markdown.format(
                                                    " _Took %.0f s. Command: `bench/run.sh %s`._\n",
                                                    (System.nanoTime() - t0) / 1e9, o.command));
            Files.writeString(
                    sectionsDir.resolve(section + ".md"),
                    new Fragment(f.headline(), stamped).file());
            ThroughputBenchmark.log("wrote %s", sectionsDir.resolve(section + ".md"));
        }
        Files.writeString(o.docs.resolve("benchmarks.md"), page(sectionsDir));
        ThroughputBenchmark.log(
                "wrote %s in %.0f s",
                o.docs.resolve("benchmarks.md"), (System.nanoTime() - start) / 1e9);
    }

    // ---------------------------------------------------------------- the sections

    private static ThroughputBenchmark.Results throughputAndRules(Options o) throws Exception {
        ThroughputBenchmark.Options t =
                ThroughputBenchmark.Options.parse(o.throughputArgs.toArray(String[]::new));
        t.throughput = o.sections.contains("throughput");
        t.ruleScaling = o.sections.contains("rules");
        return ThroughputBenchmark.run(t);
    }

    static Fragment throughputFragment(ThroughputBenchmark.Results r) {
        List<String> ratios = new ArrayList<>();
        for (int i = 0; i < r.limit.size(); i++) {
            double pipeline = ThroughputBenchmark.median(r.pipeline.get(i));
            ratios.add(
                    Markdown.format(
                            "parallelism %d: pipeline %,.0f events/s, %.2f of the limit, "
                                    + "%.1f times Flink CEP",
                            r.options.parallelisms[i],
                            pipeline,
                            pipeline / ThroughputBenchmark.median(r.limit.get(i)),
                            pipeline / ThroughputBenchmark.median(r.cep.get(i))));
        }
        for (int i = 0; i < r.rocksdbLimit.size(); i++) {
            double pipeline = ThroughputBenchmark.median(r.rocksdbPipeline.get(i));
            ratios.add(
                    Markdown.format(
                            "on RocksDB (%s events) at parallelism %d: pipeline %,.0f events/s, "
                                    + "%.2f of the limit with one value state",
                            Markdown.count(r.rocksdbEventCount),
                            r.options.parallelisms[i],
                            pipeline,
                            pipeline / ThroughputBenchmark.median(r.rocksdbLimit.get(i))));
        }
        return new Fragment(
                "Throughput, "
                        + Markdown.count(r.scaled.events.length)
                        + " events: "
                        + String.join("; ", ratios)
                        + ".",
                "## Throughput\n" + BenchmarkReport.throughput(r));
    }

    static Fragment rulesFragment(ThroughputBenchmark.Results r, Options o) throws IOException {
        BenchmarkReport.chart(r, o.docs.resolve("benchmarks-rules.png"));
        int last = r.rules.size() - 1;
        double first = ThroughputBenchmark.median(r.categoryRules.get(0));
        double most = ThroughputBenchmark.median(r.categoryRules.get(last));
        return new Fragment(
                Markdown.format(
                        "Rule scaling, realistic (rules per category): %,d rules run at %.2f of the speed of %d "
                                + "(%,.0f against %,.0f events/s); stress (every rule fires): %.2f.",
                        r.options.ruleCounts[last],
                        most / first,
                        r.options.ruleCounts[0],
                        most,
                        first,
                        ThroughputBenchmark.median(r.rules.get(last))
                                / ThroughputBenchmark.median(r.rules.get(0))),
                "## Rules\n" + BenchmarkReport.rules(r));
    }

    private static Fragment latency(Options o) throws Exception {
        LatencyOptions l =
                LatencyOptions.parse(o.sectionArgs.get("latency").toArray(String[]::new));
        LatencyResult r = LatencyBenchmark.run(l);
        LatencyPage.chart(r, o.docs.resolve("benchmarks-latency.png"));
        List<String> p99 = new ArrayList<>();
        for (LatencyResult.RateRun run : r.runs) {
            p99.add(
                    Markdown.format(
                            "%.0f %%: %,d ms (stalls %,d ms)",
                            run.fraction * 100, run.caused.p99, run.stalls.p99));
        }
        return new Fragment(
                Markdown.format(
                        "Latency with Kafka and Redis, event (or stall deadline) to "
                                + "readable in Redis, p99 at shares of the %,.0f events/s maximum: %s; target %,d ms.",
                        r.maxRate, String.join("; ", p99), r.targetMs()),
                LatencyPage.markdown(r));
    }

    private static Fragment soak(Options o) throws Exception {
        SoakResult r =
                SoakBenchmark.run(
                        SoakOptions.parse(o.sectionArgs.get("soak").toArray(String[]::new)));
        SoakPage.chart(r, o.docs.resolve(SoakPage.CHART));
        return new Fragment(SoakPage.headline(r), SoakPage.markdown(r));
    }

    private static Fragment experiments(Options o) throws Exception {
        int events = 1_000_000;
        int rocksdbEvents = 200_000;
        int runs = 3;
        int parallelism = 1;
        List<String> a = o.sectionArgs.get("experiments");
        for (int i = 0; i + 1 < a.size(); i += 2) {
            switch (a.get(i)) {
                case "--events" -> events = Integer.parseInt(a.get(i + 1).replace("_", ""));
                case "--rocksdb-events" ->
                        rocksdbEvents = Integer.parseInt(a.get(i + 1).replace("_", ""));
                case "--runs" -> runs = Integer.parseInt(a.get(i + 1));
                case "--parallelism" -> parallelism = Integer.parseInt(a.get(i + 1));
                default ->
                        throw new IllegalArgumentException(
                                "unknown option --experiments-" + a.get(i).substring(2));
            }
        }
        return ExperimentsBenchmark.fragment(
                ExperimentsBenchmark.run(
                        events,
                        rocksdbEvents,
                        runs,
                        parallelism,
                        ScaledEvents.repositoryRoot().resolve("config/rules.yaml"),
                        ScaledEvents.Inputs.defaults()));
    }

    private static Fragment discovery(Options o) throws Exception {
        int events = 5_000_000;
        int parallelism = 2;
        List<String> a = o.sectionArgs.get("discovery");
        for (int i = 0; i + 1 < a.size(); i += 2) {
            switch (a.get(i)) {
                case "--events" -> events = Integer.parseInt(a.get(i + 1));
                case "--parallelism" -> parallelism = Integer.parseInt(a.get(i + 1));
                default ->
                        throw new IllegalArgumentException(
                                "unknown option --discovery-" + a.get(i).substring(2));
            }
        }
        DiscoveryBenchmark.Measured m = DiscoveryBenchmark.run(events, parallelism);
        String md =
                "## Discovery\n\n"
                        + "`guidance discover` (SPEC section 8) as its Flink batch job runs it, on a local"
                        + " MiniCluster: the scaled real events of the throughput section written as JSON"
                        + " Lines, then one job per grid of actions x counts x days, after one unreported job"
                        + " that warms the JVM up. Each time includes the MiniCluster's start, as a user of"
                        + " the command sees it. A user's events are read"
                        + " once whatever the grid, so the grid should hardly matter: the cost is reading,"
                        + " parsing and sorting the events by user.\n\n"
                        + m.table();
        int last = m.cells().size() - 1;
        return new Fragment(
                Markdown.format(
                        "Discovery, %,d events at parallelism %d: %,.0f events/s for %,d cell, %,.0f"
                                + " events/s for %,d cells.",
                        events,
                        parallelism,
                        m.eventsPerSecond().get(0),
                        m.cells().get(0),
                        m.eventsPerSecond().get(last),
                        m.cells().get(last)),
                md);
    }

    private static Fragment state(Options o) throws Exception {
        StateOptions so = StateOptions.parse(o.sectionArgs.get("state").toArray(String[]::new));
        StateResult r = StateBenchmark.run(so);
        List<String> parts = new ArrayList<>();
        for (StateResult.Backend b : r.backends) {
            if (b.hasPhase(1) && b.users == r.users) {
                parts.add(
                        Markdown.format(
                                "%s %,.0f checkpoint bytes per user during a visit, checkpoint "
                                        + "%,d MB in %,d ms",
                                b.name,
                                b.checkpointPerUser(1),
                                b.phase(1).stateBytes / 1_000_000,
                                b.phase(1).durationMs));
            }
        }
        return new Fragment(
                Markdown.format("State at %,d users: %s.", r.users, String.join("; ", parts)),
                StatePage.markdown(r));
    }

    private static Fragment micro(Options o) throws Exception {
        String md =
                MicroBenchmarks.markdown(
                        MicroBenchmarks.Options.parse(
                                o.sectionArgs.get("micro").toArray(String[]::new)));
        return new Fragment("Microbenchmarks of the hot paths (JMH).", md);
    }

    private static Fragment profile(Options o) throws Exception {
        int events = 1_000_000;
        List<String> a = o.sectionArgs.get("profile");
        for (int i = 0; i < a.size(); i += 2) {
            if (!a.get(i).equals("--events")) {
                throw new IllegalArgumentException("unknown profile option " + a.get(i));
            }
            events = Integer.parseInt(a.get(i + 1).replace("_", ""));
        }
        List<Event> base = ScaledEvents.readBase(ScaledEvents.Inputs.defaults());
        byte[][] scaled = ScaledEvents.scale(base, events).events;
        RuleSet rules =
                RulesParser.parseFile(ScaledEvents.repositoryRoot().resolve("config/rules.yaml"));
        String tables = PipelineProfile.markdown(scaled, rules);
        ArraySource.load(new byte[0][]);
        String notes;
        try (InputStream in = Benchmarks.class.getResourceAsStream("profile-notes.md")) {
            notes = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        // the notes are a page of their own: their headings go two levels down under the profile
        notes = notes.replaceAll("(?m)^#", "###");
        return new Fragment(
                "Profile of the full pipeline: the top costs and what was done about them.",
                tables.strip() + "\n\n" + notes);
    }

    // ---------------------------------------------------------------- the page

    /** docs/benchmarks.md from the newest result of every section. */
    static String page(Path sectionsDir) throws IOException {
        StringBuilder md = new StringBuilder();
        md.append("# Benchmarks\n\n")
                .append(
                        "How fast the guidance pipeline is, how close to the limit of the machine, how it compares with the ")
                .append(
                        "same rules in Flink CEP, how long a trigger takes to reach Redis, and what its state costs. Written ")
                .append("by the benchmark command from its results; do not edit by hand.\n\n")
                .append(
                        "**These numbers are noisy.** The machine has 2 cores, shared with the JobManager, the benchmark's own ")
                .append(
                        "threads and, at times, other builds; each section states the load average around its run. Compare ")
                .append("ratios more than absolute values.\n\n")
                .append("## Reproduce\n\n```bash\n")
                .append(
                        "bench/run.sh                                   # every section, as measured below\n")
                .append(
                        "bench/run.sh --sections latency,state          # only these; the page keeps the others' last results\n")
                .append(
                        "bench/run.sh --events 1000000 --runs 1 --cep-runs 1 --sections throughput   # a quick look\n")
                .append(
                        "bench/run.sh --sections throughput --rocksdb-events 200000 --rocksdb-runs 1   # RocksDB rows on fewer events (0: none)\n")
                .append("```\n\n")
                .append(
                        "`bench/run.sh` builds the `bench` module and its dependencies and runs `io.guidance.bench.Benchmarks` ")
                .append(
                        "in JVMs of their own: the latency and soak sections each on G1 (`-Xmx12g -XX:+UseG1GC`, the JDK's default collector, which Flink runs with unless told otherwise; the soak with `-Xmx4g -XX:-G1UseAdaptiveIHOP -XX:InitiatingHeapOccupancyPercent=20`, so that mixed collections come often), every other section together on Parallel GC (`-Xmx12g -XX:+UseParallelGC`, the throughput collector); `$JAVA_OPTS` replaces all. ")
                .append(
                        "The latency section runs its job in a further JVM of its own (`-Xms2g -Xmx2g -XX:+UseG1GC`, `--latency-job-jvm-options` replaces them), as a TaskManager runs on a cluster. Each section's result is ")
                .append(
                        "kept in [`docs/benchmarks/`](benchmarks/) with its time, commit, load and exact command; this page is ")
                .append(
                        "rebuilt from them. CI runs a short smoke version of every benchmark (`bench` module tests).\n\n")
                .append("## Summary\n\n");
        List<String> bodies = new ArrayList<>();
        for (String section : SECTIONS) {
            Path f = sectionsDir.resolve(section + ".md");
            if (!Files.exists(f)) {
                md.append("- ").append(section).append(": not measured yet.\n");
                continue;
            }
            String text = Files.readString(f);
            Matcher m = HEADLINE_LINE.matcher(text);
            md.append("- ").append(m.find() ? m.group(1) : section).append('\n');
            bodies.add(HEADLINE_LINE.matcher(text).replaceFirst("").strip());
        }
        md.append("\n## Machine\n\n").append(BenchmarkReport.machine()).append('\n');
        for (String body : bodies) {
            md.append(body).append("\n\n");
        }
        return md.toString().strip() + "\n";
    }
}
