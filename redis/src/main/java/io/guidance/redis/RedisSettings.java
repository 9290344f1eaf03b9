package io.guidance.redis;

import io.guidance.config.Setting;
import java.io.IOException;
import java.io.Serializable;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeSet;

/**
 * Where and how the trigger sink writes to Redis: one immutable value, validated once when the job
 * starts, shipped to every writer with the serialized sink.
 *
 * <p>Connection settings come either from {@code redis.host}/{@code redis.port}/{@code
 * redis.database}/{@code redis.tls} or from a single {@code redis.uri} ({@code redis://} or {@code
 * rediss://} for TLS, {@code [user:password@]host[:port][/database]}), which wins. Credentials may
 * be given in the URI or as {@code redis.user} and {@code redis.password}, so that a URI can live
 * in a config file while the password comes from a secret; giving them both ways is rejected. TLS
 * trusts the JVM's trust store, or only the CA certificates of {@code redis.tls.caFile}, and checks
 * that the server's certificate names the host.
 *
 * <p>{@link #toString()} never shows the password.
 */
public final class RedisSettings implements Serializable {
    private static final long serialVersionUID = 1L;

    public static final Setting<String> HOST =
            Setting.text("redis.host", "localhost", "Redis host (redis.uri wins)");
    public static final Setting<Integer> PORT =
            Setting.integer("redis.port", 6379, 1, 65535, "Redis port (redis.uri wins)");
    public static final Setting<String> URI_KEY =
            Setting.text(
                    "redis.uri",
                    "",
                    "redis:// or rediss:// (TLS) URI, [user:password@]host[:port][/database]; wins"
                            + " over host, port, database and tls");
    public static final Setting<Integer> DATABASE =
            Setting.integer("redis.database", 0, 0, Integer.MAX_VALUE, "database number");
    public static final Setting<String> USER = Setting.text("redis.user", "", "ACL user");
    public static final Setting<String> PASSWORD = Setting.text("redis.password", "", "password");
    public static final Setting<Boolean> TLS = Setting.flag("redis.tls", false, "TLS");

    /**
     * The CA certificates (PEM) that a TLS connection trusts instead of the JVM's trust store, for
     * a Redis whose certificate a private CA signed. Read once when the settings are built and
     * carried with them, so the job's writers need no copy of the file on every TaskManager.
     */
    public static final Setting<String> TLS_CA_FILE =
            Setting.text(
                    "redis.tls.caFile",
                    "",
                    "PEM file of the CA certificates to trust for TLS instead of the JVM's trust"
                            + " store");

    public static final Setting<Duration> TIMEOUT =
            Setting.duration("redis.timeout", "2s", false, "connect and socket timeout");
    public static final Setting<String> PREFIX =
            Setting.text("redis.prefix", "guidance", "key prefix");
    public static final Setting<Integer> BATCH_SIZE =
            Setting.integer("redis.batchSize", 500, 1, Integer.MAX_VALUE, "pipelined batch size");
    public static final Setting<Integer> MAX_PENDING =
            Setting.integer(
                    "redis.maxPending",
                    100_000,
                    1,
                    Integer.MAX_VALUE,
                    "triggers held while Redis is down");
    public static final Setting<Duration> RETRY_BACKOFF =
            Setting.duration(
                    "redis.retryBackoff",
                    "100ms",
                    false,
                    "first retry backoff while Redis is unreachable");
    public static final Setting<Duration> RETRY_BACKOFF_MAX =
            Setting.duration(
                    "redis.retryBackoffMax",
                    "5s",
                    false,
                    "longest retry backoff while Redis is unreachable");

    /**
     * How long a delivered trigger may wait in the buffer before it is written, when no batch fills
     * up.
     */
    public static final Setting<Duration> FLUSH_INTERVAL =
            Setting.duration(
                    "redis.flushInterval",
                    "50ms",
                    false,
                    "longest a delivered trigger waits before it is written");

    /** Every {@code redis.*} key, with its default: the one place Redis defaults live. */
    public static final List<Setting<?>> SETTINGS =
            List.of(
                    HOST,
                    PORT,
                    URI_KEY,
                    DATABASE,
                    USER,
                    PASSWORD,
                    TLS,
                    TLS_CA_FILE,
                    TIMEOUT,
                    PREFIX,
                    BATCH_SIZE,
                    MAX_PENDING,
                    RETRY_BACKOFF,
                    RETRY_BACKOFF_MAX,
                    FLUSH_INTERVAL);

    private final String host;
    private final int port;
    private final int database;
    private final String user;
    private final String password;
    private final boolean tls;
    private final String tlsCaFile;
    private final String tlsCaCertificates;
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
        this.tlsCaFile = b.tlsCaFile;
        this.tlsCaCertificates = b.tlsCaCertificates;
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
        b.tlsCaFile = tlsCaFile;
        b.tlsCaCertificates = tlsCaCertificates;
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
        List<String> known = SETTINGS.stream().map(Setting::key).toList();
        for (String key : config.keySet()) {
            if (key.startsWith("redis.") && !known.contains(key)) {
                unknown.add(key);
            }
        }
        if (!unknown.isEmpty()) {
            throw new IllegalArgumentException(
                    "unknown Redis setting "
                            + String.join(", ", unknown)
                            + "; known settings: "
                            + String.join(", ", known));
        }

        Builder b = builder();
        String uri = emptyToNull(config.get(URI_KEY.key()));
        if (uri != null) {
            b.uri(uri);
        } else {
            if (config.containsKey(HOST.key())) {
                b.host(config.get(HOST.key()));
            }
            if (config.containsKey(PORT.key())) {
                b.port(PORT.parse(config.get(PORT.key())));
            }
            if (config.containsKey(DATABASE.key())) {
                b.database(DATABASE.parse(config.get(DATABASE.key())));
            }
            if (config.containsKey(TLS.key())) {
                b.tls(TLS.parse(config.get(TLS.key())));
            }
        }
        String user = emptyToNull(config.get(USER.key()));
        String password = emptyToNull(config.get(PASSWORD.key()));
        if ((user != null && b.user != null) || (password != null && b.password != null)) {
            throw new IllegalArgumentException(
                    (user != null ? USER.key() : PASSWORD.key())
                            + " cannot be combined with a "
                            + URI_KEY.key()
                            + " that already holds credentials");
        }
        if (user != null) {
            b.user(user);
        }
        if (password != null) {
            b.password(password);
        }
        String caFile = emptyToNull(config.get(TLS_CA_FILE.key()));
        if (caFile != null) {
            b.tlsCaFile(caFile);
        }
        b.timeout(valueOf(TIMEOUT, config));
        if (config.containsKey(PREFIX.key())) {
            b.keyPrefix(config.get(PREFIX.key()));
        }
        b.batchSize(valueOf(BATCH_SIZE, config));
        b.maxPending(valueOf(MAX_PENDING, config));
        b.retryBackoff(valueOf(RETRY_BACKOFF, config), valueOf(RETRY_BACKOFF_MAX, config));
        b.flushInterval(valueOf(FLUSH_INTERVAL, config));
        return b.build();
    }

    /** The value {@code config} gives the setting, else its default. */
    private static <T> T valueOf(Setting<T> setting, Map<String, String> config) {
        String text = config.get(setting.key());
        return text == null ? setting.defaultValue() : setting.parse(text);
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

    /**
     * The {@code redis.tls.caFile} given, for messages; null when the JVM's trust store is used.
     */
    public String tlsCaFile() {
        return tlsCaFile;
    }

    /**
     * The PEM text of {@code redis.tls.caFile} as read when the settings were built; null when the
     * JVM's trust store is used.
     */
    public String tlsCaCertificates() {
        return tlsCaCertificates;
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

    /** The Redis hash of an experiment's running totals (SPEC section 7). */
    public String experimentKey(String experiment) {
        return keyPrefix + ":experiment:" + experiment;
    }

    /** The Redis hash of a rule's live guide funnel totals (docs/live-totals.md). */
    public String funnelKey(String ruleId) {
        return keyPrefix + ":funnel:" + ruleId;
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
                && Objects.equals(tlsCaCertificates, s.tlsCaCertificates)
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
                + (tlsCaFile == null ? "" : " caFile=" + tlsCaFile)
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
        private String host = HOST.defaultValue();
        private int port = PORT.defaultValue();
        private int database = DATABASE.defaultValue();
        private String user;
        private String password;
        private boolean tls = TLS.defaultValue();
        private String tlsCaFile;
        private String tlsCaCertificates;
        private Duration timeout = TIMEOUT.defaultValue();
        private String keyPrefix = PREFIX.defaultValue();
        private int batchSize = BATCH_SIZE.defaultValue();
        private int maxPending = MAX_PENDING.defaultValue();
        private Duration retryBackoff = RETRY_BACKOFF.defaultValue();
        private Duration retryBackoffMax = RETRY_BACKOFF_MAX.defaultValue();
        private Duration flushInterval = FLUSH_INTERVAL.defaultValue();

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
                throw new IllegalArgumentException(URI_KEY.key() + ": not a valid URI");
            }
            String scheme = u.getScheme();
            if (!"redis".equalsIgnoreCase(scheme) && !"rediss".equalsIgnoreCase(scheme)) {
                throw new IllegalArgumentException(
                        URI_KEY.key()
                                + ": expected scheme redis:// or rediss://, got "
                                + (scheme == null ? "none" : scheme + "://"));
            }
            if (u.getHost() == null) {
                throw new IllegalArgumentException(
                        URI_KEY.key()
                                + ": no host, expected redis://[user:password@]host[:port][/database]");
            }
            if (u.getRawQuery() != null || u.getRawFragment() != null) {
                throw new IllegalArgumentException(
                        URI_KEY.key()
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
                            URI_KEY.key() + ": the path must be a database number, such as /0");
                }
            }
            String userInfo = u.getRawUserInfo();
            String newUser = null;
            String newPassword = null;
            if (userInfo != null) {
                int colon = userInfo.indexOf(':');
                if (colon < 0) {
                    throw new IllegalArgumentException(
                            URI_KEY.key()
                                    + ": credentials must be written user:password@ or "
                                    + ":password@");
                }
                newUser = emptyToNull(decode(userInfo.substring(0, colon)));
                newPassword = emptyToNull(decode(userInfo.substring(colon + 1)));
            }
            String h = u.getHost();
            this.host = h.startsWith("[") && h.endsWith("]") ? h.substring(1, h.length() - 1) : h;
            this.port = u.getPort() == -1 ? PORT.defaultValue() : u.getPort();
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

        /**
         * Trusts the CA certificates of this PEM file for TLS instead of the JVM's trust store; the
         * file is read and checked now. Null or empty: the JVM's trust store.
         */
        public Builder tlsCaFile(String path) {
            String file = emptyToNull(path);
            if (file == null) {
                this.tlsCaFile = null;
                this.tlsCaCertificates = null;
                return this;
            }
            String pem;
            try {
                pem = Files.readString(Path.of(file), StandardCharsets.US_ASCII);
            } catch (IOException | InvalidPathException e) {
                throw new IllegalArgumentException(
                        TLS_CA_FILE.key() + ": cannot read " + file + " (" + e + ")");
            }
            try {
                TlsTrust.certificates(pem);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(
                        TLS_CA_FILE.key() + ": " + file + " " + e.getMessage());
            }
            this.tlsCaFile = file;
            this.tlsCaCertificates = pem;
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
                throw new IllegalArgumentException(HOST.key() + ": must not be empty");
            }
            check(
                    port >= 1 && port <= 65535,
                    PORT.key(),
                    "expected a port in [1, 65535], got " + port);
            check(
                    database >= 0,
                    DATABASE.key(),
                    "expected a database number >= 0, got " + database);
            check(
                    tlsCaFile == null || tls,
                    TLS_CA_FILE.key(),
                    "is set but TLS is off: use a rediss:// "
                            + URI_KEY.key()
                            + " or "
                            + TLS.key()
                            + ": true");
            checkPositive(TIMEOUT.key(), timeout);
            check(
                    timeout.toMillis() <= Integer.MAX_VALUE,
                    TIMEOUT.key(),
                    "at most " + Integer.MAX_VALUE + "ms");
            check(
                    keyPrefix != null
                            && !keyPrefix.isEmpty()
                            && keyPrefix.chars().noneMatch(Character::isWhitespace),
                    PREFIX.key(),
                    "must be non-empty and without spaces, got '" + keyPrefix + "'");
            check(batchSize >= 1, BATCH_SIZE.key(), "expected at least 1, got " + batchSize);
            check(maxPending >= 1, MAX_PENDING.key(), "expected at least 1, got " + maxPending);
            checkPositive(RETRY_BACKOFF.key(), retryBackoff);
            checkPositive(RETRY_BACKOFF_MAX.key(), retryBackoffMax);
            checkPositive(FLUSH_INTERVAL.key(), flushInterval);
            check(
                    retryBackoffMax.compareTo(retryBackoff) >= 0,
                    RETRY_BACKOFF_MAX.key(),
                    "must not be shorter than " + RETRY_BACKOFF.key() + " (" + retryBackoff + ")");
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
