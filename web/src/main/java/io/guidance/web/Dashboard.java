package io.guidance.web;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.javalin.Javalin;
import io.javalin.http.Context;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import redis.clients.jedis.RedisClient;
import redis.clients.jedis.exceptions.JedisException;

/**
 * The live dashboard for data teams, with {@code web.dashboard}: a page at {@code /dashboard} that
 * polls {@code GET /dashboard/api/summary} ({@link DashboardSummary}) every few seconds and draws
 * experiments and guide funnels. Read-only: it only reads the hashes the job writes.
 *
 * <p>With {@code web.dashboardToken} the page and the API need the token, as {@code Authorization:
 * Bearer TOKEN} or, for the page only, {@code ?token=TOKEN} (the page's script then sends it as the
 * header). The page's script and style sheet hold no data and are served to anyone.
 */
final class Dashboard {
    private static final Logger LOG = LoggerFactory.getLogger(Dashboard.class);

    static final String PATH = "/dashboard";
    static final String API = PATH + "/api/summary";
    private static final String RESOURCES = "/io/guidance/web/dashboard";

    /** Everything the page loads comes from the service itself; nothing from elsewhere. */
    private static final String CONTENT_SECURITY_POLICY =
            "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:;"
                    + " connect-src 'self'; base-uri 'none'; form-action 'none';"
                    + " frame-ancestors 'none'";

    private final Optional<byte[]> tokenDigest;
    private final DashboardSummary summary;
    private final ObjectMapper mapper = new ObjectMapper();

    private Dashboard(WebSettings settings, RedisClient redis) {
        this.tokenDigest = settings.dashboardToken().map(Dashboard::sha256);
        this.summary =
                new DashboardSummary(
                        redis, settings.dashboardPrefixes(), System::currentTimeMillis);
    }

    /**
     * Adds the dashboard's routes when {@code web.dashboard} is on; otherwise they do not exist.
     */
    static void register(Javalin app, WebSettings settings, RedisClient redis) {
        if (!settings.dashboard()) {
            return;
        }
        Dashboard d = new Dashboard(settings, redis);
        app.get(PATH, d::page);
        app.get(PATH + "/", d::page);
        app.get(PATH + "/dashboard.js", ctx -> asset(ctx, "dashboard.js", "text/javascript"));
        app.get(PATH + "/dashboard.css", ctx -> asset(ctx, "dashboard.css", "text/css"));
        app.get(API, d::api);
        LOG.info(
                "Dashboard on {}{} for Redis prefixes {}",
                PATH,
                d.tokenDigest.isPresent() ? " (token required)" : "",
                settings.dashboardPrefixes());
    }

    private void page(Context ctx) throws IOException {
        if (!authorized(ctx, ctx.queryParam("token"))) {
            return;
        }
        secure(ctx);
        ctx.header("Content-Security-Policy", CONTENT_SECURITY_POLICY);
        ctx.contentType("text/html; charset=utf-8").result(resource("dashboard.html"));
    }

    private void api(Context ctx) throws JsonProcessingException {
        if (!authorized(ctx, null)) {
            return;
        }
        secure(ctx);
        try {
            ctx.contentType("application/json").result(mapper.writeValueAsBytes(summary.summary()));
        } catch (JedisException e) {
            error(ctx, 503, "redis_unavailable", "Redis cannot be read: " + e.getMessage());
        }
    }

    /**
     * Whether the request carries the token (or none is configured); answers 401 when it does not.
     *
     * @param fromQuery the page's {@code ?token=}, or null where only the header counts
     */
    private boolean authorized(Context ctx, String fromQuery) throws JsonProcessingException {
        if (tokenDigest.isEmpty()) {
            return true;
        }
        String given = null;
        String header = ctx.header("Authorization");
        if (header != null && header.regionMatches(true, 0, "Bearer ", 0, 7)) {
            given = header.substring(7).trim();
        } else if (fromQuery != null) {
            given = fromQuery;
        }
        // digests of equal length, compared in constant time: neither the token's characters
        // nor its length leak through the answer's timing
        if (given != null && MessageDigest.isEqual(sha256(given), tokenDigest.get())) {
            return true;
        }
        ctx.header("WWW-Authenticate", "Bearer realm=\"guidance dashboard\"");
        error(
                ctx,
                401,
                "unauthorized",
                given == null
                        ? "the dashboard needs its token (web.dashboardToken): Authorization:"
                                + " Bearer TOKEN, or open /dashboard?token=TOKEN"
                        : "wrong dashboard token");
        return false;
    }

    private static void secure(Context ctx) {
        // same origin only, whatever web.allowedOrigins lets other sites do with the API
        ctx.res().setHeader("Access-Control-Allow-Origin", null);
        ctx.res().setHeader("Access-Control-Expose-Headers", null);
        ctx.header("Cache-Control", "no-store");
        // the page's address may hold the token
        ctx.header("Referrer-Policy", "no-referrer");
        ctx.header("X-Content-Type-Options", "nosniff");
    }

    private static void asset(Context ctx, String file, String type) throws IOException {
        ctx.header("X-Content-Type-Options", "nosniff");
        ctx.contentType(type + "; charset=utf-8").result(resource(file));
    }

    private static byte[] resource(String file) throws IOException {
        try (InputStream in = Dashboard.class.getResourceAsStream(RESOURCES + "/" + file)) {
            if (in == null) {
                throw new IOException("missing from the classpath: " + RESOURCES + "/" + file);
            }
            return in.readAllBytes();
        }
    }

    private void error(Context ctx, int status, String error, String detail)
            throws JsonProcessingException {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("error", error);
        m.put("detail", detail);
        ctx.status(status).contentType("application/json").result(mapper.writeValueAsBytes(m));
    }

    private static byte[] sha256(String s) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JVM has SHA-256", e);
        }
    }
}
