package io.streamtee.serve;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code serve}'s web server on loopback, fed by simulated cameras: every JSON route, the pages, the playback at the
 * web root, {@code /metrics} as one valid exposition, and cameras coming and going on reload.
 */
@Timeout(180)
class ServeWebTest {
    @TempDir
    Path data;

    @Test
    void theApiShowsEveryCameraItsRecordingsEventsAndMetrics() throws Exception {
        try (ServeRig rig = new ServeRig(data, "front", "back.yard")) {
            rig.feed("front", 320, 180, Duration.ofSeconds(2));
            rig.feed("back.yard", 320, 180, Duration.ofSeconds(3));

            await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
                JsonNode cameras = rig.json("/api/cameras");
                assertThat(cameras).hasSize(2);
                assertThat(cameras.get(0).get("name").asText()).isEqualTo("front");
                assertThat(cameras.get(1).get("name").asText()).isEqualTo("back.yard");
                for (JsonNode c : cameras) {
                    assertThat(c.get("state").asText()).as(c.toString()).isEqualTo("live");
                    assertThat(c.get("bitrate").asLong()).as(c.toString()).isGreaterThan(100_000);
                    assertThat(c.get("recording").get("segments").asLong()).as(c.toString()).isPositive();
                    assertThat(c.get("health").get("width").asInt()).as(c.toString()).isEqualTo(320);
                }
            });
            JsonNode front = rig.json("/api/cameras/front");
            assertThat(front.get("input").asText()).isEqualTo("udp://127.0.0.1:0");
            assertThat(front.get("localPort").asInt()).isEqualTo(rig.serve.route("front").localAddress().getPort());
            assertThat(front.get("services").get("record").asBoolean()).isTrue();
            assertThat(front.get("services").get("analyze").asBoolean()).isTrue();
            assertThat(front.get("services").get("view").asBoolean()).isTrue();
            assertThat(front.get("viewers").asInt()).isZero();
            assertThat(rig.status("/api/cameras/nobody")).isEqualTo(404);
            assertThat(rig.status("/cameras/nobody/")).isEqualTo(404);
            assertThat(rig.status("/cameras/nobody/view.html")).isEqualTo(404);
            assertThat(rig.status("/cameras/nobody/snapshot.jpg")).isEqualTo(404);
            assertThat(rig.json("/healthz").get("cameras").asInt()).isEqualTo(2);

            // pages
            assertThat(rig.text("/")).contains("<title>streamtee</title>");
            assertThat(rig.text("/cameras/front/")).contains("api/cameras/");
            assertThat(rig.text("/cameras/back.yard/view.html")).contains("socketUrl(\"ws\")");
            assertThat(rig.text("/relay/")).contains("api/routes");
            await().atMost(Duration.ofSeconds(10)).until(() -> rig.get("/cameras/front/snapshot.jpg").statusCode()
                    == 200);
            assertThat(rig.get("/cameras/front/snapshot.jpg").headers().firstValue("Content-Type"))
                    .hasValue("image/jpeg");

            // the relay's routes: the cameras, each with its services' outputs
            for (String path : List.of("/api/routes", "/relay/api/routes")) {
                JsonNode routes = rig.json(path);
                assertThat(routes).hasSize(2);
                assertThat(routes.get(0).get("name").asText()).isEqualTo("front");
                assertThat(routes.get(0).get("outputs")).hasSize(3); // record, analyze, view
                assertThat(routes.get(0).get("datagrams").asLong()).isPositive();
            }

            // recordings, and a clip of them at the web root (where the analyzer's clip links point)
            JsonNode recordings = rig.json("/api/recordings?camera=front&from=0");
            assertThat(recordings.get("segments").size()).isPositive();
            String from = recordings.get("spans").get(0).get("start").asText();
            String to = Instant.parse(from).plusSeconds(2).toString();
            HttpResponse<byte[]> clip = rig.get("/clip.mp4?camera=front&from=" + from + "&to=" + to);
            assertThat(clip.statusCode()).as(new String(clip.body())).isEqualTo(200);
            assertThat(new String(clip.body(), 4, 4)).isEqualTo("ftyp");
            assertThat(rig.text("/play.m3u8?camera=front&from=" + from)).startsWith("#EXTM3U");
            assertThat(rig.status("/api/recordings?camera=nobody")).isEqualTo(404);

            // events of both cameras, merged newest first, each camera's alone with ?camera=
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
                JsonNode events = rig.json("/api/events?kind=motion");
                List<String> cameras = new ArrayList<>();
                events.forEach(e -> cameras.add(e.get("camera").asText()));
                assertThat(cameras).contains("front", "back.yard");
            });
            JsonNode events = rig.json("/api/events");
            for (int i = 1; i < events.size(); i++) {
                assertThat(events.get(i).get("startMillis").asLong())
                        .isLessThanOrEqualTo(events.get(i - 1).get("startMillis").asLong());
            }
            JsonNode backOnly = rig.json("/api/events?camera=back.yard");
            assertThat(backOnly).isNotEmpty().allSatisfy(e -> assertThat(e.get("camera").asText())
                    .isEqualTo("back.yard"));
            assertThat(rig.json("/api/events?camera=nobody")).isEmpty();
            assertThat(rig.json("/api/events?limit=1")).hasSize(1);
            assertThat(rig.status("/api/events?kind=bogus")).isEqualTo(400);
            JsonNode withSnapshot = null;
            for (JsonNode e : rig.json("/api/events?kind=motion")) {
                if (!e.get("snapshot").isNull()) {
                    withSnapshot = e;
                    break;
                }
            }
            assertThat(withSnapshot).as("a motion event with a snapshot").isNotNull();
            String id = withSnapshot.get("id").asText();
            assertThat(rig.json("/api/events/" + id).get("id").asText()).isEqualTo(id);
            assertThat(withSnapshot.get("snapshotUrl").asText()) // absolute, for sinks: this server's address
                    .isEqualTo(rig.web.url().replaceAll("/$", "") + withSnapshot.get("snapshot").asText());
            HttpResponse<byte[]> jpeg = rig.get(withSnapshot.get("snapshot").asText());
            assertThat(jpeg.statusCode()).isEqualTo(200);
            assertThat(jpeg.body()[0] & 0xff).isEqualTo(0xff);
            assertThat(jpeg.body()[1] & 0xff).isEqualTo(0xd8);
            assertThat(rig.status("/api/events/front-19700101T000000Z-0")).isEqualTo(404);
            JsonNode latest = rig.json("/api/cameras/" + withSnapshot.get("camera").asText()).get("lastEvent");
            assertThat(latest.isNull()).isFalse();

            // one valid exposition: the relay, and each camera's recorder, analyzer and viewer
            String metrics = rig.text("/metrics");
            List<String> families = ExpositionCheck.check(metrics);
            assertThat(families).contains("streamtee_route_received_datagrams_total",
                    "streamtee_analyze_frames_decoded_total", "streamtee_view_frames_total",
                    "streamtee_record_segments_total", "streamtee_http_unauthorized_total", "streamtee_serve_cameras");
            for (String camera : List.of("front", "back.yard")) {
                assertThat(metrics).contains("streamtee_route_received_datagrams_total{route=\"" + camera + "\"}")
                        .contains("streamtee_record_segments_total{camera=\"" + camera + "\"}")
                        .containsPattern("streamtee_analyze_frames_decoded_total\\{camera=\"" + camera.replace(".",
                                "\\.") + "\"")
                        .containsPattern("streamtee_view_frames_total\\{camera=\"" + camera.replace(".", "\\.")
                                + "\"");
            }
        }
    }

    @Test
    void aCameraAddedByReloadAppearsAndPlaysAndARemovedOneIsGone() throws Exception {
        try (ServeRig rig = new ServeRig(data, "first")) {
            rig.feed("first", 320, 180, Duration.ofSeconds(10));
            Viewer first = Viewer.connect(rig.url("/cameras/first/ws").replace("http://", "ws://"));
            await().atMost(Duration.ofSeconds(15)).until(() -> first.binary.get() > 5);
            assertThat(rig.json("/api/cameras/first").get("viewers").asInt()).isEqualTo(1);

            String summary = rig.serve.reload(ServeRig.config(data, "first", "second"));
            assertThat(summary).contains("camera second added");
            JsonNode cameras = rig.json("/api/cameras");
            assertThat(cameras).extracting(c -> c.get("name").asText()).containsExactly("first", "second");
            assertThat(rig.json("/api/cameras/second").get("state").asText()).isEqualTo("no signal");
            rig.feed("second", 320, 180, Duration.ofSeconds(10));
            Viewer second = Viewer.connect(rig.url("/cameras/second/ws").replace("http://", "ws://"));
            await().atMost(Duration.ofSeconds(15)).until(() -> second.binary.get() > 5);

            rig.serve.reload(ServeRig.config(data, "second"));
            assertThat(rig.status("/api/cameras/first")).isEqualTo(404);
            assertThat(rig.status("/cameras/first/")).isEqualTo(404);
            assertThat(rig.json("/api/cameras")).extracting(c -> c.get("name").asText()).containsExactly("second");
            // its viewer is let go (1001), a new one is refused before the upgrade
            await().atMost(Duration.ofSeconds(10)).until(() -> first.closedWith.get() == 1001);
            assertThatUpgradeFails(rig.url("/cameras/first/ws").replace("http://", "ws://"));
            long before = second.binary.get();
            await().atMost(Duration.ofSeconds(10)).until(() -> second.binary.get() > before + 5);
            assertThat(second.closedWith.get()).isZero();
            // the removed camera's recordings stay reachable in the data directory
            assertThat(rig.json("/api/recordings?camera=first&from=0").get("segments").size()).isPositive();
            ExpositionCheck.check(rig.text("/metrics"));
            assertThat(rig.text("/metrics")).doesNotContain("camera=\"first\"").doesNotContain("route=\"first\"");
            second.socket.abort();
        }
    }

    @Test
    void aCameraWithEveryServiceOffIsListedAndSaysSo() throws Exception {
        ServeConfig config = ServeRig.parse(data, """
                web: {listen: 127.0.0.1:0}
                data: $DATA
                cameras:
                  garage: {input: udp://127.0.0.1:0, record: false, analyze: false, view: false}
                """);
        try (ServeRig rig = new ServeRig(data, config)) {
            JsonNode garage = rig.json("/api/cameras/garage");
            assertThat(garage.get("services").get("record").asBoolean()).isFalse();
            assertThat(garage.get("services").get("analyze").asBoolean()).isFalse();
            assertThat(garage.get("services").get("view").asBoolean()).isFalse();
            assertThat(garage.get("state").asText()).isEqualTo("no signal");
            assertThat(garage.get("recording").isNull()).isTrue();
            assertThat(garage.get("lastEvent").isNull()).isTrue();
            assertThat(garage.get("health").isNull()).isTrue();
            assertThat(garage.get("viewers").asInt()).isZero();
            assertThat(rig.status("/cameras/garage/")).isEqualTo(200); // the page says what is off
            assertThat(rig.status("/cameras/garage/view.html")).isEqualTo(404);
            assertThat(rig.status("/cameras/garage/snapshot.jpg")).isEqualTo(404);
            assertThat(rig.json("/api/events?camera=garage")).isEmpty();
            HttpResponse<byte[]> recordings = rig.get("/api/recordings?camera=garage");
            assertThat(recordings.statusCode()).isEqualTo(404);
            assertThat(new String(recordings.body()))
                    .contains("camera garage is not recorded (cameras.garage.record: false)");
            String metrics = rig.text("/metrics");
            ExpositionCheck.check(metrics);
            assertThat(metrics).contains("route=\"garage\"").doesNotContain("camera=\"garage\"");
        }
    }

    @Test
    void aCameraRecordingToItsOwnDirectoryIsPlayedBackFromThere() throws Exception {
        ServeConfig config = ServeRig.parse(data, """
                web: {listen: 127.0.0.1:0}
                data: $DATA/data
                cameras:
                  shed: {input: udp://127.0.0.1:0, record: {dir: $DATA/elsewhere, segment: 1s}, analyze: false}
                """);
        try (ServeRig rig = new ServeRig(data, config)) {
            rig.feed("shed", 320, 180, Duration.ofSeconds(10));
            await().atMost(Duration.ofSeconds(20)).until(() -> rig.status("/api/recordings?camera=shed&from=0") == 200
                    && rig.json("/api/recordings?camera=shed&from=0").get("segments").size() > 1);
            assertThat(data.resolve("elsewhere/shed")).isDirectory();
            assertThat(data.resolve("data/shed")).doesNotExist();
            JsonNode segment = rig.json("/api/recordings?camera=shed&from=0").get("segments").get(0);
            HttpResponse<byte[]> ts = rig.get(segment.get("url").asText());
            assertThat(ts.statusCode()).isEqualTo(200);
            assertThat(ts.body()[0]).isEqualTo((byte) 0x47);
        }
    }

    @Test
    void withATokenOnlyTheHomePageGoesWithoutIt() throws Exception {
        String token = "serve-web-test-token-0123";
        try (ServeRig rig = new ServeRig(token, data, "front")) {
            assertThat(rig.status("/")).isEqualTo(200);
            for (String path : List.of("/api/cameras", "/api/events", "/metrics", "/cameras/front/",
                    "/cameras/front/view.html", "/relay/api/routes", "/api/recordings?camera=front&from=0")) {
                assertThat(rig.status(path)).as(path).isEqualTo(401);
                assertThat(rig.status(path + (path.contains("?") ? "&" : "?") + "token=" + token)).as(path)
                        .isNotEqualTo(401);
            }
            assertThat(rig.json("/api/cameras?token=" + token).get(0).get("state").asText()).isEqualTo("no signal");
            assertThat(rig.text("/metrics?token=" + token)).contains("streamtee_http_unauthorized_total 7.0");
        }
    }

    private static void assertThatUpgradeFails(String url) {
        CompletableFuture<WebSocket> f = java.net.http.HttpClient.newHttpClient().newWebSocketBuilder()
                .buildAsync(URI.create(url), new WebSocket.Listener() { });
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> f.get(10, TimeUnit.SECONDS))
                .rootCause().hasMessageContaining("404");
    }

    /** A WebSocket client counting the binary messages it gets and the close code. */
    static final class Viewer implements WebSocket.Listener {
        final AtomicLong binary = new AtomicLong();
        final AtomicInteger closedWith = new AtomicInteger();
        WebSocket socket;

        static Viewer connect(String url) {
            Viewer v = new Viewer();
            try {
                v.socket = java.net.http.HttpClient.newHttpClient().newWebSocketBuilder()
                        .buildAsync(URI.create(url), v).get(10, TimeUnit.SECONDS);
            } catch (Exception e) {
                throw new CompletionException(e);
            }
            return v;
        }

        @Override
        public CompletionStage<?> onBinary(WebSocket ws, ByteBuffer data, boolean last) {
            if (last) {
                binary.incrementAndGet();
            }
            ws.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
            ws.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onClose(WebSocket ws, int code, String reason) {
            closedWith.set(code);
            return null;
        }
    }
}
