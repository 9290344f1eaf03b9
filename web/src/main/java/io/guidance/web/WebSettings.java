package io.guidance.web;

import io.guidance.config.JobKeys;
import io.guidance.config.Setting;
import io.guidance.config.Settings;
import io.guidance.redis.RedisSettings;
import java.io.IOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * The HTTP service's settings: the {@code web.*} section of the job's settings file, plus the job's
 * own {@code kafka.*} and {@code redis.*} settings, so that the service writes to the topic the job
 * reads and reads the keys the job writes. Same file and {@code --key value} overrides as the job;
 * an unknown key or a bad value fails at once with the key named. The job's keys are declared in
 * {@link JobKeys} and {@link RedisSettings}, so the service checks the whole file without depending
 * on the job.
 */
public final class WebSettings {
    public static final Setting<String> HOST =
            Setting.text(
                    "web.host", "0.0.0.0", "the address to listen on; 0.0.0.0 for every interface");
    public static final Setting<Integer> PORT =
            Setting.integer("web.port", 8080, 0, 65535, "the port to listen on; 0 for a free one");
    public static final Setting<String> ALLOWED_ORIGINS =
            Setting.text(
                    "web.allowedOrigins",
                    "",
                    "origins allowed to call the API from a browser (CORS): comma-separated or a"
                            + " YAML list, * for any");
    public static final Setting<Integer> MAX_BODY_BYTES =
            Setting.integer(
                    "web.maxBodyBytes",
                    262_144,
                    1,
                    Integer.MAX_VALUE,
                    "the largest request body accepted");
    public static final Setting<Integer> MAX_BATCH_EVENTS =
            Setting.integer(
                    "web.maxBatchEvents",
                    100,
                    1,
                    Integer.MAX_VALUE,
                    "the most events in one POST /v1/events");
    public static final Setting<Double> RATE_LIMIT =
            Setting.number(
                    "web.rateLimit", "20", 0, "requests per second per client; 0 turns it off");
    public static final Setting<String> CLIENT_IP_HEADER =
            Setting.text("web.clientIpHeader", "", "header naming the client behind a proxy");
    public static final Setting<String> TOKEN_SECRET =
            Setting.text("web.tokenSecret", "", "when set, API calls need a token for their user");
    public static final Setting<Boolean> DEMO_SHOP =
            Setting.flag("web.demoShop", false, "also serve the demo shop; for demos only");
    public static final Setting<Duration> SHUTDOWN_GRACE =
            Setting.duration(
                    "web.shutdownGrace",
                    "10s",
                    false,
                    "how long a stop waits for requests in flight before closing the producer");
    public static final Setting<Boolean> DASHBOARD =
            Setting.flag(
                    "web.dashboard",
                    false,
                    "serve the live dashboard at /dashboard (read-only experiment totals and guide"
                            + " funnels from Redis)");
    public static final Setting<String> DASHBOARD_TOKEN =
            Setting.text(
                    "web.dashboardToken",
                    "",
                    "when set, the dashboard needs it (Authorization: Bearer, or ?token= on the"
                            + " page); required when web.dashboard is on and web.host is not a"
                            + " loopback address");
    public static final Setting<String> DASHBOARD_PREFIXES =
            Setting.text(
                    "web.dashboardPrefixes",
                    "",
                    "the Redis key prefixes whose totals the dashboard shows, comma-separated;"
                            + " empty for redis.prefix");

    /** Every {@code web.*} key. */
    public static final List<Setting<?>> WEB_KEYS =
            List.of(
                    HOST,
                    PORT,
                    ALLOWED_ORIGINS,
                    MAX_BODY_BYTES,
                    MAX_BATCH_EVENTS,
                    RATE_LIMIT,
                    CLIENT_IP_HEADER,
                    TOKEN_SECRET,
                    DEMO_SHOP,
                    SHUTDOWN_GRACE,
                    DASHBOARD,
                    DASHBOARD_TOKEN,
                    DASHBOARD_PREFIXES);

    /** Every key of the shared settings file: the service's, then the job's and Redis's. */
    public static final List<Setting<?>> KEYS;

    static {
        List<Setting<?>> keys = new ArrayList<>(WEB_KEYS);
        keys.addAll(JobKeys.ALL);
        keys.addAll(RedisSettings.SETTINGS);
        KEYS = Collections.unmodifiableList(keys);
    }

    private final Settings values;

    private WebSettings(Settings values) {
        this.values = values;
        // the cross-key checks of the Redis settings, at once too
        redis();
        checkDashboardToken();
    }

    /**
     * Data teams' numbers are not for the open network: off loopback the dashboard needs a token.
     */
    private void checkDashboardToken() {
        if (dashboard() && dashboardToken().isEmpty() && !isLoopback(host())) {
            throw new IllegalArgumentException(
                    "web.dashboard is on and web.host "
                            + host()
                            + " is not a loopback address, so web.dashboardToken must be set"
                            + " (or listen on 127.0.0.1)");
        }
    }

    /** Whether {@code host} names only this machine; an unresolvable or wildcard one does not. */
    static boolean isLoopback(String host) {
        try {
            InetAddress[] all = InetAddress.getAllByName(host);
            return all.length > 0 && Arrays.stream(all).allMatch(InetAddress::isLoopbackAddress);
        } catch (UnknownHostException | SecurityException e) {
            return false;
        }
    }

    /**
     * Reads {@code file} (may be null for defaults only), then applies {@code overrides} ({@code
     * web.*} and job keys).
     */
    public static WebSettings load(Path file, Map<String, String> overrides) throws IOException {
        return new WebSettings(Settings.load(KEYS, List.of(), file, overrides));
    }

    /** The defaults with {@code settings} (job, Redis and {@code web.*} keys) applied. */
    public static WebSettings of(Map<String, String> settings) {
        return new WebSettings(Settings.of(KEYS, List.of(), settings));
    }

    /** {@code --config FILE} and {@code --key value} pairs, as the job takes them. */
    public static WebSettings fromArgs(String[] args) throws IOException {
        Settings.CommandLine line = Settings.CommandLine.parse(args);
        return load(line.file(), line.overrides());
    }

    public WebSettings with(String key, String value) {
        return new WebSettings(values.with(key, value));
    }

    /** The Kafka bootstrap servers of the job. */
    public String kafkaBootstrap() {
        return values.get(JobKeys.KAFKA_BOOTSTRAP);
    }

    /** The topic the job reads events from, which the service writes to. */
    public String eventsTopic() {
        return values.get(JobKeys.KAFKA_TOPIC);
    }

    public RedisSettings redis() {
        return RedisSettings.fromMap(values.withPrefix("redis."));
    }

    public String get(String key) {
        return values.text(key);
    }

    /** The address to listen on; {@code 0.0.0.0} for every interface. */
    public String host() {
        return values.get(HOST).trim();
    }

    /** Zero picks a free port ({@link GuidanceWebServer#port()} tells which). */
    public int port() {
        return values.get(PORT);
    }

    /**
     * Origins that may call the API from a browser (CORS): empty for none (same origin only),
     * {@code *} for any, or a comma-separated list such as {@code
     * https://shop.example.com,https://www.example.com}.
     */
    public List<String> allowedOrigins() {
        String s = values.get(ALLOWED_ORIGINS).trim();
        if (s.isEmpty()) {
            return List.of();
        }
        return Arrays.stream(s.split(","))
                .map(String::trim)
                .filter(o -> !o.isEmpty())
                .map(o -> o.endsWith("/") ? o.substring(0, o.length() - 1) : o)
                .collect(Collectors.toUnmodifiableList());
    }

    /** The largest request body accepted; larger ones get 413. */
    public int maxBodyBytes() {
        return values.get(MAX_BODY_BYTES);
    }

    /** The most events in one {@code POST /v1/events}; more get 413. */
    public int maxBatchEvents() {
        return values.get(MAX_BATCH_EVENTS);
    }

    /**
     * Requests per second per client (a token bucket holding one second's worth); zero turns the
     * limit off.
     */
    public double rateLimit() {
        return values.get(RATE_LIMIT);
    }

    /**
     * The request header that names the client for the rate limit, when the service runs behind a
     * proxy (e.g. {@code X-Forwarded-For}, first address); empty to use the connection's address.
     */
    public Optional<String> clientIpHeader() {
        String s = values.get(CLIENT_IP_HEADER).trim();
        return s.isEmpty() ? Optional.empty() : Optional.of(s);
    }

    /** When set, every API call must carry a token for its user; see {@link UserTokens}. */
    public Optional<String> tokenSecret() {
        String s = values.get(TOKEN_SECRET);
        return s.isEmpty() ? Optional.empty() : Optional.of(s);
    }

    /** Serve the demo shop (and its session endpoint) beside the API; for demos only. */
    public boolean demoShop() {
        return values.get(DEMO_SHOP);
    }

    /**
     * How long a stop waits for the requests in flight (a batch waiting for Kafka's acks) once the
     * service no longer accepts connections; then the producer is flushed and closed.
     */
    public Duration shutdownGrace() {
        return values.get(SHUTDOWN_GRACE);
    }

    /** Serve the live dashboard at {@code /dashboard}. */
    public boolean dashboard() {
        return values.get(DASHBOARD);
    }

    /** The token the dashboard's page and API ask for; empty when none is needed. */
    public Optional<String> dashboardToken() {
        String s = values.get(DASHBOARD_TOKEN).trim();
        return s.isEmpty() ? Optional.empty() : Optional.of(s);
    }

    /** The Redis key prefixes whose totals the dashboard shows: by default {@code redis.prefix}. */
    public List<String> dashboardPrefixes() {
        List<String> listed =
                Arrays.stream(values.get(DASHBOARD_PREFIXES).split(","))
                        .map(String::trim)
                        .filter(p -> !p.isEmpty())
                        .distinct()
                        .collect(Collectors.toUnmodifiableList());
        return listed.isEmpty() ? List.of(redis().keyPrefix()) : listed;
    }

    @Override
    public String toString() {
        Map<String, String> shown = new TreeMap<>(values.withPrefix("web."));
        if (!shown.get(TOKEN_SECRET.key()).isEmpty()) {
            shown.put(TOKEN_SECRET.key(), "***");
        }
        if (!shown.get(DASHBOARD_TOKEN.key()).isEmpty()) {
            shown.put(DASHBOARD_TOKEN.key(), "***");
        }
        return "WebSettings" + shown;
    }
}
