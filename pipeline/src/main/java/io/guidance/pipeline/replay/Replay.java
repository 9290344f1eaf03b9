package io.guidance.pipeline.replay;

import io.guidance.event.DeadLetter;
import io.guidance.event.EventParser;
import io.guidance.event.SourceRecord;
import io.guidance.experiment.ExperimentRecord;
import io.guidance.pipeline.FlinkSettings;
import io.guidance.pipeline.GuidanceTopology;
import io.guidance.pipeline.JobConfig;
import io.guidance.pipeline.Uids;
import io.guidance.rules.RuleSet;
import io.guidance.rules.RulesUpdate;
import io.guidance.time.ClickstreamWatermarks;
import io.guidance.trigger.Trigger;
import java.io.ByteArrayOutputStream;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
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

    /** Experiment record output order: time, user, experiment, exposure before conversion. */
    public static final Comparator<ExperimentRecord> EXPERIMENT_ORDER =
            Comparator.<ExperimentRecord>comparingLong(r -> r.ts)
                    .thenComparing(r -> r.userId)
                    .thenComparing(r -> r.experiment)
                    .thenComparing(r -> r.record, Comparator.reverseOrder());

    /** Everything a replay produced. */
    public static final class Outcome {
        public final long recordsRead;
        public final List<Trigger> triggers;
        public final List<DeadLetter> deadLetters;
        public final long duplicates;

        /** Exposures and conversions, in {@link #EXPERIMENT_ORDER}. */
        public final List<ExperimentRecord> experiments;

        Outcome(
                long recordsRead,
                List<Trigger> triggers,
                List<DeadLetter> deadLetters,
                long duplicates,
                List<ExperimentRecord> experiments) {
            this.recordsRead = recordsRead;
            this.triggers = triggers;
            this.deadLetters = deadLetters;
            this.duplicates = duplicates;
            this.experiments = experiments;
        }

        public long processed() {
            return recordsRead - deadLetters.size() - duplicates;
        }
    }

    private Replay() {}

    /**
     * Reads a JSON Lines file into source records; the line number stands for the offset. Lines are
     * read as bytes and each is parsed on its own, so a line that is not UTF-8 or not JSON is a
     * dead letter of that line and the rest of the file goes on. Of a line longer than {@link
     * EventParser#MAX_RECORD_BYTES} only that many bytes are kept (it is {@code too_large} anyway,
     * and the line number finds it in the file), so one huge line cannot exhaust the heap. Blank
     * lines are skipped.
     */
    public static List<SourceRecord> readRecords(Path events) throws IOException {
        EventParser parser = new EventParser();
        List<SourceRecord> records = new ArrayList<>();
        String name = events.getFileName().toString();
        try (LineReader in =
                new LineReader(Files.newInputStream(events), EventParser.MAX_RECORD_BYTES)) {
            long lineNo = 0;
            while (in.next()) {
                lineNo++;
                if (in.isBlank()) {
                    continue;
                }
                byte[] raw = in.kept();
                EventParser.Result parsed =
                        in.length() > EventParser.MAX_RECORD_BYTES
                                ? EventParser.tooLarge(in.length())
                                : parser.parse(raw);
                records.add(SourceRecord.of(parsed, raw, name, 0, lineNo));
            }
        }
        return records;
    }

    /**
     * The lines of a stream as bytes, ended by {@code \n} or {@code \r\n}, without decoding them: a
     * decoder would either stop at the first bad byte or replace it.
     */
    static final class LineReader implements Closeable {
        private final InputStream in;
        private final int keep;
        private final byte[] buffer = new byte[64 * 1024];
        private int pos;
        private int limit;
        private final ByteArrayOutputStream line = new ByteArrayOutputStream(256);
        private long length;
        private byte last;

        LineReader(InputStream in, int keep) {
            this.in = in;
            this.keep = keep;
        }

        /** Moves to the next line; false at the end of the stream. */
        boolean next() throws IOException {
            line.reset();
            length = 0;
            boolean any = false;
            while (true) {
                if (pos == limit) {
                    limit = Math.max(0, in.read(buffer));
                    pos = 0;
                    if (limit == 0) {
                        return any;
                    }
                }
                any = true;
                int start = pos;
                while (pos < limit && buffer[pos] != '\n') {
                    pos++;
                }
                append(start, pos);
                if (pos < limit) {
                    pos++; // the '\n'
                    return true;
                }
            }
        }

        private void append(int from, int to) {
            int n = to - from;
            if (n == 0) {
                return;
            }
            if (length < keep) {
                line.write(buffer, from, (int) Math.min(n, keep - length));
            }
            length += n;
            last = buffer[to - 1];
        }

        /** The line's length in bytes, without its line end. */
        long length() {
            return length > 0 && last == '\r' ? length - 1 : length;
        }

        /** The line's bytes, at most the first {@code keep}. */
        byte[] kept() {
            byte[] bytes = line.toByteArray();
            return bytes.length > length() ? Arrays.copyOf(bytes, (int) length()) : bytes;
        }

        /** Whether the line holds nothing but spaces and tabs. */
        boolean isBlank() {
            if (length() > keep) {
                return false;
            }
            for (byte b : kept()) {
                if (b != ' ' && b != '\t') {
                    return false;
                }
            }
            return true;
        }

        @Override
        public void close() throws IOException {
            in.close();
        }
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
                                        .uid(Uids.REPLAY_DUPLICATES_OUT),
                                out.experiments
                                        .map(ReplayResult::of)
                                        .returns(ReplayResult.class)
                                        .uid(Uids.REPLAY_EXPERIMENTS_OUT));

        List<Trigger> triggers = new ArrayList<>();
        List<DeadLetter> deadLetters = new ArrayList<>();
        List<ExperimentRecord> experiments = new ArrayList<>();
        long duplicates = 0;
        try (CloseableIterator<ReplayResult> it = all.executeAndCollect("guidance replay")) {
            while (it.hasNext()) {
                ReplayResult r = it.next();
                if (r.trigger != null) {
                    triggers.add(r.trigger);
                } else if (r.deadLetter != null) {
                    deadLetters.add(r.deadLetter);
                } else if (r.experiment != null) {
                    experiments.add(r.experiment);
                } else {
                    duplicates++;
                }
            }
        }
        triggers.sort(OUTPUT_ORDER);
        deadLetters.sort(Comparator.comparingLong(d -> d.sourceOffset));
        experiments.sort(EXPERIMENT_ORDER);
        return new Outcome(records.size(), triggers, deadLetters, duplicates, experiments);
    }
}
