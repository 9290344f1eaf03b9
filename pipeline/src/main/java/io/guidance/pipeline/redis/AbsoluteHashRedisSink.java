package io.guidance.pipeline.redis;

import io.guidance.experiment.ExperimentTotals;
import io.guidance.funnel.FunnelMeasures;
import io.guidance.funnel.GuideFunnelTotals;
import io.guidance.redis.RedisClients;
import io.guidance.redis.RedisSettings;
import java.io.IOException;
import java.io.Serializable;
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
 * Writes running totals to Redis hashes as absolute values (docs/live-totals.md): each hash is
 * replaced as a whole in one transaction (DEL + HSET, so no field of an older shape stays behind)
 * and writing the same totals twice changes nothing. While Redis is down the newest totals of each
 * hash wait and are written at the next update or checkpoint; nothing older is worth writing.
 *
 * @param <T> the totals; {@link HashLayout} says which hash they go to and with which fields
 */
public final class AbsoluteHashRedisSink<T> implements Sink<T> {
    private static final long serialVersionUID = 1L;

    /** Where a value goes and what it holds. */
    public interface HashLayout<T> extends Serializable {
        /** A short name of what is written, for the client's name and the log. */
        String what();

        String key(RedisSettings settings, T value);

        /** The hash's fields, {@code updatedAt} (epoch ms) among them. */
        Map<String, String> fields(T value, long updatedAt);
    }

    private final RedisSettings settings;
    private final HashLayout<T> layout;

    public AbsoluteHashRedisSink(RedisSettings settings, HashLayout<T> layout) {
        this.settings = Objects.requireNonNull(settings, "settings");
        this.layout = Objects.requireNonNull(layout, "layout");
    }

    /** Each experiment's totals to {@code {prefix}:experiment:{name}}. */
    public static AbsoluteHashRedisSink<ExperimentTotals> experiments(RedisSettings settings) {
        return new AbsoluteHashRedisSink<>(settings, new ExperimentLayout());
    }

    /** Each rule's guide funnel to {@code {prefix}:funnel:{ruleId}}. */
    public static AbsoluteHashRedisSink<GuideFunnelTotals> funnels(RedisSettings settings) {
        return new AbsoluteHashRedisSink<>(settings, new FunnelLayout());
    }

    @Override
    public SinkWriter<T> createWriter(WriterInitContext context) {
        return new Writer<>(settings, layout);
    }

    /**
     * {@code salt}, {@code arms} (comma-separated, in the order first seen), {@code ARM:exposed}
     * and {@code ARM:converted} per arm, {@code ARM:share} per arm counted or configured (percent
     * under the rules in force, 0 for an arm no longer configured), {@code controlArm}, {@code
     * updatedAt}.
     */
    public static Map<String, String> experimentFields(ExperimentTotals t, long updatedAt) {
        Map<String, String> f = new LinkedHashMap<>();
        f.put("salt", t.salt);
        f.put("arms", String.join(",", t.arms));
        for (int i = 0; i < t.arms.length; i++) {
            f.put(t.arms[i] + ":exposed", Long.toString(t.exposed[i]));
            f.put(t.arms[i] + ":converted", Long.toString(t.converted[i]));
        }
        for (int i = 0; i < t.shareArms.length; i++) {
            f.put(t.shareArms[i] + ":share", Integer.toString(t.shares[i]));
        }
        if (t.controlArm != null) {
            f.put("controlArm", t.controlArm);
        }
        f.put("updatedAt", Long.toString(updatedAt));
        return f;
    }

    /**
     * Per guide seen, {@code GUIDE/STATUS} for every status the job gives (0 included) and {@code
     * GUIDE/shown|clicked|dismissed|completed}; {@code guides} (comma-separated, in the order first
     * seen) and {@code updatedAt}.
     */
    public static Map<String, String> funnelFields(GuideFunnelTotals t, long updatedAt) {
        Map<String, String> f = new LinkedHashMap<>();
        f.put("guides", String.join(",", t.guides));
        for (String guide : t.guides) {
            for (String status : FunnelMeasures.STATUSES) {
                f.put(guide + '/' + status, "0");
            }
            for (String measure : FunnelMeasures.FEEDBACK) {
                f.put(guide + '/' + measure, "0");
            }
        }
        for (int i = 0; i < t.fields.length; i++) {
            f.put(t.fields[i], Long.toString(t.counts[i]));
        }
        f.put("updatedAt", Long.toString(updatedAt));
        return f;
    }

    private static final class ExperimentLayout implements HashLayout<ExperimentTotals> {
        private static final long serialVersionUID = 1L;

        @Override
        public String what() {
            return "experiments";
        }

        @Override
        public String key(RedisSettings settings, ExperimentTotals t) {
            return settings.experimentKey(t.experiment);
        }

        @Override
        public Map<String, String> fields(ExperimentTotals t, long updatedAt) {
            return experimentFields(t, updatedAt);
        }
    }

    private static final class FunnelLayout implements HashLayout<GuideFunnelTotals> {
        private static final long serialVersionUID = 1L;

        @Override
        public String what() {
            return "funnels";
        }

        @Override
        public String key(RedisSettings settings, GuideFunnelTotals t) {
            return settings.funnelKey(t.ruleId);
        }

        @Override
        public Map<String, String> fields(GuideFunnelTotals t, long updatedAt) {
            return funnelFields(t, updatedAt);
        }
    }

    private static final class Writer<T> implements SinkWriter<T> {
        private static final Logger LOG = LoggerFactory.getLogger(Writer.class);

        private final RedisSettings settings;
        private final HashLayout<T> layout;
        private final RedisClient redis;

        /** key -> its newest value not yet in Redis. */
        private final Map<String, T> pending = new LinkedHashMap<>();

        private boolean failing;

        Writer(RedisSettings settings, HashLayout<T> layout) {
            this.settings = settings;
            this.layout = layout;
            this.redis = RedisClients.create(settings, "guidance-" + layout.what(), 1);
        }

        @Override
        public void write(T value, Context context) {
            pending.put(layout.key(settings, value), value);
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
                for (Map.Entry<String, T> e : pending.entrySet()) {
                    tx.del(e.getKey());
                    tx.hset(e.getKey(), layout.fields(e.getValue(), now));
                }
                tx.exec();
                pending.clear();
                if (failing) {
                    LOG.info("Totals of {} reach Redis again", layout.what());
                    failing = false;
                }
            } catch (RuntimeException e) {
                // the totals are absolute: the next write or checkpoint brings them up to date
                if (!failing) {
                    LOG.warn(
                            "Totals of {} not written to Redis ({}); they are kept and written at"
                                    + " the next update",
                            layout.what(),
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
