package io.streamtee.view;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.streamtee.camera.Camera;
import io.streamtee.camera.CameraConfig;
import io.streamtee.camera.Destination;
import io.streamtee.config.Endpoint;
import io.streamtee.testing.Datagrams;
import io.streamtee.testing.Figures;
import io.streamtee.testing.HostilePaths;
import io.streamtee.testing.Slowloris;
import io.streamtee.testing.UdpSender;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocketHandshakeException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The viewer's server over real sockets with real cameras (the simulator, H.264 over UDP on loopback): several
 * cameras, snapshots, the token, the viewer limit, metrics, and bad input from both sides.
 */
@Timeout(90)
class ViewServerTest {
    private static final int FPS = 25;
    private static final String TOKEN = "view-test-token-0123456789";
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    private final List<AutoCloseable> open = new ArrayList<>();

    @AfterEach
    void closeAll() throws Exception {
        for (int i = open.size() - 1; i >= 0; i--) {
            open.get(i).close();
        }
    }

    private <T extends AutoCloseable> T keep(T c) {
        open.add(c);
        return c;
    }

    /** A camera fed by its own input on a free loopback port, started. */
    private CameraFeed feed(String name) {
        Hub hub = Hub.withDefaults(ViewCommand.QUEUE);
        LiveInput input = keep(new LiveInput(Endpoint.parse("udp://127.0.0.1:0", Endpoint.Role.INPUT), hub)
                .start());
        return new CameraFeed(name, hub, input);
    }

    private ViewServer server(List<CameraFeed> cameras, String token, int maxViewers) {
        return keep(new ViewServer(cameras, "--http", new InetSocketAddress("127.0.0.1", 0), token, maxViewers)
                .start());
    }

    /** The simulator at {@code width x height}, 25 fps, a keyframe every {@code gop} frames, for {@code seconds}. */
    private Camera camera(CameraFeed feed, int width, int height, int gop, int seconds) throws Exception {
        CameraConfig config = CameraConfig.pattern(Destination.of(feed.input().localAddress()))
                .withSource(CameraConfig.Pattern.DEFAULT.withSize(width, height).withFps(FPS).withGop(gop)
                        .withBitrate(400_000))
                .withDuration(Duration.ofSeconds(seconds));
        return keep(new Camera(config).start());
    }

    private static HttpResponse<byte[]> get(String url, String... headers) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(15));
        for (int i = 0; i + 1 < headers.length; i += 2) {
            b.header(headers[i], headers[i + 1]);
        }
        return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    private static String text(HttpResponse<byte[]> r) {
        return new String(r.body(), StandardCharsets.UTF_8);
    }

    private static String ws(ViewServer server, String path) {
        return server.url().replace("http://", "ws://") + path;
    }

    private static BufferedImage jpeg(HttpResponse<byte[]> r) throws Exception {
        assertThat(r.statusCode()).as(text(r)).isEqualTo(200);
        assertThat(r.headers().firstValue("Content-Type")).hasValue("image/jpeg");
        assertThat(r.body()).startsWith(0xff, 0xd8); // SOI
        BufferedImage image = ImageIO.read(new ByteArrayInputStream(r.body()));
        assertThat(image).as("a JPEG ImageIO reads").isNotNull();
        return image;
    }

    /** The value of one Prometheus series, or -1 when it is not there. */
    static double metric(String scrape, String series) {
        Matcher m = Pattern.compile("(?m)^" + Pattern.quote(series) + " (\\S+)$").matcher(scrape);
        return m.find() ? Double.parseDouble(m.group(1)) : -1;
    }

    private static String metrics(ViewServer server, String... headers) throws Exception {
        HttpResponse<byte[]> r = get(server.url() + "metrics", headers);
        assertThat(r.statusCode()).isEqualTo(200);
        return text(r);
    }

    @Test
    void severalCamerasEachReachTheirOwnPageSocketSnapshotAndHealth() throws Exception {
        CameraFeed front = feed("front");
        CameraFeed back = feed("back.yard");
        ViewServer server = server(List.of(front, back), null, 10);
        camera(front, 320, 180, 2 * FPS, 30);
        camera(back, 640, 360, 2 * FPS, 30);
        await().atMost(Duration.ofSeconds(15)).until(() -> front.hub().cachedFrames() > 0
                && back.hub().cachedFrames() > 0);

        String grid = text(get(server.url()));
        assertThat(grid).contains("const cameras = [\"front\",\"back.yard\"];").contains("embed");
        String page = text(get(server.url() + "cameras/front/"));
        assertThat(page).contains("<canvas").contains("new URL(path, location.href)").contains("socketUrl(\"ws\")");
        HttpResponse<byte[]> noSlash = get(server.url() + "cameras/front?token=x");
        assertThat(noSlash.statusCode()).as("the page's relative URLs need its trailing slash").isEqualTo(302);
        assertThat(noSlash.headers().firstValue("Location")).hasValue("/cameras/front/?token=x");
        assertThat(get(server.url() + "snapshot.jpg").statusCode()).as("no one camera to mean").isEqualTo(404);

        for (CameraFeed f : List.of(front, back)) {
            byte[] sps = WsViewer.nals(f.hub().cached().getFirst().message(), 7).getFirst();
            WsViewer v = keep(WsViewer.connect(ws(server, "cameras/" + f.name() + "/ws")));
            await().atMost(Duration.ofSeconds(10)).until(() -> v.count() >= 10);
            byte[] first = v.got().getFirst();
            assertThat(WsViewer.keyframe(first)).isTrue();
            assertThat(WsViewer.nals(first, 7)).as("camera %s's own SPS", f.name()).singleElement()
                    .isEqualTo(sps);
        }
        assertThat(WsViewer.nals(front.hub().cached().getFirst().message(), 7).getFirst())
                .isNotEqualTo(WsViewer.nals(back.hub().cached().getFirst().message(), 7).getFirst());
        BufferedImage f = jpeg(get(server.url() + "cameras/front/snapshot.jpg"));
        assertThat(List.of(f.getWidth(), f.getHeight())).containsExactly(320, 180);
        BufferedImage b = jpeg(get(server.url() + "cameras/back.yard/snapshot.jpg"));
        assertThat(List.of(b.getWidth(), b.getHeight())).containsExactly(640, 360);

        String health = text(get(server.url() + "healthz"));
        assertThat(health).startsWith("{\"status\":\"ok\",\"cameras\":[{\"status\":\"ok\",\"camera\":\"front\",")
                .contains("\"camera\":\"back.yard\"").contains("\"live\":true");
        assertThat(text(get(server.url() + "cameras/back.yard/healthz")))
                .startsWith("{\"status\":\"ok\",\"camera\":\"back.yard\",\"viewers\":1,");
        String scrape = metrics(server);
        assertThat(metric(scrape, "streamtee_view_viewers{camera=\"front\"}")).isEqualTo(1);
        assertThat(metric(scrape, "streamtee_view_frames_total{camera=\"back.yard\"}")).isGreaterThan(10);
        assertThat(metric(scrape, "streamtee_view_gop_cache_frames{camera=\"front\"}")).isGreaterThan(0);
        assertThat(metric(scrape, "streamtee_view_snapshots_total{camera=\"front\"}")).isEqualTo(1);
    }

    @Test
    void theSnapshotIs503BeforeTheFirstPictureThenAJpegOfTheCamerasSize() throws Exception {
        CameraFeed feed = feed("camera");
        ViewServer server = server(List.of(feed), null, 10);
        HttpResponse<byte[]> none = get(server.url() + "snapshot.jpg");
        assertThat(none.statusCode()).isEqualTo(503);
        assertThat(none.headers().firstValue("Content-Type").orElse("")).startsWith("application/json");
        assertThat(text(none)).startsWith("{\"error\":\"camera camera: no picture yet").doesNotContain("\n");

        camera(feed, 640, 360, 2 * FPS, 30);
        await().atMost(Duration.ofSeconds(15)).until(() -> feed.hub().cachedFrames() >= 20);
        WsViewer viewer = keep(WsViewer.connect(ws(server, "ws")));
        long start = System.nanoTime();
        BufferedImage image = jpeg(get(server.url() + "snapshot.jpg"));
        long firstMs = (System.nanoTime() - start) / 1_000_000;
        assertThat(List.of(image.getWidth(), image.getHeight())).containsExactly(640, 360);
        for (int i = 0; i < 20; i++) { // snapshots asked for again and again do not hold up the live stream
            assertThat(jpeg(get(server.url() + "cameras/camera/snapshot.jpg")).getWidth()).isEqualTo(640);
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> viewer.count() >= 3 * FPS);
        List<byte[]> got = viewer.got();
        for (int i = 1; i < got.size(); i++) {
            assertThat(ByteBuffer.wrap(got.get(i)).getLong(4) - ByteBuffer.wrap(got.get(i - 1)).getLong(4))
                    .as("PTS step of message %d", i).isEqualTo(90_000 / FPS);
        }
        assertThat(feed.hub().skips()).isZero();
        System.out.printf("snapshot: %d ms for the first (a GOP of >= 20 frames at 640x360)%n", firstMs);
    }

    @Test
    void theTokenIsRequiredOnThePageTheSocketTheSnapshotAndTheMetrics() throws Exception {
        CameraFeed feed = feed("camera");
        ViewServer server = server(List.of(feed), TOKEN, 10);
        camera(feed, 320, 180, FPS, 30);
        await().atMost(Duration.ofSeconds(15)).until(() -> feed.hub().cachedFrames() > 0);

        for (String path : List.of("", "cameras/camera/", "snapshot.jpg", "cameras/camera/snapshot.jpg", "metrics",
                "healthz")) {
            HttpResponse<byte[]> refused = get(server.url() + path);
            assertThat(refused.statusCode()).as(path).isEqualTo(401);
            assertThat(text(refused)).contains("missing or wrong token");
            assertThat(get(server.url() + path + "?token=wrong" + TOKEN).statusCode()).as(path).isEqualTo(401);
            assertThat(get(server.url() + path + "?token=" + TOKEN).statusCode()).as(path).isEqualTo(200);
            assertThat(get(server.url() + path, "Authorization", "Bearer " + TOKEN).statusCode()).as(path)
                    .isEqualTo(200);
        }
        for (String path : List.of("ws", "cameras/camera/ws", "ws?token=wrong")) {
            assertThatThrownBy(() -> WsViewer.connect(ws(server, path))).as(path)
                    .isInstanceOf(ExecutionException.class)
                    .cause().isInstanceOf(WebSocketHandshakeException.class)
                    .satisfies(e -> assertThat(((WebSocketHandshakeException) e).getResponse().statusCode())
                            .isEqualTo(401));
        }
        assertThat(feed.hub().viewers()).isZero();
        WsViewer query = keep(WsViewer.connect(ws(server, "cameras/camera/ws?token=" + TOKEN)));
        WsViewer header = keep(WsViewer.connect(ws(server, "ws"), "Authorization", "Bearer " + TOKEN));
        await().atMost(Duration.ofSeconds(10)).until(() -> query.count() >= 5 && header.count() >= 5);
        assertThat(metric(metrics(server, "Authorization", "Bearer " + TOKEN), "streamtee_http_unauthorized_total"))
                .isEqualTo(server.unauthorized()).isGreaterThanOrEqualTo(15);
    }

    @Test
    void oneViewerOverTheLimitIsRefusedWithAReasonThePageCanShow() throws Exception {
        CameraFeed feed = feed("camera");
        ViewServer server = server(List.of(feed), null, 2);
        camera(feed, 320, 180, FPS, 30);
        await().atMost(Duration.ofSeconds(15)).until(() -> feed.hub().cachedFrames() > 0);
        WsViewer a = keep(WsViewer.connect(ws(server, "ws")));
        WsViewer b = keep(WsViewer.connect(ws(server, "cameras/camera/ws")));
        await().atMost(Duration.ofSeconds(10)).until(() -> a.count() > 0 && b.count() > 0);

        WsViewer c = keep(WsViewer.connect(ws(server, "ws")));
        WsViewer.Closed closed = c.closed.get(10, TimeUnit.SECONDS);
        assertThat(closed.code()).isEqualTo(1013);
        assertThat(closed.reason()).isEqualTo("try again later: the viewer limit of 2 is reached");
        assertThat(c.count()).isZero();
        assertThat(feed.hub().viewers()).isEqualTo(2);
        String scrape = metrics(server);
        assertThat(metric(scrape, "streamtee_view_viewers_refused_total{camera=\"camera\"}")).isEqualTo(1);
        assertThat(metric(scrape, "streamtee_view_viewer_limit{camera=\"camera\"}")).isEqualTo(2);

        a.close(); // a place comes free
        await().atMost(Duration.ofSeconds(5)).until(() -> feed.hub().viewers() == 1);
        WsViewer d = keep(WsViewer.connect(ws(server, "ws")));
        await().atMost(Duration.ofSeconds(10)).until(() -> d.count() >= 5);
        assertThat(d.closed).isNotDone();
    }

    @Test
    void garbageFromAViewerIsIgnoredAndAHugeMessageClosesOnlyThatViewer() throws Exception {
        CameraFeed feed = feed("camera");
        ViewServer server = server(List.of(feed), null, 10);
        camera(feed, 320, 180, FPS, 30);
        await().atMost(Duration.ofSeconds(15)).until(() -> feed.hub().cachedFrames() > 0);
        WsViewer rude = keep(WsViewer.connect(ws(server, "ws")));
        await().atMost(Duration.ofSeconds(10)).until(() -> rude.count() > 0);

        Random random = new Random(11);
        byte[] bytes = new byte[FrameSocket.MAX_MESSAGE_BYTES - 1];
        random.nextBytes(bytes);
        rude.socket().sendText("{\"play\":\"faster\"}", true).get(5, TimeUnit.SECONDS);
        rude.socket().sendBinary(ByteBuffer.wrap(bytes), true).get(5, TimeUnit.SECONDS);
        rude.socket().sendText("x".repeat(FrameSocket.MAX_MESSAGE_BYTES - 1), true).get(5, TimeUnit.SECONDS);
        int before = rude.count();
        await().atMost(Duration.ofSeconds(10)).until(() -> rude.count() >= before + 2 * FPS);
        assertThat(rude.closed).isNotDone();
        await().atMost(Duration.ofSeconds(5)).until(() -> metric(metrics(server),
                "streamtee_view_client_messages_ignored_total{camera=\"camera\"}") == 3);

        try (RawViewer huge = new RawViewer(server.port(), "/ws")) {
            await().atMost(Duration.ofSeconds(10)).until(() -> feed.hub().viewers() == 2);
            huge.sendBinaryOf(4 << 20);
            assertThat(huge.closeCode()).isEqualTo(1009); // message too big
        }
        int went = rude.count();
        await().atMost(Duration.ofSeconds(10)).until(() -> rude.count() >= went + FPS);
        assertThat(rude.closed).isNotDone();
        await().atMost(Duration.ofSeconds(5)).until(() -> feed.hub().viewers() == 1);
        assertThat(metric(metrics(server), "streamtee_view_client_messages_ignored_total{camera=\"camera\"}"))
                .isEqualTo(3);
    }

    @Test
    void theBoundOnViewerMessagesDoesNotBoundWhatIsSentToThem() throws Exception {
        Hub hub = Hub.withDefaults(8);
        ViewServer server = server(List.of(new CameraFeed("camera", hub, null)), null, 10);
        WsViewer viewer = keep(WsViewer.connect(ws(server, "ws")));
        await().atMost(Duration.ofSeconds(5)).until(() -> hub.viewers() == 1);
        byte[] au = new byte[1 << 20]; // a 1 MiB keyframe, 16 times the bound on what a viewer may send
        new Random(3).nextBytes(au);
        au[0] = 0;
        au[1] = 0;
        au[2] = 1;
        au[3] = 0x65;
        hub.publish(Frame.of(Frame.CODEC_H264, true, false, 0, System.currentTimeMillis(), au, au.length));
        await().atMost(Duration.ofSeconds(10)).until(() -> viewer.count() == 1);
        assertThat(viewer.got().getFirst()).hasSize(Frame.HEADER + au.length);
        assertThat(viewer.closed).isNotDone();
    }

    @Test
    void theCameraRestartingAtAnotherSizeGivesViewersTheNewStreamFromAKeyframeWithTheNewSps() throws Exception {
        CameraFeed feed = feed("camera");
        ViewServer server = server(List.of(feed), null, 10);
        Camera small = camera(feed, 320, 180, 2 * FPS, 60);
        await().atMost(Duration.ofSeconds(15)).until(() -> feed.hub().cachedFrames() > 0);
        WsViewer viewer = keep(WsViewer.connect(ws(server, "ws")));
        await().atMost(Duration.ofSeconds(10)).until(() -> viewer.count() >= FPS);
        assertThat(jpeg(get(server.url() + "snapshot.jpg")).getWidth()).isEqualTo(320);
        byte[] oldSps = WsViewer.nals(viewer.got().getFirst(), 7).getFirst();

        small.close(); // the camera stops, and comes back at another size
        long restart = System.currentTimeMillis();
        camera(feed, 640, 360, 2 * FPS, 60);
        await().atMost(Duration.ofSeconds(20)).until(() -> viewer.got().stream()
                .filter(m -> WsViewer.receivedMs(m) >= restart).count() >= FPS);

        List<byte[]> fresh = viewer.got().stream().filter(m -> WsViewer.receivedMs(m) >= restart).toList();
        byte[] first = fresh.getFirst();
        assertThat(WsViewer.keyframe(first)).as("the new stream starts with a keyframe").isTrue();
        byte[] newSps = WsViewer.nals(first, 7).getFirst();
        assertThat(newSps).as("carrying the new SPS").isNotEqualTo(oldSps);
        for (byte[] m : fresh) {
            for (byte[] sps : WsViewer.nals(m, 7)) {
                assertThat(sps).isEqualTo(newSps);
            }
        }
        List<Frame> cached = feed.hub().cached();
        assertThat(cached).allSatisfy(f -> assertThat(f.receivedMs()).as("only the new stream is cached")
                .isGreaterThanOrEqualTo(restart));
        assertThat(WsViewer.nals(cached.getFirst().message(), 7).getFirst()).isEqualTo(newSps);
        BufferedImage image = jpeg(get(server.url() + "snapshot.jpg"));
        assertThat(List.of(image.getWidth(), image.getHeight())).containsExactly(640, 360);
        assertThat(viewer.closed).isNotDone();
    }

    @Test
    void garbageDatagramsAreCountedInTheMetricsAndTheStreamGoesOn() throws Exception {
        CameraFeed feed = feed("camera");
        ViewServer server = server(List.of(feed), null, 10);
        camera(feed, 320, 180, FPS, 30);
        await().atMost(Duration.ofSeconds(15)).until(() -> feed.hub().cachedFrames() > 0);
        WsViewer viewer = keep(WsViewer.connect(ws(server, "ws")));
        try (UdpSender junk = UdpSender.to(feed.input().localAddress())) {
            for (byte[] d : Datagrams.fixed(300, 1316, 7)) {
                junk.send(d);
            }
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> metric(metrics(server),
                "streamtee_view_datagrams_dropped_total{camera=\"camera\",reason=\"not_ts\"}") >= 300);
        int before = viewer.count();
        await().atMost(Duration.ofSeconds(10)).until(() -> viewer.count() >= before + FPS);
        String scrape = metrics(server);
        assertThat(metric(scrape, "streamtee_view_datagrams_total{camera=\"camera\"}"))
                .isGreaterThan(metric(scrape, "streamtee_view_datagrams_dropped_total{camera=\"camera\","
                        + "reason=\"not_ts\"}"));
        List<byte[]> got = viewer.got();
        for (int i = 1; i < got.size(); i++) {
            assertThat(ByteBuffer.wrap(got.get(i)).getLong(4) - ByteBuffer.wrap(got.get(i - 1)).getLong(4))
                    .as("PTS step of message %d", i).isEqualTo(90_000 / FPS);
        }
    }

    @Test
    void emptyAndMaximalDatagramsAreCountedAsGarbageAndTheStreamGoesOn() throws Exception {
        CameraFeed feed = feed("camera");
        ViewServer server = server(List.of(feed), null, 10);
        camera(feed, 320, 180, FPS, 30);
        await().atMost(Duration.ofSeconds(15)).until(() -> feed.hub().cachedFrames() > 0);
        WsViewer viewer = keep(WsViewer.connect(ws(server, "ws")));
        String dropped = "streamtee_view_datagrams_dropped_total{camera=\"camera\",reason=\"not_ts\"}";
        double droppedBefore = metric(metrics(server), dropped);
        byte[] max = new byte[Datagrams.MAX_IPV4];
        new Random(5).nextBytes(max);
        max[0] = 0x47; // starts like TS, is not: 65,507 is no multiple of 188
        try (UdpSender junk = UdpSender.to(feed.input().localAddress())) {
            for (int i = 0; i < 20; i++) {
                junk.send(new byte[0]);
                junk.send(max);
            }
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> metric(metrics(server), dropped) >= droppedBefore + 40);
        int before = viewer.count();
        await().atMost(Duration.ofSeconds(10)).until(() -> viewer.count() >= before + FPS);
        assertThat(viewer.closed).isNotDone();
        Figures.of("hostile.datagram-size.view").put("sent_empty", 20).put("sent_65507", 20)
                .put("counted_not_ts", (long) (metric(metrics(server), dropped) - droppedBefore))
                .put("frames_after", viewer.count() - before)
                .record(getClass(), "emptyAndMaximalDatagramsAreCountedAsGarbageAndTheStreamGoesOn");
    }

    @Test
    void noEncodingOfATraversalReachesAFileAndASlowlorisLeavesTheViewerAnswering(@TempDir Path tmp)
            throws Exception {
        ViewServer server = server(List.of(feed("front"), feed("back")), TOKEN, 10);
        Files.writeString(tmp.resolve("secret.txt"), "hostile-secret");
        Map<Integer, Integer> statuses = new TreeMap<>();
        int requests = 0;
        for (String prefix : List.of("/", "/cameras/", "/cameras/front/", "/cameras/front/snapshot.jpg/")) {
            for (String escape : HostilePaths.escapes(tmp.resolve("secret.txt").toString().substring(1))) {
                HostilePaths.Response r = HostilePaths.get(server.port(), prefix + escape, TOKEN);
                assertThat(r.status()).as(prefix + escape).isIn(400, 404);
                assertThat(r.body()).as(prefix + escape).doesNotContain("hostile-secret");
                statuses.merge(r.status(), 1, Integer::sum);
                requests++;
            }
        }
        Figures.of("hostile.path-traversal.view").put("requests", requests)
                .put("answered_400", statuses.getOrDefault(400, 0)).put("answered_404", statuses.getOrDefault(404, 0))
                .record(getClass(), "noEncodingOfATraversalReachesAFileAndASlowlorisLeavesTheViewerAnswering");

        Slowloris.assertAnswered("hostile.slowloris.view", server.port(), URI.create(server.url() + "healthz"), "Bearer " + TOKEN,
                getClass(), "noEncodingOfATraversalReachesAFileAndASlowlorisLeavesTheViewerAnswering");
    }

    @Test
    void aFloodOfMessagesAndOfViewersComingAndGoingLeavesTheOtherViewerItsFrames() throws Exception {
        CameraFeed feed = feed("camera");
        ViewServer server = server(List.of(feed), null, 50);
        camera(feed, 320, 180, FPS, 40);
        await().atMost(Duration.ofSeconds(15)).until(() -> feed.hub().cachedFrames() > 0);
        WsViewer steady = keep(WsViewer.connect(ws(server, "ws")));
        WsViewer flooder = keep(WsViewer.connect(ws(server, "ws")));
        await().atMost(Duration.ofSeconds(10)).until(() -> steady.count() > 0);
        System.gc();
        Runtime rt = Runtime.getRuntime();
        long heapBefore = rt.totalMemory() - rt.freeMemory();
        int before = steady.count();
        long start = System.nanoTime();
        int messages = 2_000;
        for (int i = 0; i < messages; i++) { // many small messages, as fast as the socket takes them
            flooder.socket().sendText("{\"flood\":" + i + "}", true).get(5, TimeUnit.SECONDS);
        }
        int cycles = 40;
        for (int i = 0; i < cycles; i++) { // viewers coming and going
            WsViewer v = WsViewer.connect(ws(server, "ws"));
            v.close();
        }
        long floodMs = (System.nanoTime() - start) / 1_000_000;
        await().atMost(Duration.ofSeconds(10)).until(() -> steady.count() >= before + FPS);
        await().atMost(Duration.ofSeconds(15)).until(() -> feed.hub().viewers() == 2);
        await().atMost(Duration.ofSeconds(10)).until(() -> metric(metrics(server),
                "streamtee_view_client_messages_ignored_total{camera=\"camera\"}") == messages);
        assertThat(steady.closed).isNotDone();
        List<byte[]> got = steady.got();
        for (int i = 1; i < got.size(); i++) {
            assertThat(ByteBuffer.wrap(got.get(i)).getLong(4) - ByteBuffer.wrap(got.get(i - 1)).getLong(4))
                    .as("PTS step of message %d: the steady viewer lost no frame", i).isEqualTo(90_000 / FPS);
        }
        System.gc();
        long heapAfter = rt.totalMemory() - rt.freeMemory();
        Figures.of("hostile.websocket-flood.view").put("messages", messages).put("viewer_cycles", cycles)
                .put("flood_ms", floodMs).put("messages_counted", (long) metric(metrics(server),
                        "streamtee_view_client_messages_ignored_total{camera=\"camera\"}"))
                .put("steady_frames", got.size())
                .put("heap_growth_mb", (heapAfter - heapBefore) >> 20)
                .record(getClass(), "aFloodOfMessagesAndOfViewersComingAndGoingLeavesTheOtherViewerItsFrames");
    }

    @Test
    void aStreamWithoutVideoCrashesNothing() throws Exception {
        CameraFeed feed = feed("camera");
        ViewServer server = server(List.of(feed), null, 10);
        WsViewer viewer = keep(WsViewer.connect(ws(server, "ws")));
        int port = feed.input().localAddress().getPort();
        Process ffmpeg = new ProcessBuilder("ffmpeg", "-hide_banner", "-loglevel", "error", "-re", "-f", "lavfi",
                "-i", "sine=frequency=440:duration=3", "-c:a", "mp2", "-f", "mpegts",
                "udp://127.0.0.1:" + port + "?pkt_size=1316").redirectErrorStream(true).start();
        keep(ffmpeg::destroyForcibly);
        assertThat(ffmpeg.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(ffmpeg.exitValue()).as(new String(ffmpeg.getInputStream().readAllBytes())).isZero();
        assertThat(feed.receiver().accepted()).as("the audio-only TS came in").isGreaterThan(20);
        assertThat(feed.hub().frames()).isZero();
        assertThat(get(server.url() + "snapshot.jpg").statusCode()).isEqualTo(503);
        assertThat(text(get(server.url() + "healthz"))).contains("\"frames\":0").contains("\"live\":false");
        assertThat(viewer.closed).isNotDone();
        assertThat(viewer.count()).isZero();

        // then the camera: after the 2 s the receiver waits before another source may take over
        camera(feed, 320, 180, FPS, 30);
        await().atMost(Duration.ofSeconds(15)).until(() -> viewer.count() >= FPS);
        assertThat(WsViewer.keyframe(viewer.got().getFirst())).isTrue();
        assertThat(jpeg(get(server.url() + "snapshot.jpg")).getWidth()).isEqualTo(320);
    }

    @Test
    void aStreamOfAnotherVideoCodecCrashesNothing() throws Exception {
        CameraFeed feed = feed("camera");
        ViewServer server = server(List.of(feed), null, 10);
        WsViewer viewer = keep(WsViewer.connect(ws(server, "ws")));
        int port = feed.input().localAddress().getPort();
        Process ffmpeg = new ProcessBuilder("ffmpeg", "-hide_banner", "-loglevel", "error", "-re", "-f", "lavfi",
                "-i", "testsrc2=size=320x180:rate=25", "-f", "lavfi", "-i", "sine=frequency=440", "-t", "2",
                "-c:v", "mpeg2video", "-c:a", "mp2", "-f", "mpegts", "udp://127.0.0.1:" + port + "?pkt_size=1316")
                .redirectErrorStream(true).start();
        keep(ffmpeg::destroyForcibly);
        assertThat(ffmpeg.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(ffmpeg.exitValue()).as(new String(ffmpeg.getInputStream().readAllBytes())).isZero();
        assertThat(feed.receiver().accepted()).as("the MPEG-2 video TS came in").isGreaterThan(20);
        assertThat(feed.hub().frames()).as("no H.264/H.265 access units").isZero();
        assertThat(get(server.url() + "snapshot.jpg").statusCode()).isEqualTo(503);
        assertThat(get(server.url() + "healthz").statusCode()).isEqualTo(200);
        assertThat(viewer.closed).isNotDone();
    }

    @Test
    void theServerNeedsAtLeastOneCameraAndUniqueNames() {
        Hub hub = Hub.withDefaults(4);
        InetSocketAddress any = new InetSocketAddress("127.0.0.1", 0);
        assertThatThrownBy(() -> new ViewServer(List.of(), "--http", any, null, 1))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new ViewServer(List.of(new CameraFeed("a", hub, null), new CameraFeed("a", hub,
                null)), "--http", any, null, 1)).hasMessageContaining("camera a given twice");
    }
}
