package io.guidance.bench;

import static org.assertj.core.api.Assertions.assertThat;

import io.guidance.event.Event;
import io.guidance.rules.RuleSet;
import io.guidance.rules.RulesParser;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * Runs the profile on a small input, so that the profiling code cannot rot: the section must name
 * the detection thread and the project's own frames. No timing is asserted.
 */
class PipelineProfileTest {
    private static final int EVENTS = 30_000;

    @Test
    void theSectionNamesTheTaskThreadsAndOwnFrames() throws Exception {
        List<Event> base = ScaledEvents.readBase(ScaledEvents.Inputs.samples());
        byte[][] events = ScaledEvents.scale(base, EVENTS).events;
        RuleSet rules =
                RulesParser.parseFile(ScaledEvents.repositoryRoot().resolve("config/rules.yaml"));

        String md = PipelineProfile.markdown(events, rules);

        assertThat(md)
                .contains(
                        "## Profile of the full pipeline",
                        "### Task threads",
                        "### Top methods by self time",
                        "### Top own-code frames by total time",
                        "on 30,000 events");
        List<String> lines = Arrays.asList(md.split("\n"));
        List<String> threadRows = section(lines, "### Task threads");
        assertThat(threadRows).anySatisfy(row -> assertThat(row).startsWith("| `detect"));
        List<String> ownRows = section(lines, "### Top own-code frames by total time");
        assertThat(ownRows)
                .isNotEmpty()
                .allSatisfy(row -> assertThat(row).startsWith("| `io.guidance."));
        assertThat(ownRows).anySatisfy(row -> assertThat(row).contains("io.guidance.detect."));
    }

    @Test
    void taskThreadsAreRecognisedByTheirSubtaskSuffix() {
        assertThat(PipelineProfile.isTaskThread("detect -> (discard triggers: Writer) (1/2)#0"))
                .isTrue();
        assertThat(PipelineProfile.isTaskThread("flink-pekko.actor.default-dispatcher-4"))
                .isFalse();
        assertThat(PipelineProfile.isTaskThread("OutputFlusher for detect")).isFalse();
        assertThat(PipelineProfile.taskName("detect (2/2)#3")).isEqualTo("detect (2/2)");
    }

    /** The table rows (after the header and its rule) of the section with this heading. */
    private static List<String> section(List<String> lines, String heading) {
        int start = lines.indexOf(heading);
        assertThat(start).as(heading).isNotNegative();
        return lines.subList(start + 1, lines.size()).stream()
                .dropWhile(l -> !l.startsWith("|---"))
                .skip(1)
                .takeWhile(l -> l.startsWith("| "))
                .collect(Collectors.toList());
    }
}
