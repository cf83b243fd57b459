package io.streamtee.view;

import io.javalin.config.JavalinConfig;
import io.javalin.http.Context;
import io.javalin.websocket.WsConfig;
import io.javalin.websocket.WsContext;
import io.streamtee.http.Web;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * The viewer's per-camera routes for a web server whose cameras come and go (another command's server, such as
 * {@code serve}'s): each request looks its camera up by name among the feeds running now, so no route is registered
 * per camera.
 *
 * <pre>
 * GET /cameras/{name}/view.html      the viewer's page (view.html; {@code ?embed=1} for the picture only)
 * WS  /cameras/{name}/ws             its WebCodecs WebSocket ({@link FrameSocket})
 * WS  /cameras/{name}/mse            its MSE fallback
 * GET /cameras/{name}/snapshot.jpg   the newest picture as JPEG; 503 before the first
 * </pre>
 *
 * An unknown camera is a 404 (a WebSocket to one is refused before the upgrade). A camera's {@link ServedCamera}
 * (viewer limit, snapshot worker, MSE feed) is made the first time its feed is seen and kept while the same feed runs;
 * when the feed goes (the camera removed or its viewer restarted) the served camera is closed and its viewers'
 * sockets closed with 1001 ("going away"), at the next request or {@link #sweep()}. Thread-safe.
 */
public final class ViewRoutes implements AutoCloseable {
    private final Supplier<List<CameraFeed>> feeds;
    private final int maxViewers;
    private final Map<String, ServedCamera> served = new HashMap<>();
    private final Map<String, Viewer> viewers = new ConcurrentHashMap<>();
    private final String page = Web.resource(ViewServer.class, "view.html");
    private boolean closed;
    /** The metrics of the served cameras {@link #metricsOf} (by identity), made again when they change. */
    private ViewMetrics metrics;
    private List<ServedCamera> metricsOf;

    private record Viewer(ServedCamera camera, FrameSocket socket, WsContext ctx) {
    }

    /**
     * @param feeds      the feeds running now (called at every request: keep it cheap)
     * @param maxViewers the most viewers of each camera at once, at least 1
     */
    public ViewRoutes(Supplier<List<CameraFeed>> feeds, int maxViewers) {
        if (maxViewers < 1) {
            throw new IllegalArgumentException("maxViewers must be at least 1, not " + maxViewers);
        }
        this.feeds = feeds;
        this.maxViewers = maxViewers;
    }

    /** Adds the routes above to {@code config} (a {@link io.streamtee.http.WebServer}'s). */
    public void install(JavalinConfig config) {
        // as ViewServer: no permessage-deflate for video
        config.jetty.modifyWebSocketServletFactory(f -> f.getAvailableExtensionNames().remove("permessage-deflate"));
        config.routes.get("/cameras/{name}/view.html", ctx -> {
            require(ctx.pathParam("name"));
            ctx.header("Cache-Control", "no-cache");
            ctx.header("Referrer-Policy", "no-referrer"); // the URL may carry ?token=
            ctx.contentType("text/html; charset=utf-8").result(page);
        });
        config.routes.get("/cameras/{name}/snapshot.jpg", this::snapshot);
        config.routes.wsBeforeUpgrade("/cameras/{name}/ws", ctx -> require(ctx.pathParam("name")));
        config.routes.wsBeforeUpgrade("/cameras/{name}/mse", ctx -> require(ctx.pathParam("name")));
        config.routes.ws("/cameras/{name}/ws", ws -> socket(ws, false));
        config.routes.ws("/cameras/{name}/mse", ws -> socket(ws, true));
    }

    private void socket(WsConfig ws, boolean mse) {
        ws.onConnect(ctx -> {
            ServedCamera c = camera(ctx.pathParam("name"));
            if (c == null) { // removed between the upgrade and now
                ctx.closeSession(1008, "no camera " + ctx.pathParam("name"));
                return;
            }
            FrameSocket socket = mse ? c.mseSocket() : c.frameSocket();
            viewers.put(ctx.sessionId(), new Viewer(c, socket, ctx));
            socket.connect(ctx);
        });
        ws.onClose(ctx -> leave(ctx.sessionId()));
        ws.onError(ctx -> leave(ctx.sessionId()));
        ws.onMessage(ctx -> ignored(ctx.sessionId()));
        ws.onBinaryMessage(ctx -> ignored(ctx.sessionId()));
    }

    private void leave(String session) {
        Viewer v = viewers.remove(session);
        if (v != null) {
            v.socket().leave(session);
        }
    }

    private void ignored(String session) {
        Viewer v = viewers.get(session);
        if (v != null) {
            v.camera().ignoredMessages.incrementAndGet();
        }
    }

    private ServedCamera require(String name) {
        ServedCamera c = camera(name);
        if (c == null) {
            throw new Web.NotFound("no camera " + name + " (or it has view: false)");
        }
        return c;
    }

    private void snapshot(Context ctx) throws InterruptedException {
        ViewServer.snapshot(ctx, require(ctx.pathParam("name")));
    }

    /** The served camera {@code name} (after a {@link #sweep()}), or null when no feed runs by that name. */
    private ServedCamera camera(String name) {
        sweep();
        synchronized (this) {
            return served.get(name);
        }
    }

    /**
     * Follows the feeds running now: a served camera for each new feed, and the served cameras of feeds gone closed
     * (their viewers' sockets closed with 1001). Called at every request; call it after a reload too.
     */
    public void sweep() {
        List<ServedCamera> gone = new ArrayList<>();
        synchronized (this) {
            if (closed) {
                return;
            }
            Map<String, CameraFeed> now = new HashMap<>();
            for (CameraFeed f : feeds.get()) {
                now.put(f.name(), f);
            }
            served.entrySet().removeIf(e -> {
                CameraFeed f = now.get(e.getKey());
                if (f == null || f.hub() != e.getValue().hub()) {
                    gone.add(e.getValue());
                    return true;
                }
                return false;
            });
            now.forEach((name, f) -> served.computeIfAbsent(name, n -> new ServedCamera(f, maxViewers)));
        }
        gone.forEach(this::release);
    }

    private void release(ServedCamera c) {
        viewers.forEach((session, v) -> {
            if (v.camera() == c) {
                leave(session);
                v.ctx().closeSession(1001, "camera " + c.name() + " stopped");
            }
        });
        c.close();
    }

    /** The viewer's figures of camera {@code name}, as the viewer's {@code /cameras/NAME/healthz}; null if none. */
    public Map<String, Object> health(String name) {
        ServedCamera c = camera(name);
        return c == null ? null : ViewServer.health(c);
    }

    /**
     * The viewer's series of every camera served now, Prometheus text ({@link ViewMetrics}; its
     * {@code streamtee_http_unauthorized_total} reads 0: the web server that mounts these routes counts refusals).
     */
    public String scrape() {
        sweep();
        List<ServedCamera> now;
        synchronized (this) {
            now = List.copyOf(served.values());
        }
        if (now.isEmpty()) {
            return "";
        }
        synchronized (this) {
            if (!now.equals(metricsOf)) { // the cameras changed: their meters anew
                metrics = new ViewMetrics(now, () -> 0);
                metricsOf = now;
            }
            return metrics.scrape();
        }
    }

    /** Closes every served camera and its viewers. Idempotent. */
    @Override
    public void close() {
        List<ServedCamera> all;
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            all = List.copyOf(served.values());
            served.clear();
        }
        all.forEach(this::release);
    }
}
