package io.guidance.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.guidance.trigger.TriggerJson;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * A replay file's bad lines are dead letters of their line, and the rest of the file goes on (SPEC
 * section 1: bad input never stops the job): a line that is not UTF-8, one that is not JSON and one
 * over 64 KiB, among good lines ended by {@code \n}, {@code \r\n} or by the end of the file.
 */
class ReplayBadLinesTest {
    @RegisterExtension
    static final MiniClusterExtension FLINK =
            new MiniClusterExtension(
                    new MiniClusterResourceConfiguration.Builder()
                            .setNumberTaskManagers(1)
                            .setNumberSlotsPerTaskManager(2)
                            .build());

    private static final long T0 = 1_700_000_000_000L;
    private static final int MAX_RECORD_BYTES = 64 * 1024;
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir Path dir;

    private static String event(
            String id, String user, String session, long ts, String type, String page) {
        return "{\"eventId\":\""
                + id
                + "\",\"userId\":\""
                + user
                + "\",\"sessionId\":\""
                + session
                + "\",\"ts\":"
                + ts
                + ",\"type\":\""
                + type
                + "\",\"page\":\""
                + page
                + "\"}";
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    @Test
    void badLinesAreDeadLettersOfTheirLineAndTheRestIsReplayed() throws Exception {
        // user "a", the overlong form of '/', "b": a decoder that repairs it would read "a/b"
        String beforeBadBytes = "{\"eventId\":\"e2\",\"userId\":\"a";
        byte[] notUtf8 =
                concat(
                        ascii(beforeBadBytes),
                        new byte[] {(byte) 0xC0, (byte) 0xAF},
                        ascii(
                                "b\",\"sessionId\":\"s9\",\"ts\":"
                                        + T0
                                        + ",\"type\":\"page_view\",\"page\":\"/checkout\"}"));
        String notJson = "{not json";
        String overLong =
                "{\"eventId\":\"e9\",\"userId\":\"eve\",\"sessionId\":\"s5\",\"ts\":"
                        + (T0 + 1_500)
                        + ",\"type\":\"page_view\",\"page\":\"/checkout\",\"props\":{\"pad\":\""
                        + "x".repeat(70_000)
                        + "\"}}";
        List<byte[]> lines = new ArrayList<>();
        // line 1: ann opens checkout and never pays: stalls at T0 + 8 s
        lines.add(ascii(event("e1", "ann", "s1", T0, "page_view", "/checkout") + "\n"));
        lines.add(concat(notUtf8, ascii("\n"))); // line 2
        // line 3: bob opens checkout ...
        lines.add(ascii(event("e3", "bob", "s2", T0 + 1_000, "page_view", "/checkout") + "\n"));
        lines.add(ascii(notJson + "\n")); // line 4
        lines.add(ascii(overLong + "\n")); // line 5
        lines.add(ascii("  \n")); // line 6: blank, skipped
        // line 7: ... and pays within 8 s: no trigger
        lines.add(
                ascii(
                        event("e4", "bob", "s2", T0 + 2_000, "click", "/checkout")
                                        .replace("}", ",\"target\":\"#pay\"}")
                                + "\n"));
        // line 8, ended by \r\n: cid opens checkout at T0 + 3 s and stalls at T0 + 11 s
        lines.add(ascii(event("e5", "cid", "s3", T0 + 3_000, "page_view", "/checkout") + "\r\n"));
        // line 9, no line end: dan elsewhere, nothing
        lines.add(ascii(event("e6", "dan", "s4", T0 + 4_000, "click", "/home")));
        Path events = dir.resolve("events.jsonl");
        Files.write(events, concat(lines.toArray(new byte[0][])));
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
        Path triggers = dir.resolve("triggers.jsonl");
        Path deadLetters = dir.resolve("dead-letters.jsonl");
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();

        int exit =
                GuidanceCli.run(
                        new String[] {
                            "replay",
                            "--events",
                            events.toString(),
                            "--rules",
                            rules.toString(),
                            "--out",
                            triggers.toString(),
                            "--dead-letters",
                            deadLetters.toString()
                        },
                        new PrintStream(out, true, StandardCharsets.UTF_8),
                        new PrintStream(err, true, StandardCharsets.UTF_8));

        assertThat(exit).as(err.toString(StandardCharsets.UTF_8)).isEqualTo(0);
        assertThat(Files.readAllLines(triggers))
                .extracting(l -> TriggerJson.fromJson(l).triggerId)
                .containsExactly(
                        "checkout-stall|ann|s1|" + (T0 + 8_000),
                        "checkout-stall|cid|s3|" + (T0 + 11_000));

        List<String> dead = Files.readAllLines(deadLetters, StandardCharsets.UTF_8);
        assertThat(dead).hasSize(3);
        JsonNode utf8 = JSON.readTree(dead.get(0));
        assertThat(utf8.get("line").asLong()).isEqualTo(2);
        assertThat(utf8.get("reason").asText()).isEqualTo("not_utf8");
        assertThat(utf8.get("detail").asText())
                .isEqualTo(
                        "invalid UTF-8 at byte offset "
                                + beforeBadBytes.length()
                                + ": overlong encoding (c0 af)");
        // the exact bytes, which text could not carry
        assertThat(utf8.has("record")).isFalse();
        assertThat(Base64.getDecoder().decode(utf8.get("recordBase64").asText()))
                .isEqualTo(notUtf8);

        JsonNode json = JSON.readTree(dead.get(1));
        assertThat(json.get("line").asLong()).isEqualTo(4);
        assertThat(json.get("reason").asText()).isEqualTo("not_json");
        assertThat(json.get("detail").asText()).isNotBlank();
        assertThat(json.get("record").asText()).isEqualTo(notJson);

        JsonNode large = JSON.readTree(dead.get(2));
        assertThat(large.get("line").asLong()).isEqualTo(5);
        assertThat(large.get("reason").asText()).isEqualTo("too_large");
        assertThat(large.get("detail").asText())
                .isEqualTo(overLong.length() + " bytes, limit " + MAX_RECORD_BYTES);
        // a line over the limit keeps its first 64 KiB; the line number finds the rest
        assertThat(large.get("record").asText()).isEqualTo(overLong.substring(0, MAX_RECORD_BYTES));

        // 8 lines that are not blank: 5 events and 3 dead letters
        assertThat(out.toString(StandardCharsets.UTF_8))
                .contains(
                        "read 8 records: 5 processed, 3 dead letters"
                                + " {not_json=1, not_utf8=1, too_large=1}, 0 duplicates")
                .contains("2 triggers");
    }

    private static byte[] concat(byte[]... parts) {
        int n = Arrays.stream(parts).mapToInt(p -> p.length).sum();
        byte[] all = new byte[n];
        int at = 0;
        for (byte[] p : parts) {
            System.arraycopy(p, 0, all, at, p.length);
            at += p.length;
        }
        return all;
    }
}
