package io.guidance.pipeline.redis;

import java.io.Serializable;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Where and how the trigger sink writes to Redis: one immutable value, validated once when the job
 * starts, shipped to every writer with the serialized sink.
 *
 * <p>Connection settings come either from {@code redis.host}/{@code redis.port}/{@code
 * redis.database}/{@code redis.tls} or from a single {@code redis.uri} ({@code redis://} or {@code
 * rediss://} for TLS, {@code [user:password@]host[:port][/database]}), which wins. Credentials may
 * be given in the URI or as {@code redis.user} and {@code redis.password}, so that a URI can live
 * in a config file while the password comes from a secret; giving them both ways is rejected.
 *
 * <p>{@link #toString()} never shows the password.
 */
public final class RedisSettings implements Serializable {
    private static final long serialVersionUID = 1L;

    public static final String HOST = "redis.host";
    public static final String PORT = "redis.port";
    public static final String URI_KEY = "redis.uri";
    public static final String DATABASE = "redis.database";
    public static final String USER = "redis.user";
    public static final String PASSWORD = "redis.password";
    public static final String TLS = "redis.tls";
    public static final String TIMEOUT = "redis.timeout";
    public static final String PREFIX = "redis.prefix";
    public static final String BATCH_SIZE = "redis.batchSize";
    public static final String MAX_PENDING = "redis.maxPending";
    public static final String RETRY_BACKOFF = "redis.retryBackoff";
    public static final String RETRY_BACKOFF_MAX = "redis.retryBackoffMax";
    public static final String FLUSH_INTERVAL = "redis.flushInterval";

    private static final List<String> KEYS =
            List.of(
                    HOST,
                    PORT,
                    URI_KEY,
                    DATABASE,
                    USER,
                    PASSWORD,
                    TLS,
                    TIMEOUT,
                    PREFIX,
                    BATCH_SIZE,
                    MAX_PENDING,
                    RETRY_BACKOFF,
                    RETRY_BACKOFF_MAX,
                    FLUSH_INTERVAL);

    /**
     * How long a delivered trigger may wait in the buffer before it is written, when no batch fills
     * up.
     */
    public static final Duration DEFAULT_FLUSH_INTERVAL = Duration.ofMillis(50);

    public static final String DEFAULT_HOST = "localhost";
    public static final int DEFAULT_PORT = 6379;
    public static final String DEFAULT_PREFIX = "guidance";
    public static final int DEFAULT_BATCH_SIZE = 500;
    public static final int DEFAULT_MAX_PENDING = 100_000;
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(2);
    public static final Duration DEFAULT_RETRY_BACKOFF = Duration.ofMillis(100);
    public static final Duration DEFAULT_RETRY_BACKOFF_MAX = Duration.ofSeconds(5);

    private static final Pattern DURATION = Pattern.compile("(\\d{1,12})(ms|s|m|h|d)");

    private final String host;
    private final int port;
    private final int database;
    private final String user;
    private final String password;
    private final boolean tls;
    private final Duration timeout;
    private final String keyPrefix;
    private final int batchSize;
    private final int maxPending;
    private final Duration retryBackoff;
    private final Duration retryBackoffMax;
    private final Duration flushInterval;

    private RedisSettings(Builder b) {
        this.host = b.host;
        this.port = b.port;
        this.database = b.database;
        this.user = b.user;
        this.password = b.password;
        this.tls = b.tls;
        this.timeout = b.timeout;
        this.keyPrefix = b.keyPrefix;
        this.batchSize = b.batchSize;
        this.maxPending = b.maxPending;
        this.retryBackoff = b.retryBackoff;
        this.retryBackoffMax = b.retryBackoffMax;
        this.flushInterval = b.flushInterval;
    }

    public static Builder builder() {
        return new Builder();
    }

    public Builder toBuilder() {
        Builder b = new Builder();
        b.host = host;
        b.port = port;
        b.database = database;
        b.user = user;
        b.password = password;
        b.tls = tls;
        b.timeout = timeout;
        b.keyPrefix = keyPrefix;
        b.batchSize = batchSize;
        b.maxPending = maxPending;
        b.retryBackoff = retryBackoff;
        b.retryBackoffMax = retryBackoffMax;
        b.flushInterval = flushInterval;
        return b;
    }

    /**
     * Reads the {@code redis.*} entries of a job configuration; other entries are ignored, an
     * unknown {@code redis.*} key is rejected so that a misspelt setting does not silently fall
     * back to its default. An empty value means "not set" for {@code redis.uri}, {@code redis.user}
     * and {@code redis.password}. A non-empty {@code redis.uri} wins over {@code redis.host},
     * {@code redis.port}, {@code redis.database} and {@code redis.tls}, which a job configuration
     * always carries with their defaults.
     *
     * @throws IllegalArgumentException naming the key when a value is malformed, out of range or
     *     conflicting
     */
    public static RedisSettings fromMap(Map<String, String> config) {
        TreeSet<String> unknown = new TreeSet<>();
        for (String key : config.keySet()) {
            if (key.startsWith("redis.") && !KEYS.contains(key)) {
                unknown.add(key);
            }
        }
        if (!unknown.isEmpty()) {
            throw new IllegalArgumentException(
                    "unknown Redis setting "
                            + String.join(", ", unknown)
                            + "; known settings: "
                            + String.join(", ", KEYS));
        }

        Builder b = builder();
        String uri = emptyToNull(config.get(URI_KEY));
        if (uri != null) {
            b.uri(uri);
        } else {
            if (config.containsKey(HOST)) {
                b.host(config.get(HOST));
            }
            if (config.containsKey(PORT)) {
                b.port(parseInt(PORT, config.get(PORT)));
            }
            if (config.containsKey(DATABASE)) {
                b.database(parseInt(DATABASE, config.get(DATABASE)));
            }
            if (config.containsKey(TLS)) {
                b.tls(parseBoolean(TLS, config.get(TLS)));
            }
        }
        String user = emptyToNull(config.get(USER));
        String password = emptyToNull(config.get(PASSWORD));
        if ((user != null && b.user != null) || (password != null && b.password != null)) {
            throw new IllegalArgumentException(
                    (user != null ? USER : PASSWORD)
                            + " cannot be combined with a "
                            + URI_KEY
                            + " that already holds credentials");
        }
        if (user != null) {
            b.user(user);
        }
        if (password != null) {
            b.password(password);
        }
        if (config.containsKey(TIMEOUT)) {
            b.timeout(parseDuration(TIMEOUT, config.get(TIMEOUT)));
        }
        if (config.containsKey(PREFIX)) {
            b.keyPrefix(config.get(PREFIX));
        }
        if (config.containsKey(BATCH_SIZE)) {
            b.batchSize(parseInt(BATCH_SIZE, config.get(BATCH_SIZE)));
        }
        if (config.containsKey(MAX_PENDING)) {
            b.maxPending(parseInt(MAX_PENDING, config.get(MAX_PENDING)));
        }
        b.retryBackoff(
                config.containsKey(RETRY_BACKOFF)
                        ? parseDuration(RETRY_BACKOFF, config.get(RETRY_BACKOFF))
                        : DEFAULT_RETRY_BACKOFF,
                config.containsKey(RETRY_BACKOFF_MAX)
                        ? parseDuration(RETRY_BACKOFF_MAX, config.get(RETRY_BACKOFF_MAX))
                        : DEFAULT_RETRY_BACKOFF_MAX);
        if (config.containsKey(FLUSH_INTERVAL)) {
            b.flushInterval(parseDuration(FLUSH_INTERVAL, config.get(FLUSH_INTERVAL)));
        }
        return b.build();
    }

    public String host() {
        return host;
    }

    public int port() {
        return port;
    }

    public int database() {
        return database;
    }

    /** Null for the default user. */
    public String user() {
        return user;
    }

    /** Null when Redis requires no password. */
    public String password() {
        return password;
    }

    public boolean tls() {
        return tls;
    }

    /** Bounds both connecting and every reply, so no call into Redis blocks longer. */
    public Duration timeout() {
        return timeout;
    }

    public String keyPrefix() {
        return keyPrefix;
    }

    /**
     * Triggers per pipelined round trip; also the buffer size at which a writer writes without
     * waiting for a flush.
     */
    public int batchSize() {
        return batchSize;
    }

    /**
     * Triggers a writer buffers while Redis is unreachable before it stops accepting more
     * (back-pressure).
     */
    public int maxPending() {
        return maxPending;
    }

    public Duration retryBackoff() {
        return retryBackoff;
    }

    public Duration retryBackoffMax() {
        return retryBackoffMax;
    }

    /**
     * The longest a delivered trigger waits in the buffer when no batch fills up and no checkpoint
     * comes.
     */
    public Duration flushInterval() {
        return flushInterval;
    }

    /** The Redis key a front end polls for this user (SPEC section 5). */
    public String userKey(String userId) {
        return keyPrefix + ":user:" + userId;
    }

    /**
     * The key that records that a trigger id was written or acknowledged, so that it is never
     * written again.
     */
    public String writtenKey(String triggerId) {
        return keyPrefix + ":written:" + triggerId;
    }

    @Override
    public boolean equals(Object o) {
        if (this == o) return true;
        if (!(o instanceof RedisSettings)) return false;
        RedisSettings s = (RedisSettings) o;
        return port == s.port
                && database == s.database
                && tls == s.tls
                && batchSize == s.batchSize
                && maxPending == s.maxPending
                && host.equals(s.host)
                && Objects.equals(user, s.user)
                && Objects.equals(password, s.password)
                && timeout.equals(s.timeout)
                && keyPrefix.equals(s.keyPrefix)
                && retryBackoff.equals(s.retryBackoff)
                && retryBackoffMax.equals(s.retryBackoffMax)
                && flushInterval.equals(s.flushInterval);
    }

    @Override
    public int hashCode() {
        return Objects.hash(host, port, database, keyPrefix);
    }

    @Override
    public String toString() {
        return "RedisSettings{"
                + (tls ? "rediss://" : "redis://")
                + (user == null ? "" : user + '@')
                + host
                + ':'
                + port
                + '/'
                + database
                + (password == null ? "" : " password=***")
                + " timeout="
                + timeout.toMillis()
                + "ms prefix="
                + keyPrefix
                + " batchSize="
                + batchSize
                + " maxPending="
                + maxPending
                + " retryBackoff="
                + retryBackoff.toMillis()
                + ".."
                + retryBackoffMax.toMillis()
                + "ms}";
    }

    /**
     * Parses the SPEC's duration syntax: a whole number followed by {@code ms}, {@code s}, {@code
     * m}, {@code h} or {@code d}.
     */
    static Duration parseDuration(String key, String value) {
        Matcher m = value == null ? null : DURATION.matcher(value.trim());
        if (m == null || !m.matches()) {
            throw new IllegalArgumentException(
                    key
                            + ": expected a duration such as 500ms, 8s, 2m, 1h or 10d, got '"
                            + value
                            + "'");
        }
        long n = Long.parseLong(m.group(1));
        switch (m.group(2)) {
            case "ms":
                return Duration.ofMillis(n);
            case "s":
                return Duration.ofSeconds(n);
            case "m":
                return Duration.ofMinutes(n);
            case "h":
                return Duration.ofHours(n);
            default:
                return Duration.ofDays(n);
        }
    }

    private static int parseInt(String key, String value) {
        try {
            return Integer.parseInt(value == null ? "" : value.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(key + ": expected an integer, got '" + value + "'");
        }
    }

    private static boolean parseBoolean(String key, String value) {
        String v = value == null ? "" : value.trim();
        if (v.equalsIgnoreCase("true")) return true;
        if (v.equalsIgnoreCase("false")) return false;
        throw new IllegalArgumentException(key + ": expected true or false, got '" + value + "'");
    }

    private static String emptyToNull(String s) {
        return s == null || s.isEmpty() ? null : s;
    }

    private static String decode(String s) {
        return URLDecoder.decode(s.replace("+", "%2B"), StandardCharsets.UTF_8);
    }

    /**
     * Collects and checks settings; {@link #build()} rejects an out-of-range value with the key it
     * came from.
     */
    public static final class Builder {
        private String host = DEFAULT_HOST;
        private int port = DEFAULT_PORT;
        private int database;
        private String user;
        private String password;
        private boolean tls;
        private Duration timeout = DEFAULT_TIMEOUT;
        private String keyPrefix = DEFAULT_PREFIX;
        private int batchSize = DEFAULT_BATCH_SIZE;
        private int maxPending = DEFAULT_MAX_PENDING;
        private Duration retryBackoff = DEFAULT_RETRY_BACKOFF;
        private Duration retryBackoffMax = DEFAULT_RETRY_BACKOFF_MAX;
        private Duration flushInterval = DEFAULT_FLUSH_INTERVAL;

        private Builder() {}

        public Builder flushInterval(Duration interval) {
            this.flushInterval = interval;
            return this;
        }

        public Builder host(String host) {
            this.host = host;
            return this;
        }

        public Builder port(int port) {
            this.port = port;
            return this;
        }

        /**
         * Sets host, port, TLS, database and any credentials from a {@code redis://} or {@code
         * rediss://} URI. Error messages never repeat the URI, since it may hold a password.
         */
        public Builder uri(String uri) {
            URI u;
            try {
                u = new URI(uri.trim());
            } catch (URISyntaxException | NullPointerException e) {
                throw new IllegalArgumentException(URI_KEY + ": not a valid URI");
            }
            String scheme = u.getScheme();
            if (!"redis".equalsIgnoreCase(scheme) && !"rediss".equalsIgnoreCase(scheme)) {
                throw new IllegalArgumentException(
                        URI_KEY
                                + ": expected scheme redis:// or rediss://, got "
                                + (scheme == null ? "none" : scheme + "://"));
            }
            if (u.getHost() == null) {
                throw new IllegalArgumentException(
                        URI_KEY
                                + ": no host, expected redis://[user:password@]host[:port][/database]");
            }
            if (u.getRawQuery() != null || u.getRawFragment() != null) {
                throw new IllegalArgumentException(
                        URI_KEY
                                + ": query parameters are not supported; use the other "
                                + "redis.* settings");
            }
            String path = u.getPath() == null ? "" : u.getPath();
            int db = 0;
            if (!path.isEmpty() && !path.equals("/")) {
                try {
                    db = Integer.parseInt(path.substring(1));
                } catch (NumberFormatException e) {
                    throw new IllegalArgumentException(
                            URI_KEY + ": the path must be a database number, such as /0");
                }
            }
            String userInfo = u.getRawUserInfo();
            String newUser = null;
            String newPassword = null;
            if (userInfo != null) {
                int colon = userInfo.indexOf(':');
                if (colon < 0) {
                    throw new IllegalArgumentException(
                            URI_KEY
                                    + ": credentials must be written user:password@ or "
                                    + ":password@");
                }
                newUser = emptyToNull(decode(userInfo.substring(0, colon)));
                newPassword = emptyToNull(decode(userInfo.substring(colon + 1)));
            }
            String h = u.getHost();
            this.host = h.startsWith("[") && h.endsWith("]") ? h.substring(1, h.length() - 1) : h;
            this.port = u.getPort() == -1 ? DEFAULT_PORT : u.getPort();
            this.tls = "rediss".equalsIgnoreCase(scheme);
            this.database = db;
            this.user = newUser;
            this.password = newPassword;
            return this;
        }

        public Builder database(int database) {
            this.database = database;
            return this;
        }

        public Builder user(String user) {
            this.user = emptyToNull(user);
            return this;
        }

        public Builder password(String password) {
            this.password = emptyToNull(password);
            return this;
        }

        public Builder tls(boolean tls) {
            this.tls = tls;
            return this;
        }

        public Builder timeout(Duration timeout) {
            this.timeout = timeout;
            return this;
        }

        public Builder keyPrefix(String keyPrefix) {
            this.keyPrefix = keyPrefix;
            return this;
        }

        public Builder batchSize(int batchSize) {
            this.batchSize = batchSize;
            return this;
        }

        public Builder maxPending(int maxPending) {
            this.maxPending = maxPending;
            return this;
        }

        /**
         * Waits between attempts while Redis is unreachable: doubling from {@code initial}, capped
         * at {@code max}.
         */
        public Builder retryBackoff(Duration initial, Duration max) {
            this.retryBackoff = initial;
            this.retryBackoffMax = max;
            return this;
        }

        public RedisSettings build() {
            if (host == null || host.isBlank()) {
                throw new IllegalArgumentException(HOST + ": must not be empty");
            }
            check(port >= 1 && port <= 65535, PORT, "expected a port in [1, 65535], got " + port);
            check(database >= 0, DATABASE, "expected a database number >= 0, got " + database);
            checkPositive(TIMEOUT, timeout);
            check(
                    timeout.toMillis() <= Integer.MAX_VALUE,
                    TIMEOUT,
                    "at most " + Integer.MAX_VALUE + "ms");
            check(
                    keyPrefix != null
                            && !keyPrefix.isEmpty()
                            && keyPrefix.chars().noneMatch(Character::isWhitespace),
                    PREFIX,
                    "must be non-empty and without spaces, got '" + keyPrefix + "'");
            check(batchSize >= 1, BATCH_SIZE, "expected at least 1, got " + batchSize);
            check(maxPending >= 1, MAX_PENDING, "expected at least 1, got " + maxPending);
            checkPositive(RETRY_BACKOFF, retryBackoff);
            checkPositive(RETRY_BACKOFF_MAX, retryBackoffMax);
            checkPositive(FLUSH_INTERVAL, flushInterval);
            check(
                    retryBackoffMax.compareTo(retryBackoff) >= 0,
                    RETRY_BACKOFF_MAX,
                    "must not be shorter than " + RETRY_BACKOFF + " (" + retryBackoff + ")");
            return new RedisSettings(this);
        }

        private static void checkPositive(String key, Duration d) {
            check(
                    d != null && !d.isNegative() && !d.isZero() && d.toMillis() > 0,
                    key,
                    "expected a positive duration of at least 1ms, got " + d);
        }

        private static void check(boolean ok, String key, String message) {
            if (!ok) {
                throw new IllegalArgumentException(key + ": " + message);
            }
        }
    }
}
