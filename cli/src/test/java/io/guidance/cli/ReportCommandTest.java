package io.guidance.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code guidance report} over small hand-written files, each with a bad line: report.json's
 * numbers counted by hand, the bad lines reported with their numbers, the table printed.
 */
class ReportCommandTest {
    @TempDir Path dir;

    static final String RULES =
            """
            version: 1
            delivery: {ttl: 10m, minGap: 2m, maxPerDay: 5, cooldown: 1d}
            rules:
              - id: cart-stall
                guide: cart-help
                kind: stall
                start: {type: add_to_cart}
                progress: [{type: purchase}]
                within: 30m
              - id: rage-click
                guide: help-widget
                kind: burst
                match: {type: click}
                count: 3
                within: 1s
            """;

    // 2026-01-01T10:00Z, 2026-01-01T11:00Z and 2026-01-02T09:00Z
    static final String TRIGGERS =
            """
            {"triggerId":"cart-stall|u1|s1|1767261600000","ruleId":"cart-stall","guide":"cart-help","kind":"stall","userId":"u1","sessionId":"s1","ts":1767261600000,"expiresAt":1767262200000,"priority":0,"reason":{},"status":"delivered"}
            {"triggerId":"cart-stall|u2|s2|1767265200000","ruleId":"cart-stall","guide":"cart-help","kind":"stall","userId":"u2","sessionId":"s2","ts":1767265200000,"expiresAt":1767265800000,"priority":0,"reason":{},"status":"suppressed:cooldown"}
            {"triggerId": broken
            {"triggerId":"cart-stall|u1|s3|1767344400000","ruleId":"cart-stall","guide":"cart-help","kind":"stall","userId":"u1","sessionId":"s3","ts":1767344400000,"expiresAt":1767345000000,"priority":0,"reason":{},"status":"delivered"}

            {"triggerId":"rage-click|u3|s4|1767344400000","ruleId":"rage-click","guide":"help-widget","kind":"burst","userId":"u3","sessionId":"s4","ts":1767344400000,"expiresAt":1767345000000,"priority":10,"reason":{},"status":"delivered"}
            """;

    static final String EXPERIMENTS =
            """
            {"experiment":"cart-stall","salt":"cart-stall","arm":"cart-help","userId":"u1","record":"exposure","ts":1767261600000,"exposedAt":1767261600000,"triggerId":"cart-stall|u1|s1|1767261600000"}
            {"experiment":"cart-stall","salt":"cart-stall","arm":"control","userId":"u2","record":"shown"}
            {"experiment":"cart-stall","salt":"cart-stall","arm":"control","userId":"u2","record":"exposure","ts":1767265200000,"exposedAt":1767265200000,"triggerId":"cart-stall|u2|s2|1767265200000"}
            {"experiment":"cart-stall","salt":"cart-stall","arm":"control","userId":"u4","record":"exposure","ts":1767265200000,"exposedAt":1767265200000,"triggerId":"cart-stall|u4|s5|1767265200000"}
            {"experiment":"cart-stall","salt":"cart-stall","arm":"cart-help","userId":"u1","record":"conversion","ts":1767262000000,"exposedAt":1767261600000}
            """;

    static final String EVENTS =
            """
            {"eventId":"e1","userId":"u1","sessionId":"s1","ts":1767261601000,"type":"guide_shown","props":{"guide":"cart-help","triggerId":"cart-stall|u1|s1|1767261600000"}}
            {"eventId":"e2","userId":"u1","sessionId":"s1","ts":1767261602000,"type":"guide_shown","props":{"guide":"cart-help","triggerId":"cart-stall|u1|s1|1767261600000"}}
            {"eventId":"e3","userId":"u1","sessionId":"s1","ts":1767261603000,"type":"guide_clicked","props":{"guide":"cart-help","triggerId":"cart-stall|u1|s1|1767261600000"}}
            {"eventId":"e4","userId":"u1","sessionId":"s1","ts":1767261604000,"type":"page_view","page":"/checkout"}
            {"eventId":"e5","userId":"u9","sessionId":"s9","ts":1767261605000,"type":"guide_dismissed","props":{"guide":"cart-help","triggerId":"cart-stall|u9|s9|1"}}
            not an event
            """;

    record Result(int code, String out, String err) {}

    static Result cli(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code =
                GuidanceCli.run(
                        args,
                        new PrintStream(out, true, StandardCharsets.UTF_8),
                        new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Result(
                code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    @Test
    void reportsTheBacktestFunnelAndExperimentOfHandWrittenFiles() throws Exception {
        Path rules = Files.writeString(dir.resolve("rules.yaml"), RULES);
        Path triggers = Files.writeString(dir.resolve("triggers.jsonl"), TRIGGERS);
        Path experiments = Files.writeString(dir.resolve("experiments.jsonl"), EXPERIMENTS);
        Path events = Files.writeString(dir.resolve("events.jsonl"), EVENTS);
        Path out = dir.resolve("report");

        Result r =
                cli(
                        "report",
                        "--triggers",
                        triggers.toString(),
                        "--rules",
                        rules.toString(),
                        "--experiments",
                        experiments.toString(),
                        "--events",
                        events.toString(),
                        "--out",
                        out.toString());

        assertThat(r.code).as(r.err).isZero();
        JsonNode json = new ObjectMapper().readTree(out.resolve("report.json").toFile());

        JsonNode cart = json.get("rules").get(0);
        assertThat(cart.get("ruleId").asText()).isEqualTo("cart-stall");
        assertThat(cart.get("triggers").asLong()).isEqualTo(3);
        assertThat(cart.get("byStatus").get("delivered").asLong()).isEqualTo(2);
        assertThat(cart.get("byStatus").get("suppressed:cooldown").asLong()).isEqualTo(1);
        assertThat(cart.get("usersReached").asLong()).isEqualTo(1); // u1; u2 was suppressed
        assertThat(cart.get("maxGuidesPerUserDay").asLong()).isEqualTo(1); // u1: one a day
        assertThat(cart.get("suppressions").get("cooldown").asLong()).isEqualTo(1);
        assertThat(cart.get("days")).hasSize(2);
        assertThat(cart.get("days").get(0).get("day").asText()).isEqualTo("2026-01-01");
        assertThat(cart.get("days").get(0).get("byStatus").get("delivered").asLong()).isEqualTo(1);
        assertThat(cart.get("days").get(1).get("day").asText()).isEqualTo("2026-01-02");
        JsonNode funnel = cart.get("funnel").get(0);
        assertThat(funnel.get("guide").asText()).isEqualTo("cart-help");
        assertThat(funnel.get("shown").asLong()).isEqualTo(1); // shown twice, one trigger
        assertThat(funnel.get("clicked").asLong()).isEqualTo(1);
        assertThat(funnel.get("dismissed").asLong()).isZero();
        JsonNode rage = json.get("rules").get(1);
        assertThat(rage.get("ruleId").asText()).isEqualTo("rage-click");
        assertThat(rage.get("triggers").asLong()).isEqualTo(1);
        assertThat(rage.get("usersReached").asLong()).isEqualTo(1);
        assertThat(json.get("feedback").get("matched").asLong()).isEqualTo(3);
        assertThat(json.get("feedback").get("unmatched").asLong()).isEqualTo(1);

        // the rules file has no experiment: the records' one is reported with share unknown
        JsonNode x = json.get("experiments").get(0);
        assertThat(x.get("experiment").asText()).isEqualTo("cart-stall");
        assertThat(x.get("salt").asText()).isEqualTo("cart-stall");
        JsonNode arms = x.get("arms");
        assertThat(arms).hasSize(2);
        assertThat(arms.get(0).get("arm").asText()).isEqualTo("cart-help");
        assertThat(arms.get(0).get("share").asInt()).isZero();
        assertThat(arms.get(0).get("exposed").asLong()).isEqualTo(1);
        assertThat(arms.get(0).get("converted").asLong()).isEqualTo(1);
        assertThat(arms.get(1).get("arm").asText()).isEqualTo("control");
        assertThat(arms.get(1).get("exposed").asLong()).isEqualTo(2);
        assertThat(arms.get(1).get("converted").asLong()).isZero();
        assertThat(arms.get(0).get("rate").asDouble()).isEqualTo(1.0); // 1 of 1
        assertThat(arms.get(1).get("rate").asDouble()).isEqualTo(0.0); // 0 of 2
        // SPEC: an arm with share 0 is listed but not compared, and no share, no SRM check
        assertThat(x.get("comparisons")).isEmpty();
        assertThat(x.get("srm").asBoolean()).isFalse();
        assertThat(json.get("experimentsNotInRules").get(0).asText())
                .isEqualTo("cart-stall (salt cart-stall)");

        // bad lines: counted, named by line number, never fatal; the blank line is no line
        JsonNode inputs = json.get("inputs");
        assertThat(inputs.get(0).get("input").asText()).isEqualTo("triggers");
        assertThat(inputs.get(0).get("read").asLong()).isEqualTo(5);
        assertThat(inputs.get(0).get("bad").asLong()).isEqualTo(1);
        assertThat(inputs.get(0).get("firstBad").get(0).asText()).startsWith("line 3: ");
        assertThat(inputs.get(1).get("bad").asLong()).isEqualTo(1);
        assertThat(inputs.get(1).get("firstBad").get(0).asText()).startsWith("line 2: ");
        assertThat(inputs.get(2).get("bad").asLong()).isEqualTo(1);
        assertThat(inputs.get(2).get("firstBad").get(0).asText()).startsWith("line 6: ");
        assertThat(r.err)
                .contains("report: skipped 1 bad triggers line: line 3: ")
                .contains("report: skipped 1 bad events line: line 6: ");

        assertThat(r.out)
                .contains(
                        "experiment cart-stall (salt cart-stall)  not in the rules file: shares unknown")
                .containsPattern("\n  cart-help +1 +1 +100\\.0%")
                .containsPattern("\n  control +2 +0 +0\\.0%")
                .contains(
                        "rule cart-stall: 3 triggers (delivered 2, suppressed:cooldown 1), 1 users reached")
                .contains(out.resolve("report.html").toString());
        String html = Files.readString(out.resolve("report.html"));
        assertThat(html).contains("data:image/png;base64,").contains("cart-stall");
    }

    @Test
    void triggersOrBootstrapIsRequiredAndFilesGoWithTriggers() throws Exception {
        Result none = cli("report", "--out", dir.toString());
        assertThat(none.code).isEqualTo(2);
        assertThat(none.err)
                .startsWith(
                        "guidance report: --triggers or --bootstrap is required\n"
                                + "usage: guidance report ");
        Path triggers = Files.writeString(dir.resolve("t.jsonl"), "");
        Result noRules = cli("report", "--triggers", triggers.toString(), "--out", dir.toString());
        assertThat(noRules.code).isEqualTo(2);
        assertThat(noRules.err).startsWith("guidance report: --rules is required\n");
        Result both =
                cli(
                        "report",
                        "--triggers",
                        triggers.toString(),
                        "--bootstrap",
                        "127.0.0.1:1",
                        "--out",
                        dir.toString());
        assertThat(both.code).isEqualTo(2);
        assertThat(both.err).contains("give one of them").contains("usage: guidance report ");
        Result events = cli("report", "--bootstrap", "127.0.0.1:1", "--events", "e", "--out", "o");
        assertThat(events.code).isEqualTo(2);
        assertThat(events.err).startsWith("guidance report: --events goes with --triggers");
    }
}
