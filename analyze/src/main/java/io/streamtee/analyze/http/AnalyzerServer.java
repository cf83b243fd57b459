package io.streamtee.analyze.http;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.javalin.http.Context;
import io.streamtee.analyze.Analyzer;
import io.streamtee.analyze.event.Event;
import io.streamtee.analyze.event.EventStore;
import io.streamtee.config.ApiSettings;
import io.streamtee.config.ConfigException;
import io.streamtee.http.Web;
import io.streamtee.http.WebServer;
import java.net.InetAddress;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Predicate;

/**
 * The analyzer's web server ({@code streamtee analyze --http 127.0.0.1:8082}), on the shared {@link WebServer}
 * (a token off loopback):
 *
 * <pre>
 * GET /                                  a page: recent events with their snapshots (polls /api/events)
 * GET /healthz                           {"status":"ok","camera","events","lost"}
 * GET /metrics                           Prometheus text (see {@link AnalyzerMetrics})
 * GET /api/events?camera=&amp;kind=&amp;from=&amp;to=&amp;limit=   recent events, newest first
 * GET /api/events/{id}                   one event: its latest message
 * GET /api/events/{id}/snapshot.jpg      its snapshot (404 with the reason when it has none or it was evicted)
 * </pre>
 *
 * An event in JSON is its latest message ({@link Event}'s fields; {@code snapshot} is null when its JPEG is no longer
 * kept, and {@code snapshotUrl} is the snapshot's absolute URL when the server's address is known). {@code kind} is
 * {@code motion} or {@code health}; {@code from} keeps events that end at or after it (open events always),
 * {@code to} those that start at or before it; both are ISO-8601 times ({@code 2026-11-30T12:00:00Z}) or epoch
 * seconds or milliseconds. {@code limit} is 1 to {@value #MAX_LIMIT}, 100 by default. Only the events the analyzer
 * still holds are listed ({@link EventStore}: the last 1000 by default).
 */
public final class AnalyzerServer implements AutoCloseable {
    /** The most events one {@code /api/events} lists. */
    public static final int MAX_LIMIT = 1000;
    private static final int DEFAULT_LIMIT = 100;
    private static final long SECONDS_BELOW = 100_000_000_000L;
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Analyzer analyzer;
    private final EventStore store;
    private final WebServer web;
    private final ApiSettings at;
    private AnalyzerMetrics metrics;

    /**
     * @param analyzer the analyzer (started or not: its counters read 0 until it runs)
     * @param at       where to listen and the token, as {@link #apiSettings} checked them
     * @throws ConfigException naming {@code --http} if the address is not loopback and there is no token
     */
    public AnalyzerServer(Analyzer analyzer, ApiSettings at) {
        this(analyzer, at, "--http");
    }

    /**
     * @param key what errors call the address: the flag or key it came from ({@code --http}, {@code analyze.http},
     *            {@code --events-http})
     */
    public AnalyzerServer(Analyzer analyzer, ApiSettings at, String key) {
        this.analyzer = analyzer;
        this.store = analyzer.store();
        this.at = at;
        this.web = new WebServer(key, at.listen().getAddress().getHostAddress(), at.listen().getPort(),
                at.token()).queryToken(path -> path.endsWith("/snapshot.jpg")); // an <img> cannot send a header
    }

    /**
     * The address and token from {@code --http HOST:PORT} and {@code STREAMTEE_API_TOKEN}, checked.
     *
     * @throws ConfigException naming {@code --http} when the address is bad, or not loopback without a token
     */
    public static ApiSettings apiSettings(String http) {
        return ApiSettings.fromHttpFlag("--http", http);
    }

    /**
     * Binds and starts serving; tells the event store the server's address ({@link #baseUrl}), so that sinks send
     * absolute snapshot URLs.
     *
     * @throws io.streamtee.cli.CommandException if the port cannot be bound
     */
    public synchronized AnalyzerServer start() {
        String page = Web.resource(AnalyzerServer.class, "analyze.html");
        metrics = new AnalyzerMetrics(analyzer, web::unauthorized);
        web.start("another analyzer", config -> {
            config.routes.get("/", ctx -> ctx.contentType("text/html; charset=utf-8").result(page));
            config.routes.get("/favicon.ico", ctx -> ctx.status(204));
            config.routes.get("/healthz", ctx -> Web.json(ctx, 200, health()));
            config.routes.get("/metrics", ctx -> ctx.contentType("text/plain; version=0.0.4; charset=utf-8")
                    .result(metrics.scrape()));
            config.routes.get("/api/events", this::events);
            config.routes.get("/api/events/{id}", ctx -> Web.json(ctx, 200, json(find(ctx.pathParam("id")))));
            config.routes.get("/api/events/{id}/snapshot.jpg", this::snapshot);
        });
        String base = baseUrl(at.listen().getAddress(), web.port());
        if (base != null) {
            store.baseUrl(base);
        }
        return this;
    }

    /**
     * {@code http://host:port} for links to this server from outside (a webhook's snapshot URL), or null when the
     * server listens on every address ({@code 0.0.0.0}, {@code ::}): no one address would be right for every
     * receiver, so links stay paths.
     */
    public static String baseUrl(InetAddress host, int port) {
        if (host.isAnyLocalAddress()) {
            return null;
        }
        String h = host.getHostAddress();
        return "http://" + (h.contains(":") ? "[" + h + "]" : h) + ":" + port;
    }

    /** The bound port. */
    public int port() {
        return web.port();
    }

    /** {@code http://host:port/}. */
    public String url() {
        return web.url();
    }

    private Map<String, Object> health() {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("status", "ok");
        body.put("camera", analyzer.config().camera());
        body.put("events", store.size());
        body.put("lost", analyzer.health() != null && analyzer.health().lost());
        return body;
    }

    private Event find(String id) {
        Event e = store.event(id);
        if (e == null) {
            throw new Web.NotFound("no event " + id + " (unknown, or older than the last " + store.size()
                    + " kept)");
        }
        return e;
    }

    private void snapshot(Context ctx) {
        snapshot(ctx, store, find(ctx.pathParam("id")));
    }

    /**
     * Answers with the snapshot of {@code e} from {@code store} (for servers that mount the analyzer's API).
     *
     * @throws Web.NotFound naming the event when it has none or it was evicted
     */
    public static void snapshot(Context ctx, EventStore store, Event e) {
        String id = e.id();
        byte[] jpeg = store.snapshot(id);
        if (jpeg == null) {
            throw new Web.NotFound(e.snapshot() == null ? "event " + id + " has no snapshot"
                    : "the snapshot of event " + id + " was evicted (only the most recent ones are kept)");
        }
        ctx.header("Cache-Control", "no-cache"); // an event's snapshot is replaced by a better one while it goes on
        ctx.contentType("image/jpeg").result(jpeg);
    }

    private void events(Context ctx) {
        List<Map<String, Object>> list = new ArrayList<>();
        for (Event e : store.list(filter(ctx), limit(ctx))) {
            list.add(json(store, e));
        }
        Web.json(ctx, 200, list);
    }

    /**
     * The events {@code GET /api/events} keeps for the request's {@code camera}, {@code kind}, {@code from} and
     * {@code to} (for servers that mount the analyzer's API).
     *
     * @throws Web.BadRequest naming the parameter when one is bad
     */
    public static Predicate<Event> filter(Context ctx) {
        String camera = ctx.queryParam("camera");
        Event.Kind kind = kind(ctx.queryParam("kind"));
        long from = time("from", ctx.queryParam("from"), Long.MIN_VALUE);
        long to = time("to", ctx.queryParam("to"), Long.MAX_VALUE);
        return e -> (camera == null || camera.isEmpty() || camera.equals(e.camera()))
                && (kind == null || kind == e.kind()) && e.startMillis() <= to
                && (e.endMillis() < 0 || e.endMillis() >= from);
    }

    /**
     * The request's {@code limit}: 1 to {@value #MAX_LIMIT}, 100 when not given.
     *
     * @throws Web.BadRequest naming {@code limit} when it is bad
     */
    public static int limit(Context ctx) {
        return limit(ctx.queryParam("limit"));
    }

    private Map<String, Object> json(Event e) {
        return json(store, e);
    }

    /**
     * The event as JSON, with {@code snapshot} null when its JPEG is gone from {@code store}, and
     * {@code snapshotUrl}.
     */
    public static Map<String, Object> json(EventStore store, Event e) {
        @SuppressWarnings("unchecked")
        Map<String, Object> m = JSON.convertValue(e, LinkedHashMap.class);
        boolean kept = e.snapshot() != null && store.snapshot(e.id()) != null;
        m.put("snapshot", kept ? e.snapshot() : null);
        m.put("snapshotUrl", kept ? store.url(e) : null);
        return m;
    }

    private static Event.Kind kind(String text) {
        if (text == null || text.isBlank()) {
            return null;
        }
        try {
            return Event.Kind.valueOf(text.strip().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new Web.BadRequest("kind: motion or health, not '" + text + "'");
        }
    }

    private static int limit(String text) {
        if (text == null || text.isBlank()) {
            return DEFAULT_LIMIT;
        }
        try {
            int n = Integer.parseInt(text.strip());
            if (n >= 1 && n <= MAX_LIMIT) {
                return n;
            }
        } catch (NumberFormatException e) {
            // the message below
        }
        throw new Web.BadRequest("limit: a number from 1 to " + MAX_LIMIT + ", not '" + text + "'");
    }

    /** An ISO-8601 time or epoch seconds or milliseconds, as UTC epoch milliseconds; {@code absent} when not given. */
    static long time(String name, String text, long absent) {
        if (text == null || text.isBlank()) {
            return absent;
        }
        String t = text.strip();
        try {
            if (t.chars().allMatch(Character::isDigit) && t.length() <= 16) {
                long n = Long.parseLong(t);
                return n < SECONDS_BELOW ? n * 1000 : n;
            }
            if (t.endsWith("Z") || t.endsWith("z")) {
                return Instant.parse(t.toUpperCase(Locale.ROOT)).toEpochMilli();
            }
            return OffsetDateTime.parse(t.replace(' ', '+')).toInstant().toEpochMilli();
        } catch (DateTimeParseException | NumberFormatException e) {
            throw new Web.BadRequest(name + ": '" + text + "' is not a time (use 2026-11-30T12:00:00Z or epoch"
                    + " seconds or milliseconds)");
        }
    }

    /** Stops serving. Idempotent. */
    @Override
    public void close() {
        web.close();
    }
}
