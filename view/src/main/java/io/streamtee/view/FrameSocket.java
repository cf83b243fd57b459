package io.streamtee.view;

import io.javalin.websocket.WsConfig;
import io.javalin.websocket.WsContext;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;
import org.eclipse.jetty.websocket.api.Callback;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One of a camera's WebSockets: the WebCodecs one ({@code /cameras/NAME/ws}: one binary message per access unit,
 * {@link Frame}) or the MSE fallback's ({@code /cameras/NAME/mse}: fMP4 messages, {@link MseFeed}); either way the
 * cached GOP at once, then each live message, from a {@link Feed}. Besides, JSON text messages ({@link PageMessages}):
 * first how many messages are the cached GOP, then whenever the camera's stream has no video or has it again.
 *
 * <ul>
 *   <li>Each viewer has a {@link Subscriber} queue and a sender on its own virtual thread that waits for each send to
 *       complete (at most {@value #SEND_TIMEOUT_SECONDS} s, else the viewer is cut off, close code 1008), so a slow
 *       viewer fills only its own queue.</li>
 *   <li>Over the camera's viewer limit ({@link ServedCamera#admit()}) the upgrade is accepted and the socket closed
 *       at once with code {@value #CLOSE_TRY_AGAIN_LATER} and the reason "try again later: the viewer limit of N is
 *       reached": a browser's {@code CloseEvent} shows code and reason, whereas a refused upgrade reaches a page
 *       only as code 1006 with no reason.</li>
 *   <li>Messages from the viewer are ignored (counted); one longer than {@value #MAX_MESSAGE_BYTES} bytes closes
 *       that viewer's socket (1009, message too big) without reading it whole.</li>
 * </ul>
 */
final class FrameSocket {
    private static final Logger LOG = LoggerFactory.getLogger(FrameSocket.class);
    static final int SEND_TIMEOUT_SECONDS = 10;
    /** The close code for "try again later" (RFC 6455 registry: 1013). */
    static final int CLOSE_TRY_AGAIN_LATER = 1013;
    /** The longest message a viewer may send (it sends none). */
    static final int MAX_MESSAGE_BYTES = 64 * 1024;

    private final ServedCamera camera;
    private final Feed feed;
    private final String kind;
    private final Map<String, Subscriber> viewers = new ConcurrentHashMap<>();

    /**
     * @param camera the camera: its viewer limit (shared by all its sockets) and counters
     * @param feed   what this socket streams
     * @param kind   for the log: "viewer", "MSE viewer"
     */
    FrameSocket(ServedCamera camera, Feed feed, String kind) {
        this.camera = camera;
        this.feed = feed;
        this.kind = kind;
    }

    /** The WebSocket's handlers, for {@code config.routes.ws(path, socket::configure)}. */
    void configure(WsConfig ws) {
        ws.onConnect(this::connect);
        ws.onClose(ctx -> leave(ctx.sessionId()));
        ws.onError(ctx -> leave(ctx.sessionId()));
        ws.onMessage(ctx -> camera.ignoredMessages.incrementAndGet());
        ws.onBinaryMessage(ctx -> camera.ignoredMessages.incrementAndGet());
    }

    /** A viewer connected (also called by {@link ViewRoutes}, which finds the camera first). */
    void connect(WsContext ctx) {
        ctx.session.setIdleTimeout(Duration.ofSeconds(60));
        ctx.session.setMaxTextMessageSize(MAX_MESSAGE_BYTES);
        ctx.session.setMaxBinaryMessageSize(MAX_MESSAGE_BYTES);
        if (!camera.admit()) {
            if (camera.refused.get() == 1) { // the first; the others are counted in /metrics
                LOG.info("camera {}: a viewer refused: {}", camera.name(), camera.limitMessage());
            } else {
                LOG.debug("camera {}: {} {} refused: {}", camera.name(), kind, ctx.sessionId(),
                        camera.limitMessage());
            }
            ctx.closeSession(CLOSE_TRY_AGAIN_LATER, camera.limitMessage());
            return;
        }
        Subscriber s = feed.join();
        viewers.put(ctx.sessionId(), s);
        Thread.ofVirtual().name("view-send-" + ctx.sessionId()).start(() -> send(ctx, s));
    }

    private void send(WsContext ctx, Subscriber s) {
        Function<Frame, List<Frame>> framer = feed.framer();
        try {
            sendText(ctx, PageMessages.catchUp(s.cachedAtJoin()));
            String said = null; // the no-video message the page has, null for none
            while (ctx.session.isOpen() && viewers.get(ctx.sessionId()) == s) {
                String noVideo = feed.noVideoMessage();
                if (!Objects.equals(noVideo, said)) {
                    sendText(ctx, noVideo == null ? PageMessages.video() : PageMessages.noVideo(noVideo));
                    said = noVideo;
                }
                Frame taken = s.take(500);
                if (taken == null) {
                    continue;
                }
                for (Frame f : framer.apply(taken)) {
                    Callback.Completable done = new Callback.Completable();
                    ctx.session.sendBinary(ByteBuffer.wrap(f.message()), done);
                    done.get(SEND_TIMEOUT_SECONDS, TimeUnit.SECONDS);
                    camera.sentFrames.incrementAndGet();
                    camera.sentBytes.addAndGet(f.message().length);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (TimeoutException e) {
            camera.cutOff.incrementAndGet();
            LOG.info("camera {}: {} {}: a message took more than {} s to send; cut off", camera.name(), kind,
                    ctx.sessionId(), SEND_TIMEOUT_SECONDS);
            ctx.closeSession(1008, "too slow");
        } catch (ExecutionException e) {
            LOG.debug("camera {}: {} {}: {}", camera.name(), kind, ctx.sessionId(), e.getCause().toString());
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

    /** The viewer of {@code session} left (idempotent). */
    void leave(String session) {
        Subscriber s = viewers.remove(session);
        if (s != null) {
            camera.release();
            feed.leave(s);
        }
    }
}
