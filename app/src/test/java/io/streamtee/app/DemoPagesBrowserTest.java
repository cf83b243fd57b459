package io.streamtee.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.streamtee.serve.ServeWeb;
import io.streamtee.testing.Browser;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code streamtee demo --cameras 2} (in this JVM, on a free port, visitors every 4 s, 1 s segments) in headless
 * Chromium, with serve's page script ({@code serve/src/test/browser/serve-pages.mjs}): both live tiles play; on a
 * camera's page an event with its snapshot appears within a visit or two and a click on it plays its recorded clip;
 * the recordings timeline lists segments and plays. Leaves {@code target/demo-home.png} and
 * {@code target/demo-camera.png}. Skipped without node, npm or /usr/bin/chromium.
 */
@Timeout(240)
class DemoPagesBrowserTest {
    private static final Path BROWSER_DIR = Path.of("../serve/src/test/browser");

    @TempDir
    Path tmp;

    @Test
    void theDemosTwoCamerasPlayAndAnEventsClipPlays() throws Exception {
        Browser.assumeReady(BROWSER_DIR);
        DemoCommand demo = new DemoCommand();
        new CommandLine(demo).parseArgs("--cameras", "2", "--visitor-every", "4s", "--visitor-for", "1500ms",
                "--segment", "1s", "--http", "127.0.0.1:0", "--data", tmp.resolve("data").toString());
        demo.stop = new CountDownLatch(1);
        ExecutorService runner = Executors.newSingleThreadExecutor();
        try (HttpClient http = HttpClient.newHttpClient()) {
            Future<Integer> exit = runner.submit(demo::call);
            await().atMost(Duration.ofSeconds(30)).until(() -> demo.web != null);
            ServeWeb web = demo.web;
            await().atMost(Duration.ofSeconds(20)).until(() -> {
                HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(web.url() + "api/cameras"))
                        .build(), HttpResponse.BodyHandlers.ofString());
                return r.body().split("\"state\":\"live\"", -1).length - 1 == 2;
            });
            Path home = Path.of("target/demo-home.png").toAbsolutePath();
            Path camera = Path.of("target/demo-camera.png").toAbsolutePath();
            Browser.Run run = Browser.run(List.of("node", BROWSER_DIR.resolve("serve-pages.mjs").toString(),
                    web.url(), home.toString(), camera.toString(), DemoCommand.name(0), DemoCommand.name(1)),
                    Path.of("."), 180);
            assertThat(run.exit()).as("serve-pages.mjs said:%n%s", run.output()).isZero();
            assertThat(home).isNotEmptyFile();
            assertThat(camera).isNotEmptyFile();
            System.out.println(run.output().strip());
            demo.stop.countDown();
            assertThat(exit.get(60, TimeUnit.SECONDS)).isZero();
        } finally {
            demo.stop.countDown();
            runner.shutdownNow();
        }
    }
}
