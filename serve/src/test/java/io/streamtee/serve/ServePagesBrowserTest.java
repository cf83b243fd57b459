package io.streamtee.serve;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.streamtee.testing.Browser;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code serve}'s pages in headless Chromium ({@code src/test/browser/serve-pages.mjs}), two simulated 640x360
 * cameras with visitors every 4 and 5 s, a token in the page's URL: both live tiles play; on a camera's page an event
 * with its snapshot appears and a click on it plays its recorded clip; the recordings timeline lists segments. Leaves
 * {@code target/serve-home.png} and {@code target/serve-camera.png}. Skipped without node, npm or /usr/bin/chromium.
 */
@Timeout(240)
class ServePagesBrowserTest {
    private static final Path BROWSER_DIR = Path.of("src/test/browser");
    static final String TOKEN = "serve-page-test-token-0123";

    @TempDir
    Path data;

    @Test
    void bothTilesPlayAndAnEventsClipPlaysOnTheCameraPage() throws Exception {
        Browser.assumeReady(BROWSER_DIR);
        try (ServeRig rig = new ServeRig(TOKEN, data, "front", "back")) {
            rig.feed("front", 640, 360, Duration.ofSeconds(4));
            rig.feed("back", 640, 360, Duration.ofSeconds(5));
            await().atMost(Duration.ofSeconds(15)).until(() -> rig.serve.cameras().stream()
                    .allMatch(c -> c.feed().hub().cachedFrames() >= 5));
            Path home = Path.of("target/serve-home.png").toAbsolutePath();
            Path camera = Path.of("target/serve-camera.png").toAbsolutePath();
            Browser.Run run = Browser.run(List.of("node", BROWSER_DIR.resolve("serve-pages.mjs").toString(),
                    rig.web.url() + "?token=" + TOKEN, home.toString(), camera.toString(), "front", "back"),
                    Path.of("."), 180);
            assertThat(run.exit()).as("serve-pages.mjs said:%n%s", run.output()).isZero();
            assertThat(home).isNotEmptyFile();
            assertThat(camera).isNotEmptyFile();
            System.out.println(run.output().strip());
        }
    }
}
