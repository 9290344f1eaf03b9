package io.guidance.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.guidance.event.Event;
import io.guidance.event.EventJson;
import io.guidance.trigger.Trigger;
import io.guidance.trigger.TriggerJson;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The command line's contract: usage and exit 2 for wrong arguments, one clear line and exit 1 for
 * bad input.
 */
class GuidanceCliTest {
    @RegisterExtension
    static final MiniClusterExtension FLINK =
            new MiniClusterExtension(
                    new MiniClusterResourceConfiguration.Builder()
                            .setNumberTaskManagers(1)
                            .setNumberSlotsPerTaskManager(2)
                            .build());

    @TempDir Path dir;

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    private int run(String... args) {
        return GuidanceCli.run(
                args,
                new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    private String err() {
        return err.toString(StandardCharsets.UTF_8);
    }

    @Test
    void noArgumentsPrintsUsage() {
        assertThat(run()).isEqualTo(2);
        assertThat(err()).startsWith("usage:").contains("guidance replay --events FILE");
    }

    @Test
    void anUnknownCommandPrintsUsage() {
        assertThat(run("launch")).isEqualTo(2);
        assertThat(err()).contains("unknown command 'launch'").contains("usage:");
    }

    @Test
    void aMissingOptionPrintsUsage() {
        assertThat(run("replay", "--rules", "x.yaml", "--out", "y")).isEqualTo(2);
        assertThat(err())
                .startsWith(
                        "guidance replay: --events is required\nusage: guidance replay --events FILE");
    }

    @Test
    void anUnknownOptionPrintsUsage() {
        assertThat(run("demo", "--secs", "5")).isEqualTo(2);
        assertThat(err()).contains("unknown option --secs");
    }

    @Test
    void aMissingFileIsOneClearLine() {
        assertThat(run("rules", "validate", dir.resolve("nope.yaml").toString())).isEqualTo(1);
        assertThat(err().strip())
                .isEqualTo("guidance rules: " + dir.resolve("nope.yaml") + ": no such file");
    }

    @Test
    void aBadRulesFileListsEveryProblemWithRuleFieldAndLine() throws Exception {
        Path rules = dir.resolve("bad.yaml");
        Files.writeString(
                rules,
                String.join(
                        "\n",
                        "version: 1",
                        "rules:",
                        "  - id: rage-click",
                        "    guide: help",
                        "    kind: burst",
                        "    match: {type: click}",
                        "    count: 1",
                        "    within: 1s",
                        "  - id: rage-click",
                        "    guide: help",
                        "    kind: comeback",
                        "    gap: 0s",
                        ""));
        assertThat(run("rules", "validate", rules.toString())).isEqualTo(1);
        assertThat(err())
                .contains("3 problems")
                .contains("line 7: rule 'rage-click', field 'count': must be at least 2, not 1")
                .contains(
                        "line 9: rule 'rage-click', field 'id': duplicate id, first used on line 3")
                .contains(
                        "line 12: rule 'rage-click', field 'gap': must be a positive duration, not 0s");
    }

    @Test
    void replayWritesEveryTriggerAsJsonLines() throws Exception {
        long t0 = 1_700_000_000_000L;
        Path events = dir.resolve("events.jsonl");
        Files.write(
                events,
                List.of(
                        EventJson.toJson(
                                new Event(
                                        "e1",
                                        "ann",
                                        "s1",
                                        t0,
                                        "page_view",
                                        "/checkout",
                                        null,
                                        null)),
                        EventJson.toJson(
                                new Event(
                                        "e2",
                                        "bob",
                                        "s2",
                                        t0 + 1_000,
                                        "page_view",
                                        "/checkout",
                                        null,
                                        null)),
                        EventJson.toJson(
                                new Event(
                                        "e3",
                                        "bob",
                                        "s2",
                                        t0 + 2_000,
                                        "click",
                                        "/checkout",
                                        "#pay",
                                        null))));
        Path rules = dir.resolve("rules.yaml");
        Files.writeString(
                rules,
                String.join(
                        "\n",
                        "version: 1",
                        "rules:",
                        "  - id: checkout-stall",
                        "    guide: checkout-help",
                        "    kind: stall",
                        "    start: {type: page_view, page: /checkout}",
                        "    progress: [{type: click, target: \"#pay\"}]",
                        "    within: 8s",
                        ""));
        Path triggers = dir.resolve("out/triggers.jsonl");

        assertThat(
                        run(
                                "replay",
                                "--events",
                                events.toString(),
                                "--rules",
                                rules.toString(),
                                "--out",
                                triggers.toString()))
                .isEqualTo(0);

        List<String> lines = Files.readAllLines(triggers);
        assertThat(lines).hasSize(1);
        Trigger t = TriggerJson.fromJson(lines.get(0));
        assertThat(t.triggerId).isEqualTo("checkout-stall|ann|s1|" + (t0 + 8_000));
        assertThat(t.status).isEqualTo("delivered");
        assertThat(out.toString(StandardCharsets.UTF_8))
                .contains("read 3 records: 3 processed, 0 dead letters {}, 0 duplicates");
    }
}
