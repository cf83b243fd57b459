package io.streamtee.analyze.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.streamtee.analyze.Analyzer;
import io.streamtee.analyze.AnalyzerConfig;
import io.streamtee.analyze.event.Event;
import io.streamtee.analyze.event.EventStore;
import io.streamtee.config.ApiSettings;
import io.streamtee.config.ConfigException;
import io.streamtee.config.Endpoint;
import io.streamtee.testing.Figures;
import io.streamtee.testing.HostilePaths;
import io.streamtee.testing.Slowloris;
import java.net.InetAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.BiFunction;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The analyzer's web server on loopback, over an event store filled by hand (the analyzer is not started). */
class AnalyzerServerTest {
    private static final long T0 = 1_796_040_010_000L; // 2026-11-30T12:00:10Z
    private static final ObjectMapper JSON = new ObjectMapper();
    private final HttpClient http = HttpClient.newHttpClient();
    private EventStore store;
    private AnalyzerServer server;

    private static Event event(String id, Event.Kind kind, Event.Phase phase, long start, long end, boolean snap) {
        return new Event(id, "porch", kind, phase, "title " + id, List.of("door"), start, end, -1, -1, 0.25,
                List.of(new Event.Region(0.1, 0.2, 0.3, 0.4)), snap ? EventStore.snapshotPath(id) : null,
                Map.of("clip", "http://127.0.0.1:8081/clip.mp4?camera=porch"));
    }

    @BeforeEach
    void start() {
        store = new EventStore(100, 2, 1 << 20);
        AnalyzerConfig config = AnalyzerConfig.of(Endpoint.parse("udp://127.0.0.1:0", Endpoint.Role.INPUT), "porch",
                List.of()).withStore(store);
        server = new AnalyzerServer(new Analyzer(config), AnalyzerServer.apiSettings("127.0.0.1:0")).start();
        store.put(event("m1", Event.Kind.MOTION, Event.Phase.END, T0, T0 + 5000, true));
        store.putSnapshot("m1", new byte[] {(byte) 0xFF, (byte) 0xD8, 1});
        store.put(event("h1", Event.Kind.HEALTH, Event.Phase.START, T0 + 10_000, -1, false));
        store.put(event("m2", Event.Kind.MOTION, Event.Phase.START, T0 + 20_000, -1, true));
        store.putSnapshot("m2", new byte[] {(byte) 0xFF, (byte) 0xD8, 2});
        store.put(event("m3", Event.Kind.MOTION, Event.Phase.START, T0 + 30_000, -1, true));
        store.putSnapshot("m3", new byte[] {(byte) 0xFF, (byte) 0xD8, 3}); // the third: m1's is evicted
    }

    @AfterEach
    void stop() {
        server.close();
    }

    private HttpResponse<byte[]> get(String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path)).build(),
                HttpResponse.BodyHandlers.ofByteArray());
    }

    private JsonNode json(String path, int status) throws Exception {
        HttpResponse<byte[]> r = get(path);
        assertThat(r.statusCode()).as("%s: %s", path, new String(r.body())).isEqualTo(status);
        return JSON.readTree(r.body());
    }

    private static List<String> ids(JsonNode list) {
        return list.valueStream().map(n -> n.path("id").asText()).toList();
    }

    @Test
    void noEncodingOfATraversalReachesAFileAndASlowlorisLeavesTheApiAnswering() throws Exception {
        Map<Integer, Integer> statuses = new TreeMap<>();
        int requests = 0;
        for (String prefix : List.of("/", "/api/events/", "/api/events/m2/", "/api/events/m2/snapshot.jpg/")) {
            for (String escape : HostilePaths.escapes("etc/passwd")) {
                String path = prefix + escape + (prefix.equals("/api/events/") ? "/snapshot.jpg" : "");
                HostilePaths.Response r = HostilePaths.get(server.port(), path, null);
                assertThat(r.status()).as(path).isIn(400, 404);
                assertThat(r.body()).as(path).doesNotContain("root:");
                statuses.merge(r.status(), 1, Integer::sum);
                requests++;
            }
        }
        Figures.of("hostile.path-traversal.analyze").put("requests", requests)
                .put("answered_400", statuses.getOrDefault(400, 0)).put("answered_404", statuses.getOrDefault(404, 0))
                .record(getClass(), "noEncodingOfATraversalReachesAFileAndASlowlorisLeavesTheApiAnswering");

        Slowloris.assertAnswered("hostile.slowloris.analyze", server.port(),
                URI.create("http://127.0.0.1:" + server.port() + "/api/events"), null, getClass(), "noEncodingOfATraversalReachesAFileAndASlowlorisLeavesTheApiAnswering");
    }

    @Test
    void eventsAreListedNewestFirstAndFiltered() throws Exception {
        assertThat(ids(json("/api/events", 200))).containsExactly("m3", "m2", "h1", "m1");
        assertThat(ids(json("/api/events?kind=motion", 200))).containsExactly("m3", "m2", "m1");
        assertThat(ids(json("/api/events?kind=HEALTH&camera=porch", 200))).containsExactly("h1");
        assertThat(ids(json("/api/events?camera=yard", 200))).isEmpty();
        assertThat(ids(json("/api/events?limit=2", 200))).containsExactly("m3", "m2");
        // from: what ends at or after it (open events always); to: what starts at or before it
        assertThat(ids(json("/api/events?from=2026-11-30T12:00:16Z", 200))).containsExactly("m3", "m2", "h1");
        assertThat(ids(json("/api/events?to=" + (T0 + 10_000) / 1000, 200))).containsExactly("h1", "m1");
        assertThat(json("/api/events?kind=bird", 400).path("error").asText())
                .isEqualTo("kind: motion or health, not 'bird'");
        assertThat(json("/api/events?limit=0", 400).path("error").asText()).startsWith("limit: ");
        assertThat(json("/api/events?from=yesterday", 400).path("error").asText()).startsWith("from: 'yesterday'");
    }

    @Test
    void anEventIsItsLatestStateWithItsSnapshotUrlWhileTheJpegIsKept() throws Exception {
        JsonNode m3 = json("/api/events/m3", 200);
        assertThat(m3.path("title").asText()).isEqualTo("title m3");
        assertThat(m3.path("zones").get(0).asText()).isEqualTo("door");
        assertThat(m3.path("details").path("clip").asText()).startsWith("http://127.0.0.1:8081/clip.mp4");
        assertThat(m3.path("snapshot").asText()).isEqualTo("/api/events/m3/snapshot.jpg");
        assertThat(m3.path("snapshotUrl").asText())
                .isEqualTo("http://127.0.0.1:" + server.port() + "/api/events/m3/snapshot.jpg");
        assertThat(json("/api/events/m1", 200).path("snapshot").isNull()).as("m1's JPEG was evicted").isTrue();
        assertThat(json("/api/events/nope", 404).path("error").asText()).startsWith("no event nope");
    }

    @Test
    void aSnapshotIsServedOrA404SaysWhyNot() throws Exception {
        HttpResponse<byte[]> jpeg = get("/api/events/m3/snapshot.jpg");
        assertThat(jpeg.statusCode()).isEqualTo(200);
        assertThat(jpeg.headers().firstValue("Content-Type")).hasValue("image/jpeg");
        assertThat(jpeg.body()).containsExactly(0xFF, 0xD8, 3);
        assertThat(json("/api/events/m1/snapshot.jpg", 404).path("error").asText())
                .isEqualTo("the snapshot of event m1 was evicted (only the most recent ones are kept)");
        assertThat(json("/api/events/h1/snapshot.jpg", 404).path("error").asText())
                .isEqualTo("event h1 has no snapshot");
    }

    @Test
    void metricsHealthAndThePage() throws Exception {
        String metrics = new String(get("/metrics").body());
        assertThat(metrics).contains("streamtee_analyze_datagrams_total{camera=\"porch\"} 0.0")
                .contains("streamtee_analyze_events_total{camera=\"porch\",kind=\"motion\",phase=\"start\"} 2.0")
                .contains("streamtee_analyze_events_total{camera=\"porch\",kind=\"health\",phase=\"start\"} 1.0")
                .contains("streamtee_analyze_frames_skipped_total").contains("streamtee_analyze_decode_errors_total")
                .contains("streamtee_analyze_snapshots{camera=\"porch\"} 2.0")
                .contains("streamtee_analyze_snapshots_evicted_total{camera=\"porch\"} 1.0")
                .contains("streamtee_analyze_tr101290_errors_total{camera=\"porch\",kind=\"continuity_count_error\","
                        + "priority=\"1\"} 0.0")
                .contains("streamtee_http_unauthorized_total 0.0");
        JsonNode health = json("/healthz", 200);
        assertThat(health.path("status").asText()).isEqualTo("ok");
        assertThat(health.path("camera").asText()).isEqualTo("porch");
        assertThat(health.path("events").asInt()).isEqualTo(4);
        HttpResponse<byte[]> page = get("/");
        assertThat(page.statusCode()).isEqualTo(200);
        assertThat(new String(page.body())).contains("<title>streamtee analyzer</title>");
    }

    @Test
    void withATokenTheApiNeedsItAsAHeaderAndTheSnapshotsAlsoTakeItInTheQuery() throws Exception {
        String token = "0123456789abcdef-token";
        AnalyzerConfig config = AnalyzerConfig.of(Endpoint.parse("udp://127.0.0.1:0", Endpoint.Role.INPUT), "porch",
                List.of()).withStore(store);
        try (AnalyzerServer guarded = new AnalyzerServer(new Analyzer(config),
                ApiSettings.fromFlag("--http", "127.0.0.1:0", token, "STREAMTEE_API_TOKEN"))
                .start()) {
            String base = "http://127.0.0.1:" + guarded.port();
            BiFunction<String, String, Integer> status = (path, bearer) -> {
                HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path));
                if (bearer != null) {
                    b.header("Authorization", "Bearer " + bearer);
                }
                try {
                    return http.send(b.build(), HttpResponse.BodyHandlers.discarding()).statusCode();
                } catch (Exception e) {
                    throw new AssertionError(e);
                }
            };
            assertThat(status.apply("/", null)).as("the page itself is open").isEqualTo(200);
            assertThat(status.apply("/api/events", null)).isEqualTo(401);
            assertThat(status.apply("/api/events", "wrong-token-wrong-token")).isEqualTo(401);
            assertThat(status.apply("/api/events", token)).isEqualTo(200);
            assertThat(status.apply("/api/events?token=" + token, null)).as("no query token for the API")
                    .isEqualTo(401);
            assertThat(status.apply("/metrics", null)).isEqualTo(401);
            assertThat(status.apply("/api/events/m3/snapshot.jpg", null)).isEqualTo(401);
            assertThat(status.apply("/api/events/m3/snapshot.jpg?token=" + token, null))
                    .as("an <img> sends the token in the query").isEqualTo(200);
        }
    }

    @Test
    void linksAreAbsoluteUnlessTheServerListensEverywhere() throws Exception {
        assertThat(AnalyzerServer.baseUrl(InetAddress.getByName("127.0.0.1"), 8082))
                .isEqualTo("http://127.0.0.1:8082");
        assertThat(AnalyzerServer.baseUrl(InetAddress.getByName("::1"), 8082))
                .isEqualTo("http://[0:0:0:0:0:0:0:1]:8082");
        assertThat(AnalyzerServer.baseUrl(InetAddress.getByName("0.0.0.0"), 8082)).isNull();
    }

    @Test
    void offLoopbackATokenIsNeeded() {
        assertThatThrownBy(() -> AnalyzerServer.apiSettings("0.0.0.0:8082")).isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("--http: 0.0.0.0:8082 is not a loopback address: set STREAMTEE_API_TOKEN")
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n"));
        assertThatThrownBy(() -> AnalyzerServer.apiSettings("nowhere:x")).hasMessageStartingWith("--http");
    }
}
