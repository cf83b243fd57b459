package io.streamtee.serve;

import io.javalin.config.JavalinConfig;
import io.javalin.http.Context;
import io.streamtee.http.Web;
import io.streamtee.playback.PlaybackServer;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * The recorder's playback ({@link PlaybackServer}'s handlers) at {@code serve}'s web root, over every camera: a
 * request goes to the playback of the recordings directory its camera records to ({@code record.dir}, the data
 * directory by default), so a camera whose {@code record.dir} differs plays back too. A camera not running now (say
 * removed from the config) is looked for in the data directory. One playback per directory, made at first use.
 *
 * <pre>
 * GET /api/recordings?camera=&amp;from=&amp;to=   GET /play.m3u8?camera=&amp;from=&amp;to=
 * GET /recordings/{camera}/{file}
 * GET /clip.ts?camera=&amp;from=&amp;to=          GET /clip.mp4?camera=&amp;from=&amp;to=
 * </pre>
 */
final class ServePlayback {
    private final Serve serve;
    private final Map<Path, PlaybackServer> byDir = new HashMap<>();

    ServePlayback(Serve serve) {
        this.serve = serve;
    }

    /** One of the playback's handlers. */
    private interface Route {
        void handle(PlaybackServer playback, Context ctx) throws Exception;
    }

    void install(JavalinConfig config) {
        config.routes.get("/api/recordings", ctx -> handle(ctx, ctx.queryParam("camera"), PlaybackServer::recordings));
        config.routes.get("/play.m3u8", ctx -> handle(ctx, ctx.queryParam("camera"), PlaybackServer::playlist));
        config.routes.get("/recordings/{camera}/{file}", ctx -> handle(ctx, ctx.pathParam("camera"),
                PlaybackServer::piece));
        config.routes.get("/clip.ts", ctx -> handle(ctx, ctx.queryParam("camera"), PlaybackServer::clipTs));
        config.routes.get("/clip.mp4", ctx -> handle(ctx, ctx.queryParam("camera"), PlaybackServer::clipMp4));
        PlaybackServer.exceptions(config);
    }

    /** Runs {@code route} on camera {@code name}'s playback; "not recorded" for a camera with {@code record: false}. */
    private void handle(Context ctx, String name, Route route) throws Exception {
        try {
            route.handle(of(name), ctx);
        } catch (Web.NotFound e) {
            CameraServices c = name == null ? null : serve.camera(name);
            if (c != null && c.config().record() == null) {
                throw new Web.NotFound("camera " + name + " is not recorded (cameras." + name + ".record: false)");
            }
            throw e;
        }
    }

    /** The playback that holds camera {@code name}'s recordings (the data directory's when unknown or null). */
    private synchronized PlaybackServer of(String name) {
        Path dir = serve.config().data();
        CameraServices c = name == null ? null : serve.camera(name);
        if (c != null && c.config().record() != null) {
            dir = c.config().record().dir();
        }
        return byDir.computeIfAbsent(dir.toAbsolutePath().normalize(), PlaybackServer::new);
    }

    synchronized void close() {
        byDir.values().forEach(PlaybackServer::close);
        byDir.clear();
    }
}
