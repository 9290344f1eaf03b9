package io.guidance.detect;

import static org.assertj.core.api.Assertions.assertThat;

import io.guidance.event.Event;
import io.guidance.rules.RuleSet;
import io.guidance.rules.RulesParser;
import io.guidance.trigger.Trigger;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.apache.flink.streaming.util.ProcessFunctionTestHarnesses;
import org.junit.jupiter.api.Test;

/**
 * What a user and a session cost in keyed state, measured as checkpoint bytes with the demo shop's
 * rules (all five kinds): many users go through a realistic visit, then the snapshot is divided by
 * their number. The numbers go to {@code target/state-size.txt} (and docs/state-size.md); the
 * bounds asserted here are the budget that lets millions of users fit on a TaskManager, so a change
 * that bloats state fails.
 */
class StateSizeTest {
    private static final long T0 = 1_700_000_000_000L;
    private static final long MINUTE = 60_000L;
    private static final long HOUR = 60 * MINUTE;
    private static final int USERS = 2_000;
    private static final int EVENTS_PER_VISIT = StateSizeVisit.EVENTS;

    @Test
    void aUserAndASessionFitTheStateBudget() throws Exception {
        RuleSet rules = RulesParser.parseFile(Path.of("../config/rules.yaml"));
        DetectionSettings settings = DetectionSettings.defaults();
        try (KeyedOneInputStreamOperatorTestHarness<String, Event, Trigger> harness =
                ProcessFunctionTestHarnesses.forKeyedProcessFunction(
                        new DetectionFunction(rules, settings), e -> e.userId, Types.STRING)) {
            harness.open();
            long empty = size(harness, 1);

            long id = 0;
            for (int u = 0; u < USERS; u++) {
                String user = "user-" + u;
                long t = T0 + (u % 60) * 1_000L;
                // a visit: browse items of one category, put one in the cart, buy it
                for (Event e : StateSizeVisit.events(user, user + "-s1", t, id)) {
                    harness.processElement(e, 0);
                }
                id += EVENTS_PER_VISIT;
            }
            // all events evaluated; sessions, event ids, deliveries still remembered
            harness.processWatermark(T0 + 5 * MINUTE);
            long active = size(harness, 2) - empty;

            // after the dedup window and the session timeout: what a user keeps for the long
            // windows
            harness.processWatermark(T0 + 2 * HOUR);
            long idleWithDeliveries = size(harness, 3) - empty;

            // and once the delivery memory (24 h) has gone too
            harness.processWatermark(T0 + 25 * HOUR);
            long idle = size(harness, 4) - empty;

            double perActiveVisit = active / (double) USERS;
            double perIdleUserDay = idleWithDeliveries / (double) USERS;
            double perIdleUser = idle / (double) USERS;
            String report =
                    String.format(
                            "users: %d, events per visit: %d, rules: %d (config/rules.yaml)%n"
                                    + "checkpoint bytes per user during a visit (session, %d event ids, waits, windows): %.0f%n"
                                    + "checkpoint bytes per user after the visit, within 24 h of a delivery: %.0f%n"
                                    + "checkpoint bytes per idle user (first/last seen, threshold count): %.0f%n",
                            USERS,
                            EVENTS_PER_VISIT,
                            rules.rules.size(),
                            EVENTS_PER_VISIT,
                            perActiveVisit,
                            perIdleUserDay,
                            perIdleUser);
            Files.createDirectories(Path.of("target"));
            Files.writeString(Path.of("target/state-size.txt"), report);
            System.out.print(report);

            // the budget: 10 million idle users in under 2.5 GB of checkpoint, a live visit under
            // 2 KB. The demo rules run an experiment and a program holdout: an exposed user keeps
            // one small map entry per experiment (about 25 bytes each), 175 bytes without them
            assertThat(perIdleUser).isPositive().isLessThan(250);
            assertThat(perIdleUserDay).isGreaterThan(perIdleUser).isLessThan(400);
            assertThat(perActiveVisit).isGreaterThan(perIdleUserDay).isLessThan(2_000);
        }
    }

    private static long size(
            KeyedOneInputStreamOperatorTestHarness<String, Event, Trigger> harness, long checkpoint)
            throws Exception {
        OperatorSubtaskState state = harness.snapshot(checkpoint, checkpoint);
        return state.getStateSize();
    }
}
