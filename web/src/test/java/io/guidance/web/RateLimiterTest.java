package io.guidance.web;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** The token bucket, on a clock the test moves. */
class RateLimiterTest {
    private static final long SECOND = 1_000_000_000L;

    private final AtomicLong clock = new AtomicLong(42 * SECOND);

    @Test
    void aClientGetsOneSecondsWorthAtOnceThenTheRate() {
        RateLimiter limiter = new RateLimiter(4, clock::get);

        for (int i = 0; i < 4; i++) {
            assertThat(limiter.acquire("a")).as("request %d", i).isZero();
        }
        // empty: the next token comes after a quarter of a second
        assertThat(limiter.acquire("a")).isEqualTo(SECOND / 4);
        assertThat(limiter.acquire("b")).as("another client has its own bucket").isZero();

        clock.addAndGet(SECOND / 4);
        assertThat(limiter.acquire("a")).isZero();
        assertThat(limiter.acquire("a")).isEqualTo(SECOND / 4);
    }

    @Test
    void aRateBelowOnePerSecondStillAllowsOneRequest() {
        RateLimiter limiter = new RateLimiter(0.5, clock::get);

        assertThat(limiter.acquire("a")).isZero();
        assertThat(limiter.acquire("a")).isEqualTo(2 * SECOND);
    }

    @Test
    void clientsWhoseBucketsRefilledAreForgotten() {
        RateLimiter limiter = new RateLimiter(10, clock::get);
        for (int i = 0; i < 100; i++) {
            limiter.acquire("client-" + i);
        }
        assertThat(limiter.trackedClients()).isEqualTo(100);

        clock.addAndGet(11 * SECOND);
        limiter.acquire("late");

        assertThat(limiter.trackedClients()).isEqualTo(1);
    }
}
