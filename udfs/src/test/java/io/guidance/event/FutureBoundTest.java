package io.guidance.event;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.streaming.api.operators.ProcessOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.OneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;

/**
 * The live bound on how far ahead of the clock an event may be ({@code events.maxFutureSkew},
 * default 1 h), at the step that splits the source into events and dead letters: an event more than
 * the bound ahead of the clock when it is read is a dead letter with reason {@code future} and its
 * bytes, and every record read is still an event or a dead letter.
 */
class FutureBoundTest {
    static final long NOW = 1_700_000_000_000L;
    static final long MINUTE = 60_000L;
    static final long HOUR = 60 * MINUTE;

    long clock = NOW;
    long clockReads;

    FutureBound bound(Duration maxSkew) {
        return new FutureBound(
                maxSkew,
                () -> {
                    clockReads++;
                    return clock;
                });
    }

    static SourceRecord record(String eventId, String user, long ts, long offset) {
        Event e = new Event(eventId, user, "s1", ts, "page_view", "/checkout", null, null);
        return SourceRecord.of(
                new EventParser().parse(EventJson.toJsonBytes(e)),
                EventJson.toJsonBytes(e),
                "events",
                0,
                offset);
    }

    /** The records through the bound (as the Kafka entrance reads them), then the splitter. */
    record Split(List<Event> events, List<DeadLetter> deadLetters) {}

    static Split split(FutureBound bound, List<SourceRecord> records) throws Exception {
        try (OneInputStreamOperatorTestHarness<SourceRecord, Event> harness =
                new OneInputStreamOperatorTestHarness<>(
                        new ProcessOperator<>(new RecordSplitter()))) {
            harness.open();
            for (SourceRecord r : records) {
                if (bound != null) {
                    bound.check(r);
                }
                harness.processElement(new StreamRecord<>(r, 0));
            }
            List<DeadLetter> dead = new ArrayList<>();
            var side = harness.getSideOutput(OutputTags.DEAD_LETTERS);
            if (side != null) {
                side.forEach(s -> dead.add(s.getValue()));
            }
            return new Split(harness.extractOutputValues(), dead);
        }
    }

    @Test
    void anEventTwoHoursAheadIsAFutureDeadLetterWithItsBytes() throws Exception {
        SourceRecord ahead = record("e1", "ann", NOW + 2 * HOUR, 7);
        byte[] bytes = ahead.raw.clone();

        Split s = split(bound(Duration.ofHours(1)), List.of(ahead));

        assertThat(s.events()).isEmpty();
        assertThat(s.deadLetters()).hasSize(1);
        DeadLetter d = s.deadLetters().get(0);
        assertThat(d.reason).isEqualTo("future");
        assertThat(d.detail)
                .isEqualTo(
                        "ts "
                                + (NOW + 2 * HOUR)
                                + " is 2 h ahead of the clock "
                                + NOW
                                + "; events.maxFutureSkew 1h");
        assertThat(d.raw).isEqualTo(bytes);
        assertThat(d.sourceTopic).isEqualTo("events");
        assertThat(d.sourceOffset).isEqualTo(7);
    }

    @Test
    void anEventFiftyNineMinutesAheadIsKept() throws Exception {
        Split s =
                split(
                        bound(Duration.ofHours(1)),
                        List.of(record("e1", "ann", NOW + 59 * MINUTE, 0)));

        assertThat(s.deadLetters()).isEmpty();
        assertThat(s.events()).extracting(e -> e.eventId).containsExactly("e1");
    }

    @Test
    void exactlyTheBoundAheadIsKeptAndOneMillisecondMoreIsNot() throws Exception {
        Split s =
                split(
                        bound(Duration.ofHours(1)),
                        List.of(
                                record("e1", "ann", NOW + HOUR, 0),
                                record("e2", "bob", NOW + HOUR + 1, 1)));

        assertThat(s.events()).extracting(e -> e.eventId).containsExactly("e1");
        assertThat(s.deadLetters()).extracting(d -> d.reason).containsExactly("future");
        assertThat(s.deadLetters().get(0).detail)
                .isEqualTo(
                        "ts "
                                + (NOW + HOUR + 1)
                                + " is 1 h ahead of the clock "
                                + NOW
                                + "; events.maxFutureSkew 1h");
    }

    @Test
    void zeroTurnsTheBoundOff() throws Exception {
        Split s =
                split(
                        bound(Duration.ZERO),
                        List.of(
                                record("e1", "ann", NOW + 2 * HOUR, 0),
                                record("e2", "bob", 4_102_444_800_000L, 1),
                                record("e3", "cid", Long.MAX_VALUE, 2)));

        assertThat(s.deadLetters()).isEmpty();
        assertThat(s.events()).extracting(e -> e.eventId).containsExactly("e1", "e2", "e3");
        assertThat(clockReads).isZero();
    }

    /** A replay has no clock and no bound: the split keeps what a replay file holds. */
    @Test
    void withoutABoundAsInAReplayTheSplitKeepsAFarFutureEvent() throws Exception {
        Split s = split(null, List.of(record("e1", "ann", 4_102_444_800_000L, 0)));

        assertThat(s.deadLetters()).isEmpty();
        assertThat(s.events()).extracting(e -> e.ts).containsExactly(4_102_444_800_000L);
    }

    @Test
    void everyRecordIsAnEventOrADeadLetterAndBadRecordsKeepTheirOwnReason() throws Exception {
        SourceRecord notJson =
                SourceRecord.of(
                        new EventParser().parse("nope".getBytes()),
                        "nope".getBytes(),
                        "events",
                        0,
                        1);
        List<SourceRecord> read =
                List.of(
                        record("e1", "ann", NOW, 0),
                        notJson,
                        record("e2", "bob", 4_102_444_800_000L, 2),
                        record("e3", "cid", NOW + 30 * MINUTE, 3),
                        record("e4", "dee", NOW + 3 * HOUR, 4));

        Split s = split(bound(Duration.ofHours(1)), read);

        assertThat(s.events()).extracting(e -> e.eventId).containsExactly("e1", "e3");
        assertThat(s.deadLetters())
                .extracting(d -> d.reason)
                .containsExactly("not_json", "future", "future");
        assertThat(s.deadLetters()).extracting(d -> d.sourceOffset).containsExactly(1L, 2L, 4L);
        assertThat(s.events().size() + s.deadLetters().size()).isEqualTo(read.size());
    }

    /**
     * The limit is kept from the last clock read; an event past it reads the clock again before it
     * is refused, so a clock that moved on admits what it should.
     */
    @Test
    void theBoundFollowsTheClockAndReadsItOnlyWhenAnEventPassesTheLastLimit() {
        FutureBound b = bound(Duration.ofHours(1));
        SourceRecord first = record("e1", "ann", NOW, 0);
        b.check(first);
        assertThat(first.event).isNotNull();
        assertThat(clockReads).isEqualTo(1);

        // within the limit of the first read: no clock read
        SourceRecord second = record("e2", "ann", NOW + 30 * MINUTE, 1);
        b.check(second);
        assertThat(second.event).isNotNull();
        assertThat(clockReads).isEqualTo(1);

        // two hours later, an event 59 minutes ahead of the new time: past the old limit, within
        // the new one
        clock = NOW + 2 * HOUR;
        SourceRecord third = record("e3", "ann", NOW + 2 * HOUR + 59 * MINUTE, 2);
        b.check(third);
        assertThat(third.event).isNotNull();
        assertThat(clockReads).isEqualTo(2);

        SourceRecord fourth = record("e4", "ann", NOW + 4 * HOUR, 3);
        b.check(fourth);
        assertThat(fourth.event).isNull();
        assertThat(fourth.badReason).isEqualTo(DeadLetter.FUTURE);
        assertThat(fourth.badDetail)
                .isEqualTo(
                        "ts "
                                + (NOW + 4 * HOUR)
                                + " is 2 h ahead of the clock "
                                + (NOW + 2 * HOUR)
                                + "; events.maxFutureSkew 1h");
    }

    @Test
    void aheadIsWrittenInItsLargestUnitWithTheNextWhenSmallRoundedDown() {
        assertThat(FutureBound.aheadText(500)).isEqualTo("500 ms");
        assertThat(FutureBound.aheadText(90_000)).isEqualTo("1 m 30 s");
        assertThat(FutureBound.aheadText(61 * MINUTE)).isEqualTo("1 h 1 m");
        assertThat(FutureBound.aheadText(2 * HOUR + 999)).isEqualTo("2 h");
        assertThat(FutureBound.aheadText(36 * HOUR)).isEqualTo("1 d 12 h");
        // 2,345 days and 5 hours: from 10 up, the largest unit alone
        assertThat(FutureBound.aheadText(2_345 * 24 * HOUR + 5 * HOUR)).isEqualTo("2,345 d");
    }
}
