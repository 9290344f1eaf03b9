package io.guidance.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import io.guidance.event.Event;
import io.guidance.event.EventJson;
import io.guidance.event.EventParser;
import io.guidance.event.SourceRecord;
import io.guidance.local.importer.TaobaoImporter;
import io.guidance.pipeline.replay.Replay;
import io.guidance.rules.RuleSet;
import io.guidance.rules.RulesParser;
import io.guidance.trigger.Trigger;
import io.guidance.trigger.TriggerJson;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The job runs on the HashMap state backend by default and on RocksDB by configuration: both give
 * the same triggers, with the same statuses, over the real Taobao sample and the demo shop's rules
 * (all five kinds and the policy).
 */
class StateBackendsTest {
    @RegisterExtension
    static final MiniClusterExtension FLINK =
            new MiniClusterExtension(
                    new MiniClusterResourceConfiguration.Builder()
                            .setNumberTaskManagers(1)
                            .setNumberSlotsPerTaskManager(2)
                            .build());

    @Test
    void rocksDbAndHashMapGiveTheSameTriggers() throws Exception {
        RuleSet rules = RulesParser.parseFile(Path.of("../config/rules.yaml"));
        List<Event> events =
                new TaobaoImporter().readSorted(Path.of("../data/samples/taobao-sample.csv"));
        EventParser parser = new EventParser();
        List<SourceRecord> records = new ArrayList<>();
        long line = 0;
        for (Event e : events) {
            byte[] raw = EventJson.toJsonBytes(e);
            records.add(SourceRecord.of(parser.parse(raw), raw, "taobao", 0, ++line));
        }

        List<String> heap =
                json(
                        Replay.run(
                                records,
                                rules,
                                JobConfig.of(Map.of("job.stateBackend", "hashmap"))));
        List<String> rocks =
                json(
                        Replay.run(
                                records,
                                rules,
                                JobConfig.of(Map.of("job.stateBackend", "rocksdb"))));

        assertThat(heap).hasSizeGreaterThan(100);
        assertThat(heap).anyMatch(t -> t.contains("\"status\":\"suppressed:"));
        assertThat(rocks).isEqualTo(heap);
    }

    private static List<String> json(Replay.Outcome outcome) {
        List<String> out = new ArrayList<>();
        for (Trigger t : outcome.triggers) {
            out.add(TriggerJson.toJson(t));
        }
        return out;
    }
}
