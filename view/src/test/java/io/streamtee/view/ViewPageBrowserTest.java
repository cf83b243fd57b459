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
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The viewer's page in headless Chromium ({@code src/test/browser/view-page.mjs}, playwright-core) on a real
 * camera's stream, joining mid-GOP: WebCodecs decodes (the count rises), no decoder or console error, the canvas is
 * not blank, the first picture's time is recorded; the glass-to-glass figure is shown for the camera (its
 * capture-time SEI) and not for a libx264 High profile clip with B-frames (no SEI), which plays too. Leaves
 * {@code target/view-page.png} and {@code target/view-page-x264.png}. Skipped without node, npm or /usr/bin/chromium.
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
}
