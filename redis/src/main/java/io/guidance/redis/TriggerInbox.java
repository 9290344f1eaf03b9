package io.guidance.redis;

import io.guidance.trigger.Trigger;
import io.guidance.trigger.TriggerJson;
import java.util.List;
import java.util.Optional;
import redis.clients.jedis.RedisClient;

/**
 * The front end's side of the Redis contract (SPEC section 5): read a user's pending trigger, and
 * acknowledge a trigger once it was shown. The HTTP layer calls this; any other client can run
 * {@link #ACK_SCRIPT} itself.
 *
 * <p>Acknowledging sets the marker {@code {prefix}:written:{triggerId}} to {@code acked} and
 * deletes the user key if it still holds that trigger. The job's write script refuses any trigger
 * id whose marker exists, so an acknowledged trigger is never written again: not after a restart
 * from a checkpoint or savepoint, not after a replay of the Kafka input. The marker lives until the
 * trigger's {@code expiresAt} plus a minute (after that the write script refuses it as expired
 * anyway); a trigger acknowledged before the job wrote it keeps its marker for {@link
 * #UNKNOWN_TRIGGER_MARKER_MS}.
 */
public final class TriggerInbox implements AutoCloseable {
    /** Marker lifetime when the acknowledged trigger is not in Redis, so its expiry is unknown. */
    public static final long UNKNOWN_TRIGGER_MARKER_MS = 86_400_000L;

    /**
     * KEYS[1] = user key, KEYS[2] = marker key, ARGV[1] = triggerId, ARGV[2] = marker lifetime when
     * the expiry is unknown (ms). Returns 1 when the trigger was the user's pending one and is now
     * gone, 2 when only the marker was set (the user key held another trigger, or none).
     */
    public static final String ACK_SCRIPT =
            String.join(
                    "\n",
                    "local removed = 0",
                    "local expiresAt = nil",
                    "if redis.call('TYPE', KEYS[1]).ok == 'string' then",
                    "  local ok, t = pcall(cjson.decode, redis.call('GET', KEYS[1]))",
                    "  if ok and type(t) == 'table' and t['triggerId'] == ARGV[1] then",
                    "    expiresAt = tonumber(t['expiresAt'])",
                    "    redis.call('DEL', KEYS[1])",
                    "    removed = 1",
                    "  end",
                    "end",
                    "if redis.call('PTTL', KEYS[2]) > 0 then",
                    "  redis.call('SET', KEYS[2], 'acked', 'KEEPTTL')",
                    "elseif expiresAt then",
                    "  redis.call('SET', KEYS[2], 'acked', 'PXAT', expiresAt + "
                            + TriggerWriteScript.MARKER_GRACE_MS
                            + ")",
                    "else",
                    "  redis.call('SET', KEYS[2], 'acked', 'PX', tonumber(ARGV[2]))",
                    "end",
                    "if removed == 1 then return 1 end",
                    "return 2");

    /** What an acknowledgement did. */
    public enum Ack {
        /** It was the user's pending trigger; the user key is gone. */
        REMOVED,
        /**
         * The user key held another trigger or none; the trigger id is blocked from being written
         * all the same.
         */
        MARKED
    }

    private final RedisSettings settings;
    private final RedisClient client;
    private final boolean ownsClient;

    public TriggerInbox(RedisSettings settings) {
        this(settings, RedisClients.create(settings, "guidance-inbox", 8), true);
    }

    /** Uses a client the caller owns and closes. */
    public TriggerInbox(RedisSettings settings, RedisClient client) {
        this(settings, client, false);
    }

    private TriggerInbox(RedisSettings settings, RedisClient client, boolean ownsClient) {
        this.settings = settings;
        this.client = client;
        this.ownsClient = ownsClient;
    }

    /** The user's pending trigger, if there is one that has not expired or been acknowledged. */
    public Optional<Trigger> pending(String userId) {
        String json = client.get(settings.userKey(userId));
        return json == null ? Optional.empty() : Optional.of(TriggerJson.fromJson(json));
    }

    /** The same, as the JSON text Redis holds, for a front end that passes it on unchanged. */
    public Optional<String> pendingJson(String userId) {
        return Optional.ofNullable(client.get(settings.userKey(userId)));
    }

    /** Acknowledges a trigger a front end has shown to {@code userId}; idempotent. */
    public Ack acknowledge(String userId, String triggerId) {
        Object r =
                client.eval(
                        ACK_SCRIPT,
                        List.of(settings.userKey(userId), settings.writtenKey(triggerId)),
                        List.of(triggerId, Long.toString(UNKNOWN_TRIGGER_MARKER_MS)));
        return Long.valueOf(1L).equals(r) ? Ack.REMOVED : Ack.MARKED;
    }

    @Override
    public void close() {
        if (ownsClient) {
            client.close();
        }
    }
}
