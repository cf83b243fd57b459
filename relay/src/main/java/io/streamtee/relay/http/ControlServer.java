package io.streamtee.relay.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.javalin.config.JavalinConfig;
import io.javalin.http.Context;
import io.streamtee.config.ApiSettings;
import io.streamtee.config.Cidr;
import io.streamtee.config.ConfigException;
import io.streamtee.config.Endpoint;
import io.streamtee.http.Web;
import io.streamtee.http.WebServer;
import io.streamtee.relay.DropReason;
import io.streamtee.relay.OutputStats;
import io.streamtee.relay.Relay;
import io.streamtee.relay.Route;
import io.streamtee.relay.RouteOutput;
import io.streamtee.relay.RouteStats;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import org.eclipse.jetty.ee10.servlet.ServletContextRequest;
import org.eclipse.jetty.io.EndPoint;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The relay's web server: the control API, Prometheus metrics, a health check, a status page and the routes as
 * HTTP streams.
 *
 * <pre>
 * GET    /                                the status page (HTML; no data, so no token needed: it takes ?token=)
 * GET    /healthz                         {"status":"ok","routes":n}
 * GET    /metrics                         Prometheus text (see {@link RelayMetrics})
 * GET    /api/routes                      every route with its counters and outputs
 * POST   /api/routes/{route}/outputs      {"url":"udp://127.0.0.1:9000"} -> 201 {"id":"o4","url":...}
 * DELETE /api/routes/{route}/outputs/{id} 204
 * GET    /streams/{route}                 the route's datagrams as one video/mp2t byte stream, for any player
 * </pre>
 *
 * Errors are JSON {@code {"error":"one line"}}: 400 for bad JSON or a bad URL, 404 for an unknown route or output,
 * 401 without the token. A token, when configured, is required on every path but {@code /}, as
 * {@code Authorization: Bearer <token>}; {@code /streams/*} also takes {@code ?token=} because players cannot set
 * headers. Without a token the server must listen on loopback (see {@link Access}).
 *
 * <pre>{@code
 * try (ControlServer api = new ControlServer(relay, "127.0.0.1", 0, null).start()) {
 *     URI uri = URI.create("http://127.0.0.1:" + api.port() + "/api/routes");
 * }
 * }</pre>
 */
public final class ControlServer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ControlServer.class);
    /** The most bytes that may wait for one HTTP stream client: about 1.5 s of a 10 Mbit/s camera. */
    static final long CLIENT_BUFFER_BYTES = 2 << 20;
    /** A stream client whose connection takes nothing for this long, while data waits, is disconnected. */
    static final long CLIENT_STALL_MILLIS = 10_000;

    private final Supplier<Relay> relay;
    private final WebServer web;
    private final RelayMetrics metrics;
    private final ObjectMapper json = new ObjectMapper();
    private final long clientBufferBytes;
    private final long clientStallMillis;
    /** The stream clients now connected, so that close() can end their responses. */
    private final Set<StreamClient> clients = ConcurrentHashMap.newKeySet();
    private boolean closed;

    /**
     * @param host  the address to listen on; anything but loopback needs a token
     * @param port  the TCP port, 0 for any free one (see {@link #port()})
     * @param token the bearer token every request must carry, or null for none (loopback only)
     * @throws io.streamtee.config.ConfigException if {@code host} is not loopback and there is no token, or does not
     *     resolve
     */
    public ControlServer(Relay relay, String host, int port, String token) {
        this(relay, host, port, token, CLIENT_BUFFER_BYTES, CLIENT_STALL_MILLIS);
    }

    /** A server as the {@code api} section of the config says. */
    public ControlServer(Relay relay, ApiSettings api) {
        this(relay, api.listen().getAddress().getHostAddress(), api.listen().getPort(), api.token());
    }

    /**
     * The routes only, for mounting on another command's web server with {@link #install} ({@code serve}'s): it
     * neither binds nor serves by itself, and has no metrics of its own ({@link RelayMetrics} is public for that).
     *
     * @param relay the relay now; null before it runs (the API then answers 503)
     */
    public ControlServer(Supplier<Relay> relay) {
        this.web = null;
        this.relay = relay;
        this.metrics = null;
        this.clientBufferBytes = CLIENT_BUFFER_BYTES;
        this.clientStallMillis = CLIENT_STALL_MILLIS;
    }

    ControlServer(Relay relay, String host, int port, String token, long clientBufferBytes, long clientStallMillis) {
        this.web = new WebServer("api", host, port, token).openPaths(Set.of("/"))
                .queryToken(path -> path.startsWith("/streams/")); // a player cannot send a header
        this.relay = () -> relay;
        this.metrics = new RelayMetrics(relay, web::unauthorized);
        this.clientBufferBytes = clientBufferBytes;
        this.clientStallMillis = clientStallMillis;
    }

    /**
     * Binds and starts serving.
     *
     * @throws io.streamtee.cli.CommandException if the port cannot be bound
     */
    public synchronized ControlServer start() {
        web.start("another relay", config -> {
            config.routes.get("/healthz", ctx -> Web.json(ctx, 200, Map.of("status", "ok",
                    "routes", relay().routes().size())));
            config.routes.get("/metrics", ctx -> ctx.contentType("text/plain; version=0.0.4; charset=utf-8")
                    .result(metrics.scrape()));
            install(config, "");
        });
        log.info("api: {} ({})", web.url(), web.open() ? "no token" : "token required");
        return this;
    }

    /**
     * Adds the status page ({@code prefix + "/"}), the control API ({@code prefix + "/api/routes"}, its outputs) and
     * the HTTP streams ({@code prefix + "/streams/{route}"}) to {@code config}; the page's URLs are relative to it.
     *
     * @param prefix {@code ""}, or a path such as {@code /relay}
     */
    public void install(JavalinConfig config, String prefix) {
        String page = Web.resource(ControlServer.class, "status.html");
        config.routes.get(prefix + "/", ctx -> ctx.contentType("text/html; charset=utf-8").result(page));
        config.routes.get(prefix + "/api/routes", ctx -> Web.json(ctx, 200, relay().routes().stream()
                .map(ControlServer::describe).toList()));
        config.routes.post(prefix + "/api/routes/{route}/outputs", this::addOutput);
        config.routes.delete(prefix + "/api/routes/{route}/outputs/{id}", this::removeOutput);
        config.routes.get(prefix + "/streams/{route}", this::stream);
    }

    /** The host it serves on, as given (for URLs in logs). */
    public String host() {
        return web.host();
    }

    /** The bound port (the real one when 0 was asked for). */
    public int port() {
        return web.port();
    }

    /** Stops serving; open streams end. Safe to call twice. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        clients.forEach(StreamClient::close);
        if (web != null) {
            web.close();
        }
    }

    private void addOutput(Context ctx) {
        Route route = route(ctx.pathParam("route"));
        String url;
        try {
            JsonNode body = json.readTree(ctx.body());
            JsonNode u = body == null ? null : body.get("url");
            if (u == null || !u.isTextual()) {
                throw new Web.BadRequest("body: expected {\"url\":\"udp://host:port\"}");
            }
            url = u.asText();
        } catch (JsonProcessingException e) {
            throw new Web.BadRequest("body: not JSON: " + e.getOriginalMessage());
        }
        RouteOutput out;
        try {
            out = route.addOutput(url);
        } catch (ConfigException e) {
            throw new Web.BadRequest(e.getMessage());
        }
        Web.json(ctx, 201, Map.of("id", out.id(), "url", Endpoint.mask(out.url())));
    }

    private void removeOutput(Context ctx) {
        Route route = route(ctx.pathParam("route"));
        String id = ctx.pathParam("id");
        if (!route.removeOutput(id)) {
            throw new Web.NotFound("route " + route.name() + " has no output " + id);
        }
        ctx.status(204);
    }

    /**
     * Streams the route to one client until it goes away, falls too far behind, or the route stops. The client is
     * an output of the route meanwhile, listed by the API as {@code http <address>:<port>}.
     */
    private void stream(Context ctx) throws Exception {
        Route route = route(ctx.pathParam("route"));
        EndPoint endPoint = ServletContextRequest.getServletContextRequest(ctx.req())
                .getConnectionMetaData().getConnection().getEndPoint();
        String client = ctx.req().getRemoteAddr() + ":" + ctx.req().getRemotePort();
        StreamClient sink = new StreamClient(clientBufferBytes, clientStallMillis, () -> {
            log.warn("route {}: HTTP client {} took nothing for {} ms; disconnecting it", route.name(), client,
                    clientStallMillis);
            endPoint.close();
        });
        ctx.status(200).contentType("video/mp2t").header("Cache-Control", "no-store");
        RouteOutput out = route.attach("http " + client, sink);
        sink.stats(out.stats());
        clients.add(sink);
        try {
            var stream = ctx.res().getOutputStream(); // Jetty's own: no compression, no buffering by Javalin
            ctx.res().flushBuffer(); // send the headers now: a player waits for them before the first datagram
            sink.pump(stream);
        } catch (IOException e) {
            log.debug("route {}: HTTP client {} gone: {}", route.name(), client, e.toString());
        } finally {
            clients.remove(sink);
            sink.close();
            try {
                route.removeOutput(out.id());
            } catch (RuntimeException e) { // the route or the relay stopped meanwhile
                log.debug("route {}: detaching HTTP client {}: {}", route.name(), client, e.toString());
            }
        }
    }

    private Route route(String name) {
        try {
            return relay().route(name);
        } catch (IllegalArgumentException e) {
            throw new Web.NotFound("no route " + name);
        }
    }

    private Relay relay() {
        Relay r = relay.get();
        if (r == null) {
            throw new IllegalStateException("the relay is not running yet");
        }
        return r;
    }

    /** A route as {@code GET /api/routes} shows it. */
    public static Map<String, Object> describe(Route route) {
        RouteStats.Snapshot s = route.stats().snapshot();
        InetSocketAddress local = route.localAddress();
        InetAddress denied = route.stats().lastDeniedSource();
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("name", route.name());
        m.put("input", route.spec().input().masked());
        m.put("allow", route.spec().allow().stream().map(Cidr::toString).toList());
        m.put("localPort", local == null ? null : local.getPort());
        m.put("datagrams", s.datagrams());
        m.put("bytes", s.bytes());
        m.put("denied", s.denied());
        m.put("lastDeniedSource", denied == null ? null : denied.getHostAddress());
        m.put("inputErrors", s.inputErrors());
        m.put("lastDatagramMillis", s.lastDatagramMillis());
        Map<String, Long> inputCounters = route.stats().inputCounters();
        if (!inputCounters.isEmpty()) {
            m.put("inputCounters", inputCounters);
        }
        Map<String, Double> inputGauges = route.stats().inputGauges();
        if (!inputGauges.isEmpty()) {
            m.put("inputGauges", inputGauges);
        }
        m.put("outputs", route.outputs().stream().map(ControlServer::describe).toList());
        return m;
    }

    private static Map<String, Object> describe(RouteOutput out) {
        OutputStats.Snapshot s = out.stats().snapshot();
        Map<String, Long> drops = new LinkedHashMap<>();
        for (DropReason r : DropReason.values()) {
            drops.put(r.key(), s.dropped(r));
        }
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", out.id());
        m.put("url", Endpoint.mask(out.url()));
        m.put("datagrams", s.datagrams());
        m.put("bytes", s.bytes());
        m.put("drops", drops);
        m.put("lastDatagramMillis", s.lastDatagramMillis());
        Map<String, Long> counters = out.stats().counters();
        if (!counters.isEmpty()) {
            m.put("counters", counters);
        }
        Map<String, Double> gauges = out.stats().gauges();
        if (!gauges.isEmpty()) {
            m.put("gauges", gauges);
        }
        return m;
    }
}
