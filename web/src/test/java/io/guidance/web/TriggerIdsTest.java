package io.guidance.web;

import static org.assertj.core.api.Assertions.assertThat;

import io.guidance.trigger.Trigger;
import org.junit.jupiter.api.Test;

/** Whether a trigger id names a user, so that nobody acknowledges another user's trigger. */
class TriggerIdsTest {
    @Test
    void anIdNamesTheUserItWasMadeFor() {
        assertThat(
                        GuidanceWebServer.namesUser(
                                Trigger.triggerId("checkout-stall", "u1", "s1", 1700000008000L),
                                "u1"))
                .isTrue();
        assertThat(
                        GuidanceWebServer.namesUser(
                                Trigger.triggerId("welcome-back", "u1", null, 1700000008000L),
                                "u1"))
                .isTrue();
        assertThat(
                        GuidanceWebServer.namesUser(
                                Trigger.triggerId("checkout-stall", "u1", "s1", 1L), "u2"))
                .isFalse();
        assertThat(
                        GuidanceWebServer.namesUser(
                                Trigger.triggerId("checkout-stall", "u10", "s1", 1L), "u1"))
                .isFalse();
        assertThat(
                        GuidanceWebServer.namesUser(
                                Trigger.triggerId("checkout-stall", "u1", "s1", 1L), "u"))
                .isFalse();
    }

    @Test
    void somethingThatIsNotATriggerIdNamesNobody() {
        assertThat(GuidanceWebServer.namesUser("u1", "u1")).isFalse();
        assertThat(GuidanceWebServer.namesUser("checkout-stall|u1", "u1")).isFalse();
        assertThat(GuidanceWebServer.namesUser("checkout-stall|u1|s1|", "u1")).isFalse();
        assertThat(GuidanceWebServer.namesUser("checkout-stall|u1|s1|soon", "u1")).isFalse();
        assertThat(GuidanceWebServer.namesUser("Not A Rule|u1|s1|1", "u1")).isFalse();
    }
}
