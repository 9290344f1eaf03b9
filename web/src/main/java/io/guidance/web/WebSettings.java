package io.guidance.web;

import io.guidance.pipeline.JobConfig;
import io.guidance.pipeline.redis.RedisSettings;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * The HTTP service's settings: the {@code web.*} section of the job's settings file, plus the job's
 * own {@code kafka.*} and {@code redis.*} settings, so that the service writes to the topic the job
 * reads and reads the keys the job writes. Same file and {@code --key value} overrides as {@link
 * JobConfig}; an unknown {@code web.*} key or a bad value fails at once with the key named.
 */
public final class WebSettings {
    /** Every {@code web.*} key, with its default. */
    static final Map<String, String> DEFAULTS;

    static {
        Map<String, String> d = new LinkedHashMap<>();
        d.put("web.host", "0.0.0.0");
        d.put("web.port", "8080");
        d.put("web.allowedOrigins", "");
        d.put("web.maxBodyBytes", "262144");
        d.put("web.maxBatchEvents", "100");
        d.put("web.rateLimit", "20");
        d.put("web.clientIpHeader", "");
        d.put("web.tokenSecret", "");
        d.put("web.demoShop", "false");
        DEFAULTS = Collections.unmodifiableMap(d);
    }

    private final JobConfig job;
    private final Map<String, String> values;

    private WebSettings(JobConfig job, Map<String, String> values) {
        this.job = job;
        this.values = Collections.unmodifiableMap(new TreeMap<>(values));
        // fail fast on every typed value
        port();
        maxBodyBytes();
        maxBatchEvents();
        rateLimit();
        demoShop();
        redis();
    }

    /**
     * Reads {@code file} (may be null for defaults only), then applies {@code overrides} ({@code
     * web.*} and job keys).
     */
    public static WebSettings load(Path file, Map<String, String> overrides) throws IOException {
        Map<String, String> web = new LinkedHashMap<>(DEFAULTS);
        Map<String, String> jobOverrides = new LinkedHashMap<>();
        if (file != null) {
            for (Map.Entry<String, String> e : JobConfig.readFlat(file).entrySet()) {
                if (e.getKey().startsWith("web.")) {
                    put(web, e.getKey(), e.getValue(), file.toString());
                }
            }
        }
        for (Map.Entry<String, String> o : overrides.entrySet()) {
            if (o.getKey().startsWith("web.")) {
                put(web, o.getKey(), o.getValue(), "--" + o.getKey());
            } else {
                jobOverrides.put(o.getKey(), o.getValue());
            }
        }
        return new WebSettings(JobConfig.load(file, jobOverrides), web);
    }

    /** The job's settings as they are, with {@code web} ({@code web.*} keys) over the defaults. */
    public static WebSettings of(JobConfig job, Map<String, String> web) {
        Map<String, String> v = new LinkedHashMap<>(DEFAULTS);
        web.forEach((k, value) -> put(v, k, value, "setting"));
        return new WebSettings(job, v);
    }

    /** {@code --config FILE} and {@code --key value} pairs, as the job takes them. */
    public static WebSettings fromArgs(String[] args) throws IOException {
        JobConfig.CommandLine line = JobConfig.CommandLine.parse(args);
        return load(line.file(), line.overrides());
    }

    private static void put(Map<String, String> out, String key, String value, String source) {
        if (!DEFAULTS.containsKey(key)) {
            throw new IllegalArgumentException(
                    source
                            + ": unknown setting '"
                            + key
                            + "' (known: "
                            + String.join(", ", DEFAULTS.keySet())
                            + ")");
        }
        out.put(key, value == null ? "" : value);
    }

    public WebSettings with(String key, String value) {
        Map<String, String> v = new LinkedHashMap<>(values);
        put(v, key, value, "setting");
        return new WebSettings(job, v);
    }

    public JobConfig job() {
        return job;
    }

    public RedisSettings redis() {
        return RedisSettings.fromMap(job.withPrefix("redis."));
    }

    public String get(String key) {
        String v = values.get(key);
        if (v == null) {
            throw new IllegalArgumentException("unknown setting '" + key + "'");
        }
        return v;
    }

    /** The address to listen on; {@code 0.0.0.0} for every interface. */
    public String host() {
        return get("web.host").trim();
    }

    /** Zero picks a free port ({@link GuidanceWebServer#port()} tells which). */
    public int port() {
        int p = intValue("web.port", 0);
        if (p > 65535) {
            throw new IllegalArgumentException("web.port: must be in [0, 65535], not " + p);
        }
        return p;
    }

    /**
     * Origins that may call the API from a browser (CORS): empty for none (same origin only),
     * {@code *} for any, or a comma-separated list such as {@code
     * https://shop.example.com,https://www.example.com}.
     */
    public List<String> allowedOrigins() {
        String s = get("web.allowedOrigins").trim();
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
        return intValue("web.maxBodyBytes", 1);
    }

    /** The most events in one {@code POST /v1/events}; more get 413. */
    public int maxBatchEvents() {
        return intValue("web.maxBatchEvents", 1);
    }

    /**
     * Requests per second per client (a token bucket holding one second's worth); zero turns the
     * limit off.
     */
    public double rateLimit() {
        double r;
        try {
            r = Double.parseDouble(get("web.rateLimit").trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(
                    "web.rateLimit: must be a number of requests per second, not '"
                            + get("web.rateLimit")
                            + "'");
        }
        if (!(r >= 0) || Double.isInfinite(r)) {
            throw new IllegalArgumentException(
                    "web.rateLimit: must be zero (off) or more, not " + r);
        }
        return r;
    }

    /**
     * The request header that names the client for the rate limit, when the service runs behind a
     * proxy (e.g. {@code X-Forwarded-For}, first address); empty to use the connection's address.
     */
    public Optional<String> clientIpHeader() {
        String s = get("web.clientIpHeader").trim();
        return s.isEmpty() ? Optional.empty() : Optional.of(s);
    }

    /** When set, every API call must carry a token for its user; see {@link UserTokens}. */
    public Optional<String> tokenSecret() {
        String s = get("web.tokenSecret");
        return s.isEmpty() ? Optional.empty() : Optional.of(s);
    }

    /** Serve the demo shop (and its session endpoint) beside the API; for demos only. */
    public boolean demoShop() {
        String s = get("web.demoShop").trim();
        if (s.equalsIgnoreCase("true")) return true;
        if (s.equalsIgnoreCase("false")) return false;
        throw new IllegalArgumentException("web.demoShop: must be true or false, not '" + s + "'");
    }

    private int intValue(String key, int min) {
        try {
            int v = Integer.parseInt(get(key).trim());
            if (v < min) {
                throw new NumberFormatException();
            }
            return v;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(
                    key
                            + ": must be a whole number of at least "
                            + min
                            + ", not '"
                            + get(key)
                            + "'");
        }
    }

    @Override
    public String toString() {
        Map<String, String> shown = new TreeMap<>(values);
        if (!shown.get("web.tokenSecret").isEmpty()) {
            shown.put("web.tokenSecret", "***");
        }
        return "WebSettings" + shown;
    }
}
