package io.guidance.pipeline.replay;

import io.guidance.event.DeadLetter;
import io.guidance.event.EventParser;
import io.guidance.event.SourceRecord;
import io.guidance.pipeline.FlinkSettings;
import io.guidance.pipeline.GuidanceTopology;
import io.guidance.pipeline.JobConfig;
import io.guidance.pipeline.Uids;
import io.guidance.rules.RuleSet;
import io.guidance.rules.RulesUpdate;
import io.guidance.time.ClickstreamWatermarks;
import io.guidance.trigger.Trigger;
import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.util.CloseableIterator;

/**
 * A bounded, deterministic run of the production graph over a JSON Lines file of events. The file
 * is one source split read in order with a watermark after every event, so which events are late
 * depends on the file alone; the triggers are sorted before they are returned, so parallel
 * execution does not reorder the output.
 */
public final class Replay {
    /** Trigger output order: time, then user, then higher priority first, then rule id. */
    public static final Comparator<Trigger> OUTPUT_ORDER =
            Comparator.<Trigger>comparingLong(t -> t.ts)
                    .thenComparing(t -> t.userId)
                    .thenComparing(Comparator.comparingInt((Trigger t) -> t.priority).reversed())
                    .thenComparing(t -> t.ruleId)
                    .thenComparing(t -> t.triggerId);

    /** Everything a replay produced. */
    public static final class Outcome {
        public final long recordsRead;
        public final List<Trigger> triggers;
        public final List<DeadLetter> deadLetters;
        public final long duplicates;

        Outcome(
                long recordsRead,
                List<Trigger> triggers,
                List<DeadLetter> deadLetters,
                long duplicates) {
            this.recordsRead = recordsRead;
            this.triggers = triggers;
            this.deadLetters = deadLetters;
            this.duplicates = duplicates;
        }

        public long processed() {
            return recordsRead - deadLetters.size() - duplicates;
        }
    }

    private Replay() {}

    /** Reads a JSON Lines file into source records; the line number stands for the offset. */
    public static List<SourceRecord> readRecords(Path events) throws IOException {
        EventParser parser = new EventParser();
        List<SourceRecord> records = new ArrayList<>();
        String name = events.getFileName().toString();
        try (BufferedReader in = Files.newBufferedReader(events, StandardCharsets.UTF_8)) {
            String line;
            long lineNo = 0;
            while ((line = in.readLine()) != null) {
                lineNo++;
                if (line.isBlank()) {
                    continue;
                }
                byte[] raw = line.getBytes(StandardCharsets.UTF_8);
                records.add(SourceRecord.of(parser.parse(raw), raw, name, 0, lineNo));
            }
        }
        return records;
    }

    public static Outcome run(List<SourceRecord> records, RuleSet rules, JobConfig config)
            throws Exception {
        StreamExecutionEnvironment env =
                StreamExecutionEnvironment.getExecutionEnvironment(
                        FlinkSettings.forBoundedRun(config));
        DataStream<SourceRecord> source =
                env.fromData(records, TypeInformation.of(SourceRecord.class))
                        .uid(Uids.REPLAY_SOURCE)
                        .name(Uids.REPLAY_SOURCE)
                        .assignTimestampsAndWatermarks(
                                ClickstreamWatermarks.forReplay(config.maxOutOfOrderness()))
                        .setParallelism(1)
                        .uid(Uids.REPLAY_WATERMARKS)
                        .name(Uids.REPLAY_WATERMARKS);
        // no rule changes during a replay: an empty rules stream that ends with the file
        DataStream<RulesUpdate> noRuleUpdates =
                source.flatMap(
                                (SourceRecord r,
                                        org.apache.flink.util.Collector<RulesUpdate> none) -> {})
                        .returns(RulesUpdate.class)
                        .setParallelism(1)
                        .uid(Uids.REPLAY_RULES)
                        .name(Uids.REPLAY_RULES);
        GuidanceTopology.Outputs out =
                GuidanceTopology.build(source, noRuleUpdates, rules, 0, config.detection());

        DataStream<ReplayResult> all =
                out.triggers
                        .map(ReplayResult::of)
                        .returns(ReplayResult.class)
                        .uid(Uids.REPLAY_TRIGGERS_OUT)
                        .union(
                                out.deadLetters
                                        .map(ReplayResult::of)
                                        .returns(ReplayResult.class)
                                        .uid(Uids.REPLAY_DEAD_LETTERS_OUT),
                                out.duplicates
                                        .map(ReplayResult::duplicate)
                                        .returns(ReplayResult.class)
                                        .uid(Uids.REPLAY_DUPLICATES_OUT));

        List<Trigger> triggers = new ArrayList<>();
        List<DeadLetter> deadLetters = new ArrayList<>();
        long duplicates = 0;
        try (CloseableIterator<ReplayResult> it = all.executeAndCollect("guidance replay")) {
            while (it.hasNext()) {
                ReplayResult r = it.next();
                if (r.trigger != null) {
                    triggers.add(r.trigger);
                } else if (r.deadLetter != null) {
                    deadLetters.add(r.deadLetter);
                } else {
                    duplicates++;
                }
            }
        }
        triggers.sort(OUTPUT_ORDER);
        deadLetters.sort(Comparator.comparingLong(d -> d.sourceOffset));
        return new Outcome(records.size(), triggers, deadLetters, duplicates);
    }
}
