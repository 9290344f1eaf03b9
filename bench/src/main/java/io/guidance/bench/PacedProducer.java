package io.guidance.bench;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.function.IntFunction;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * Writes events to a topic, each stamped with its {@code ts} as it is sent: at a fixed rate for a
 * paced run, or as fast as the producer can for a backlog.
 */
final class PacedProducer {
    /** How long the producer parks between two looks at the clock. */
    private static final long PARK_NANOS = 200_000;

    private final KafkaProducer<String, byte[]> producer;

    PacedProducer(KafkaProducer<String, byte[]> producer) {
        this.producer = producer;
    }

    /** What a paced send did, and the collections of the JVM while it sent. */
    record Sent(
            int events,
            double achievedRate,
            long fromMillis,
            long toMillis,
            long gcPauses,
            long gcPauseTotalMs,
            long gcPauseMaxMs) {}

    /**
     * Sends {@code events} in order at {@code rate} per second until they run out or {@code
     * seconds} have passed, each stamped with the wall clock; returns once every send is
     * acknowledged.
     */
    Sent paced(String topic, StampedEvents events, double rate, int seconds) {
        return paced(topic, lap -> lap == 0 ? events : null, rate, seconds, new AtomicLong());
    }

    /**
     * Sends lap 0, then lap 1, and so on, at {@code rate} per second until {@code laps} gives null
     * or {@code seconds} have passed, each event stamped with the wall clock; {@code sentSoFar}
     * follows the count as it goes. Returns once every send is acknowledged.
     */
    Sent paced(
            String topic,
            IntFunction<StampedEvents> laps,
            double rate,
            int seconds,
            AtomicLong sentSoFar) {
        int i = 0;
        long startNs;
        long from;
        long to;
        long pauses;
        long pauseTotal;
        long pauseMax;
        try (GcPauses gc = GcPauses.start()) {
            int lapNumber = 0;
            StampedEvents lap = laps.apply(lapNumber);
            int inLap = 0;
            startNs = System.nanoTime();
            from = System.currentTimeMillis();
            long endNs = startNs + TimeUnit.SECONDS.toNanos(seconds);
            while (lap != null) {
                long now = System.nanoTime();
                if (now >= endNs) {
                    break;
                }
                long due = (long) ((now - startNs) / 1e9 * rate) + 1;
                while (i < due && lap != null) {
                    producer.send(
                            new ProducerRecord<>(
                                    topic,
                                    lap.keys[inLap],
                                    lap.stamped(inLap, System.currentTimeMillis())));
                    i++;
                    if (++inLap == lap.size()) {
                        lap = laps.apply(++lapNumber);
                        inLap = 0;
                    }
                }
                sentSoFar.set(i);
                LockSupport.parkNanos(PARK_NANOS);
            }
            to = System.currentTimeMillis();
            pauses = gc.count();
            pauseTotal = gc.totalMs();
            pauseMax = gc.maxMs();
        }
        producer.flush();
        double achieved = i * 1e9 / Math.max(1, System.nanoTime() - startNs);
        return new Sent(i, achieved, from, to, pauses, pauseTotal, pauseMax);
    }

    /**
     * Sends every event as fast as the producer can, in order; their {@code ts} step by one
     * millisecond per 100 events from {@code stamp}, as if sent at 100 per millisecond.
     */
    void backlog(String topic, StampedEvents events, long stamp) {
        for (int i = 0; i < events.size(); i++) {
            producer.send(
                    new ProducerRecord<>(
                            topic, events.keys[i], events.stamped(i, stamp + i / 100)));
        }
        producer.flush();
    }
}
