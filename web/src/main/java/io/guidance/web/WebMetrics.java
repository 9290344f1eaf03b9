package io.guidance.web;

import io.guidance.redis.TriggerInbox;
import io.javalin.http.Context;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.MeterBinder;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmInfoMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.kafka.KafkaClientMetrics;
import io.micrometer.core.instrument.binder.system.FileDescriptorMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Supplier;
import org.apache.kafka.clients.producer.Callback;
import org.apache.kafka.clients.producer.Producer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The service's meters, exposed in the Prometheus text format at {@code GET /metrics}; every meter
 * is listed in {@code docs/metrics.md}.
 *
 * <p>Labels hold only bounded values: a route is the route as declared ({@code
 * /v1/triggers/{userId}}), never the request's path, which holds user and trigger ids; reasons are
 * the error codes the service answers with; exceptions are class names. Each server has its own
 * registry, so two services in one JVM count apart.
 */
final class WebMetrics implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(WebMetrics.class);

    /** Where Prometheus scrapes; not rate-limited, not CORS-exposed, not itself counted. */
    static final String PATH = "/metrics";

    /** The route label of a request that matched no route and no static file. */
    static final String NO_ROUTE = "none";

    /** The route label of a static file ({@code /guidance.js}, the demo shop's assets). */
    static final String STATIC = "static";

    /** The version 0.0.4 text format, which every Prometheus reads. */
    static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

    /** The context attribute {@link GuidanceWebServer}'s error answers leave their code in. */
    static final String ERROR_ATTRIBUTE = "guidance.error";

    private static final String EVENTS_ROUTE = "/v1/events";

    /**
     * Request latency buckets: a page's API call takes milliseconds; {@code POST /v1/events} waits
     * up to 10 s for Kafka before answering 503.
     */
    private static final Duration[] REQUEST_BUCKETS = {
        Duration.ofMillis(5),
        Duration.ofMillis(10),
        Duration.ofMillis(25),
        Duration.ofMillis(50),
        Duration.ofMillis(100),
        Duration.ofMillis(250),
        Duration.ofMillis(500),
        Duration.ofSeconds(1),
        Duration.ofMillis(2500),
        Duration.ofSeconds(5),
        Duration.ofSeconds(10)
    };

    /** Kafka acknowledgement buckets: linger is 5 ms, the delivery timeout 10 s. */
    private static final Duration[] KAFKA_BUCKETS = {
        Duration.ofMillis(1),
        Duration.ofMillis(2),
        Duration.ofMillis(5),
        Duration.ofMillis(10),
        Duration.ofMillis(25),
        Duration.ofMillis(50),
        Duration.ofMillis(100),
        Duration.ofMillis(250),
        Duration.ofMillis(500),
        Duration.ofSeconds(1),
        Duration.ofMillis(2500),
        Duration.ofSeconds(5),
        Duration.ofSeconds(10)
    };

    private final PrometheusMeterRegistry registry =
            new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final List<AutoCloseable> binders = new ArrayList<>();
    private final Counter eventsAccepted;
    private final Counter triggersFound;
    private final Counter triggersNone;

    WebMetrics() {
        JvmGcMetrics gc = new JvmGcMetrics();
        binders.add(gc);
        for (MeterBinder b :
                List.of(
                        new JvmMemoryMetrics(),
                        gc,
                        new JvmThreadMetrics(),
                        new ClassLoaderMetrics(),
                        new JvmInfoMetrics(),
                        new ProcessorMetrics(),
                        new UptimeMetrics(),
                        new FileDescriptorMetrics())) {
            b.bindTo(registry);
        }
        eventsAccepted =
                Counter.builder("guidance.web.events.accepted")
                        .description("Events stored in the events topic (counted in a 202 answer)")
                        .register(registry);
        triggersFound = triggersServed("found");
        triggersNone = triggersServed("none");
    }

    private Counter triggersServed(String result) {
        return Counter.builder("guidance.web.triggers.served")
                .description("GET /v1/triggers/{userId} answers: found (200) or none (204)")
                .tag("result", result)
                .register(registry);
    }

    /**
     * {@code guidance_web_dependency_up{dependency=kafka|redis}}: 1 while the monitor finds it up,
     * else 0; the readiness the probes see, for alerts.
     */
    void bindDependencies(DependencyMonitor monitor) {
        for (DependencyMonitor.Watched w : List.of(monitor.kafka(), monitor.redis())) {
            Gauge.builder("guidance.web.dependency.up", w, x -> x.up() ? 1 : 0)
                    .description("1 while the dependency answers the service's checks, else 0")
                    .tag("dependency", w.name().toLowerCase(Locale.ROOT))
                    .register(registry);
        }
    }

    /** Adds the producer's own metrics ({@code kafka_producer_*}). */
    void bindProducer(Producer<?, ?> producer) {
        KafkaClientMetrics m = new KafkaClientMetrics(producer);
        m.bindTo(registry);
        binders.add(m);
    }

    // --- requests
    // -------------------------------------------------------------------------------------------------

    /**
     * Counts one answered request (Javalin's request logger: it runs once per request, after the
     * answer is written, also for requests a before handler ended); {@code /metrics} itself is left
     * out.
     */
    void request(Context ctx, Float executionTimeMs) {
        if (ctx.path().equals(PATH)) {
            return;
        }
        String route = route(ctx);
        String method = ctx.method().name();
        int status = ctx.statusCode();
        Counter.builder("guidance.web.requests")
                .description("HTTP requests answered, by route as declared, method and status")
                .tag("route", route)
                .tag("method", method)
                .tag("status", Integer.toString(status))
                .register(registry)
                .increment();
        // no status label: route x method x bucket is enough series for one histogram
        Timer.builder("guidance.web.request.duration")
                .description("HTTP request latency, from the request's arrival to its answer")
                .tag("route", route)
                .tag("method", method)
                .serviceLevelObjectives(REQUEST_BUCKETS)
                .register(registry)
                .record(Duration.ofNanos((long) (executionTimeMs.doubleValue() * 1_000_000d)));
        if (method.equals("POST") && ctx.path().equals(EVENTS_ROUTE) && status >= 300) {
            Object error = ctx.attribute(ERROR_ATTRIBUTE);
            Counter.builder("guidance.web.batches.rejected")
                    .description("POST /v1/events bodies refused whole, by the error code answered")
                    .tag("reason", error instanceof String s ? s : "status_" + status)
                    .register(registry)
                    .increment();
        }
    }

    /**
     * The route as declared when an endpoint handled the request; otherwise {@value #STATIC} for a
     * static file, {@value #NO_ROUTE} for a 404, and for a request a before handler refused (the
     * rate limit) that handler's declared path, such as {@code /v1/*}.
     */
    static String route(Context ctx) {
        if (ctx.handlerType().isHttpMethod()) {
            return ctx.endpointHandlerPath();
        }
        int status = ctx.statusCode();
        if (status == 404) {
            return NO_ROUTE;
        }
        if (status < 400) {
            return STATIC;
        }
        String matched = ctx.matchedPath();
        return matched.isEmpty() ? NO_ROUTE : matched;
    }

    /** Answers {@code GET /metrics}. */
    void scrape(Context ctx) {
        ctx.status(200).contentType(CONTENT_TYPE).result(registry.scrape(CONTENT_TYPE));
    }

    // --- events
    // ---------------------------------------------------------------------------------------------------

    /** Counts a batch answered 202: its stored events and the ones it refused, by reason. */
    void batchStored(EventBatch batch) {
        eventsAccepted.increment(batch.accepted.size());
        for (EventBatch.Rejection r : batch.rejected) {
            Counter.builder("guidance.web.events.rejected")
                    .description(
                            "Events refused one by one in a 202 answer, by the parser's reason")
                    .tag("reason", r.reason)
                    .register(registry)
                    .increment();
        }
    }

    /**
     * A callback for one {@code producer.send}: times it until Kafka acknowledges or fails it, and
     * counts a failure by its exception's class.
     */
    Callback kafkaSend() {
        long start = System.nanoTime();
        return (metadata, exception) -> {
            long nanos = System.nanoTime() - start;
            Timer.builder("guidance.web.kafka.send")
                    .description("Time from producer.send to Kafka's acknowledgement or failure")
                    .tag("outcome", exception == null ? "success" : "error")
                    .serviceLevelObjectives(KAFKA_BUCKETS)
                    .register(registry)
                    .record(Duration.ofNanos(nanos));
            if (exception != null) {
                Counter.builder("guidance.web.kafka.send.errors")
                        .description("Event records Kafka did not take, by exception class")
                        .tag("exception", exception.getClass().getSimpleName())
                        .register(registry)
                        .increment();
            }
        };
    }

    // --- Redis and triggers
    // ----------------------------------------------------------------------------------------

    /** Runs a Redis call, counting a failure under {@code operation} before passing it on. */
    <T> T redis(String operation, Supplier<T> call) {
        try {
            return call.get();
        } catch (RuntimeException e) {
            redisError(operation, e);
            throw e;
        }
    }

    /** Counts a failed Redis call. */
    void redisError(String operation, RuntimeException e) {
        Counter.builder("guidance.web.redis.errors")
                .description("Failed Redis calls, by operation and exception class")
                .tag("operation", operation)
                .tag("exception", e.getClass().getSimpleName())
                .register(registry)
                .increment();
    }

    void triggerServed(boolean found) {
        (found ? triggersFound : triggersNone).increment();
    }

    void triggerAcknowledged(TriggerInbox.Ack ack) {
        Counter.builder("guidance.web.triggers.acknowledged")
                .description(
                        "Acknowledgements: removed the pending trigger, or marked one not pending")
                .tag("result", ack.name().toLowerCase(Locale.ROOT))
                .register(registry)
                .increment();
    }

    @Override
    public void close() {
        for (AutoCloseable b : binders) {
            try {
                b.close();
            } catch (Exception e) {
                LOG.warn("while closing a metrics binder", e);
            }
        }
        registry.close();
    }
}
