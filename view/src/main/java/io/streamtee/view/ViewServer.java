package io.streamtee.view;

import io.javalin.config.JavalinConfig;
import io.javalin.http.Context;
import io.streamtee.config.ConfigException;
import io.streamtee.http.Web;
import io.streamtee.http.WebServer;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeoutException;
import java.util.stream.Collectors;

/**
 * The viewer's web server ({@code streamtee view --http 127.0.0.1:8083}), on the shared {@link WebServer}, for one
 * or several cameras:
 *
 * <pre>
 * GET /cameras/NAME/              the camera's page: WebCodecs decoding to a canvas (view.html; URLs relative to it)
 * WS  /cameras/NAME/ws            binary messages, one {@link Frame} per access unit ({@link FrameSocket}), and
 *                                 JSON text messages ({@link PageMessages}): how many frames are the cached GOP,
 *                                 "no video"
 * WS  /cameras/NAME/mse           the MSE fallback: fMP4, an init segment then one fragment per access unit
 *                                 ({@link MseFeed})
 * GET /cameras/NAME/snapshot.jpg  the newest frame as JPEG ({@link Snapshots}); 503 before the first picture
 * GET /cameras/NAME/healthz       {"status":"ok","camera","viewers","mseViewers","frames","cachedFrames","skips",
 *                                 "cutOff","live","refused","maxViewers"}; live: a frame came in the last 5 s;
 *                                 viewers: its WebSockets of both kinds, mseViewers those on the MSE fallback
 * GET /                           with one camera: its page, and /ws, /mse, /snapshot.jpg as above;
 *                                 with several: a grid of every camera's page (grid.html)
 * GET /healthz                    with one camera: its health; with several: {"status":"ok","cameras":[...]}
 * GET /metrics                    Prometheus text ({@link ViewMetrics})
 * </pre>
 *
 * <p><b>Token.</b> The shared token rule ({@link WebServer}): off loopback a token is required, and then every path
 * but {@code /favicon.ico} takes it as {@code Authorization: Bearer} or {@code ?token=} (a browser cannot set a
 * header on a WebSocket or an {@code <img>}); the WebSocket upgrade is checked too. The page carries its own
 * {@code ?token=} into its WebSocket's URL, the grid into each tile's.
 *
 * <p><b>Cameras that come and go.</b> This server's cameras are fixed; {@link ViewRoutes} serves the same
 * per-camera routes on another server ({@code serve}'s), looking the camera up at each request.
 *
 * <p><b>Viewers.</b> Each camera admits at most {@code maxViewers} at once ({@link ServedCamera#admit()}); the
 * {@link FrameSocket} refuses one more with close code 1013 and a reason the page can show.
 */
public final class ViewServer implements AutoCloseable {
    /** Viewers per camera unless {@code --max-viewers} says otherwise. */
    public static final int DEFAULT_MAX_VIEWERS = 100;
    static final int SEND_TIMEOUT_SECONDS = FrameSocket.SEND_TIMEOUT_SECONDS;
    /** A camera is live while its newest frame is younger than this. */
    static final long LIVE_WITHIN_MS = 5000;

    private final List<ServedCamera> cameras = new ArrayList<>();
    private final WebServer web;
    private ViewMetrics metrics;

    /**
     * One camera named {@code camera}, no token: loopback only.
     *
     * @param key    the flag or key that gave the address, for errors ({@code --http})
     * @param listen where to serve; port 0 for any free one
     * @throws ConfigException naming {@code key} when the address is not loopback
     */
    public ViewServer(Hub hub, String key, InetSocketAddress listen) {
        this(hub, "camera", key, listen);
    }

    /** @param camera the camera's name, in {@code /healthz} and {@code /cameras/NAME/} */
    public ViewServer(Hub hub, String camera, String key, InetSocketAddress listen) {
        this(List.of(new CameraFeed(camera, hub, null)), key, listen, null, DEFAULT_MAX_VIEWERS);
    }

    /**
     * @param cameras    the cameras, at least one, names unique
     * @param key        the flag or key that gave the address, for errors ({@code --http})
     * @param listen     where to serve; port 0 for any free one
     * @param token      the token requests must carry, or null for none (loopback only)
     * @param maxViewers the most viewers of each camera at once, at least 1
     * @throws ConfigException naming {@code key} when the address is not loopback and there is no token
     */
    public ViewServer(List<CameraFeed> cameras, String key, InetSocketAddress listen, String token, int maxViewers) {
        if (cameras.isEmpty()) {
            throw new IllegalArgumentException("no camera to serve");
        }
        if (maxViewers < 1) {
            throw new IllegalArgumentException("maxViewers must be at least 1, not " + maxViewers);
        }
        Set<String> names = new HashSet<>();
        for (CameraFeed f : cameras) {
            if (!names.add(f.name())) {
                throw new IllegalArgumentException("camera " + f.name() + " given twice");
            }
        }
        this.web = new WebServer(key, listen.getAddress().getHostAddress(), listen.getPort(), token)
                .openPaths(Set.of("/favicon.ico")); // the page takes ?token= and hands it to its WebSocket
        for (CameraFeed f : cameras) {
            this.cameras.add(new ServedCamera(f, maxViewers));
        }
    }

    /**
     * Binds and starts serving.
     *
     * @throws io.streamtee.cli.CommandException one line when the port cannot be bound
     */
    public synchronized ViewServer start() {
        String page = Web.resource(ViewServer.class, "view.html");
        String grid = Web.resource(ViewServer.class, "grid.html").replace("/*CAMERAS*/[]", cameras.stream()
                .map(c -> "\"" + c.name() + "\"").collect(Collectors.joining(",", "[", "]"))); // names need no escape
        metrics = new ViewMetrics(cameras, web::unauthorized);
        web.start("another viewer", config -> {
            // No permessage-deflate (browsers offer it): H.264 does not compress, and deflating every frame for every
            // viewer costs CPU and latency (a new viewer's whole cached GOP)
            config.jetty.modifyWebSocketServletFactory(f ->
                    f.getAvailableExtensionNames().remove("permessage-deflate"));
            config.routes.get("/favicon.ico", ctx -> ctx.status(204));
            config.routes.get("/metrics", ctx -> ctx.contentType("text/plain; version=0.0.4; charset=utf-8")
                    .result(metrics.scrape()));
            config.routes.get("/healthz", ctx -> Web.json(ctx, 200, health()));
            if (cameras.size() == 1) {
                cameraRoutes(config, "", cameras.getFirst(), page);
            } else {
                config.routes.get("/", ctx -> html(ctx, grid));
            }
            for (ServedCamera c : cameras) {
                cameraRoutes(config, "/cameras/" + c.name(), c, page);
                config.routes.get("/cameras/" + c.name() + "/healthz", ctx -> Web.json(ctx, 200, health(c)));
            }
        });
        return this;
    }

    /**
     * One camera's routes under {@code prefix} ({@code /cameras/NAME}, or {@code ""} for the only camera). Every
     * per-camera route goes here, one line each, so that it exists at both places. A route that streams to a viewer
     * takes its place with {@link ServedCamera#admit()} (the viewer limit) and gives it back with
     * {@link ServedCamera#release()}, as {@link FrameSocket} does.
     */
    private void cameraRoutes(JavalinConfig config, String prefix, ServedCamera c, String page) {
        config.routes.get(prefix + "/", ctx -> page(ctx, page));
        config.routes.get(prefix + "/snapshot.jpg", ctx -> snapshot(ctx, c));
        config.routes.ws(prefix + "/ws", c.frameSocket()::configure);
        config.routes.ws(prefix + "/mse", c.mseSocket()::configure);
    }

    /** The page, at a path ending in '/' so that its relative URLs ("ws", "snapshot.jpg") land under it. */
    private static void page(Context ctx, String page) {
        if (!ctx.path().endsWith("/")) {
            String query = ctx.queryString();
            ctx.redirect(ctx.path() + "/" + (query == null ? "" : "?" + query));
            return;
        }
        html(ctx, page);
    }

    private static void html(Context ctx, String html) {
        ctx.header("Cache-Control", "no-cache");
        ctx.header("Referrer-Policy", "no-referrer"); // the URL may carry ?token=
        ctx.contentType("text/html; charset=utf-8").result(html);
    }

    /** Answers a snapshot request for {@code c}: the newest picture as JPEG, or a one-line 503 saying why not. */
    static void snapshot(Context ctx, ServedCamera c) throws InterruptedException {
        c.snapshotRequests.incrementAndGet();
        byte[] jpeg;
        try {
            jpeg = c.snapshots().latest();
        } catch (TimeoutException e) {
            Web.json(ctx, 503, Web.error("camera " + c.name() + ": the snapshot took more than "
                    + Snapshots.TIMEOUT_SECONDS + " s; try again"));
            return;
        }
        if (jpeg == null) {
            ctx.header("Retry-After", "1");
            Web.json(ctx, 503, Web.error("camera " + c.name() + ": no picture yet (waiting for a keyframe)"));
            return;
        }
        ctx.header("Cache-Control", "no-store");
        ctx.contentType("image/jpeg").result(jpeg);
    }

    private Object health() {
        if (cameras.size() == 1) {
            return health(cameras.getFirst());
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("status", "ok");
        body.put("cameras", cameras.stream().map(ViewServer::health).toList());
        return body;
    }

    static Map<String, Object> health(ServedCamera c) {
        Hub hub = c.hub();
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("status", "ok");
        body.put("camera", c.name());
        body.put("viewers", c.admitted());
        body.put("mseViewers", c.mse().viewers());
        body.put("frames", hub.frames());
        body.put("cachedFrames", hub.cachedFrames());
        body.put("skips", hub.skips());
        body.put("cutOff", c.cutOff.get());
        body.put("live", hub.lastPublishedMs() > System.currentTimeMillis() - LIVE_WITHIN_MS);
        body.put("refused", c.refused.get());
        body.put("maxViewers", c.maxViewers());
        return body;
    }

    /** The bound port. */
    public int port() {
        return web.port();
    }

    /** {@code http://host:port/}. */
    public String url() {
        return web.url();
    }

    /** The MSE fallback's feed of the first camera (tests). */
    MseFeed mse() {
        return cameras.getFirst().mse();
    }

    /** Viewers cut off because one send took too long, every camera. */
    public long cutOff() {
        return cameras.stream().mapToLong(c -> c.cutOff.get()).sum();
    }

    /** Messages from viewers, ignored (a viewer sends none), every camera. */
    long ignoredMessages() {
        return cameras.stream().mapToLong(c -> c.ignoredMessages.get()).sum();
    }

    /** Requests refused for a missing or wrong token. */
    public long unauthorized() {
        return web.unauthorized();
    }

    /** Stops serving and the snapshot workers. Idempotent. */
    @Override
    public void close() {
        web.close();
        for (ServedCamera c : cameras) {
            c.close();
        }
    }
}
