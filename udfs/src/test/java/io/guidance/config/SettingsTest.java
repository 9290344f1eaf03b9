package io.guidance.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The toolkit: declared keys, a YAML file flattened to dots, overrides, and errors by key. */
class SettingsTest {
    static final Setting<String> NAME = Setting.text("a.name", "x", "a name");
    static final Setting<Integer> COUNT = Setting.integer("a.count", 2, 1, 10, "a count");
    static final Setting<Duration> WAIT = Setting.duration("b.wait", "8s", false, "a wait");
    static final Setting<Boolean> ON = Setting.flag("b.on", false, "a switch");
    static final Setting<String> MODE = Setting.oneOf("b.mode", "fast", "a mode", "fast", "slow");
    static final List<Setting<?>> ALL = List.of(NAME, COUNT, WAIT, ON, MODE);

    @Test
    void defaultsThenTheFileThenOverrides(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("s.yaml");
        Files.writeString(
                file,
                "a:\n  name: [p, q]\n  count: 5\nb: {wait: 500ms, on: TRUE}\nother:\n  key: 1\n");

        Settings s = Settings.load(ALL, List.of("other."), file, Map.of("a.count", "7"));

        assertThat(s.get(NAME)).isEqualTo("p,q");
        assertThat(s.get(COUNT)).isEqualTo(7);
        assertThat(s.get(WAIT)).isEqualTo(Duration.ofMillis(500));
        assertThat(s.get(ON)).isTrue();
        assertThat(s.get(MODE)).isEqualTo("fast");
        assertThat(s.withPrefix("b.")).containsOnlyKeys("b.wait", "b.on", "b.mode");
        assertThat(s.with("b.mode", "slow").get(MODE)).isEqualTo("slow");
    }

    @Test
    void theRulesFilesDurationsAreAccepted() {
        assertThat(WAIT.parse("500ms")).isEqualTo(Duration.ofMillis(500));
        assertThat(WAIT.parse("8s")).isEqualTo(Duration.ofSeconds(8));
        assertThat(WAIT.parse("2m")).isEqualTo(Duration.ofMinutes(2));
        assertThat(WAIT.parse("1h")).isEqualTo(Duration.ofHours(1));
        assertThat(WAIT.parse("10d")).isEqualTo(Duration.ofDays(10));
    }

    @Test
    void unknownKeysAndBadValuesFailNamingTheKey(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("s.yaml");
        Files.writeString(file, "a:\n  nmae: y\n");

        assertThatThrownBy(() -> Settings.load(ALL, List.of(), file, Map.of()))
                .hasMessageContaining(file.toString())
                .hasMessageContaining("unknown setting 'a.nmae'");
        assertThatThrownBy(() -> Settings.of(ALL, List.of(), Map.of("a.count", "11")))
                .hasMessageStartingWith("a.count: ");
        assertThatThrownBy(() -> Settings.of(ALL, List.of(), Map.of("b.wait", "0s")))
                .hasMessage("b.wait: must be positive, not 0s");
        assertThatThrownBy(() -> Settings.of(ALL, List.of(), Map.of("b.wait", "2 weeks")))
                .hasMessageStartingWith("b.wait: ");
        assertThatThrownBy(() -> Settings.of(ALL, List.of(), Map.of("b.on", "yes")))
                .hasMessage("b.on: must be true or false, not 'yes'");
        assertThatThrownBy(() -> Settings.of(ALL, List.of(), Map.of("b.mode", "medium")))
                .hasMessage("b.mode: must be fast or slow, not medium");
    }

    @Test
    void aCommandLineIsAFileAndKeyValuePairs() {
        Settings.CommandLine line =
                Settings.CommandLine.parse(new String[] {"--config", "c.yaml", "--a.count", "3"});

        assertThat(line.file()).isEqualTo(Path.of("c.yaml"));
        assertThat(line.overrides()).containsExactly(Map.entry("a.count", "3"));
        assertThatThrownBy(() -> Settings.CommandLine.parse(new String[] {"a.count", "3"}))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
