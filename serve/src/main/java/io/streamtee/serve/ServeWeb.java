package io.streamtee.serve;

import io.javalin.http.Context;
import io.streamtee.analyze.ClipLinks;
import io.streamtee.analyze.http.AnalyzerServer;
import io.streamtee.config.ApiSettings;
import io.streamtee.http.Web;
import io.streamtee.http.WebServer;
import io.streamtee.relay.http.ControlServer;
import io.streamtee.view.CameraFeed;
import io.streamtee.view.ViewRoutes;
import io.streamtee.view.ViewServer;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code serve}'s one web server: the pages, the JSON API under {@code /api/} and {@code /metrics}, for every camera
 * {@link Serve} runs now. Cameras come and go on reload, so every route looks its camera up per request; a camera not
 * running is a 404.
 *
 * <pre>
 * GET /                                   home: a live tile per camera with its state (home.html; polls /api/cameras)
 * GET /cameras/{name}/                    a camera: live view, events with snapshots and their clips, recordings of
 *                                         a day on a timeline (HLS), health and bit-rate plots (camera.html)
 * GET /cameras/{name}/view.html           the live viewer's page ({@code ?embed=1}: the picture only)
 * WS  /cameras/{name}/ws, /mse            the viewer's WebSockets ({@link ViewRoutes})
 * GET /cameras/{name}/snapshot.jpg        the newest picture
 * GET /relay/                             the relay's status page: routes (= cameras), outputs, counters
 * GET /relay/api/routes, /api/routes      every route with its counters and outputs ({@link ControlServer})
 * POST/DELETE /relay/api/routes/{route}/outputs[/{id}]   add or remove an output; GET /relay/streams/{route}
 * GET /api/cameras                        every camera ({@link CameraStatus}), in the config's order
 * GET /api/cameras/{name}                 one camera
 * GET /api/events[?camera=&amp;kind=&amp;from=&amp;to=&amp;limit=]   every camera's events ({@link ServeEvents})
 * GET /api/events/{id}[/snapshot.jpg]    one event, its snapshot
 * GET /api/recordings, /play.m3u8, /recordings/{camera}/{file}, /clip.ts, /clip.mp4   ({@link ServePlayback})
 * GET /metrics                            Prometheus text ({@link ServeMetrics})
 * GET /healthz                            {"status":"ok","cameras":n}
 * </pre>
 *
 * <p><b>Token.</b> The shared rule ({@link WebServer}): off loopback a token is required; {@code /} is open (the
 * page carries its {@code ?token=} into its requests, WebSockets and links), every other path takes the token as
 * {@code Authorization: Bearer} or {@code ?token=}.
 */
public final class ServeWeb implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ServeWeb.class);

    private final Serve serve;
    private final WebServer web;
    private final ViewRoutes view;
    private final ServeEvents events;
    private final ServePlayback playback;
    private final ControlServer relay;
    private final ServeMetrics metrics;
    /** Follows reloads: the viewers of a camera removed let go within a second, requests or not. */
    private final ScheduledExecutorService sweeper = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "serve-web-sweep");
        t.setDaemon(true);
        return t;
    });

    /** @throws io.streamtee.config.ConfigException naming {@code web.listen} when the address needs a token */
    public ServeWeb(Serve serve, ApiSettings at) {
        this.serve = serve;
        this.web = new WebServer("web.listen", at.listen().getAddress().getHostAddress(), at.listen().getPort(),
                at.token());
        this.view = new ViewRoutes(this::feeds, ViewServer.DEFAULT_MAX_VIEWERS);
        this.events = new ServeEvents(serve);
        this.playback = new ServePlayback(serve);
        this.relay = new ControlServer(serve::relay);
        this.metrics = new ServeMetrics(serve, view, web::unauthorized);
    }

    private List<CameraFeed> feeds() {
        List<CameraFeed> out = new ArrayList<>();
        for (CameraServices c : serve.cameras()) {
            if (c.feed() != null) {
                out.add(c.feed());
            }
        }
        return out;
    }

    /**
     * Binds and starts serving.
     *
     * @throws io.streamtee.cli.CommandException one line when the port cannot be bound
     */
    public ServeWeb start() {
        String home = Web.resource(ServeWeb.class, "home.html");
        String camera = Web.resource(ServeWeb.class, "camera.html");
        web.start("another streamtee serve", config -> {
            config.routes.get("/", ctx -> html(ctx, home));
            config.routes.get("/favicon.ico", ctx -> ctx.status(204));
            config.routes.get("/healthz", ctx -> Web.json(ctx, 200, Map.of("status", "ok",
                    "cameras", serve.cameras().size())));
            config.routes.get("/cameras/{name}/", ctx -> {
                require(ctx.pathParam("name"));
                if (!ctx.path().endsWith("/")) { // the page's URLs are relative to /cameras/NAME/
                    String query = ctx.queryString();
                    ctx.redirect(ctx.path() + "/" + (query == null ? "" : "?" + query));
                    return;
                }
                html(ctx, camera);
            });
            view.install(config);
            relay.install(config, "/relay");
            config.routes.get("/api/routes", ctx -> Web.json(ctx, 200, serve.relay() == null ? List.of()
                    : serve.relay().routes().stream().map(ControlServer::describe).toList()));
            config.routes.get("/api/cameras", this::cameras);
            config.routes.get("/api/cameras/{name}", ctx -> Web.json(ctx, 200,
                    status(require(ctx.pathParam("name")), System.currentTimeMillis())));
            events.install(config);
            playback.install(config);
            config.routes.get("/metrics", ctx -> ctx.contentType("text/plain; version=0.0.4; charset=utf-8")
                    .result(metrics.scrape()));
        });
        sweeper.scheduleWithFixedDelay(this::sweep, 1, 1, TimeUnit.SECONDS);
        return this;
    }

    private static void html(Context ctx, String page) {
        ctx.header("Cache-Control", "no-cache");
        ctx.header("Referrer-Policy", "no-referrer"); // the URL may carry ?token=
        ctx.contentType("text/html; charset=utf-8").result(page);
    }

    private CameraServices require(String name) {
        CameraServices c = serve.camera(name);
        if (c == null) {
            throw new Web.NotFound("no camera " + name);
        }
        return c;
    }

    private Map<String, Object> status(CameraServices c, long now) {
        return CameraStatus.of(c, serve.route(c.name()), view, now);
    }

    private void cameras(Context ctx) {
        long now = System.currentTimeMillis();
        view.sweep(); // cameras removed by a reload let go of their viewers and snapshot workers
        Web.json(ctx, 200, serve.cameras().stream().map(c -> status(c, now)).toList());
    }

    private void sweep() {
        try {
            view.sweep();
        } catch (RuntimeException e) {
            LOG.warn("following the cameras' viewers: {}", e.toString());
        }
    }

    /**
     * The web server's address for links from outside (an event's snapshot URL in a webhook's message), from the
     * analyzers' clip links ({@code web.url}, else {@link #url()}): null when there are none, or when they name every
     * address ({@code 0.0.0.0}, {@code ::}), where no one address would be right for every receiver, so links stay
     * paths (as the analyzer's own server does, {@link AnalyzerServer#baseUrl}). The host is never looked up.
     */
    static String linkBase(ClipLinks clips) {
        if (clips == null) {
            return null;
        }
        String host = URI.create(clips.base()).getHost();
        if (host == null) {
            return null;
        }
        String bare = host.startsWith("[") ? host.substring(1, host.length() - 1) : host;
        if (bare.equals("0.0.0.0") || bare.equals("::") || bare.matches("[0:]+")) {
            return null; // every address: no one of them is right for every receiver
        }
        return clips.base(); // as given (web.url) or as bound: never looked up
    }

    /** {@code http://host:port/}. */
    public String url() {
        return web.url();
    }

    public int port() {
        return web.port();
    }

    /** Stops serving, and the viewers' snapshot workers. Idempotent. */
    @Override
    public void close() {
        sweeper.shutdownNow();
        web.close();
        view.close();
        relay.close();
        playback.close();
    }
}
