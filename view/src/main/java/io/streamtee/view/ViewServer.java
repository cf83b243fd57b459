package io.streamtee.view;

import io.javalin.websocket.WsContext;
import io.streamtee.config.ConfigException;
import io.streamtee.http.Web;
import io.streamtee.http.WebServer;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import org.eclipse.jetty.websocket.api.Callback;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The viewer's web server ({@code streamtee view --http 127.0.0.1:8083}), on the shared {@link WebServer}:
 *
 * <pre>
 * GET /         the page: WebCodecs decoding to a canvas (view.html)
 * GET /healthz  {"status":"ok","camera","viewers","frames","cachedFrames","skips","cutOff"}
 * WS  /ws       binary messages, one {@link Frame} per access unit: the cached GOP at once, then each live one;
 *               text messages ({@link PageMessages}): how many frames are the cached GOP, and "no video"
 * </pre>
 *
 * Each WebSocket viewer has a {@link Subscriber} queue and a sender on its own virtual thread that waits for each
 * send to complete (at most {@value #SEND_TIMEOUT_SECONDS} s, else the viewer is cut off), so a slow viewer fills
 * only its own queue. Messages from the browser are ignored. Loopback only for now: the WebSocket does not yet check
 * the shared token, so any other address is refused.
 */
public final class ViewServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ViewServer.class);
    static final int SEND_TIMEOUT_SECONDS = 10;

    private final Hub hub;
    private final String camera;
    private final WebServer web;
    private final Map<String, Subscriber> viewers = new ConcurrentHashMap<>();
    private final AtomicLong cutOff = new AtomicLong();

    /**
     * @param key    the flag or key that gave the address, for errors ({@code --http})
     * @param listen where to serve; port 0 for any free one
     * @throws ConfigException naming {@code key} when the address is not loopback
     */
    public ViewServer(Hub hub, String key, InetSocketAddress listen) {
        this(hub, "camera", key, listen);
    }

    /** @param camera the camera's name, in {@code /healthz} */
    public ViewServer(Hub hub, String camera, String key, InetSocketAddress listen) {
        if (!listen.getAddress().isLoopbackAddress()) {
            throw ConfigException.at(key, "the viewer serves on loopback only for now (its WebSocket checks no token"
                    + " yet), not " + listen.getAddress().getHostAddress());
        }
        this.hub = hub;
        this.camera = camera;
        this.web = new WebServer(key, listen.getAddress().getHostAddress(), listen.getPort(), null);
    }

    /**
     * Binds and starts serving.
     *
     * @throws io.streamtee.cli.CommandException one line when the port cannot be bound
     */
    public synchronized ViewServer start() {
        String page = Web.resource(ViewServer.class, "view.html");
        web.start("another viewer", config -> {
            // No permessage-deflate (browsers offer it): H.264 does not compress, and deflating every frame for every
            // viewer costs CPU and latency (a new viewer's whole cached GOP)
            config.jetty.modifyWebSocketServletFactory(f ->
                    f.getAvailableExtensionNames().remove("permessage-deflate"));
            config.routes.get("/", ctx -> ctx.contentType("text/html; charset=utf-8").result(page));
            config.routes.get("/favicon.ico", ctx -> ctx.status(204));
            config.routes.get("/healthz", ctx -> Web.json(ctx, 200, health()));
            config.routes.ws("/ws", ws -> {
                ws.onConnect(this::connect);
                ws.onClose(ctx -> leave(ctx.sessionId()));
                ws.onError(ctx -> leave(ctx.sessionId()));
                ws.onMessage(ctx -> { }); // the page sends nothing; anything it does send is ignored
                ws.onBinaryMessage(ctx -> { });
            });
        });
        return this;
    }

    private void connect(WsContext ctx) {
        ctx.session.setIdleTimeout(Duration.ofSeconds(60));
        Subscriber s = hub.join();
        viewers.put(ctx.sessionId(), s);
        Thread.ofVirtual().name("view-send-" + ctx.sessionId()).start(() -> send(ctx, s));
    }

    private void send(WsContext ctx, Subscriber s) {
        try {
            sendText(ctx, PageMessages.catchUp(s.cachedAtJoin()));
            String said = null; // the no-video message the page has, null for none
            while (ctx.session.isOpen() && viewers.get(ctx.sessionId()) == s) {
                String noVideo = hub.noVideoMessage();
                if (!Objects.equals(noVideo, said)) {
                    sendText(ctx, noVideo == null ? PageMessages.video() : PageMessages.noVideo(noVideo));
                    said = noVideo;
                }
                Frame f = s.take(500);
                if (f == null) {
                    continue;
                }
                Callback.Completable done = new Callback.Completable();
                ctx.session.sendBinary(ByteBuffer.wrap(f.message()), done);
                done.get(SEND_TIMEOUT_SECONDS, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (TimeoutException e) {
            cutOff.incrementAndGet();
            LOG.info("viewer {}: a frame took more than {} s to send; cut off", ctx.sessionId(),
                    SEND_TIMEOUT_SECONDS);
            ctx.closeSession(1008, "too slow");
        } catch (ExecutionException e) {
            LOG.debug("viewer {}: {}", ctx.sessionId(), e.getCause().toString());
        } finally {
            leave(ctx.sessionId());
        }
    }

    private static void sendText(WsContext ctx, String json)
            throws InterruptedException, ExecutionException, TimeoutException {
        Callback.Completable done = new Callback.Completable();
        ctx.session.sendText(json, done);
        done.get(SEND_TIMEOUT_SECONDS, TimeUnit.SECONDS);
    }

    private void leave(String session) {
        Subscriber s = viewers.remove(session);
        if (s != null) {
            hub.leave(s);
        }
    }

    private Map<String, Object> health() {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("status", "ok");
        body.put("camera", camera);
        body.put("viewers", hub.viewers());
        body.put("frames", hub.frames());
        body.put("cachedFrames", hub.cachedFrames());
        body.put("skips", hub.skips());
        body.put("cutOff", cutOff.get());
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

    /** Viewers cut off because one send took too long. */
    public long cutOff() {
        return cutOff.get();
    }

    /** Stops serving. Idempotent. */
    @Override
    public void close() {
        web.close();
    }
}
