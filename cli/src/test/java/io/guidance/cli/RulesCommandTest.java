package io.guidance.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.guidance.local.EmbeddedKafka;
import io.guidance.pipeline.kafka.RulesTopic;
import io.guidance.rules.PublishedRules;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code guidance rules validate|publish|diff|show} through the command's entry point, against a
 * real Kafka broker: an invalid file is refused with every problem and publishes nothing; versions
 * count up from 1; {@code show} prints the version in force; {@code diff} lists added, removed and
 * changed rules; wrong arguments exit 2 with the usage. Each test has its own rules topic.
 */
class RulesCommandTest {
    static EmbeddedKafka kafka;

    @TempDir Path dir;

    static final String VALID =
            String.join(
                    "\n",
                    "version: 1",
                    "delivery: {ttl: 10m}",
                    "rules:",
                    "  - id: three-purchases",
                    "    guide: buyer-badge",
                    "    kind: threshold",
                    "    action: {type: purchase}",
                    "    target: 3",
                    "    window: {sinceFirstSeen: 10d}",
                    "  - id: rage-click",
                    "    guide: help-widget",
                    "    kind: burst",
                    "    match: {type: click}",
                    "    count: 3",
                    "    within: 1s",
                    "");

    /**
     * Four problems, on lines 8 (target < 1), 14 (count < 2), 15 (a zero duration) and 16 (an
     * unknown field).
     */
    static final String INVALID =
            String.join(
                    "\n",
                    "version: 1",
                    "delivery: {ttl: 10m}",
                    "rules:",
                    "  - id: three-purchases",
                    "    guide: buyer-badge",
                    "    kind: threshold",
                    "    action: {type: purchase}",
                    "    target: 0",
                    "    window: {sinceFirstSeen: 10d}",
                    "  - id: rage-click",
                    "    guide: help-widget",
                    "    kind: burst",
                    "    match: {type: click}",
                    "    count: 1",
                    "    within: 0s",
                    "    colour: red",
                    "");

    @BeforeAll
    static void startKafka() throws Exception {
        kafka = EmbeddedKafka.start();
    }

    @AfterAll
    static void stopKafka() {
        if (kafka != null) {
            kafka.close();
        }
    }

    @Test
    void anInvalidFileIsRefusedWithEveryProblemAndNothingIsPublished() throws Exception {
        String topic = "rules-invalid";
        kafka.createCompactedTopic(topic, 1);
        Path file = write("invalid.yaml", INVALID);

        Result r =
                cli(
                        "rules",
                        "publish",
                        file.toString(),
                        "--bootstrap",
                        kafka.bootstrapServers(),
                        "--topic",
                        topic);
        assertThat(r.code).isEqualTo(1);
        assertThat(r.err)
                .contains("4 problems")
                .contains("line 8: rule 'three-purchases', field 'target'")
                .contains("line 14: rule 'rage-click', field 'count'")
                .contains("line 15: rule 'rage-click', field 'within'")
                .contains("line 16: rule 'rage-click', field 'colour'");
        assertThat(r.out).doesNotContain("published");
        assertThat(readAll(topic)).isEmpty();

        // validate says the same, and touches no topic
        Result v = cli("rules", "validate", file.toString());
        assertThat(v.code).isEqualTo(1);
        assertThat(v.err)
                .contains("4 problems")
                .contains("line 16: rule 'rage-click', field 'colour'");
    }

    @Test
    void publishCountsVersionsUpAndShowPrintsTheLiveOne() throws Exception {
        String topic = "rules-publish";
        Path first = write("first.yaml", VALID);
        Path second = write("second.yaml", VALID.replace("target: 3", "target: 2"));

        // nothing published yet (the topic does not even exist)
        Result none =
                cli("rules", "show", "--bootstrap", kafka.bootstrapServers(), "--topic", topic);
        assertThat(none.code).isZero();
        assertThat(none.out).contains("no rule set on " + topic);

        Result p1 =
                cli(
                        "rules",
                        "publish",
                        first.toString(),
                        "--bootstrap",
                        kafka.bootstrapServers(),
                        "--topic",
                        topic);
        assertThat(p1.code).as(p1.err).isZero();
        assertThat(p1.out).contains("published version 1 ");
        Result p2 =
                cli(
                        "rules",
                        "publish",
                        second.toString(),
                        "--bootstrap",
                        kafka.bootstrapServers(),
                        "--topic",
                        topic);
        assertThat(p2.code).as(p2.err).isZero();
        assertThat(p2.out).contains("published version 2 ");

        List<RulesTopic.Entry> entries = readAll(topic);
        assertThat(entries).hasSize(2);
        assertThat(entries).allMatch(RulesTopic.Entry::valid);
        assertThat(entries).extracting(e -> e.rules.version).containsExactly(1L, 2L);
        assertThat(entries.get(0).rules.yaml).isEqualTo(VALID);
        assertThat(entries.get(1).rules.yaml).isEqualTo(VALID.replace("target: 3", "target: 2"));

        Result show =
                cli("rules", "show", "--bootstrap", kafka.bootstrapServers(), "--topic", topic);
        assertThat(show.code).isZero();
        List<String> lines = show.out.lines().collect(Collectors.toList());
        assertThat(lines.get(0)).startsWith("# live rules: version 2 ");
        assertThat(String.join("\n", lines.subList(1, lines.size())) + "\n")
                .isEqualTo(VALID.replace("target: 3", "target: 2"));

        // a bad set that some other producer put on the topic: not live, but its number is taken
        try (KafkaProducer<String, byte[]> raw = producer()) {
            raw.send(
                            new ProducerRecord<>(
                                    topic,
                                    "3",
                                    new PublishedRules(3, "someone", 0, INVALID).toJsonBytes()))
                    .get(15, TimeUnit.SECONDS);
        }
        Result stillTwo =
                cli("rules", "show", "--bootstrap", kafka.bootstrapServers(), "--topic", topic);
        assertThat(stillTwo.out).startsWith("# live rules: version 2 ");
        Result p4 =
                cli(
                        "rules",
                        "publish",
                        first.toString(),
                        "--bootstrap",
                        kafka.bootstrapServers(),
                        "--topic",
                        topic);
        assertThat(p4.code).as(p4.err).isZero();
        assertThat(p4.out).contains("published version 4 ");
        assertThat(
                        cli(
                                        "rules",
                                        "show",
                                        "--bootstrap",
                                        kafka.bootstrapServers(),
                                        "--topic",
                                        topic)
                                .out)
                .startsWith("# live rules: version 4 ")
                .contains("target: 3");
    }

    @Test
    void diffListsAddedRemovedAndChangedRulesAgainstTheLiveVersion() throws Exception {
        String topic = "rules-diff";
        Path live = write("live.yaml", VALID);
        assertThat(
                        cli(
                                        "rules",
                                        "publish",
                                        live.toString(),
                                        "--bootstrap",
                                        kafka.bootstrapServers(),
                                        "--topic",
                                        topic)
                                .code)
                .isZero();

        // three-purchases: target 3 -> 2; rage-click removed; plan-loop added
        Path next =
                write(
                        "next.yaml",
                        String.join(
                                "\n",
                                "version: 1",
                                "delivery: {ttl: 10m}",
                                "rules:",
                                "  - id: three-purchases",
                                "    guide: buyer-badge",
                                "    kind: threshold",
                                "    action: {type: purchase}",
                                "    target: 2",
                                "    window: {sinceFirstSeen: 10d}",
                                "  - id: plan-loop",
                                "    guide: plan-chooser",
                                "    kind: loop",
                                "    match: {type: page_view, page: \"/plans*\"}",
                                "    field: page",
                                "    times: 3",
                                "    within: 60s",
                                ""));
        Result d =
                cli(
                        "rules",
                        "diff",
                        next.toString(),
                        "--bootstrap",
                        kafka.bootstrapServers(),
                        "--topic",
                        topic);
        assertThat(d.code).as(d.err).isZero();
        List<String> lines = d.out.lines().collect(Collectors.toList());
        assertThat(lines.get(0)).contains("against the live version 1 ");
        assertThat(lines.subList(1, lines.size()))
                .containsExactlyInAnyOrder(
                        "  + rule plan-loop (loop): new, starts empty",
                        "  - rule rage-click: removed, its state is released",
                        "  ~ rule three-purchases: target: 3 -> 2");
        // diff publishes nothing
        assertThat(readAll(topic)).hasSize(1);

        Result same =
                cli(
                        "rules",
                        "diff",
                        live.toString(),
                        "--bootstrap",
                        kafka.bootstrapServers(),
                        "--topic",
                        topic);
        assertThat(same.code).isZero();
        assertThat(same.out.lines().skip(1).collect(Collectors.toList()))
                .containsExactly("  no changes");

        // an invalid file is not diffed
        Result bad =
                cli(
                        "rules",
                        "diff",
                        write("bad.yaml", INVALID).toString(),
                        "--bootstrap",
                        kafka.bootstrapServers(),
                        "--topic",
                        topic);
        assertThat(bad.code).isEqualTo(1);
        assertThat(bad.err).contains("4 problems");
    }

    @Test
    void wrongArgumentsExit2WithTheUsage() throws Exception {
        Path file = write("rules.yaml", VALID);
        List<String[]> wrong =
                List.of(
                        new String[] {"rules"},
                        new String[] {"rules", "frobnicate"},
                        new String[] {"rules", "publish", file.toString()}, // no --bootstrap
                        new String[] {
                            "rules", "publish", "--bootstrap", kafka.bootstrapServers()
                        }, // no file
                        new String[] {
                            "rules",
                            "publish",
                            file.toString(),
                            file.toString(),
                            "--bootstrap",
                            "x:1"
                        },
                        new String[] {"rules", "validate"},
                        new String[] {"rules", "show", file.toString()}, // show takes no file
                        new String[] {
                            "rules", "diff", file.toString(), "--colour", "red"
                        }, // unknown option
                        new String[] {"rules", "show", "--topic"}); // option without value
        for (String[] args : wrong) {
            Result r = cli(args);
            String what = String.join(" ", args);
            assertThat(r.code).as(what).isEqualTo(2);
            assertThat(r.err)
                    .as(what)
                    .contains("usage:")
                    .contains("guidance rules publish FILE --bootstrap HOST:PORT")
                    .contains("guidance rules show");
            assertThat(r.out).as(what).isEmpty();
        }
        Result nothing = cli();
        assertThat(nothing.code).isEqualTo(2);
        assertThat(nothing.err).contains("usage:");
    }

    @Test
    void validateListsTheRulesOfAValidFile() throws Exception {
        Result r = cli("rules", "validate", write("rules.yaml", VALID).toString());
        assertThat(r.code).isZero();
        assertThat(r.out)
                .contains("valid, 2 rules")
                .contains("three-purchases")
                .contains("rage-click");
        assertThat(r.err).isEmpty();
    }

    // ---- helpers ----

    record Result(int code, String out, String err) {}

    static Result cli(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code;
        try (PrintStream o = new PrintStream(out, true, StandardCharsets.UTF_8);
                PrintStream e = new PrintStream(err, true, StandardCharsets.UTF_8)) {
            code = GuidanceCli.run(Arrays.copyOf(args, args.length), o, e);
        }
        return new Result(
                code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    Path write(String name, String text) throws Exception {
        return Files.writeString(dir.resolve(name), text, StandardCharsets.UTF_8);
    }

    static List<RulesTopic.Entry> readAll(String topic) throws Exception {
        return RulesTopic.readAll(kafka.bootstrapServers(), topic, Duration.ofSeconds(15));
    }

    static KafkaProducer<String, byte[]> producer() {
        return new KafkaProducer<>(
                Map.of(
                        ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers(),
                        ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG,
                                StringSerializer.class.getName(),
                        ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG,
                                ByteArraySerializer.class.getName()));
    }
}
