package io.guidance.pipeline.redis;

import io.guidance.redis.RedisSettings;
import io.guidance.redis.TriggerWriteScript;
import io.guidance.trigger.Trigger;
import java.io.IOException;
import java.util.Objects;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.sink2.SinkWriter;
import org.apache.flink.api.connector.sink2.WriterInitContext;

/**
 * Publishes delivered triggers to Redis, where front ends poll them (SPEC section 5).
 *
 * <p>At-least-once into an idempotent write: every checkpoint waits until the triggers before it
 * are in Redis, a restart replays those after it, and the write script drops the replays by trigger
 * id. Suppressed triggers are not written. The sink holds only settings; each parallel writer opens
 * its own connection.
 *
 * <p>Needs a standalone Redis 6.2 or later ({@code SET ... PXAT}); see {@link TriggerWriteScript}
 * for the keys.
 */
public final class TriggerRedisSink implements Sink<Trigger> {
    private static final long serialVersionUID = 1L;

    private final RedisSettings settings;

    public TriggerRedisSink(RedisSettings settings) {
        this.settings = Objects.requireNonNull(settings, "settings");
    }

    @Override
    public SinkWriter<Trigger> createWriter(WriterInitContext context) throws IOException {
        return new TriggerRedisWriter(
                settings,
                context.metricGroup(),
                context.getTaskInfo().getIndexOfThisSubtask(),
                context.getProcessingTimeService());
    }
}
