package io.guidance.web;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.guidance.event.DeadLetter;
import io.guidance.event.Event;
import io.guidance.event.EventJson;
import io.guidance.event.EventParser;
import io.guidance.event.Utf8;
import io.guidance.redis.RedisClients;
import io.guidance.redis.RedisFailures;
import io.guidance.redis.RedisSettings;
import io.guidance.redis.TriggerInbox;
import io.javalin.Javalin;
import io.javalin.http.Context;
import io.javalin.http.staticfiles.Location;
import io.javalin.util.JavalinBindException;
import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Pattern;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.handler.StatisticsHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import redis.clients.jedis.RedisClient;
import redis.clients.jedis.exceptions.JedisException;

/**
 * The HTTP layer between browsers and the pipeline: a browser can talk neither to Kafka nor to
 * Redis.
 *
 * <ul>
 *   <li>{@code POST /v1/events}: a batch of SPEC events, each checked with the job's parser; the
 *       good ones go to the events topic, one record each, keyed by {@code userId}; the answer
 *       lists the refused ones and why.
 *   <li>{@code GET /v1/triggers/{userId}}: the user's pending trigger as Redis holds it, or 204.
 *   <li>{@code POST /v1/triggers/{triggerId}/ack}: acknowledges a shown trigger ({@link
 *       TriggerInbox}).
 *   <li>{@code GET /healthz} (liveness: 200 while the process serves, naming each dependency's
 *       state) and {@code GET /readyz} (readiness: 503 while Kafka or Redis is down or the service
 *       is stopping); {@code /guidance.js}; with {@code web.demoShop} the demo shop.
 *   <li>{@code GET /metrics}: Prometheus text ({@link WebMetrics}).
 * </ul>
 *
 * <p>It starts and listens whether or not Kafka and Redis can be reached ({@link
 * DependencyMonitor}); while one is down, the requests that need it get 503 with {@code
 * Retry-After}. {@link #close()} stops gracefully: see there.
 *
 * <p>CORS, body and batch limits, a per-client rate limit and the optional per-user token are set
 * by {@link WebSettings}. Served by Javalin on Jetty.
 */
public final class GuidanceWebServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(GuidanceWebServer.class);

    static final String PUBLIC = "/io/guidance/web/public";

    /** The user ids {@code POST /demo/session} hands to demo shop visitors start with this. */
    public static final String DEMO_VISITOR_PREFIX = "web-";

    private static final String JSON = "application/json";

    /** How long {@code POST /v1/events} waits for Kafka to take a batch before answering 503. */
    private static final Duration KAFKA_WAIT = Duration.ofSeconds(10);

    /** How often Kafka and Redis are checked. */
    private static final Duration CHECK_EVERY = Duration.ofSeconds(2);

    /** What a 503 for a dependency that is down tells the client to wait, in seconds. */
    private static final String RETRY_AFTER_SECONDS = "5";

    /** A SPEC rule id, the first part of a trigger id. */
    private static final Pattern RULE_ID = Pattern.compile("[a-z0-9-]+");

    private final WebSettings settings;
    private final ObjectMapper mapper =
            JsonMapper.builder()
                    .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
                    // one value per field, as the job's parser demands: no user chosen by position
                    .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
                    .build();
    private final ThreadLocal<EventParser> parsers = ThreadLocal.withInitial(EventParser::new);
    private final Optional<UserTokens> tokens;
    private final RateLimiter rateLimiter;
    private final String eventsTopic;
    private final KafkaProducer<String, byte[]> producer;
    private final RedisClient redis;
    private final TriggerInbox inbox;
    private final KafkaTopicCheck kafkaCheck;
    private final DependencyMonitor monitor;
    private final AtomicBoolean closed = new AtomicBoolean();
    private volatile Server jetty;
    private volatile boolean started;
    private final Javalin app;
    private final WebMetrics metrics = new WebMetrics();

    private GuidanceWebServer(WebSettings settings) {
        this.settings = settings;
        this.tokens = settings.tokenSecret().map(UserTokens::new);
        this.rateLimiter =
                settings.rateLimit() > 0
                        ? new RateLimiter(settings.rateLimit(), System::nanoTime)
                        : null;
        this.eventsTopic = settings.eventsTopic();
        this.producer = producer(settings);
        metrics.bindProducer(producer);
        RedisSettings redisSettings = settings.redis();
        this.redis = RedisClients.create(redisSettings, "guidance-web", 16);
        this.inbox = new TriggerInbox(redisSettings, redis);
        this.kafkaCheck = new KafkaTopicCheck(settings.kafkaBootstrap(), eventsTopic);
        this.monitor =
                new DependencyMonitor(
                        kafkaCheck::check, () -> redisCheck(redis, redisSettings), CHECK_EVERY);
        metrics.bindDependencies(monitor);
        this.app =
                Javalin.create(
                        config -> {
                            config.showJavalinBanner = false;
                            // the statistics handler counts the requests in flight, which a
                            // graceful stop waits for (see close())
                            config.jetty.modifyServer(
                                    server -> {
                                        server.setHandler(new StatisticsHandler());
                                        jetty = server;
                                    });
                            config.http.maxRequestSize = settings.maxBodyBytes();
                            config.requestLogger.http(metrics::request);
                            config.staticFiles.add(
                                    files -> {
                                        files.hostedPath = "/";
                                        files.directory = PUBLIC;
                                        files.location = Location.CLASSPATH;
                                        // without the demo shop only the snippet is served
                                        if (!settings.demoShop()) {
                                            files.skipFileFunction =
                                                    request ->
                                                            !request.getRequestURI()
                                                                    .equals("/guidance.js");
                                        }
                                    });
                        });
        routes();
    }

    /**
     * Starts the service on {@code web.host}:{@code web.port} (port 0: a free one); {@link
     * #close()} stops it.
     *
     * @throws IllegalStateException when Redis refuses the service for good (wrong credentials, a
     *     missing permission, an untrusted certificate) or the port cannot be bound, with one
     *     sentence naming the cause; an unreachable Kafka or Redis only logs a warning, and the
     *     service runs ({@code /readyz} answers 503) until it is back
     */
    public static GuidanceWebServer start(WebSettings settings) {
        GuidanceWebServer server = new GuidanceWebServer(settings);
        try {
            // throws for a lasting refusal; an unreachable Redis is the monitor's to report
            RedisClients.checkAtStart(server.redis, settings.redis(), "the web service");
            server.monitor.start();
            try {
                server.app.start(settings.host(), settings.port());
                server.started = true;
            } catch (Exception e) {
                // Javalin is Kotlin: Jetty's checked exceptions arrive undeclared
                throw new IllegalStateException(
                        "cannot listen on "
                                + settings.host()
                                + ":"
                                + settings.port()
                                + ": "
                                + (boundElsewhere(e)
                                        ? "the address is in use"
                                        : String.valueOf(e.getMessage()))
                                + " (web.host, web.port)",
                        e);
            }
        } catch (RuntimeException e) {
            server.close();
            throw e;
        }
        LOG.info(
                "Guidance web service on {}:{} (events to {}, triggers from Redis {}:{}{})",
                settings.host(),
                server.port(),
                server.eventsTopic,
                settings.redis().host(),
                settings.redis().port(),
                settings.demoShop() ? ", demo shop on" : "");
        return server;
    }

    private static boolean boundElsewhere(Throwable e) {
        for (Throwable c = e; c != null; c = c.getCause()) {
            if (c instanceof JavalinBindException || c instanceof java.net.BindException) {
                return true;
            }
            for (Throwable suppressed : c.getSuppressed()) {
                if (suppressed instanceof java.net.BindException) {
                    return true;
                }
            }
        }
        return false;
    }

    /**
     * {@code java io.guidance.web.GuidanceWebServer [--config FILE] [--key value ...]}: runs until
     * SIGTERM or Ctrl-C, then stops gracefully; the same as {@code guidance serve} ({@link
     * ServeProcess}).
     */
    public static void main(String[] args) throws Exception {
        System.exit(ServeProcess.main("GuidanceWebServer", args, System.err));
    }

    public int port() {
        return app.port();
    }

    private static KafkaProducer<String, byte[]> producer(WebSettings settings) {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, settings.kafkaBootstrap());
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        p.put(ProducerConfig.CLIENT_ID_CONFIG, "guidance-web");
        // an accepted event is on every in-sync replica, and a retried send never duplicates it
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        p.put(ProducerConfig.LINGER_MS_CONFIG, "5");
        // a request never waits on Kafka longer than this, whatever state the broker is in
        p.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, Long.toString(KAFKA_WAIT.toMillis()));
        p.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, "5000");
        p.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, Long.toString(KAFKA_WAIT.toMillis()));
        return new KafkaProducer<>(p);
    }

    private void routes() {
        app.before(this::cors);
        app.before("/v1/*", this::rateLimit);
        app.options("/v1/*", this::preflight);
        app.post("/v1/events", this::events);
        app.get("/v1/triggers/{userId}", this::pendingTrigger);
        app.post("/v1/triggers/{triggerId}/ack", this::acknowledge);
        app.get("/healthz", this::liveness);
        app.get("/readyz", this::readiness);
        app.get(WebMetrics.PATH, metrics::scrape);
        app.before("/v1/events", this::needsKafka);
        app.before("/v1/triggers/*", this::needsRedis);
        if (settings.demoShop()) {
            app.get("/", ctx -> page(ctx, "index.html"));
            app.get("/item/{itemId}", ctx -> page(ctx, "item.html"));
            app.get("/cart", ctx -> page(ctx, "cart.html"));
            app.get("/checkout", ctx -> page(ctx, "checkout.html"));
            app.post("/demo/session", this::demoSession);
        }
        // a Redis call that fails because Redis is down, between two checks of the monitor
        app.exception(
                JedisException.class,
                (e, ctx) -> {
                    if (!RedisFailures.isTransient(e)) {
                        LOG.warn("{} {} failed", ctx.method(), route(ctx), e);
                        error(ctx, 500, "internal", "the request failed; see the service's log");
                        return;
                    }
                    redisUnavailable(ctx);
                });
        Dashboard.register(app, settings, redis);
        app.exception(
                Exception.class,
                (e, ctx) -> {
                    LOG.warn("{} {} failed", ctx.method(), route(ctx), e);
                    error(ctx, 500, "internal", "the request failed; see the service's log");
                });
    }

    /**
     * The route as declared ({@code /v1/triggers/{userId}}), not the request's path: the path holds
     * user ids and trigger ids, which stay out of the log.
     */
    private static String route(Context ctx) {
        try {
            return ctx.endpointHandlerPath();
        } catch (RuntimeException noEndpoint) {
            return "(no route)";
        }
    }

    // --- CORS and limits
    // ------------------------------------------------------------------------------------------

    /** Sets CORS headers for an allowed origin; a browser blocks the answer for any other. */
    private void cors(Context ctx) {
        if (ctx.path().equals(WebMetrics.PATH)) {
            return; // for Prometheus, not for pages
        }
        String origin = ctx.header("Origin");
        if (origin != null && originAllowed(origin)) {
            ctx.header("Access-Control-Allow-Origin", origin);
            ctx.header("Access-Control-Expose-Headers", "Retry-After");
            ctx.header("Vary", "Origin");
        }
    }

    private boolean originAllowed(String origin) {
        List<String> allowed = settings.allowedOrigins();
        return allowed.contains("*") || allowed.contains(origin);
    }

    private void preflight(Context ctx) {
        String origin = ctx.header("Origin");
        if (origin == null || !originAllowed(origin)) {
            error(
                    ctx,
                    403,
                    "origin_not_allowed",
                    "origin " + origin + " is not in web.allowedOrigins");
            return;
        }
        ctx.header("Access-Control-Allow-Methods", "GET, POST, OPTIONS");
        ctx.header("Access-Control-Allow-Headers", "Authorization, Content-Type");
        ctx.header("Access-Control-Max-Age", "600");
        ctx.status(204);
    }

    private void rateLimit(Context ctx) {
        if (rateLimiter == null) {
            return;
        }
        long waitNanos = rateLimiter.acquire(client(ctx));
        if (waitNanos > 0) {
            long seconds = Math.max(1, (waitNanos + 999_999_999L) / 1_000_000_000L);
            ctx.header("Retry-After", Long.toString(seconds));
            error(
                    ctx,
                    429,
                    "rate_limited",
                    "more than " + settings.rateLimit() + " requests per second from this client");
            ctx.skipRemainingHandlers();
        }
    }

    private String client(Context ctx) {
        Optional<String> header = settings.clientIpHeader();
        if (header.isPresent()) {
            String v = ctx.header(header.get());
            if (v != null && !v.isBlank()) {
                return v.split(",")[0].trim();
            }
        }
        return ctx.ip();
    }

    /**
     * The body, at most {@code web.maxBodyBytes} of well-formed UTF-8; null after answering 413
     * when it is larger, 400 {@code not_utf8} when it is not UTF-8.
     */
    private byte[] body(Context ctx) throws IOException {
        int max = settings.maxBodyBytes();
        long declared = ctx.req().getContentLengthLong();
        if (declared > max) {
            error(
                    ctx,
                    413,
                    "body_too_large",
                    declared + " bytes, limit " + max + " (web.maxBodyBytes)");
            return null;
        }
        try (InputStream in = ctx.req().getInputStream()) {
            byte[] bytes = in.readNBytes(max + 1);
            if (bytes.length > max) {
                error(ctx, 413, "body_too_large", "more than " + max + " bytes (web.maxBodyBytes)");
                return null;
            }
            // JSON text is UTF-8 (RFC 8259); Jackson would decode an overlong '/' as '/' and an
            // encoded surrogate as a char, so two byte spellings would name one user
            int invalid = Utf8.firstInvalid(bytes);
            if (invalid >= 0) {
                error(ctx, 400, DeadLetter.NOT_UTF8, Utf8.describe(bytes, invalid));
                return null;
            }
            // Jackson would read text with NULs between ASCII bytes as UTF-16 or UTF-32
            int nul = EventParser.firstNulByte(bytes);
            if (nul >= 0) {
                error(ctx, 400, DeadLetter.NOT_JSON, "a NUL byte at byte offset " + nul);
                return null;
            }
            return bytes;
        }
    }

    // --- the token
    // ------------------------------------------------------------------------------------------------

    /**
     * True when no token is required or the request carries the one for {@code userId}; otherwise
     * answers 401/403.
     */
    private boolean authorized(Context ctx, Set<String> userIds) {
        if (tokens.isEmpty()) {
            return true;
        }
        String auth = ctx.header("Authorization");
        if (auth == null || !auth.regionMatches(true, 0, "Bearer ", 0, 7)) {
            ctx.header("WWW-Authenticate", "Bearer");
            error(ctx, 401, "token_required", "send Authorization: Bearer <token for the user>");
            return false;
        }
        String token = auth.substring(7).trim();
        for (String userId : userIds) {
            if (!tokens.get().verify(userId, token)) {
                error(ctx, 403, "forbidden", "the token is not for user " + userId);
                return false;
            }
        }
        return true;
    }

    // --- events
    // ---------------------------------------------------------------------------------------------------

    private void events(Context ctx) throws Exception {
        long receivedAt = System.currentTimeMillis();
        byte[] body = body(ctx);
        if (body == null) {
            return;
        }
        EventBatch batch;
        try {
            batch =
                    EventBatch.read(
                            body, receivedAt, settings.maxBatchEvents(), mapper, parsers.get());
        } catch (EventBatch.BadBody e) {
            error(ctx, e.error.equals("too_many_events") ? 413 : 400, e.error, e.getMessage());
            return;
        }
        Set<String> users = new LinkedHashSet<>();
        batch.accepted.forEach(e -> users.add(e.userId));
        if (!authorized(ctx, users)) {
            return;
        }
        List<Future<RecordMetadata>> sent = new ArrayList<>(batch.accepted.size());
        try {
            for (Event e : batch.accepted) {
                sent.add(
                        producer.send(
                                new ProducerRecord<>(
                                        eventsTopic, e.userId, EventJson.toJsonBytes(e)),
                                metrics.kafkaSend()));
            }
            long deadline = System.nanoTime() + KAFKA_WAIT.toNanos();
            for (Future<RecordMetadata> f : sent) {
                f.get(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            }
        } catch (ExecutionException | TimeoutException | org.apache.kafka.common.KafkaException e) {
            // the page sends the whole batch again; the job processes an eventId once
            LOG.warn(
                    "Kafka did not take a batch of {} events: {}",
                    batch.accepted.size(),
                    e.toString());
            ctx.header("Retry-After", "5");
            error(
                    ctx,
                    503,
                    "kafka_unavailable",
                    "the events could not be stored; send them again later");
            return;
        }
        Map<String, Object> answer = new LinkedHashMap<>();
        answer.put("accepted", batch.accepted.size());
        List<Map<String, Object>> rejected = new ArrayList<>();
        batch.rejected.forEach(r -> rejected.add(r.toJson()));
        answer.put("rejected", rejected);
        metrics.batchStored(batch);
        json(ctx, 202, answer);
    }

    // --- triggers
    // -------------------------------------------------------------------------------------------------

    private void pendingTrigger(Context ctx) {
        String userId = pathId(ctx);
        if (userId == null) {
            return;
        }
        if (!authorized(ctx, Set.of(userId))) {
            return;
        }
        ctx.header("Cache-Control", "no-store");
        Optional<String> json = metrics.redis("get_trigger", () -> inbox.pendingJson(userId));
        metrics.triggerServed(json.isPresent());
        if (json.isEmpty()) {
            ctx.status(204);
            return;
        }
        ctx.status(200).contentType(JSON).result(json.get());
    }

    /**
     * Acknowledges {@code triggerId} for the user named in the body ({@code {"userId": ...}}) or
     * the {@code userId} query parameter. 204 whether or not the trigger is still in Redis: an id
     * acknowledged before the job wrote it is blocked all the same (see {@link TriggerInbox}). A
     * trigger id names its user ({@code ruleId|userId|...}); one that names another user is refused
     * with 403, so that nobody can block another user's guides.
     */
    private void acknowledge(Context ctx) throws IOException {
        String triggerId = pathId(ctx);
        if (triggerId == null) {
            return;
        }
        byte[] body = body(ctx);
        if (body == null) {
            return;
        }
        String userId = ctx.queryParam("userId");
        if (userId == null && body.length > 0) {
            try {
                JsonNode n = mapper.readTree(body);
                if (n != null && n.isObject() && n.path("userId").isTextual()) {
                    userId = n.get("userId").asText();
                }
            } catch (JsonProcessingException e) {
                error(ctx, 400, "not_json", "the body is not JSON: expected {\"userId\": \"...\"}");
                return;
            }
        }
        if (userId == null || userId.isEmpty()) {
            error(
                    ctx,
                    400,
                    "missing_field",
                    "userId (in the body as {\"userId\": \"...\"} or as ?userId=)");
            return;
        }
        if (!authorized(ctx, Set.of(userId))) {
            return;
        }
        if (!namesUser(triggerId, userId)) {
            error(ctx, 403, "forbidden", "trigger " + triggerId + " is not for user " + userId);
            return;
        }
        String user = userId;
        metrics.triggerAcknowledged(metrics.redis("ack", () -> inbox.acknowledge(user, triggerId)));
        ctx.status(204);
    }

    /**
     * The id in {@code /v1/triggers/{id}...}, read strictly from the raw path ({@link
     * PathSegments}); null after answering 400 when it is not UTF-8.
     */
    private String pathId(Context ctx) {
        try {
            return PathSegments.segment(ctx.req().getRequestURI(), 3);
        } catch (PathSegments.BadSegment e) {
            error(ctx, 400, e.error, e.getMessage());
            return null;
        }
    }

    /**
     * Whether a trigger id ({@code ruleId|userId|sessionId-or-dash|ts}, SPEC section 4) is one of
     * this user's.
     */
    static boolean namesUser(String triggerId, String userId) {
        int bar = triggerId.indexOf('|');
        if (bar <= 0 || !RULE_ID.matcher(triggerId.substring(0, bar)).matches()) {
            return false;
        }
        String rest = triggerId.substring(bar + 1);
        if (!rest.startsWith(userId + "|")) {
            return false;
        }
        // what follows the user is "session|ts": the ts must be a number
        String tail = rest.substring(userId.length() + 1);
        int last = tail.lastIndexOf('|');
        return last > 0
                && last < tail.length() - 1
                && tail.substring(last + 1).chars().allMatch(Character::isDigit);
    }

    // --- health and the demo shop
    // ---------------------------------------------------------------------------------

    /** Liveness: 200 as long as the process serves requests, whatever Kafka and Redis do. */
    private void liveness(Context ctx) {
        ctx.header("Cache-Control", "no-store");
        json(ctx, 200, monitor.toJson("ok"));
    }

    /** Readiness: 200 when Kafka and Redis are up and the service is not stopping, else 503. */
    private void readiness(Context ctx) {
        ctx.header("Cache-Control", "no-store");
        if (monitor.ready()) {
            json(ctx, 200, monitor.toJson("ready"));
            return;
        }
        Map<String, Object> answer = monitor.toJson("not_ready");
        List<String> down = new ArrayList<>();
        if (monitor.stopping()) {
            down.add("stopping");
        }
        if (!monitor.kafka().up()) {
            down.add("kafka");
        }
        if (!monitor.redis().up()) {
            down.add("redis");
        }
        answer.put("down", down);
        json(ctx, 503, answer);
    }

    /**
     * Refuses a batch at once while the monitor sees Kafka down, rather than holding the request
     * for the producer's timeout; the page sends it again after {@code Retry-After}.
     */
    private void needsKafka(Context ctx) {
        if (!ctx.method().name().equals("POST") || monitor.kafka().up()) {
            return;
        }
        ctx.header("Retry-After", RETRY_AFTER_SECONDS);
        error(
                ctx,
                503,
                "kafka_unavailable",
                "the events could not be stored; send them again later");
        ctx.skipRemainingHandlers();
    }

    /** Refuses a trigger request at once while the monitor sees Redis down. */
    private void needsRedis(Context ctx) {
        if (ctx.method().name().equals("OPTIONS") || monitor.redis().up()) {
            return;
        }
        redisUnavailable(ctx);
        ctx.skipRemainingHandlers();
    }

    private void redisUnavailable(Context ctx) {
        ctx.header("Retry-After", RETRY_AFTER_SECONDS);
        error(ctx, 503, "redis_unavailable", "triggers cannot be read now; try again later");
    }

    /** One PING: up, down for now (unreachable), or refused for good (the sentence says why). */
    private static DependencyMonitor.Outcome redisCheck(RedisClient redis, RedisSettings s) {
        String at = "Redis at " + s.host() + ":" + s.port();
        try {
            redis.ping();
            return DependencyMonitor.Outcome.up(at + " answers PING");
        } catch (JedisException e) {
            if (RedisFailures.isTransient(e)) {
                return DependencyMonitor.Outcome.down(
                        at
                                + " cannot be reached; is redis-server running, and are redis.host"
                                + " and redis.port right?");
            }
            return DependencyMonitor.Outcome.down(RedisFailures.describe(s, e, "the web service"));
        }
    }

    private void page(Context ctx, String file) throws IOException {
        try (InputStream in = GuidanceWebServer.class.getResourceAsStream(PUBLIC + "/" + file)) {
            if (in == null) {
                error(ctx, 404, "not_found", file);
                return;
            }
            ctx.contentType("text/html; charset=utf-8").result(in.readAllBytes());
        }
    }

    /**
     * The demo shop's stand-in for a site backend: a new anonymous visitor id and, when {@code
     * web.tokenSecret} is set, the token for it. The service picks the id, so this hands out no
     * token for a user the caller names.
     */
    private void demoSession(Context ctx) {
        String userId = DEMO_VISITOR_PREFIX + UUID.randomUUID().toString().substring(0, 8);
        Map<String, Object> answer = new LinkedHashMap<>();
        answer.put("userId", userId);
        tokens.ifPresent(t -> answer.put("token", t.issue(userId)));
        json(ctx, 200, answer);
    }

    // --- answers
    // --------------------------------------------------------------------------------------------------

    private void json(Context ctx, int status, Object value) {
        try {
            ctx.status(status).contentType(JSON).result(mapper.writeValueAsBytes(value));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private void error(Context ctx, int status, String error, String detail) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("error", error);
        m.put("detail", detail);
        ctx.attribute(WebMetrics.ERROR_ATTRIBUTE, error);
        json(ctx, status, m);
    }

    /**
     * Stops gracefully, in this order: {@code /readyz} answers 503; the listening socket closes, so
     * no new connection is accepted; the requests in flight (a batch waiting for Kafka's acks)
     * finish, for up to {@code web.shutdownGrace}; then the Kafka producer sends what it still
     * holds and closes, then the Redis client. Idempotent.
     */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        long stopping = System.nanoTime();
        monitor.markStopping();
        if (started && jetty != null) {
            // set only now: a stop after a failed start must not wait for a context that never ran
            jetty.setStopTimeout(settings.shutdownGrace().toMillis());
            LOG.info(
                    "Stopping the web service: /readyz answers 503, no new connections, up to {}"
                            + " for the requests in flight",
                    DependencyMonitor.human(settings.shutdownGrace()));
        }
        try {
            app.stop();
        } catch (Exception e) { // undeclared checked exceptions from Jetty, through Kotlin
            LOG.warn("while stopping the HTTP server", e);
        }
        monitor.close();
        if (started) {
            LOG.info("HTTP server stopped; flushing and closing the Kafka producer");
        }
        producer.close(KAFKA_WAIT);
        kafkaCheck.close();
        inbox.close();
        redis.close();
        metrics.close();
        if (started) {
            LOG.info(
                    "Web service stopped in {}",
                    DependencyMonitor.human(Duration.ofNanos(System.nanoTime() - stopping)));
        }
    }
}
