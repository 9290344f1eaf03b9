package io.guidance.pipeline.redis;

import io.guidance.experiment.ExperimentTotals;
import io.guidance.redis.RedisClients;
import io.guidance.redis.RedisSettings;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.sink2.SinkWriter;
import org.apache.flink.api.connector.sink2.WriterInitContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import redis.clients.jedis.AbstractTransaction;
import redis.clients.jedis.RedisClient;

/**
 * Writes each experiment's running totals to the Redis hash {@code {prefix}:experiment:{name}}
 * (SPEC section 7): fields {@code salt}, {@code arms} (comma-separated, in the order first seen),
 * {@code ARM:exposed} and {@code ARM:converted} per arm, and {@code updatedAt} (epoch ms). The
 * values are absolute, so the hash is replaced as a whole in one transaction (a new salt leaves no
 * fields of the old one) and writing the same totals twice changes nothing. While Redis is down the
 * newest totals of each experiment wait and are written at the next update or checkpoint; nothing
 * older is worth writing.
 */
public final class ExperimentTotalsRedisSink implements Sink<ExperimentTotals> {
    private static final long serialVersionUID = 1L;

    private final RedisSettings settings;

    public ExperimentTotalsRedisSink(RedisSettings settings) {
        this.settings = Objects.requireNonNull(settings, "settings");
    }

    @Override
    public SinkWriter<ExperimentTotals> createWriter(WriterInitContext context) {
        return new Writer(settings);
    }

    /** The hash's fields for one experiment's totals. */
    public static Map<String, String> fields(ExperimentTotals t, long updatedAt) {
        Map<String, String> f = new LinkedHashMap<>();
        f.put("salt", t.salt);
        f.put("arms", String.join(",", t.arms));
        for (int i = 0; i < t.arms.length; i++) {
            f.put(t.arms[i] + ":exposed", Long.toString(t.exposed[i]));
            f.put(t.arms[i] + ":converted", Long.toString(t.converted[i]));
        }
        f.put("updatedAt", Long.toString(updatedAt));
        return f;
    }

    private static final class Writer implements SinkWriter<ExperimentTotals> {
        private static final Logger LOG = LoggerFactory.getLogger(Writer.class);

        private final RedisSettings settings;
        private final RedisClient redis;

        /** experiment -> its newest totals not yet in Redis. */
        private final Map<String, ExperimentTotals> pending = new LinkedHashMap<>();

        private boolean failing;

        Writer(RedisSettings settings) {
            this.settings = settings;
            this.redis = RedisClients.create(settings, "guidance-experiments", 1);
        }

        @Override
        public void write(ExperimentTotals t, Context context) {
            pending.put(t.experiment, t);
            writePending();
        }

        @Override
        public void flush(boolean endOfInput) {
            writePending();
        }

        private void writePending() {
            if (pending.isEmpty()) {
                return;
            }
            long now = System.currentTimeMillis();
            try (AbstractTransaction tx = redis.multi()) {
                for (ExperimentTotals t : pending.values()) {
                    String key = settings.experimentKey(t.experiment);
                    tx.del(key);
                    tx.hset(key, fields(t, now));
                }
                tx.exec();
                pending.clear();
                if (failing) {
                    LOG.info("Experiment totals reach Redis again");
                    failing = false;
                }
            } catch (RuntimeException e) {
                // the totals are absolute: the next write or checkpoint brings them up to date
                if (!failing) {
                    LOG.warn(
                            "Experiment totals not written to Redis ({}); they are kept and"
                                    + " written at the next update",
                            e.toString());
                    failing = true;
                }
            }
        }

        @Override
        public void close() throws IOException {
            redis.close();
        }
    }
}
