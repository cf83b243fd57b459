package io.streamtee.view;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.streamtee.camera.Camera;
import io.streamtee.camera.CameraConfig;
import io.streamtee.camera.Destination;
import io.streamtee.config.Endpoint;
import io.streamtee.testing.Browser;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The viewer's page in headless Chromium ({@code src/test/browser/view-page.mjs}, playwright-core) on a real
 * camera's stream, joining mid-GOP: WebCodecs decodes (the count rises), no decoder or console error, the canvas is
 * not blank. Leaves {@code target/view-page.png}. Skipped without node, npm or /usr/bin/chromium.
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
                Path shot = Path.of("target/view-page.png").toAbsolutePath();
                Browser.Run page = Browser.run(List.of("node", BROWSER_DIR.resolve("view-page.mjs").toString(),
                        server.url(), shot.toString()), Path.of("."), 60);
                assertThat(page.exit()).as("view-page.mjs said:%n%s", page.output()).isZero();
                assertThat(shot).isNotEmptyFile();
                System.out.println(page.output().strip());
            }
        }
    }
}
