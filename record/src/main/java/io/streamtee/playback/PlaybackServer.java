package io.streamtee.playback;

import io.javalin.config.JavalinConfig;
import io.javalin.http.Context;
import io.streamtee.config.ApiSettings;
import io.streamtee.config.ConfigException;
import io.streamtee.http.Web;
import io.streamtee.http.WebServer;
import io.streamtee.media.Mp4Remux;
import io.streamtee.playback.Catalog.Recording;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Playback of a recordings directory over HTTP: what is recorded, HLS playlists of any time range, and clips as
 * MPEG-TS or MP4, cut at keyframes without re-encoding. Reads the index and the segment files only (see
 * {@link Catalog}), so it serves while a recorder writes, or alone over a copied directory.
 *
 * <pre>
 * GET /                                         a page: cameras, what they recorded, a player
 * GET /healthz                                  {"status":"ok","cameras":n}
 * GET /api/cameras                              [{"camera","first","last","segments","bytes"}]
 * GET /api/recordings?camera=&amp;from=&amp;to=         spans of continuous recording, segments, gaps
 * GET /play.m3u8?camera=&amp;from=&amp;to=              HLS (VOD) playlist of the range
 * GET /recordings/{camera}/{id}.ts                a segment
 * GET /recordings/{camera}/{id}_k{K}-{L}.ts        its part from keyframe K to before keyframe L ({@code end})
 * GET /clip.ts?camera=&amp;from=&amp;to=                the range as one MPEG-TS file
 * GET /clip.mp4?camera=&amp;from=&amp;to=               the same, remuxed to MP4 (moov first)
 * </pre>
 *
 * {@code camera} may be left out when the directory holds one camera. Times: see {@link TimeParam}; {@code to}
 * defaults to now and {@code from} to an hour before {@code to}. A range is at most {@link #MAX_RANGE_MILLIS}.
 * Errors are JSON {@code {"error":"one line"}}: 400 for a bad parameter (named), 404 for an unknown camera, an
 * empty range or an unknown segment. A request never names a file: a camera name is checked against the directory
 * and a segment is an index id. Off loopback a token is required ({@code Authorization: Bearer} or
 * {@code ?token=}, which the playlist passes on to its segment URIs, as players cannot set headers).
 *
 * <p>A clip keeps real time: a time in {@code clip.ts} or {@code clip.mp4} is the wall-clock time since the clip's
 * first keyframe. Where the camera's clock restarted the timestamps run on; where nothing was recorded for a while
 * (the camera was off) the timeline keeps the gap, and a player holds the last picture through it (see
 * {@link Clip#writeTs}). The playlist instead marks both with {@code EXT-X-DISCONTINUITY} and gives each piece its
 * {@code EXT-X-PROGRAM-DATE-TIME}, and HLS players play the pieces back to back.
 */
public final class PlaybackServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(PlaybackServer.class);
    /** The longest range a playlist or a clip may cover. */
    static final long MAX_RANGE_MILLIS = 24 * 3_600_000L;
    static final long DEFAULT_RANGE_MILLIS = 3_600_000L;
    /** Segments (the newest) and gaps listed by /api/recordings at most; spans are always complete. */
    static final int MAX_LISTED = 5000;
    /** The longest MP4 export: it is written to a temporary file first (about 3.6 GB at 8 Mbit/s). */
    static final long MAX_MP4_MILLIS = 3_600_000L;
    private static final String TEMP_PREFIX = "streamtee-clip-";
    private static final java.time.Duration STALE_TEMP = java.time.Duration.ofHours(6);
    /** MP4 remuxes at once; more wait up to {@link #REMUX_WAIT_SECONDS}. */
    private static final int REMUXES = 2;
    private static final int REMUX_WAIT_SECONDS = 30;
    private static final Pattern PIECE = Pattern.compile("(\\d{1,18})(?:_k(\\d{1,9})-(\\d{1,9}|end))?\\.ts");
    private static final DateTimeFormatter FILE_TIME = DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")
            .withZone(ZoneOffset.UTC);

    private final Catalog catalog;
    private final WebServer web;
    private final Clock clock;
    private final Semaphore remuxes = new Semaphore(REMUXES);

    /**
     * @param dir   the recordings directory
     * @param host  the address to listen on; anything but loopback needs a token
     * @param port  the TCP port, 0 for any free one (see {@link #port()})
     * @param token the token every request must carry, or null for none (loopback only)
     * @throws ConfigException if {@code host} does not resolve, or is not loopback and there is no token
     */
    public PlaybackServer(Path dir, String host, int port, String token) {
        this(new Catalog(dir), host, port, token, Clock.systemUTC());
    }

    /**
     * The handlers only, over {@code dir}, for mounting on another command's web server ({@code serve}'s): it
     * neither binds nor serves by itself; route requests to {@link #recordings}, {@link #playlist}, {@link #piece},
     * {@link #clipTs} and {@link #clipMp4}, and add {@link #exceptions} once.
     */
    public PlaybackServer(Path dir) {
        this.web = null;
        this.catalog = new Catalog(dir);
        this.clock = Clock.systemUTC();
    }

    PlaybackServer(Catalog catalog, String host, int port, String token, Clock clock) {
        this.web = new WebServer("--http", host, port, token); // ?token= everywhere: HLS players fetch by URL
        this.catalog = catalog;
        this.clock = clock;
    }

    /**
     * The address and token to serve at, from an {@code --http HOST:PORT} flag (of {@code record} or
     * {@code playback}) and {@code STREAMTEE_API_TOKEN}, checked.
     *
     * @throws ConfigException naming {@code --http} (or the variable) when the address is bad, or is not loopback
     *                         and there is no token
     */
    public static ApiSettings apiSettings(String http) {
        return ApiSettings.fromHttpFlag("--http", http);
    }

    /**
     * Binds and starts serving.
     *
     * @throws io.streamtee.cli.CommandException if the port cannot be bound
     */
    public synchronized PlaybackServer start() {
        String page = Web.resource(PlaybackServer.class, "playback.html");
        sweepTemporaryFiles(Path.of(System.getProperty("java.io.tmpdir")));
        web.start("another recorder", config -> {
            config.routes.get("/", ctx -> ctx.contentType("text/html; charset=utf-8").result(page));
            config.routes.get("/favicon.ico", ctx -> ctx.status(204));
            config.routes.get("/healthz", ctx -> Web.json(ctx, 200, Map.of("status", "ok",
                    "cameras", catalog.cameras().size())));
            config.routes.get("/api/cameras", this::cameras);
            config.routes.get("/api/recordings", this::recordings);
            config.routes.get("/play.m3u8", this::playlist);
            config.routes.get("/recordings/{camera}/{file}", this::piece);
            config.routes.get("/clip.ts", this::clipTs);
            config.routes.get("/clip.mp4", this::clipMp4);
            exceptions(config);
        });
        LOG.info("playback: {} ({})", url(), web.open() ? "no token" : "token required");
        return this;
    }

    /** The playback handlers' error answers: a segment file gone (404), too many MP4 exports at once (503). */
    public static void exceptions(JavalinConfig config) {
        config.routes.exception(java.nio.file.NoSuchFileException.class, (e, ctx) -> {
            if (!ctx.res().isCommitted()) { // retention deleted it between the index and the file
                Web.json(ctx, 404, Web.error("segment file gone (deleted by retention?): "
                        + java.nio.file.Path.of(e.getFile()).getFileName()));
            }
        });
        config.routes.exception(Unavailable.class, (e, ctx) -> Web.json(ctx, 503, Web.error(e.getMessage())));
    }

    /** The bound port (the real one when 0 was asked for). */
    public int port() {
        return web.port();
    }

    /** {@code http://host:port/}. */
    public String url() {
        return web.url();
    }

    @Override
    public synchronized void close() {
        if (web != null) {
            web.close();
        }
    }

    // ---------------------------------------------------------------- handlers

    private void cameras(Context ctx) throws SQLException {
        List<Map<String, Object>> list = new ArrayList<>();
        for (String camera : catalog.cameras()) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("camera", camera);
            catalog.summary(camera).ifPresent(s -> {
                m.put("first", iso(s.firstMillis()));
                m.put("last", iso(s.lastMillis()));
                m.put("segments", s.segments());
                m.put("bytes", s.bytes());
            });
            list.add(m);
        }
        Web.json(ctx, 200, list);
    }

    /** {@code GET} as the class comment says. */
    public void recordings(Context ctx) throws SQLException {
        String camera = camera(ctx);
        long now = clock.millis();
        long to = time(ctx, "to", now, now);
        long from = time(ctx, "from", Long.MIN_VALUE, now);
        if (from == Long.MIN_VALUE) {
            from = 0;
        }
        if (from >= to) {
            throw new ConfigException("from: must be before to");
        }
        List<Recording> segments = catalog.newestSegments(camera, from, to, MAX_LISTED + 1);
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("camera", camera);
        body.put("from", iso(from));
        body.put("to", iso(to));
        body.put("spans", catalog.spans(camera, from, to, Clip.DISCONTINUITY_MILLIS * 2).stream()
                .map(PlaybackServer::span).toList());
        List<Map<String, Object>> listed = new ArrayList<>();
        for (Recording r : segments.subList(Math.max(0, segments.size() - MAX_LISTED), segments.size())) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("id", r.id());
            m.put("start", iso(r.startMillis()));
            m.put("end", iso(r.endMillis()));
            m.put("durationMs", r.durationMillis());
            m.put("bytes", r.bytes());
            m.put("frames", r.frames());
            m.put("keyframes", r.keyframeOffsets().length);
            m.put("repaired", r.repaired());
            m.put("url", "/recordings/" + camera + "/" + r.id() + ".ts");
            listed.add(m);
        }
        body.put("segments", listed);
        body.put("truncated", segments.size() > MAX_LISTED);
        List<Map<String, Object>> gaps = new ArrayList<>();
        for (Catalog.Gap g : catalog.gaps(camera, from, to, MAX_LISTED)) {
            gaps.add(Map.of("kind", g.kind(), "start", iso(g.startMillis()), "end", iso(g.endMillis()),
                    "count", g.count()));
        }
        body.put("gaps", gaps);
        Web.json(ctx, 200, body);
    }

    private static Map<String, Object> span(Catalog.Span s) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("start", iso(s.startMillis()));
        m.put("end", iso(s.endMillis()));
        m.put("durationMs", s.endMillis() - s.startMillis());
        m.put("segments", s.segments());
        return m;
    }

    /** {@code GET} as the class comment says. */
    public void playlist(Context ctx) throws SQLException {
        String camera = camera(ctx);
        Clip clip = clip(ctx, camera);
        String token = ctx.queryParam("token");
        // the keyframe range is in the path, not the query: players match segment URIs by extension
        String suffix = token == null ? "" : "?token=" + URLEncoder.encode(token, StandardCharsets.UTF_8);
        String m3u8 = clip.playlist(p -> pieceUri(camera, p) + suffix);
        ctx.contentType("application/vnd.apple.mpegurl").header("Cache-Control", "no-cache").result(m3u8);
    }

    /** {@code GET} as the class comment says. */
    public void piece(Context ctx) throws SQLException, IOException {
        String camera = ctx.pathParam("camera");
        if (!catalog.has(camera)) {
            throw new Web.NotFound("no camera " + camera);
        }
        String file = ctx.pathParam("file");
        Matcher m = PIECE.matcher(file);
        if (!m.matches()) {
            throw new Web.NotFound("no segment " + file + " (segments are ID.ts, or ID_kFROM-TO.ts for keyframes "
                    + "FROM to before TO, TO may be end)");
        }
        long id = Long.parseLong(m.group(1));
        Recording r = catalog.segment(camera, id).orElseThrow(() -> new Web.NotFound("no segment " + id + " of "
                + camera + " (deleted by retention?)"));
        int from = 0;
        int to = -1;
        if (m.group(2) != null) {
            int keyframes = r.cuttable() ? r.keyframeOffsets().length : 0;
            from = Integer.parseInt(m.group(2));
            to = m.group(3).equals("end") ? -1 : Integer.parseInt(m.group(3));
            if (from >= keyframes || to >= keyframes || (to >= 0 && to <= from)) {
                throw new Web.NotFound("segment " + id + " has no keyframe range " + m.group(2) + "-" + m.group(3)
                        + " (it has " + keyframes + " keyframes)");
            }
        }
        Clip.Piece piece = new Clip.Piece(r, from, to, 0, 0, 0, false);
        Clip.checkFile(catalog, piece);
        ctx.contentType("video/mp2t");
        ctx.header("Content-Length", Long.toString(piece.length()));
        try (OutputStream out = ctx.outputStream()) {
            Clip.writePiece(catalog, piece, out);
        }
    }

    /** The HLS URI of a piece, relative to the playlist: {@code recordings/CAMERA/ID.ts} or {@code ID_kFROM-TO.ts}. */
    static String pieceUri(String camera, Clip.Piece p) {
        String name = p.whole() ? Long.toString(p.segment().id()) : p.segment().id() + "_k" + p.fromKeyframe() + "-"
                + (p.toKeyframe() < 0 ? "end" : Integer.toString(p.toKeyframe()));
        return "recordings/" + camera + "/" + name + ".ts";
    }

    /** {@code GET} as the class comment says. */
    public void clipTs(Context ctx) throws SQLException, IOException {
        String camera = camera(ctx);
        Clip clip = clip(ctx, camera);
        clip.checkFiles(catalog);
        ctx.contentType("video/mp2t");
        ctx.header("Content-Disposition", "attachment; filename=\"" + fileName(camera, clip, "ts") + "\"");
        ctx.header("Content-Length", Long.toString(clip.length()));
        try (OutputStream out = ctx.outputStream()) {
            clip.writeTs(catalog, out);
        }
    }

    /** {@code GET} as the class comment says. */
    public void clipMp4(Context ctx) throws SQLException, IOException, InterruptedException {
        String camera = camera(ctx);
        // the remux goes through a temporary file; clip.ts streams straight from the segments
        Clip clip = clip(ctx, camera, MAX_MP4_MILLIS, ", the most an MP4 export takes (clip.ts takes up to 24 h)");
        clip.checkFiles(catalog);
        if (!remuxes.tryAcquire(REMUX_WAIT_SECONDS, TimeUnit.SECONDS)) {
            throw new Unavailable("busy: " + REMUXES + " MP4 exports are running; try again, or take clip.ts");
        }
        Path mp4 = null;
        try {
            // the MP4's index goes first (faststart), so it is written whole before it is sent; its input is read
            // straight from the segments
            mp4 = Files.createTempFile(TEMP_PREFIX, ".mp4");
            try (InputStream ts = clip.openTs(catalog)) {
                Mp4Remux.remux(ts, "clip", mp4);
            }
            ctx.contentType("video/mp4");
            ctx.header("Content-Disposition", "attachment; filename=\"" + fileName(camera, clip, "mp4") + "\"");
            ctx.header("Content-Length", Long.toString(Files.size(mp4)));
            try (OutputStream out = ctx.outputStream()) {
                Files.copy(mp4, out);
            }
        } finally {
            remuxes.release();
            deleteQuietly(mp4);
        }
    }

    /**
     * Deletes MP4 exports a killed server left in the temporary directory: any older than {@link #STALE_TEMP}
     * (an export in progress, of another server, is younger).
     */
    static void sweepTemporaryFiles(Path tmp) {
        long cutoff = System.currentTimeMillis() - STALE_TEMP.toMillis();
        try (var files = Files.newDirectoryStream(tmp, TEMP_PREFIX + "*.mp4")) {
            for (Path f : files) {
                if (Files.getLastModifiedTime(f).toMillis() < cutoff) {
                    deleteQuietly(f);
                }
            }
        } catch (IOException e) {
            LOG.debug("cannot sweep {}", tmp, e);
        }
    }

    private static void deleteQuietly(Path p) {
        if (p == null) {
            return;
        }
        try {
            Files.deleteIfExists(p);
        } catch (IOException e) {
            LOG.debug("cannot delete {}", p, e);
        }
    }

    private static String fileName(String camera, Clip clip, String extension) {
        return camera + "-" + FILE_TIME.format(Instant.ofEpochMilli(clip.startMillis())) + "." + extension;
    }

    // ---------------------------------------------------------------- parameters

    /** The range's clip: at most {@link #MAX_RANGE_MILLIS}, and something recorded in it. */
    private Clip clip(Context ctx, String camera) throws SQLException {
        return clip(ctx, camera, MAX_RANGE_MILLIS, "");
    }

    /**
     * The clip of the request's range: {@code from} to {@code to}, at most {@code maxMillis} as asked (snapping to
     * keyframes may add a little), and something recorded in it.
     */
    private Clip clip(Context ctx, String camera, long maxMillis, String hint) throws SQLException {
        long now = clock.millis();
        long to = time(ctx, "to", now, now);
        long from = time(ctx, "from", to - DEFAULT_RANGE_MILLIS, now);
        if (from >= to) {
            throw new ConfigException("from: must be before to");
        }
        if (to - from > maxMillis) {
            throw new ConfigException("from: " + iso(from) + " to " + iso(to) + " is more than "
                    + (maxMillis % 3_600_000L == 0 ? maxMillis / 3_600_000L + " h" : maxMillis / 60_000L + " min")
                    + hint + "; ask for less");
        }
        Clip clip = Clip.of(catalog.segments(camera, from, to), from, to);
        if (clip.isEmpty()) {
            throw new Web.NotFound("nothing recorded by " + camera + " between " + iso(from) + " and " + iso(to));
        }
        return clip;
    }

    private static long time(Context ctx, String name, long absent, long now) {
        String v = ctx.queryParam(name);
        return v == null || v.isBlank() ? absent : TimeParam.parse(name, v, now);
    }

    /** The {@code camera} parameter: checked against the directory; optional when there is one camera. */
    private String camera(Context ctx) {
        String camera = ctx.queryParam("camera");
        if (camera == null || camera.isBlank()) {
            List<String> cameras = catalog.cameras();
            if (cameras.size() == 1) {
                return cameras.getFirst();
            }
            throw cameras.isEmpty() ? new Web.NotFound("nothing recorded yet")
                    : new ConfigException("camera: required, one of " + String.join(", ", cameras));
        }
        if (!catalog.has(camera)) {
            throw new Web.NotFound("no camera " + camera + " (cameras: " + String.join(", ", catalog.cameras()) + ")");
        }
        return camera;
    }


    // ---------------------------------------------------------------- plumbing

    private static String iso(long millis) {
        return Instant.ofEpochMilli(millis).toString();
    }

    /** 503 with a one-line message. */
    private static final class Unavailable extends RuntimeException {
        Unavailable(String message) {
            super(message, null, false, false);
        }
    }
}
