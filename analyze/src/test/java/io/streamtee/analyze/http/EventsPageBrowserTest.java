package io.streamtee.analyze.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.streamtee.analyze.Analyzer;
import io.streamtee.analyze.AnalyzerConfig;
import io.streamtee.analyze.ClipLinks;
import io.streamtee.analyze.event.Event;
import io.streamtee.analyze.event.EventStore;
import io.streamtee.analyze.motion.Polygon;
import io.streamtee.camera.Camera;
import io.streamtee.camera.CameraConfig;
import io.streamtee.camera.Destination;
import io.streamtee.config.Endpoint;
import io.streamtee.testing.Browser;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The events page in headless Chromium ({@code src/test/browser/events-page.mjs}, playwright-core) after a real
 * camera's visitors: it lists the motion events with its snapshot loaded at the camera's size, no console errors.
 * Leaves {@code target/events-page.png}. Skipped without node, npm or /usr/bin/chromium.
 */
@Timeout(180)
class EventsPageBrowserTest {
    private static final Path BROWSER_DIR = Path.of("src/test/browser");

    /** The value of one series in a Prometheus text exposition. */
    private static long value(String metrics, String series) {
        return metrics.lines().filter(l -> l.startsWith(series + " ")).findFirst()
                .map(l -> (long) Double.parseDouble(l.substring(series.length() + 1).strip()))
                .orElseThrow(() -> new AssertionError("no " + series + " in:\n" + metrics));
    }

    @Test
    void thePageShowsTheVisitorsEventWithItsSnapshot() throws Exception {
        Browser.assumeReady(BROWSER_DIR);
        EventStore store = new EventStore();
        AnalyzerConfig config = AnalyzerConfig.of(Endpoint.parse("udp://127.0.0.1:0", Endpoint.Role.INPUT), "porch",
                        List.of())
                .withZones(List.of(), List.of(Polygon.parse("--mask", "[[0,0.85],[1,0.85],[1,1],[0,1]]")))
                .withStore(store).withClips(ClipLinks.parse("--playback", "http://127.0.0.1:8081"));
        try (Analyzer analyzer = new Analyzer(config).start();
                AnalyzerServer server = new AnalyzerServer(analyzer, AnalyzerServer.apiSettings("127.0.0.1:0"))
                        .start()) {
            CameraConfig camera = CameraConfig.pattern(Destination.of(analyzer.localAddress()))
                    .withSource(CameraConfig.Pattern.DEFAULT.withSize(640, 360).withFps(20).withGop(40)
                            .withBitrate(1_000_000).withVisitor(Duration.ofSeconds(4), Duration.ofMillis(1500)))
                    .withDuration(Duration.ofMillis(8_900)); // a visit at 4 s (its event ends by 7.5 s), one at 8 s
            try (Camera cam = new Camera(camera).start()) {
                assertThat(cam.awaitDone(Duration.ofSeconds(30))).isTrue();
                assertThat(cam.failure()).isNull();
            }
            await().atMost(Duration.ofSeconds(10)).until(() -> store.list(
                    e -> e.kind() == Event.Kind.MOTION && e.phase() == Event.Phase.END, 1).size() == 1);
            assertThat(store.snapshots()).isGreaterThanOrEqualTo(1);

            Path shot = Path.of("target/events-page.png").toAbsolutePath();
            Browser.Run page = Browser.run(List.of("node", BROWSER_DIR.resolve("events-page.mjs").toString(),
                    server.url(), shot.toString(), "640"), Path.of("."), 120);

            assertThat(page.exit()).as("events-page.mjs said:%n%s", page.output()).isZero();
            assertThat(shot).isNotEmptyFile();

            // the same run in /metrics
            String metrics = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                    URI.create(server.url() + "metrics")).build(),
                    HttpResponse.BodyHandlers.ofString()).body();
            assertThat(value(metrics, "streamtee_analyze_frames_decoded_total{camera=\"porch\"}"))
                    .isEqualTo(analyzer.stats().framesDecoded()).isGreaterThan(100);
            assertThat(value(metrics, "streamtee_analyze_datagrams_total{camera=\"porch\"}")).isGreaterThan(100);
            assertThat(value(metrics, "streamtee_analyze_events_total{camera=\"porch\",kind=\"motion\","
                    + "phase=\"end\"}")).isEqualTo(1);
            assertThat(value(metrics, "streamtee_analyze_snapshots_encoded_total{camera=\"porch\"}"))
                    .isGreaterThanOrEqualTo(2);
            assertThat(value(metrics, "streamtee_analyze_stream_width{camera=\"porch\"}")).isEqualTo(640);
            assertThat(value(metrics, "streamtee_analyze_health_problems_total{camera=\"porch\",problem=\"format\"}"))
                    .as("the format is reported once").isEqualTo(analyzer.health().problemsStarted(
                            io.streamtee.analyze.health.HealthEvent.Kind.FORMAT)).isEqualTo(1);
        }
    }
}
