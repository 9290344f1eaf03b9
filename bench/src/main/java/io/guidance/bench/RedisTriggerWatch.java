package io.guidance.bench;

import io.guidance.local.LocalRedis;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import redis.clients.jedis.JedisPubSub;
import redis.clients.jedis.RedisClient;

/**
 * When each trigger became readable: a subscriber to Redis's {@code set} key events. The write
 * script sets the user key and then the trigger's marker; a marker set right after a user key is a
 * trigger published, stamped on arrival. A marker set alone is a write the script turned down as
 * older than the trigger the user key holds.
 */
final class RedisTriggerWatch implements AutoCloseable {
    final Map<String, Long> readableAt = new ConcurrentHashMap<>();
    final Set<String> older = ConcurrentHashMap.newKeySet();

    /** Wall-clock time of the last trigger key event seen. */
    volatile long lastWrite;

    private final RedisClient subscriber;
    private final JedisPubSub listener;
    private final Thread thread;

    private RedisTriggerWatch(LocalRedis redis, String prefix) {
        String userKeys = prefix + ":user:";
        String markers = prefix + ":written:";
        subscriber = RedisClient.builder().hostAndPort(redis.host(), redis.port()).build();
        listener =
                new JedisPubSub() {
                    private boolean afterUserKey;

                    @Override
                    public void onPMessage(String pattern, String channel, String key) {
                        long now = System.currentTimeMillis();
                        lastWrite = now;
                        if (key.startsWith(userKeys)) {
                            afterUserKey = true;
                            return;
                        }
                        if (key.startsWith(markers)) {
                            String id = key.substring(markers.length());
                            if (afterUserKey) {
                                readableAt.putIfAbsent(id, now);
                            } else {
                                older.add(id);
                            }
                        }
                        afterUserKey = false;
                    }
                };
        thread =
                new Thread(
                        () -> {
                            try {
                                subscriber.psubscribe(listener, "__keyevent@*__:set");
                            } catch (RuntimeException e) {
                                LatencyBenchmark.log("Redis watch stopped: %s", e.getMessage());
                            }
                        },
                        "bench-redis-watch");
        thread.setDaemon(true);
    }

    static RedisTriggerWatch start(LocalRedis redis, String prefix) throws InterruptedException {
        RedisTriggerWatch w = new RedisTriggerWatch(redis, prefix);
        w.thread.start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!w.listener.isSubscribed()) {
            if (System.nanoTime() > deadline) {
                w.close();
                throw new IllegalStateException("could not subscribe to Redis key events");
            }
            Thread.sleep(10);
        }
        return w;
    }

    @Override
    public void close() {
        try {
            if (listener.isSubscribed()) {
                listener.punsubscribe();
            }
            thread.join(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            LatencyBenchmark.log("while closing the Redis watch: %s", e);
        }
        subscriber.close();
    }
}
