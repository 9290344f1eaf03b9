package io.guidance.web;

import java.util.Iterator;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * A token bucket per client: {@code rate} requests per second, bursts of up to one second's worth
 * (at least one). Buckets that have refilled completely are forgotten, so memory follows the
 * clients of the last second or so, not all clients ever seen.
 */
final class RateLimiter {
    /** Sweep full buckets away at most this often. */
    private static final long SWEEP_EVERY_NANOS = 10_000_000_000L;

    private final double ratePerNano;
    private final double capacity;
    private final LongSupplier nanoClock;
    private final Map<String, Bucket> buckets = new ConcurrentHashMap<>();
    private volatile long lastSweep;

    private static final class Bucket {
        double tokens;
        long updated;

        Bucket(double tokens, long updated) {
            this.tokens = tokens;
            this.updated = updated;
        }
    }

    RateLimiter(double perSecond, LongSupplier nanoClock) {
        if (!(perSecond > 0)) {
            throw new IllegalArgumentException("rate must be positive");
        }
        this.ratePerNano = perSecond / 1e9;
        this.capacity = Math.max(1.0, perSecond);
        this.nanoClock = nanoClock;
        this.lastSweep = nanoClock.getAsLong();
    }

    /**
     * Takes one token for {@code client}: 0 when allowed, else the nanoseconds until a token is
     * there.
     */
    long acquire(String client) {
        long now = nanoClock.getAsLong();
        sweep(now);
        Bucket b = buckets.computeIfAbsent(client, c -> new Bucket(capacity, now));
        synchronized (b) {
            refill(b, now);
            if (b.tokens >= 1.0) {
                b.tokens -= 1.0;
                return 0;
            }
            return (long) Math.ceil((1.0 - b.tokens) / ratePerNano);
        }
    }

    int trackedClients() {
        return buckets.size();
    }

    private void refill(Bucket b, long now) {
        if (now > b.updated) {
            b.tokens = Math.min(capacity, b.tokens + (now - b.updated) * ratePerNano);
            b.updated = now;
        }
    }

    private void sweep(long now) {
        if (now - lastSweep < SWEEP_EVERY_NANOS) {
            return;
        }
        lastSweep = now;
        for (Iterator<Bucket> it = buckets.values().iterator(); it.hasNext(); ) {
            Bucket b = it.next();
            synchronized (b) {
                refill(b, now);
                if (b.tokens >= capacity) {
                    it.remove();
                }
            }
        }
    }
}
