package io.streamtee.bridge;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.streamtee.config.Endpoint;
import io.streamtee.relay.Relay;
import io.streamtee.relay.Route;
import io.streamtee.relay.config.ConfigLoader;
import io.streamtee.relay.config.RelayConfig;
import io.streamtee.relay.config.RouteConfig;
import io.streamtee.testing.FfmpegJudge;
import io.streamtee.testing.Figures;
import io.streamtee.testing.RtspServer;
import io.streamtee.testing.UdpReceiver;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * RTSP cameras against a real RTSP server (GStreamer's gst-rtsp-server, serving a 4 s H.264 High clip with B-frames),
 * through a relay route out to UDP, on loopback: the frames ffmpeg decodes from the relay's output are the source's,
 * over TCP and UDP transport; the server restarted, the input comes back; bad cameras give one line each.
 */
@Timeout(90)
class RtspInputTest {
    private static final int FRAMES = 100; // 4 s at 25 fps
    /**
     * The frames compared: the first 3.2 s. A session's last frames are not (when the server ends a session, over UDP
     * its BYE may come before the last RTP packets, and the reconnected input starts a new MPEG-TS stream right after);
     * the clip ending is the test server's way of stopping, which a camera does not do.
     */
    private static final int COMPARED = 80;
    @TempDir
    static Path dir;
    private static Path clip;
    private static Path script;
    private static List<String> sourceFrames;

    private final List<AutoCloseable> open = new ArrayList<>();
    private final ListAppender<ILoggingEvent> logs = new ListAppender<>();

    @BeforeAll
    static void clip() throws Exception {
        FfmpegJudge.assumeEncoder("libx264");
        RtspServer.assumeInstalled();
        clip = FfmpegJudge.encode(dir.resolve("clip.ts"), "testsrc2=size=320x240:rate=25", 4,
                "-c:v", "libx264", "-profile:v", "high", "-bf", "2", "-g", "25");
        script = RtspServer.script(dir);
        List<String> all = frameHashes(clip);
        assertThat(all).hasSize(FRAMES);
        sourceFrames = all.subList(0, COMPARED);
    }

    @BeforeEach
    void watchLogs() {
        logs.start();
        ((Logger) LoggerFactory.getLogger(RtspInput.class)).addAppender(logs);
    }

    @AfterEach
    void close() throws Exception {
        ((Logger) LoggerFactory.getLogger(RtspInput.class)).detachAppender(logs);
        Collections.reverse(open);
        for (AutoCloseable c : open) {
            c.close();
        }
    }

    private <T extends AutoCloseable> T use(T c) {
        open.add(c);
        return c;
    }

    /** The MD5 of each decoded video frame, in presentation order ({@code ffmpeg -f framemd5}). */
    static List<String> frameHashes(Path ts) throws Exception {
        String out = FfmpegJudge.check(FfmpegJudge.ffmpeg("-v", "error", "-i", ts.toString(), "-map", "0:v",
                "-f", "framemd5", "-"));
        List<String> hashes = new ArrayList<>();
        for (String line : out.split("\n")) {
            if (!line.startsWith("#") && !line.isBlank()) {
                String[] f = line.split(",");
                hashes.add(f[f.length - 1].trim());
            }
        }
        return hashes;
    }

    /** The video packets' PTS (decoding order), as offsets from the first one's, for the first {@code n}. */
    static List<Long> ptsFromFirst(Path ts, int n) throws Exception {
        String out = FfmpegJudge.check(FfmpegJudge.ffprobe("-v", "error", "-select_streams", "v:0",
                "-show_entries", "packet=pts", "-of", "csv=p=0", ts.toString()));
        List<Long> pts = new ArrayList<>();
        for (String line : out.split("\n")) {
            if (!line.isBlank() && pts.size() < n) {
                pts.add(Long.parseLong(line.strip().split(",")[0]));
            }
        }
        long first = pts.get(0);
        return pts.stream().map(p -> p - first).toList();
    }

    static Relay relay(String input, String output) {
        return new Relay(ConfigLoader.check(new RelayConfig(Map.of("cam", RouteConfig.of(input, List.of(),
                List.of(output))), "0", null))).start();
    }

    private List<String> logLines() {
        return logs.list.stream().map(ILoggingEvent::getFormattedMessage).toList();
    }

    /** Relays the server's stream to UDP until the whole clip has come through once; the frames ffmpeg decodes. */
    private List<String> relayedFrames(String transport) throws Exception {
        RtspServer server = use(RtspServer.start(script, clip, 0, null));
        UdpReceiver rx = use(UdpReceiver.open("127.0.0.1"));
        Relay relay = use(relay("rtsp://127.0.0.1:" + server.port() + "/stream?transport=" + transport, rx.url()));
        Route route = relay.routes().get(0);
        // the clip ends after 4 s: the server ends the session and the input connects again
        await().atMost(Duration.ofSeconds(30)).until(() -> route.stats().inputCounters().get("reconnects") >= 1);
        Path captured = rx.writeTo(dir.resolve("captured-" + transport + ".ts"), 0);
        assertThat(logLines()).anyMatch(l -> l.contains("receiving H.264 320x240 over " + transport));
        // the camera's timestamps kept: each access unit's PTS as far from the first one's as in the source
        assertThat(ptsFromFirst(captured, COMPARED)).isEqualTo(ptsFromFirst(clip, COMPARED));
        return frameHashes(captured);
    }

    @Test
    void overTcpTheRelayedFramesAreTheSourcesFrames() throws Exception {
        List<String> frames = relayedFrames("tcp");
        assertThat(Collections.indexOfSubList(frames, sourceFrames)).as("the whole clip, frame for frame, in order")
                .isGreaterThanOrEqualTo(0);
    }

    @Test
    void overUdpTheRelayedFramesAreTheSourcesFrames() throws Exception {
        List<String> frames = relayedFrames("udp");
        assertThat(Collections.indexOfSubList(frames, sourceFrames)).as("the whole clip, frame for frame, in order")
                .isGreaterThanOrEqualTo(0);
    }

    @Test
    void h265IsCopiedTooFrameForFrame() throws Exception {
        FfmpegJudge.assumeEncoder("libx265");
        Path hevc = FfmpegJudge.encode(dir.resolve("clip265.ts"), "testsrc2=size=320x240:rate=25", 3,
                "-c:v", "libx265", "-x265-params", "log-level=error:keyint=25:bframes=2");
        List<String> source = frameHashes(hevc).subList(0, 60);
        RtspServer server = use(RtspServer.serving(script, "filesrc location=" + hevc
                + " ! tsdemux ! h265parse ! rtph265pay name=pay0 pt=96 config-interval=-1"));
        UdpReceiver rx = use(UdpReceiver.open("127.0.0.1"));
        Route route = use(relay("rtsp://127.0.0.1:" + server.port() + "/stream", rx.url())).routes().get(0);
        await().atMost(Duration.ofSeconds(30)).until(() -> route.stats().inputCounters().get("reconnects") >= 1);
        assertThat(logLines()).anyMatch(l -> l.contains("receiving H.265 320x240 over tcp"));
        List<String> frames = frameHashes(rx.writeTo(dir.resolve("captured-265.ts"), 0));
        assertThat(Collections.indexOfSubList(frames, source)).as("the whole clip, frame for frame, in order")
                .isGreaterThanOrEqualTo(0);
    }

    @Test
    void theServerStoppedAndStartedAgainTheInputReconnectsAndTheStreamResumes() throws Exception {
        RtspServer server = RtspServer.start(script, clip, 0, null);
        int port = server.port();
        UdpReceiver rx = use(UdpReceiver.open("127.0.0.1"));
        Relay relay = use(relay("rtsp://127.0.0.1:" + port + "/stream", rx.url()));
        Route route = relay.routes().get(0);
        await().atMost(Duration.ofSeconds(20)).until(() -> rx.count() > 20);
        server.close();
        await().atMost(Duration.ofSeconds(20)).until(() -> route.stats().inputCounters().get("errors.refused") >= 1);
        int before = rx.count();
        long starting = System.nanoTime();
        server = use(RtspServer.start(script, clip, port, null));
        long restarted = System.nanoTime();
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(5)).until(() -> rx.count() > before);
        long firstDatagramMs = (System.nanoTime() - restarted) / 1_000_000;
        await().atMost(Duration.ofSeconds(30)).until(() -> route.stats().inputCounters().get("reconnects") >= 1
                && rx.count() > before + 20);
        assertThat(logLines()).anyMatch(l -> l.contains("the camera refused the connection"))
                .anyMatch(l -> l.contains("receiving H.264 320x240 over tcp again"));
        Figures.of("fault.rtsp.camera-reboot").put("server_start_ms", (restarted - starting) / 1_000_000)
                .put("recovery_ms", firstDatagramMs)
                .put("refused_counted", route.stats().inputCounters().get("errors.refused"))
                .put("reconnects", route.stats().inputCounters().get("reconnects"))
                .record(getClass(), "theServerStoppedAndStartedAgainTheInputReconnectsAndTheStreamResumes");
    }

    @Test
    void aWrongPasswordIsOneLineWithoutThePasswordAndNoFastRetry() throws Exception {
        RtspServer server = use(RtspServer.start(script, clip, 0, "admin:right"));
        UdpReceiver rx = use(UdpReceiver.open("127.0.0.1"));
        Relay relay = use(relay("rtsp://admin:wrong@127.0.0.1:" + server.port() + "/stream", rx.url()));
        Route route = relay.routes().get(0);
        await().atMost(Duration.ofSeconds(20)).until(() -> route.stats().inputCounters().get("errors.auth") >= 1);
        assertThat(logLines()).filteredOn(l -> l.contains("credentials")).singleElement().asString()
                .contains("rtsp://admin:***@127.0.0.1:" + server.port() + "/stream")
                .contains("the camera refused the credentials (401)").contains("trying again in 30000 ms")
                .doesNotContain("\n");
        assertThat(logLines()).noneMatch(l -> l.contains("wrong"));
        assertThat(route.stats().inputCounters()).containsEntry("connects", 0L).containsEntry("errors.auth", 1L);
        assertThat(rx.count()).isZero();
    }

    @Test
    void aPathTheServerDoesNotServeIsOneLineAndNoFastRetry() throws Exception {
        RtspServer server = use(RtspServer.start(script, clip, 0, null));
        RtspInput in = use(new RtspInput("cam", Endpoint.parse("rtsp://u:secret@127.0.0.1:" + server.port()
                + "/nope", Endpoint.Role.INPUT), x -> { }, 3_000).start());
        await().atMost(Duration.ofSeconds(20)).until(() -> in.counters().get("errors.not_found") >= 1);
        assertThat(logLines()).filteredOn(l -> l.contains("404")).singleElement().asString()
                .contains("route cam input rtsp://u:***@127.0.0.1:" + server.port() + "/nope")
                .contains("the camera has no such stream (404); check the path in the URL")
                .contains("trying again in 10000 ms").doesNotContain("\n").doesNotContain("secret");
        assertThat(in.counters()).containsEntry("connects", 0L).containsEntry("errors.not_found", 1L);
    }

    /**
     * A fake camera on a loopback port: answers OPTIONS, SETUP and PLAY with 200 and DESCRIBE with {@code sdp}; counts
     * the DESCRIBEs.
     */
    private ServerSocket fakeCamera(String sdp, AtomicInteger describes) throws Exception {
        ServerSocket s = use(new ServerSocket());
        s.bind(new InetSocketAddress("127.0.0.1", 0));
        Thread.ofVirtual().start(() -> {
            try {
                while (true) {
                    Socket c = use(s.accept());
                    Thread.ofVirtual().start(() -> answer(c, sdp, describes));
                }
            } catch (Exception e) {
                // closed
            }
        });
        return s;
    }

    private static void answer(Socket c, String sdp, AtomicInteger describes) {
        try (c) {
            BufferedReader in = new BufferedReader(new InputStreamReader(c.getInputStream(), StandardCharsets.UTF_8));
            OutputStream out = c.getOutputStream();
            for (int requests = 0; requests < 20; requests++) {
                String first = in.readLine();
                if (first == null) {
                    return;
                }
                String cseq = "0";
                for (String line = in.readLine(); line != null && !line.isEmpty(); line = in.readLine()) {
                    if (line.toLowerCase(java.util.Locale.ROOT).startsWith("cseq:")) {
                        cseq = line.substring(5).strip();
                    }
                }
                String reply = "RTSP/1.0 200 OK\r\nCSeq: " + cseq + "\r\n";
                if (first.startsWith("OPTIONS")) {
                    reply += "Public: OPTIONS, DESCRIBE, SETUP, PLAY, TEARDOWN\r\n\r\n";
                } else if (first.startsWith("DESCRIBE")) {
                    describes.incrementAndGet();
                    byte[] body = sdp.getBytes(StandardCharsets.UTF_8);
                    reply += "Content-Type: application/sdp\r\nContent-Length: " + body.length + "\r\n\r\n" + sdp;
                } else {
                    reply += "Session: 12345678\r\n\r\n";
                }
                out.write(reply.getBytes(StandardCharsets.UTF_8));
                out.flush();
            }
        } catch (Exception e) {
            // the client went away
        }
    }

    @Test
    void aMalformedSdpIsOneLineRetriedWithBackoffAndNeverFatalToTheOtherRoutes() throws Exception {
        AtomicInteger describes = new AtomicInteger();
        ServerSocket camera = fakeCamera("\u0001garbage {{{ this is not a session description\r\nx\r\n", describes);
        UdpReceiver rx = use(UdpReceiver.open("127.0.0.1"));
        Relay relay = use(new Relay(ConfigLoader.check(new RelayConfig(Map.of(
                "bad", RouteConfig.of("rtsp://127.0.0.1:" + camera.getLocalPort() + "/x", List.of(),
                        List.of("127.0.0.1:9")),
                "good", RouteConfig.of("udp://127.0.0.1:0", List.of(), List.of(rx.url()))), "0", null))).start());
        Route bad = relay.route("bad");
        await().atMost(Duration.ofSeconds(15)).until(() -> bad.stats().inputCounters().get("errors.sdp") >= 1);
        try (DatagramSocket sender = new DatagramSocket()) {
            for (int i = 0; i < 10; i++) {
                sender.send(new DatagramPacket(new byte[] {(byte) i}, 1, relay.route("good").localAddress()));
            }
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> rx.count() == 10);
        // tried again after the wait, not at once, and not logged again
        assertThat(describes.get()).isEqualTo(1);
        await().atMost(Duration.ofSeconds(20)).until(() -> bad.stats().inputCounters().get("errors.sdp") >= 2);
        assertThat(logLines()).filteredOn(l -> l.contains("SDP")).singleElement().asString()
                .contains("route bad input rtsp://127.0.0.1:" + camera.getLocalPort() + "/x: the camera's stream"
                        + " description (SDP) names no stream that can be read; trying again in 5000 ms and less often")
                .doesNotContain("\n");
        assertThat(bad.stats().inputCounters()).containsEntry("connects", 0L);
    }

    @Test
    void ffmpegsOwnLinesGoToTheRoutesLoggerAtDebugWithoutThePassword() throws Exception {
        Logger ffmpeg = (Logger) LoggerFactory.getLogger("ffmpeg.rtsp.cam");
        ListAppender<ILoggingEvent> lines = new ListAppender<>();
        lines.start();
        ffmpeg.addAppender(lines);
        ffmpeg.setLevel(Level.DEBUG);
        try {
            RtspServer server = use(RtspServer.start(script, clip, 0, "admin:right"));
            RtspInput in = use(new RtspInput("cam", Endpoint.parse("rtsp://admin:wrong@127.0.0.1:" + server.port()
                    + "/stream", Endpoint.Role.INPUT), x -> { }, 3_000).start());
            await().atMost(Duration.ofSeconds(20)).until(() -> in.counters().get("errors.auth") >= 1);
            await().atMost(Duration.ofSeconds(5)).until(() -> !lines.list.isEmpty());
            assertThat(lines.list).allMatch(e -> e.getLevel() == Level.DEBUG)
                    .anyMatch(e -> e.getFormattedMessage().contains("401"))
                    .noneMatch(e -> e.getFormattedMessage().contains("wrong"));
        } finally {
            ffmpeg.detachAppender(lines);
            ffmpeg.setLevel(null);
        }
    }

    /** A gst-rtsp-server speaking RTSP over TLS, with a self-signed certificate made by {@code openssl req}. */
    private RtspServer tlsServer(String name) throws Exception {
        Path cert = dir.resolve(name + "-cert.pem");
        Path key = dir.resolve(name + "-key.pem");
        boolean made;
        try {
            made = FfmpegJudge.run(List.of("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
                    "-subj", "/CN=127.0.0.1", "-keyout", key.toString(), "-out", cert.toString())).exit() == 0;
        } catch (IOException e) {
            made = false;
        }
        assumeTrue(made && Files.isRegularFile(cert), "openssl not installed: rtsps tests skipped");
        return use(RtspServer.tls(script, clip, cert, key));
    }

    @Test
    void rtspsIsRtspOverTlsFrameForFrame() throws Exception {
        RtspServer server = tlsServer("tls");
        UdpReceiver rx = use(UdpReceiver.open("127.0.0.1"));
        Route route = use(relay("rtsps://127.0.0.1:" + server.port() + "/stream", rx.url())).routes().get(0);
        await().atMost(Duration.ofSeconds(30)).until(() -> route.stats().inputCounters().get("reconnects") >= 1);
        List<String> frames = frameHashes(rx.writeTo(dir.resolve("captured-tls.ts"), 0));
        assertThat(Collections.indexOfSubList(frames, sourceFrames)).as("the whole clip, frame for frame, in order")
                .isGreaterThanOrEqualTo(0);
    }

    @Test
    void plainRtspToATlsServerIsOneLine() throws Exception {
        RtspServer server = tlsServer("plain");
        RtspInput in = use(new RtspInput("cam", Endpoint.parse("rtsp://127.0.0.1:" + server.port() + "/stream",
                Endpoint.Role.INPUT), x -> { }, 2_000).start());
        await().atMost(Duration.ofSeconds(20)).until(() -> in.counters().get("errors.protocol") >= 1);
        assertThat(logLines()).filteredOn(l -> l.contains("trying again")).singleElement().asString()
                .contains("the server does not speak RTSP");
        assertThat(in.counters()).containsEntry("connects", 0L);
    }

    @Test
    void theRightPasswordIsLetIn() throws Exception {
        RtspServer server = use(RtspServer.start(script, clip, 0, "admin:right"));
        UdpReceiver rx = use(UdpReceiver.open("127.0.0.1"));
        use(relay("rtsp://admin:right@127.0.0.1:" + server.port() + "/stream", rx.url()));
        await().atMost(Duration.ofSeconds(20)).until(() -> rx.count() > 20);
    }

    /** A server that takes connections and never answers: the camera "does not answer". */
    private ServerSocket silent(List<Socket> accepted) throws Exception {
        ServerSocket s = use(new ServerSocket());
        s.bind(new InetSocketAddress("127.0.0.1", 0));
        Thread.ofVirtual().start(() -> {
            try {
                while (true) {
                    accepted.add(use(s.accept()));
                }
            } catch (Exception e) {
                // closed
            }
        });
        return s;
    }

    @Test
    void aCameraThatDoesNotAnswerTimesOutAndIsTriedAgain() throws Exception {
        ServerSocket s = silent(new CopyOnWriteArrayList<>());
        List<List<byte[]>> got = new CopyOnWriteArrayList<>();
        RtspInput in = use(new RtspInput("cam", Endpoint.parse("rtsp://u:p@127.0.0.1:" + s.getLocalPort() + "/x",
                Endpoint.Role.INPUT), got::add, 500).start());
        await().atMost(Duration.ofSeconds(15)).until(() -> in.counters().get("errors.timeout") >= 2);
        assertThat(logLines()).filteredOn(l -> l.contains("did not answer")).singleElement().asString()
                .contains("route cam input rtsp://u:***@127.0.0.1:" + s.getLocalPort() + "/x");
        assertThat(got).isEmpty();
    }

    @Test
    void closeDoesNotHangOnADeadCamera() throws Exception {
        List<Socket> accepted = new CopyOnWriteArrayList<>();
        ServerSocket s = silent(accepted);
        RtspInput in = new RtspInput("cam", Endpoint.parse("rtsp://127.0.0.1:" + s.getLocalPort() + "/x",
                Endpoint.Role.INPUT), x -> { }, 120_000).start();
        await().atMost(Duration.ofSeconds(10)).until(() -> !accepted.isEmpty());
        long start = System.nanoTime();
        in.close();
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(2));
        assertThat(in.counters().values()).allMatch(v -> v == 0L); // stopping is not an error
    }

    @Test
    void aServerThatIsNotRtspIsNamed() throws Exception {
        ServerSocket s = use(new ServerSocket());
        s.bind(new InetSocketAddress("127.0.0.1", 0));
        Thread.ofVirtual().start(() -> {
            try {
                while (true) {
                    try (Socket c = s.accept()) {
                        c.getOutputStream().write("HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n\r\n<html>hello</html>\n"
                                .getBytes(StandardCharsets.US_ASCII));
                        c.getInputStream().read(new byte[4096]);
                    }
                }
            } catch (Exception e) {
                // closed
            }
        });
        RtspInput in = use(new RtspInput("cam", Endpoint.parse("rtsp://127.0.0.1:" + s.getLocalPort() + "/x",
                Endpoint.Role.INPUT), x -> { }, 2_000).start());
        await().atMost(Duration.ofSeconds(15)).until(() -> in.counters().get("errors.protocol")
                + in.counters().get("errors.other") >= 1);
        assertThat(in.counters().get("errors.protocol")).isEqualTo(1);
    }

    private RtspInput pull(RtspServer server) {
        return use(new RtspInput("cam", Endpoint.parse("rtsp://127.0.0.1:" + server.port() + "/stream",
                Endpoint.Role.INPUT), x -> { }, 3_000).start());
    }

    @Test
    void aStreamWithoutVideoIsNamed() throws Exception {
        RtspServer server = use(RtspServer.serving(script,
                "audiotestsrc is-live=true ! audioconvert ! audio/x-raw,rate=8000,channels=1 ! mulawenc"
                        + " ! rtppcmupay name=pay0 pt=0"));
        RtspInput in = pull(server);
        await().atMost(Duration.ofSeconds(20)).until(() -> in.counters().get("errors.no_video") >= 1);
        assertThat(logLines()).filteredOn(l -> l.contains("has no video")).singleElement().asString()
                .contains("route cam input rtsp://127.0.0.1:" + server.port() + "/stream");
        assertThat(in.counters()).containsEntry("connects", 0L);
    }

    @Test
    void aVideoCodecOtherThanH264OrH265IsNamed() throws Exception {
        RtspServer server = use(RtspServer.serving(script,
                "videotestsrc is-live=true ! video/x-raw,format=I420,width=320,height=240,framerate=10/1 ! jpegenc"
                        + " ! rtpjpegpay name=pay0 pt=26"));
        RtspInput in = pull(server);
        await().atMost(Duration.ofSeconds(20)).until(() -> in.counters().get("errors.codec") >= 1);
        assertThat(logLines()).filteredOn(l -> l.contains("is not H.264 or H.265")).singleElement().asString()
                .contains("(mjpeg)");
    }

    @Test
    void aBadCameraIsNeverFatalToTheOtherRoutes() throws Exception {
        int dead;
        try (ServerSocket gone = new ServerSocket()) {
            gone.bind(new InetSocketAddress("127.0.0.1", 0));
            dead = gone.getLocalPort();
        }
        UdpReceiver rx = use(UdpReceiver.open("127.0.0.1"));
        Relay relay = use(new Relay(ConfigLoader.check(new RelayConfig(Map.of(
                "bad", RouteConfig.of("rtsp://127.0.0.1:" + dead + "/x", List.of(), List.of("127.0.0.1:9")),
                "good", RouteConfig.of("udp://127.0.0.1:0", List.of(), List.of(rx.url()))), "0", null))).start());
        await().atMost(Duration.ofSeconds(10))
                .until(() -> relay.route("bad").stats().inputCounters().get("errors.refused") >= 1);
        try (DatagramSocket sender = new DatagramSocket()) {
            for (int i = 0; i < 10; i++) {
                sender.send(new DatagramPacket(new byte[] {(byte) i}, 1, relay.route("good").localAddress()));
            }
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> rx.count() == 10);
    }

    @Test
    void theCameraUrlKeepsTheCamerasParametersAndDropsStreamteesOwn() {
        Endpoint e = Endpoint.parse("rtsp://a:b@127.0.0.1:8554/cam/realmonitor?channel=1&transport=udp&subtype=0",
                Endpoint.Role.INPUT);
        assertThat(RtspInput.cameraUrl(e)).isEqualTo("rtsp://a:b@127.0.0.1:8554/cam/realmonitor?channel=1&subtype=0");
        assertThat(RtspInput.cameraUrl(Endpoint.parse("rtsp://127.0.0.1/s?transport=tcp", Endpoint.Role.INPUT)))
                .isEqualTo("rtsp://127.0.0.1/s");
    }
}
