package io.streamtee.view;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.streamtee.camera.Camera;
import io.streamtee.camera.CameraConfig;
import io.streamtee.camera.Destination;
import io.streamtee.config.Endpoint;
import io.streamtee.testing.Browser;
import io.streamtee.testing.FfmpegJudge;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The viewer's page in headless Chromium ({@code src/test/browser/view-page.mjs}, playwright-core) on a real
 * camera's stream, joining mid-GOP: WebCodecs decodes (the count rises), no decoder or console error, the canvas is
 * not blank, the first picture's time is recorded; the glass-to-glass figure is shown for the camera (its
 * capture-time SEI) and not for a libx264 High profile clip with B-frames (no SEI), which plays too. The same two with
 * the MSE fallback ({@code src/test/browser/view-mse.mjs}), the MSE page through a camera restart at another size and
 * at the same size, with an init segment it cannot play, and with an H.265 camera. Leaves {@code target/view-page.png},
 * {@code target/view-page-x264.png}, {@code target/view-mse.png}, {@code target/view-mse-x264.png},
 * {@code target/view-mse-restart(-after).png} and {@code target/view-mse-same-size(-after).png}. Skipped without
 * node, npm or /usr/bin/chromium.
 */
@Timeout(180)
class ViewPageBrowserTest {
    private static final Path BROWSER_DIR = Path.of("src/test/browser");

    @Test
    void thePageDecodesAndDrawsTheLiveCamera() throws Exception {
        Browser.assumeReady(BROWSER_DIR);
        Hub hub = Hub.withDefaults(ViewCommand.QUEUE);
        try (LiveInput input = new LiveInput(Endpoint.parse("udp://127.0.0.1:0", Endpoint.Role.INPUT), hub).start();
                ViewServer server = new ViewServer(hub, "--http", new InetSocketAddress("127.0.0.1", 0)).start()) {
            CameraConfig config = CameraConfig.pattern(Destination.of(input.localAddress()))
                    .withSource(CameraConfig.Pattern.DEFAULT.withSize(640, 360).withFps(25).withGop(100)
                            .withBitrate(800_000))
                    .withDuration(Duration.ofSeconds(25));
            try (Camera camera = new Camera(config).start()) {
                await().atMost(Duration.ofSeconds(15)).until(() -> hub.cachedFrames() >= 10);
                play(server, "target/view-page.png", "avc1.42", "g2g"); // the camera: Constrained Baseline, SEI
            }
        }
    }

    /** A clip made by ffmpeg with libx264, High profile, with B-frames, looped by the camera simulator. */
    @Test
    void thePagePlaysX264HighProfileWithBFrames(@TempDir Path dir) throws Exception {
        Browser.assumeReady(BROWSER_DIR);
        FfmpegJudge.assumeEncoder("libx264");
        Path clip = dir.resolve("x264.ts");
        FfmpegJudge.Result made = FfmpegJudge.run(FfmpegJudge.ffmpeg("-hide_banner", "-loglevel", "error",
                "-f", "lavfi", "-i", "testsrc2=size=640x360:rate=25", "-t", "4", "-c:v", "libx264", "-preset",
                "veryfast", "-profile:v", "high", "-bf", "2", "-g", "50", "-pix_fmt", "yuv420p", "-f", "mpegts",
                clip.toString()));
        assertThat(made.exit()).as(made.err()).isZero();
        Hub hub = Hub.withDefaults(ViewCommand.QUEUE);
        try (LiveInput input = new LiveInput(Endpoint.parse("udp://127.0.0.1:0", Endpoint.Role.INPUT), hub).start();
                ViewServer server = new ViewServer(hub, "--http", new InetSocketAddress("127.0.0.1", 0)).start()) {
            CameraConfig config = CameraConfig.clip(clip, Destination.of(input.localAddress()))
                    .withDuration(Duration.ofSeconds(25));
            try (Camera camera = new Camera(config).start()) {
                await().atMost(Duration.ofSeconds(15)).until(() -> hub.cachedFrames() >= 10);
                for (Frame f : hub.cached()) { // x264 repeats SPS and PPS before each IDR in a TS
                    if (f.keyframe()) {
                        assertThat(ViewLoopbackTest.nalTypes(f.message(), Frame.HEADER)).contains(7, 8, 5);
                    }
                }
                play(server, "target/view-page-x264.png", "avc1.64", "no-g2g"); // High, no capture-time SEI
            }
        }
    }

    /**
     * An H.265 clip (libx265): the page builds the hvc1 codec string from the SPS and asks the browser; Debian's
     * Chromium decodes H.265 only in hardware, so headless it must say that it cannot (or decode, where it can).
     */
    @Test
    void thePageSaysWhenTheBrowserCannotDecodeH265(@TempDir Path dir) throws Exception {
        Browser.assumeReady(BROWSER_DIR);
        FfmpegJudge.assumeEncoder("libx265");
        Path clip = dir.resolve("x265.ts");
        FfmpegJudge.Result made = FfmpegJudge.run(FfmpegJudge.ffmpeg("-hide_banner", "-loglevel", "error",
                "-f", "lavfi", "-i", "testsrc2=size=640x360:rate=25", "-t", "4", "-c:v", "libx265", "-x265-params",
                "log-level=error", "-g", "50", "-pix_fmt", "yuv420p", "-f", "mpegts", clip.toString()));
        assertThat(made.exit()).as(made.err()).isZero();
        Hub hub = Hub.withDefaults(ViewCommand.QUEUE);
        try (LiveInput input = new LiveInput(Endpoint.parse("udp://127.0.0.1:0", Endpoint.Role.INPUT), hub).start();
                ViewServer server = new ViewServer(hub, "--http", new InetSocketAddress("127.0.0.1", 0)).start()) {
            CameraConfig config = CameraConfig.clip(clip, Destination.of(input.localAddress()))
                    .withDuration(Duration.ofSeconds(25));
            try (Camera camera = new Camera(config).start()) {
                await().atMost(Duration.ofSeconds(15)).until(() -> hub.cachedFrames() >= 10);
                play(server, "target/view-page-h265.png", "", "h265");
            }
        }
    }

    /** An audio-only stream (AAC): the server tells the page, which says that the stream has no video. */
    @Test
    void thePageSaysWhenTheStreamHasNoVideo(@TempDir Path dir) throws Exception {
        Browser.assumeReady(BROWSER_DIR);
        FfmpegJudge.assumeEncoder("aac");
        Path clip = dir.resolve("audio.ts");
        FfmpegJudge.Result made = FfmpegJudge.run(FfmpegJudge.ffmpeg("-hide_banner", "-loglevel", "error",
                "-f", "lavfi", "-i", "sine=frequency=440:sample_rate=48000", "-t", "4", "-c:a", "aac", "-f",
                "mpegts", clip.toString()));
        assertThat(made.exit()).as(made.err()).isZero();
        Hub hub = Hub.withDefaults(ViewCommand.QUEUE);
        try (LiveInput input = new LiveInput(Endpoint.parse("udp://127.0.0.1:0", Endpoint.Role.INPUT), hub).start();
                ViewServer server = new ViewServer(hub, "--http", new InetSocketAddress("127.0.0.1", 0)).start()) {
            CameraConfig config = CameraConfig.clip(clip, Destination.of(input.localAddress()))
                    .withDuration(Duration.ofSeconds(25));
            try (Camera camera = new Camera(config).start()) {
                await().atMost(Duration.ofSeconds(15)).until(() -> hub.noVideoMessage() != null);
                play(server, "target/view-page-no-video.png", "", "no-video");
            }
        }
    }

    /** @param g2g "g2g" when the page must show glass-to-glass latency (the SEI), "no-g2g", "h265" or "no-video" */
    private static void play(ViewServer server, String screenshot, String codecPrefix, String g2g) throws Exception {
        Path shot = Path.of(screenshot).toAbsolutePath();
        Browser.Run page = Browser.run(List.of("node", BROWSER_DIR.resolve("view-page.mjs").toString(),
                server.url(), shot.toString(), codecPrefix, g2g), Path.of("."), 60);
        assertThat(page.exit()).as("view-page.mjs said:%n%s", page.output()).isZero();
        assertThat(shot).isNotEmptyFile();
        System.out.println(page.output().strip());
    }

    /**
     * The MSE fallback ({@code ?mode=mse}, view-mse.mjs) on the camera with a 10 s keyframe interval, joining just
     * after a keyframe: it plays (presented frames rise, no error, the picture is not blank), and its first picture
     * comes long before the next keyframe could have: it started from the cached GOP.
     */
    @Test
    void theMseFallbackPlaysTheLiveCameraFromTheCachedGop() throws Exception {
        Browser.assumeReady(BROWSER_DIR);
        int fps = 25;
        int gop = 10 * fps;
        Hub hub = Hub.withDefaults(ViewCommand.QUEUE);
        try (LiveInput input = new LiveInput(Endpoint.parse("udp://127.0.0.1:0", Endpoint.Role.INPUT), hub).start();
                ViewServer server = new ViewServer(hub, "--http", new InetSocketAddress("127.0.0.1", 0)).start()) {
            CameraConfig config = CameraConfig.pattern(Destination.of(input.localAddress()))
                    .withSource(CameraConfig.Pattern.DEFAULT.withSize(640, 360).withFps(fps).withGop(gop)
                            .withBitrate(800_000))
                    .withDuration(Duration.ofSeconds(25));
            try (Camera camera = new Camera(config).start()) {
                await().atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(10))
                        .until(() -> hub.cachedFrames() >= 10 && hub.cachedFrames() <= 40);
                long joined = System.currentTimeMillis();
                long nextKeyframe = joined + (gop - hub.cachedFrames()) * 1000L / fps;
                String out = playMse(server, "target/view-mse.png", "avc1.42", 3, "forced");
                long firstPicture = Long.parseLong(out.replaceAll("(?s).*firstFrameEpochMs (\\d+).*", "$1"));
                assertThat(firstPicture).as("the first picture, from the cached GOP").isLessThan(nextKeyframe);
                assertThat(server.mse().hub().skips()).isZero();
                assertThat(server.mse().errors()).isZero();
            }
        }
    }

    /**
     * The MSE fallback on the libx264 High profile clip with B-frames, in a Chromium without WebCodecs and without
     * {@code ?mode}: the page picks MSE itself.
     */
    @Test
    void theMseFallbackPlaysX264HighProfileWithBFrames(@TempDir Path dir) throws Exception {
        Browser.assumeReady(BROWSER_DIR);
        FfmpegJudge.assumeEncoder("libx264");
        Path clip = dir.resolve("x264.ts");
        FfmpegJudge.Result made = FfmpegJudge.run(FfmpegJudge.ffmpeg("-hide_banner", "-loglevel", "error",
                "-f", "lavfi", "-i", "testsrc2=size=640x360:rate=25", "-t", "4", "-c:v", "libx264", "-preset",
                "veryfast", "-profile:v", "high", "-bf", "2", "-g", "50", "-pix_fmt", "yuv420p", "-f", "mpegts",
                clip.toString()));
        assertThat(made.exit()).as(made.err()).isZero();
        Hub hub = Hub.withDefaults(ViewCommand.QUEUE);
        try (LiveInput input = new LiveInput(Endpoint.parse("udp://127.0.0.1:0", Endpoint.Role.INPUT), hub).start();
                ViewServer server = new ViewServer(hub, "--http", new InetSocketAddress("127.0.0.1", 0)).start()) {
            CameraConfig config = CameraConfig.clip(clip, Destination.of(input.localAddress()))
                    .withDuration(Duration.ofSeconds(25));
            try (Camera camera = new Camera(config).start()) {
                await().atMost(Duration.ofSeconds(15)).until(() -> hub.cachedFrames() >= 10);
                playMse(server, "target/view-mse-x264.png", "avc1.64", 3, "fallback"); // High
                assertThat(server.mse().errors()).isZero();
            }
        }
    }

    /**
     * The camera restarts at another picture size while the MSE page plays: the page takes the new init segment
     * (a fresh MediaSource) and plays the new size, with no error.
     */
    @Test
    void theMseFallbackFollowsACameraRestartAtAnotherSize() throws Exception {
        Browser.assumeReady(BROWSER_DIR);
        int fps = 25;
        Hub hub = Hub.withDefaults(ViewCommand.QUEUE);
        try (LiveInput input = new LiveInput(Endpoint.parse("udp://127.0.0.1:0", Endpoint.Role.INPUT), hub).start();
                ViewServer server = new ViewServer(hub, "--http", new InetSocketAddress("127.0.0.1", 0)).start()) {
            CameraConfig small = CameraConfig.pattern(Destination.of(input.localAddress()))
                    .withSource(CameraConfig.Pattern.DEFAULT.withSize(320, 180).withFps(fps).withGop(fps)
                            .withBitrate(300_000))
                    .withDuration(Duration.ofSeconds(60));
            CompletableFuture<Browser.Run> page;
            try (Camera camera = new Camera(small).start()) {
                await().atMost(Duration.ofSeconds(15)).until(() -> hub.cachedFrames() >= 5);
                page = CompletableFuture.supplyAsync(() -> runMse(server, "target/view-mse-restart.png", "avc1.42",
                        3, "forced", "480"));
                await().atMost(Duration.ofSeconds(30)).until(() -> server.mse().viewers() == 1);
                long joined = server.mse().hub().frames();
                // the page's first part (3 s of play after its first picture) is over
                await().atMost(Duration.ofSeconds(30)).until(() -> server.mse().hub().frames() > joined + 6 * fps);
            }
            CameraConfig big = CameraConfig.pattern(Destination.of(input.localAddress()))
                    .withSource(CameraConfig.Pattern.DEFAULT.withSize(480, 270).withFps(fps).withGop(fps)
                            .withBitrate(400_000))
                    .withDuration(Duration.ofSeconds(60));
            try (Camera camera = new Camera(big).start()) {
                Browser.Run run = page.get(90, TimeUnit.SECONDS);
                assertThat(run.exit()).as("view-mse.mjs said:%n%s", run.output()).isZero();
                System.out.println(run.output().strip());
            }
            assertThat(server.mse().errors()).isZero();
        }
    }

    /**
     * The camera restarts at the same picture size after 12 s, its timestamps starting again (the init segment the
     * same bytes, a new generation): the MSE page takes the new stream at once (a fresh MediaSource), its presented
     * frames rise again within 5 s, and it keeps a short buffer near the live edge (it does not wait behind the old
     * stream's timeline while the buffer grows).
     */
    @Test
    void theMseFallbackKeepsPlayingAfterACameraRestartAtTheSameSize() throws Exception {
        Browser.assumeReady(BROWSER_DIR);
        int fps = 25;
        Hub hub = Hub.withDefaults(ViewCommand.QUEUE);
        try (LiveInput input = new LiveInput(Endpoint.parse("udp://127.0.0.1:0", Endpoint.Role.INPUT), hub).start();
                ViewServer server = new ViewServer(hub, "--http", new InetSocketAddress("127.0.0.1", 0)).start()) {
            CameraConfig config = CameraConfig.pattern(Destination.of(input.localAddress()))
                    .withSource(CameraConfig.Pattern.DEFAULT.withSize(320, 180).withFps(fps).withGop(fps)
                            .withBitrate(300_000))
                    .withDuration(Duration.ofSeconds(60));
            CompletableFuture<Browser.Run> page;
            try (Camera camera = new Camera(config).start()) {
                await().atMost(Duration.ofSeconds(15)).until(() -> hub.cachedFrames() >= 5);
                page = CompletableFuture.supplyAsync(() -> runMse(server, "target/view-mse-same-size.png",
                        "avc1.42", 3, "forced", "same"));
                await().atMost(Duration.ofSeconds(30)).until(() -> server.mse().viewers() == 1);
                long joined = server.mse().hub().frames();
                await().atMost(Duration.ofSeconds(40)).until(() -> server.mse().hub().frames() > joined + 12 * fps);
            }
            try (Camera camera = new Camera(config).start()) { // the same camera again: its PTS start again
                Browser.Run run = page.get(100, TimeUnit.SECONDS);
                assertThat(run.exit()).as("view-mse.mjs said:%n%s", run.output()).isZero();
                System.out.println(run.output().strip());
            }
            assertThat(server.mse().errors()).isZero();
        }
    }

    /**
     * An init segment the browser cannot play (as from a camera switched to another profile): the MSE page keeps
     * saying that it cannot play it while fragments go on arriving, drops them, and plays again from the next playable
     * init segment (here after a reconnect).
     */
    @Test
    void theMsePageKeepsSayingItCannotPlayACodec() throws Exception {
        Browser.assumeReady(BROWSER_DIR);
        Hub hub = Hub.withDefaults(ViewCommand.QUEUE);
        try (LiveInput input = new LiveInput(Endpoint.parse("udp://127.0.0.1:0", Endpoint.Role.INPUT), hub).start();
                ViewServer server = new ViewServer(hub, "--http", new InetSocketAddress("127.0.0.1", 0)).start()) {
            CameraConfig config = CameraConfig.pattern(Destination.of(input.localAddress()))
                    .withSource(CameraConfig.Pattern.DEFAULT.withSize(320, 180).withFps(25).withGop(25)
                            .withBitrate(300_000))
                    .withDuration(Duration.ofSeconds(60));
            try (Camera camera = new Camera(config).start()) {
                await().atMost(Duration.ofSeconds(15)).until(() -> hub.cachedFrames() >= 5);
                Browser.Run run = runMse(server, "target/view-mse-unplayable.png", "avc1.42", 2, "forced",
                        "unplayable");
                assertThat(run.exit()).as("view-mse.mjs said:%n%s", run.output()).isZero();
                System.out.println(run.output().strip());
            }
        }
    }

    /** An H.265 camera with {@code ?mode=mse}: the page says that the MSE mode plays H.264 only, and keeps saying it. */
    @Test
    void theMsePageSaysThatItPlaysH264Only(@TempDir Path dir) throws Exception {
        Browser.assumeReady(BROWSER_DIR);
        FfmpegJudge.assumeEncoder("libx265");
        Path clip = dir.resolve("x265.ts");
        FfmpegJudge.Result made = FfmpegJudge.run(FfmpegJudge.ffmpeg("-hide_banner", "-loglevel", "error",
                "-f", "lavfi", "-i", "testsrc2=size=320x180:rate=25", "-t", "4", "-c:v", "libx265", "-x265-params",
                "log-level=error", "-g", "25", "-pix_fmt", "yuv420p", "-f", "mpegts", clip.toString()));
        assertThat(made.exit()).as(made.err()).isZero();
        Hub hub = Hub.withDefaults(ViewCommand.QUEUE);
        try (LiveInput input = new LiveInput(Endpoint.parse("udp://127.0.0.1:0", Endpoint.Role.INPUT), hub).start();
                ViewServer server = new ViewServer(hub, "--http", new InetSocketAddress("127.0.0.1", 0)).start()) {
            CameraConfig config = CameraConfig.clip(clip, Destination.of(input.localAddress()))
                    .withDuration(Duration.ofSeconds(40));
            try (Camera camera = new Camera(config).start()) {
                await().atMost(Duration.ofSeconds(15)).until(() -> hub.cachedFrames() >= 5);
                Browser.Run run = runMse(server, "target/view-mse-h265.png", "", 1, "forced", "h265");
                assertThat(run.exit()).as("view-mse.mjs said:%n%s", run.output()).isZero();
                System.out.println(run.output().strip());
            }
            assertThat(server.mse().hub().frames()).as("nothing muxed").isZero();
        }
    }

    private static Browser.Run runMse(ViewServer server, String screenshot, String codecPrefix, int seconds,
            String how, String widthAfter) {
        try {
            return Browser.run(List.of("node", BROWSER_DIR.resolve("view-mse.mjs").toString(), server.url(),
                    Path.of(screenshot).toAbsolutePath().toString(), codecPrefix, String.valueOf(seconds), how,
                    widthAfter), Path.of("."), 110);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static String playMse(ViewServer server, String screenshot, String codecPrefix, int seconds, String how)
            throws Exception {
        Path shot = Path.of(screenshot).toAbsolutePath();
        Browser.Run page = runMse(server, screenshot, codecPrefix, seconds, how, "");
        assertThat(page.exit()).as("view-mse.mjs said:%n%s", page.output()).isZero();
        assertThat(shot).isNotEmptyFile();
        System.out.println(page.output().strip());
        return page.output();
    }
}
