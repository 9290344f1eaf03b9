package io.guidance.pipeline.redis;

import io.guidance.redis.RedisClients;
import io.guidance.redis.RedisFailures;
import io.guidance.redis.RedisSettings;
import io.guidance.redis.TriggerWriteScript;
import io.guidance.trigger.Trigger;
import java.io.IOException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.apache.flink.api.common.operators.ProcessingTimeService;
import org.apache.flink.api.connector.sink2.SinkWriter;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Gauge;
import org.apache.flink.metrics.groups.SinkWriterMetricGroup;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import redis.clients.jedis.AbstractPipeline;
import redis.clients.jedis.RedisClient;
import redis.clients.jedis.Response;
import redis.clients.jedis.exceptions.JedisDataException;
import redis.clients.jedis.exceptions.JedisException;
import redis.clients.jedis.exceptions.JedisNoScriptException;

/**
 * Buffers delivered triggers and writes them to Redis in pipelined batches of {@link
 * TriggerWriteScript} calls.
 *
 * <p>Writes happen when the buffer reaches the batch size and on every {@link #flush}, which Flink
 * calls before each checkpoint and at the end of input; flush returns only once Redis has given
 * every buffered trigger a verdict, so a completed checkpoint never covers a trigger that is not in
 * Redis. While Redis is unreachable the writer retries with exponential backoff and jitter, drops
 * only triggers that expire meanwhile, and once more than {@code maxPending} triggers wait it
 * blocks {@link #write} instead of dropping: back-pressure up to the source.
 *
 * <p>Every call happens on the task thread except {@link #close()}, which may come from another
 * thread while a flush waits for Redis; it wakes the waiting flush and never blocks on Redis
 * itself.
 */
final class TriggerRedisWriter implements SinkWriter<Trigger> {
    private static final Logger LOG = LoggerFactory.getLogger(TriggerRedisWriter.class);

    private final RedisSettings settings;
    private final int subtask;
    private final RedisClient client;

    /**
     * Triggers Redis has not yet given a verdict, oldest first. Emptied by every flush; shrinks
     * when triggers expire during an outage; {@link #write} blocks while it holds more than {@code
     * maxPending}.
     */
    private final ArrayDeque<PendingWrite> pending = new ArrayDeque<>();

    /**
     * {@code pending.size()} for the gauge, which the metric reporter reads from another thread.
     */
    private volatile int pendingCount;

    private final CountDownLatch closing = new CountDownLatch(1);

    /** Failed attempts since the last success; above zero means Redis is considered down. */
    private int consecutiveFailures;

    /**
     * Wall-clock time before which no new attempt is made, so an outage does not cost a timeout per
     * record.
     */
    private long nextAttemptAt;

    private long outageStartedAt;

    private final Counter written;
    private final Counter duplicates;
    private final Counter expiredDropped;
    private final Counter olderSkipped;
    private final Counter notDeliveredIgnored;
    private final Counter writeErrors;
    private final Counter retries;
    private final Counter recordsSent;

    /** Runs the timed write on the task thread; null in tests that drive the writer directly. */
    private final ProcessingTimeService timers;

    /** True while a timed write is scheduled; at most one is. */
    private boolean timedWriteScheduled;

    TriggerRedisWriter(RedisSettings settings, SinkWriterMetricGroup metrics, int subtask)
            throws IOException {
        this(settings, metrics, subtask, null);
    }

    TriggerRedisWriter(
            RedisSettings settings,
            SinkWriterMetricGroup metrics,
            int subtask,
            ProcessingTimeService timers)
            throws IOException {
        this.settings = settings;
        this.timers = timers;
        this.subtask = subtask;
        this.written = metrics.counter("redisWritten");
        this.duplicates = metrics.counter("redisDuplicates");
        this.expiredDropped = metrics.counter("redisExpiredDropped");
        this.olderSkipped = metrics.counter("redisOlderSkipped");
        this.notDeliveredIgnored = metrics.counter("redisNotDeliveredIgnored");
        this.writeErrors = metrics.counter("redisWriteErrors");
        this.retries = metrics.counter("redisRetries");
        this.recordsSent = metrics.getNumRecordsSendCounter();
        metrics.gauge("redisPendingTriggers", (Gauge<Integer>) () -> pendingCount);

        this.client = RedisClients.create(settings, "guidance-trigger-sink", 2);
        try {
            loadScript();
        } catch (IOException | RuntimeException e) {
            client.close();
            throw e;
        }
    }

    /**
     * Checks the connection and credentials at start; an unreachable Redis is an outage, not a
     * failed start.
     */
    private void loadScript() throws IOException {
        try {
            String sha = client.scriptLoad(TriggerWriteScript.SOURCE);
            if (!TriggerWriteScript.SHA1.equals(sha)) {
                throw new IllegalStateException(
                        "Redis named the trigger write script "
                                + sha
                                + ", expected "
                                + TriggerWriteScript.SHA1);
            }
            LOG.info(
                    "Trigger sink writer {} connected to Redis at {}:{} database {}{}",
                    subtask,
                    settings.host(),
                    settings.port(),
                    settings.database(),
                    settings.tls() ? " over TLS" : "");
        } catch (JedisException e) {
            onFailure(e);
        }
    }

    @Override
    public void write(Trigger trigger, Context context) throws IOException, InterruptedException {
        ensureOpen();
        if (!trigger.isDelivered()) {
            notDeliveredIgnored.inc();
            return;
        }
        if (trigger.triggerId == null || trigger.userId == null) {
            throw new IllegalArgumentException(
                    "a delivered trigger needs a triggerId and a userId");
        }
        long now = System.currentTimeMillis();
        if (trigger.expiresAt <= now) {
            expiredDropped.inc();
            return;
        }
        pending.addLast(
                new PendingWrite(
                        TriggerWriteScript.keys(settings, trigger),
                        TriggerWriteScript.args(trigger),
                        trigger.expiresAt));
        pendingCount = pending.size();

        if (pending.size() >= settings.batchSize() && now >= nextAttemptAt) {
            attempt();
        }
        scheduleTimedWrite(now);
        if (pending.size() > settings.maxPending()) {
            drain(() -> pending.size() > settings.maxPending());
        }
    }

    @Override
    public void flush(boolean endOfInput) throws IOException, InterruptedException {
        drain(() -> !pending.isEmpty());
    }

    /**
     * Does not wait for Redis: a flush waiting for its next attempt on another thread wakes and
     * fails, and a round trip already in flight there ends within {@code redis.timeout}. Unflushed
     * triggers are not lost: they come after the last completed checkpoint, so a restart replays
     * them.
     */
    @Override
    public void close() {
        if (closing.getCount() == 0) {
            return;
        }
        closing.countDown();
        try {
            client.close();
        } catch (RuntimeException e) {
            LOG.warn("Trigger sink writer {} could not close its Redis client cleanly", subtask, e);
        }
        int left = pendingCount;
        if (left > 0) {
            LOG.info(
                    "Trigger sink writer {} closed with {} triggers not written; a restart replays them",
                    subtask,
                    left);
        } else {
            LOG.info("Trigger sink writer {} closed", subtask);
        }
    }

    /**
     * A trigger should reach Redis in about {@code flushInterval}, not only at the next checkpoint:
     * a guide that shows seconds late misses the moment. One timer at a time, on the task thread;
     * while Redis is down it follows the backoff schedule instead of piling up attempts.
     */
    private void scheduleTimedWrite(long now) {
        if (timers == null || timedWriteScheduled || pending.isEmpty() || closing.getCount() == 0) {
            return;
        }
        timedWriteScheduled = true;
        long at = Math.max(now + settings.flushInterval().toMillis(), nextAttemptAt);
        timers.registerTimer(
                at,
                time -> {
                    timedWriteScheduled = false;
                    if (closing.getCount() == 0) {
                        return;
                    }
                    long t = System.currentTimeMillis();
                    if (t >= nextAttemptAt) {
                        attempt();
                    }
                    scheduleTimedWrite(t);
                });
    }

    /** Retries with backoff until {@code needed} turns false. */
    private void drain(BooleanSupplier needed) throws IOException, InterruptedException {
        while (needed.getAsBoolean()) {
            long wait = nextAttemptAt - System.currentTimeMillis();
            if (wait > 0) {
                closing.await(wait, TimeUnit.MILLISECONDS);
            }
            ensureOpen();
            attempt();
        }
    }

    /** One pass over the buffer; a transient failure is recorded and schedules the next attempt. */
    private void attempt() throws IOException {
        dropExpired(System.currentTimeMillis());
        if (pending.isEmpty()) {
            return;
        }
        if (consecutiveFailures > 0) {
            retries.inc();
        }
        try {
            while (!pending.isEmpty()) {
                writeBatch();
            }
        } catch (JedisException e) {
            pendingCount = pending.size();
            onFailure(e);
            return;
        }
        pendingCount = 0;
        if (consecutiveFailures > 0) {
            LOG.info(
                    "Trigger sink writer {}: Redis at {}:{} is back after {} ms",
                    subtask,
                    settings.host(),
                    settings.port(),
                    System.currentTimeMillis() - outageStartedAt);
            consecutiveFailures = 0;
            nextAttemptAt = 0;
        }
    }

    /**
     * Writes the oldest batch. Triggers given a verdict leave the buffer; those that met a
     * transient error, or all of them when the round trip failed, stay at its head for the next
     * attempt. Re-sending is safe: the script is idempotent, so a trigger whose first round trip
     * reached Redis comes back as a duplicate.
     */
    private void writeBatch() throws IOException {
        int n = Math.min(settings.batchSize(), pending.size());
        List<PendingWrite> batch = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            batch.add(pending.pollFirst());
        }
        boolean[] unresolved = new boolean[n];
        Arrays.fill(unresolved, true);
        JedisException transientError = null;
        try {
            Object[] replies = execute(batch, false);
            List<Integer> unknownScript = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                if (replies[i] instanceof JedisNoScriptException) {
                    unknownScript.add(i);
                } else if (resolve(replies[i])) {
                    unresolved[i] = false;
                } else {
                    transientError = (JedisException) replies[i];
                }
            }
            if (!unknownScript.isEmpty()) {
                // Redis restarted or its script cache was flushed: EVAL sends the source, which
                // caches it again.
                List<PendingWrite> again = new ArrayList<>(unknownScript.size());
                for (int i : unknownScript) {
                    again.add(batch.get(i));
                }
                Object[] retried = execute(again, true);
                for (int j = 0; j < retried.length; j++) {
                    if (resolve(retried[j])) {
                        unresolved[unknownScript.get(j)] = false;
                    } else {
                        transientError = (JedisException) retried[j];
                    }
                }
            }
        } catch (JedisException e) {
            transientError = e;
        } finally {
            for (int i = n - 1; i >= 0; i--) {
                if (unresolved[i]) {
                    pending.addFirst(batch.get(i));
                }
            }
            pendingCount = pending.size();
        }
        if (transientError != null) {
            throw transientError;
        }
    }

    /** Sends one pipelined round trip and returns each call's reply or its error. */
    private Object[] execute(List<PendingWrite> batch, boolean sendSource) {
        List<Response<Object>> responses = new ArrayList<>(batch.size());
        try (AbstractPipeline pipeline = client.pipelined()) {
            for (PendingWrite w : batch) {
                responses.add(
                        sendSource
                                ? pipeline.eval(TriggerWriteScript.SOURCE, w.keys, w.args)
                                : pipeline.evalsha(TriggerWriteScript.SHA1, w.keys, w.args));
            }
            pipeline.sync();
        }
        Object[] replies = new Object[batch.size()];
        for (int i = 0; i < replies.length; i++) {
            try {
                replies[i] = responses.get(i).get();
            } catch (JedisDataException e) {
                replies[i] = e;
            }
        }
        return replies;
    }

    /**
     * Counts a script verdict and returns true, returns false for a transient error, and fails on
     * any other error: retrying a write that Redis refuses for good (no permission, a broken
     * script) would hold up every checkpoint.
     */
    private boolean resolve(Object reply) throws IOException {
        if (reply instanceof Long) {
            count((Long) reply);
            return true;
        }
        JedisDataException e = (JedisDataException) reply;
        if (isTransient(e)) {
            return false;
        }
        writeErrors.inc();
        throw new IOException("Redis refused a trigger write: " + e.getMessage(), e);
    }

    private void count(long verdict) {
        recordsSent.inc();
        if (verdict == TriggerWriteScript.WRITTEN) {
            written.inc();
        } else if (verdict == TriggerWriteScript.DUPLICATE) {
            duplicates.inc();
        } else if (verdict == TriggerWriteScript.EXPIRED) {
            expiredDropped.inc();
        } else if (verdict == TriggerWriteScript.OLDER) {
            olderSkipped.inc();
        } else {
            throw new IllegalStateException(
                    "unexpected reply from the trigger write script: " + verdict);
        }
    }

    private void onFailure(JedisException e) throws IOException {
        writeErrors.inc();
        if (!isTransient(e)) {
            throw new IOException(RedisFailures.describe(settings, e, "the trigger sink"), e);
        }
        long now = System.currentTimeMillis();
        if (consecutiveFailures == 0) {
            outageStartedAt = now;
            LOG.warn(
                    "Trigger sink writer {}: Redis at {}:{} is unavailable, buffering triggers and retrying ({})",
                    subtask,
                    settings.host(),
                    settings.port(),
                    e.toString());
        }
        consecutiveFailures++;
        nextAttemptAt = now + backoffMillis(consecutiveFailures);
    }

    /** See {@link RedisFailures#isTransient}. */
    private static boolean isTransient(JedisException e) {
        return RedisFailures.isTransient(e);
    }

    /**
     * Exponential backoff with "equal jitter": half fixed, half random, so writers that failed
     * together spread out.
     */
    private long backoffMillis(int failures) {
        long initial = settings.retryBackoff().toMillis();
        long max = settings.retryBackoffMax().toMillis();
        int shift = Math.min(failures - 1, 62);
        long delay = initial > (max >> shift) ? max : initial << shift;
        return delay / 2 + ThreadLocalRandom.current().nextLong(delay - delay / 2 + 1);
    }

    private void dropExpired(long now) {
        for (Iterator<PendingWrite> it = pending.iterator(); it.hasNext(); ) {
            if (it.next().expiresAt <= now) {
                it.remove();
                expiredDropped.inc();
            }
        }
        pendingCount = pending.size();
    }

    private void ensureOpen() throws IOException {
        if (closing.getCount() == 0) {
            throw new IOException(
                    "Trigger sink writer "
                            + subtask
                            + " is closed with "
                            + pending.size()
                            + " triggers not written");
        }
    }

    /**
     * The script's keys and arguments, built once so retries do not serialize the trigger again.
     */
    private static final class PendingWrite {
        final List<String> keys;
        final List<String> args;
        final long expiresAt;

        PendingWrite(List<String> keys, List<String> args, long expiresAt) {
            this.keys = keys;
            this.args = args;
            this.expiresAt = expiresAt;
        }
    }
}
