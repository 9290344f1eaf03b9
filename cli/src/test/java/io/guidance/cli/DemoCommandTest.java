package io.guidance.cli;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The quick start's first command, shortened: the whole product on this machine, fed from the shipped Taobao sample.
 * Guides reach Redis, the policy holds some back, broken records reach the dead-letter topic, and it stops by itself
 * leaving no process behind.
 */
class DemoCommandTest {
    private static final Pattern FINAL = Pattern.compile(
            "stopping: events (\\d+) \\| guides in Redis (\\d+) \\| held back (\\d+) \\| dead letters (\\d+)");

    @Test
    void theDemoShowsGuidesHeldBackTriggersAndDeadLettersThenStopsCleanly() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = GuidanceCli.run(new String[] {"demo", "--seconds", "20", "--speed", "20000",
                        "--rules", "../config/rules.yaml", "--data", "../data/samples/taobao-sample.csv"},
                new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));

        String printed = out.toString(StandardCharsets.UTF_8);
        assertThat(code).as(err.toString(StandardCharsets.UTF_8)).isZero();
        Matcher m = FINAL.matcher(printed);
        assertThat(m.find()).as(printed).isTrue();
        long events = Long.parseLong(m.group(1));
        long guides = Long.parseLong(m.group(2));
        long held = Long.parseLong(m.group(3));
        long deadLetters = Long.parseLong(m.group(4));
        assertThat(events).isGreaterThanOrEqualTo(DemoCommand.BROKEN_RECORD_EVERY);
        assertThat(guides).isPositive();
        assertThat(held).isPositive();
        // one broken record per BROKEN_RECORD_EVERY events sent; the last may still be on its way
        assertThat(deadLetters).isBetween(1L, events / DemoCommand.BROKEN_RECORD_EVERY);
        assertThat(printed).contains("guide ").contains("stopped; nothing left running");
        assertThat(ProcessHandle.current().descendants()
                .filter(p -> p.info().command().map(c -> c.contains("redis-server")).orElse(false)))
                .as("no redis-server left").isEmpty();
    }
}
