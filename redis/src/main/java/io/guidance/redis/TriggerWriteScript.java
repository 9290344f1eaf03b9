package io.guidance.redis;

import io.guidance.trigger.Trigger;
import io.guidance.trigger.TriggerJson;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;

/**
 * The one atomic Redis operation that publishes a trigger (SPEC section 5). It runs as a Lua script
 * so that the checks and the writes cannot interleave with another writer or with a front end's
 * acknowledgement.
 *
 * <p>Contract:
 *
 * <ul>
 *   <li>{@code KEYS[1]} = {@code {prefix}:user:{userId}}, a STRING holding the trigger JSON that
 *       front ends poll.
 *   <li>{@code KEYS[2]} = {@code {prefix}:written:{triggerId}}, the marker that a trigger id was
 *       published or acknowledged.
 *   <li>{@code ARGV[1]} = the trigger JSON ({@link TriggerJson#toJson}), {@code ARGV[2]} = {@code
 *       expiresAt}, {@code ARGV[3]} = {@code ts}, {@code ARGV[4]} = when the marker expires; all
 *       times epoch milliseconds.
 *   <li>Returns {@link #WRITTEN}, {@link #DUPLICATE}, {@link #EXPIRED} or {@link #OLDER}.
 * </ul>
 *
 * <p>Rules, in order:
 *
 * <ol>
 *   <li>The marker exists: nothing changes ({@code DUPLICATE}). This is what makes a trigger id
 *       written at most once, also when the job replays triggers after a restart from a checkpoint.
 *       The front end's acknowledge operation sets the same marker (value {@code acked}) and
 *       deletes the user key when it still holds that trigger id; because the marker blocks
 *       rewrites, an acknowledged trigger never reappears.
 *   <li>{@code expiresAt <= now}, with now from Redis {@code TIME} so that every writer judges
 *       expiry by the same clock as Redis's own key expiry: nothing changes ({@code EXPIRED}).
 *   <li>The user key holds a trigger with a larger {@code ts}: that newer trigger stays, and the
 *       marker is set so that this one is not published later either ({@code OLDER}). Equal {@code
 *       ts} overwrites: the delivery policy already ordered those. A value that is not a trigger's
 *       JSON, or a key of another type, is replaced.
 *   <li>Otherwise the user key is set to the JSON with {@code PXAT expiresAt} (gone exactly when
 *       the trigger expires) and the marker is set ({@code WRITTEN}).
 * </ol>
 *
 * <p>The marker outlives {@code expiresAt} by {@link #MARKER_GRACE_MS}. After {@code expiresAt}
 * rule 2 alone already blocks a rewrite; the grace keeps the marker as a second guard where a
 * failed-over replica's clock runs a little behind. Both keys live in one slot only on a standalone
 * Redis; Redis Cluster is not supported.
 */
public final class TriggerWriteScript {
    public static final long WRITTEN = 1;
    public static final long DUPLICATE = 2;
    public static final long EXPIRED = 3;
    public static final long OLDER = 4;

    public static final long MARKER_GRACE_MS = 60_000;

    public static final String SOURCE =
            String.join(
                    "\n",
                    "if redis.call('EXISTS', KEYS[2]) == 1 then",
                    "  return 2",
                    "end",
                    "local time = redis.call('TIME')",
                    "local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)",
                    "if tonumber(ARGV[2]) <= now then",
                    "  return 3",
                    "end",
                    "local current = redis.pcall('GET', KEYS[1])",
                    "if type(current) == 'string' then",
                    "  local ok, held = pcall(cjson.decode, current)",
                    "  if ok and type(held) == 'table' and type(held.ts) == 'number' and held.ts > tonumber(ARGV[3]) then",
                    "    redis.call('SET', KEYS[2], 'older', 'PXAT', ARGV[4])",
                    "    return 4",
                    "  end",
                    "end",
                    "redis.call('SET', KEYS[1], ARGV[1], 'PXAT', ARGV[2])",
                    "redis.call('SET', KEYS[2], 'written', 'PXAT', ARGV[4])",
                    "return 1");

    /**
     * What {@code EVALSHA} names the script by; Redis derives the same digest from {@link #SOURCE}.
     */
    public static final String SHA1 = sha1(SOURCE);

    private TriggerWriteScript() {}

    public static List<String> keys(RedisSettings settings, Trigger trigger) {
        return List.of(settings.userKey(trigger.userId), settings.writtenKey(trigger.triggerId));
    }

    /**
     * Times go as decimal strings: Lua would print a large number in a form Redis does not accept
     * for PXAT.
     */
    public static List<String> args(Trigger trigger) {
        return List.of(
                TriggerJson.toJson(trigger),
                Long.toString(trigger.expiresAt),
                Long.toString(trigger.ts),
                Long.toString(trigger.expiresAt + MARKER_GRACE_MS));
    }

    private static String sha1(String text) {
        try {
            byte[] digest =
                    MessageDigest.getInstance("SHA-1")
                            .digest(text.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-1 is required of every Java platform", e);
        }
    }
}
