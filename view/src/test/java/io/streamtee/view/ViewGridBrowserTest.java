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
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The grid page of a viewer serving two cameras, with a token, in headless Chromium
 * ({@code src/test/browser/view-grid.mjs}): every tile plays its own camera, the token in the grid's URL reaching
 * each tile's page and WebSocket, and a click opens the camera's page. Leaves {@code target/view-grid.png}. And a
 * page over the viewer limit shows the server's refusal ({@code view-limit.mjs}). Skipped without node, npm or
 * /usr/bin/chromium.
 */
@Timeout(180)
class ViewGridBrowserTest {
    private static final Path BROWSER_DIR = Path.of("src/test/browser");
    private static final String TOKEN = "grid-test-token-0123456789";

    @Test
    void everyTilePlaysItsCameraAndAClickOpensTheCamerasPage() throws Exception {
        Browser.assumeReady(BROWSER_DIR);
        List<AutoCloseable> open = new ArrayList<>();
        try {
            List<CameraFeed> feeds = new ArrayList<>();
            int[][] sizes = {{640, 360}, {480, 270}};
            String[] names = {"front", "back.yard"};
            for (int i = 0; i < names.length; i++) {
                Hub hub = Hub.withDefaults(ViewCommand.QUEUE);
                LiveInput input = new LiveInput(Endpoint.parse("udp://127.0.0.1:0", Endpoint.Role.INPUT), hub)
                        .start();
                open.add(input);
                feeds.add(new CameraFeed(names[i], hub, input));
                CameraConfig config = CameraConfig.pattern(Destination.of(input.localAddress()))
                        .withSource(CameraConfig.Pattern.DEFAULT.withSize(sizes[i][0], sizes[i][1]).withFps(25)
                                .withGop(50).withBitrate(600_000))
                        .withDuration(Duration.ofSeconds(40));
                open.add(new Camera(config).start());
            }
            ViewServer server = new ViewServer(feeds, "--http", new InetSocketAddress("127.0.0.1", 0), TOKEN, 10)
                    .start();
            open.add(server);
            await().atMost(Duration.ofSeconds(15)).until(() -> feeds.stream()
                    .allMatch(f -> f.hub().cachedFrames() >= 5));
            Path shot = Path.of("target/view-grid.png").toAbsolutePath();
            List<String> command = new ArrayList<>(List.of("node", BROWSER_DIR.resolve("view-grid.mjs").toString(),
                    server.url() + "?token=" + TOKEN, shot.toString()));
            command.addAll(List.of(names));
            Browser.Run run = Browser.run(command, Path.of("."), 90);
            assertThat(run.exit()).as("view-grid.mjs said:%n%s", run.output()).isZero();
            assertThat(shot).isNotEmptyFile();
            System.out.println(run.output().strip());
        } finally {
            for (int i = open.size() - 1; i >= 0; i--) {
                open.get(i).close();
            }
        }
    }

    @Test
    void aPageOverTheViewerLimitShowsTheRefusal() throws Exception {
        Browser.assumeReady(BROWSER_DIR);
        Hub hub = Hub.withDefaults(ViewCommand.QUEUE);
        try (ViewServer server = new ViewServer(List.of(new CameraFeed("camera", hub, null)), "--http",
                new InetSocketAddress("127.0.0.1", 0), null, 1).start();
                WsViewer first = WsViewer.connect(server.url().replace("http://", "ws://") + "ws")) {
            await().atMost(Duration.ofSeconds(5)).until(() -> hub.viewers() == 1);
            Browser.Run run = Browser.run(List.of("node", BROWSER_DIR.resolve("view-limit.mjs").toString(),
                    server.url() + "cameras/camera/", "try again later: the viewer limit of 1 is reached"),
                    Path.of("."), 60);
            assertThat(run.exit()).as("view-limit.mjs said:%n%s", run.output()).isZero();
            System.out.println(run.output().strip());
        }
    }
}
