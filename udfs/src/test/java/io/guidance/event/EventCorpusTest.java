package io.guidance.event;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.apache.flink.streaming.api.operators.ProcessOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.OneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The bad-input corpus of the events entrance (SPEC section 1, README "Bad input loses nothing"):
 * one Kafka record value per file in {@code src/test/resources/corpus/events/}, the reason and a
 * fragment of the detail promised for it in {@code cases.tsv} next to them. The files hold the
 * exact bytes, so no case depends on an editor's encoding. Each record goes through what the Kafka
 * entrance does: the parser, then the bound on how far ahead of the clock an event may be ({@code
 * events.maxFutureSkew}, default 1 h), with the clock standing at {@link #CLOCK}.
 */
class EventCorpusTest {
    static final String DIR = "/corpus/events/";

    /** The entrance's clock: the {@code ts} of {@code good.json}, 2023-11-14T22:13:20Z. */
    static final long CLOCK = 1_700_000_000_000L;

    record Case(String file, String reason, String detail, String what) {
        byte[] bytes() {
            return resource(DIR + file);
        }

        @Override
        public String toString() {
            return file + " (" + what + ")";
        }
    }

    static List<Case> cases() {
        List<Case> cases = new ArrayList<>();
        String tsv = new String(resource(DIR + "cases.tsv"), StandardCharsets.UTF_8);
        for (String line : tsv.split("\n")) {
            if (line.isBlank() || line.startsWith("#")) {
                continue;
            }
            String[] f = line.split("\t", -1);
            cases.add(new Case(f[0], f[1], f[2], f[3]));
        }
        return cases;
    }

    static Stream<Arguments> corpus() {
        return cases().stream().map(Arguments::of);
    }

    static byte[] resource(String path) {
        try (InputStream in = EventCorpusTest.class.getResourceAsStream(path)) {
            assertThat(in).as(path).isNotNull();
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Test
    void theCorpusCoversEveryReasonOfTheEntrance() {
        assertThat(cases())
                .extracting(Case::reason)
                .contains(
                        "ok",
                        DeadLetter.NOT_JSON,
                        DeadLetter.NOT_UTF8,
                        DeadLetter.TOO_LARGE,
                        DeadLetter.TOO_LONG,
                        DeadLetter.MISSING_FIELD,
                        DeadLetter.WRONG_TYPE,
                        DeadLetter.FUTURE);
    }

    /** What the Kafka entrance makes of {@code raw}: parsed, then held to the future bound. */
    static SourceRecord read(EventParser parser, FutureBound bound, byte[] raw, long offset) {
        SourceRecord r = SourceRecord.of(parser.parse(raw), raw, "events", 0, offset);
        bound.check(r);
        return r;
    }

    static FutureBound defaultBound() {
        return new FutureBound(Duration.ofHours(1), () -> CLOCK);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("corpus")
    void eachRecordHasThePromisedOutcomeAndTheNextGoodOneStillParses(Case c) {
        EventParser parser = new EventParser();
        FutureBound bound = defaultBound();
        SourceRecord r = read(parser, bound, c.bytes(), 0);
        if (c.reason().equals("ok")) {
            assertThat(r.event).as(r.badReason + ": " + r.badDetail).isNotNull();
            assertThat(r.event.userId).isEqualTo("u1");
        } else {
            assertThat(r.event).isNull();
            assertThat(r.badReason).isEqualTo(c.reason());
            assertThat(r.badDetail).contains(c.detail());
        }
        SourceRecord next = read(parser, bound, resource(DIR + "good.json"), 1);
        assertThat(next.event).isNotNull();
        assertThat(next.event.eventId).isEqualTo("e1");
    }

    /**
     * The whole corpus, each bad record between two good ones, through the function that splits the
     * source: every record is an event or a dead letter with its original bytes, nothing throws and
     * nothing is lost (read = events + dead letters).
     */
    @Test
    void theWholeCorpusThroughTheSplitterLosesNothing() throws Exception {
        EventParser parser = new EventParser();
        FutureBound bound = defaultBound();
        byte[] good = resource(DIR + "good.json");
        List<byte[]> fed = new ArrayList<>();
        long expectedEvents = 0;
        long expectedDead = 0;
        for (Case c : cases()) {
            fed.add(c.bytes());
            fed.add(good);
            if (c.reason().equals("ok")) {
                expectedEvents++;
            } else {
                expectedDead++;
            }
            expectedEvents++;
        }
        try (OneInputStreamOperatorTestHarness<SourceRecord, Event> harness =
                new OneInputStreamOperatorTestHarness<>(
                        new ProcessOperator<>(new RecordSplitter()))) {
            harness.open();
            long offset = 0;
            for (byte[] raw : fed) {
                SourceRecord r = read(parser, bound, raw, offset++);
                harness.processElement(new StreamRecord<>(r, 0));
            }
            List<Event> events = harness.extractOutputValues();
            List<DeadLetter> dead = new ArrayList<>();
            var side = harness.getSideOutput(OutputTags.DEAD_LETTERS);
            if (side != null) {
                side.forEach(s -> dead.add(s.getValue()));
            }
            assertThat(events).hasSize((int) expectedEvents);
            assertThat(dead).hasSize((int) expectedDead);
            List<String> badReasons = new ArrayList<>();
            List<byte[]> badBytes = new ArrayList<>();
            for (Case c : cases()) {
                if (!c.reason().equals("ok")) {
                    badReasons.add(c.reason());
                    badBytes.add(c.bytes());
                }
            }
            assertThat(dead).extracting(d -> d.reason).containsExactlyElementsOf(badReasons);
            assertThat(dead).extracting(d -> d.raw).containsExactlyElementsOf(badBytes);
        }
    }
}
