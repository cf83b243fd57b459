package io.streamtee.relay.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.streamtee.config.ConfigException;
import io.streamtee.relay.Relay;
import io.streamtee.relay.TestRelays;
import io.streamtee.testing.Closeables;
import io.streamtee.testing.Datagrams;
import io.streamtee.testing.Slowloris;
import io.streamtee.testing.UdpReceiver;
import io.streamtee.testing.UdpSender;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The control API, metrics and access rules against a real relay on loopback, port 0 everywhere. */
@Timeout(60)
class ControlServerTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String TOKEN = "s3cret-token-for-tests";
    @RegisterExtension
    final Closeables closeables = new Closeables();
    private final HttpClient http = HttpClient.newHttpClient();
    private ControlServer api;

    private <T extends AutoCloseable> T use(T t) {
        return closeables.use(t);
    }

    /** A relay with route {@code cam} to {@code outputs}, and its control server on 127.0.0.1:0. */
    private Relay start(String token, String... outputs) {
        Relay relay = use(TestRelays.relay("udp://127.0.0.1:0", outputs));
        api = use(new ControlServer(relay, "127.0.0.1", 0, token).start());
        return relay;
    }

    private HttpResponse<String> send(String method, String path, String body, String token) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + api.port() + path))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(body));
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> get(String path) throws Exception {
        return send("GET", path, null, null);
    }

    private static JsonNode json(HttpResponse<String> r) throws Exception {
        return JSON.readTree(r.body());
    }

    @Test
    void aHealthyClientIsAnsweredDuringASlowloris() throws Exception {
        start("relay-token-0123456789", use(UdpReceiver.open("127.0.0.1")).url());
        Slowloris.assertAnswered("hostile.slowloris.relay", api.port(), URI.create("http://127.0.0.1:" + api.port() + "/api/routes"),
                "Bearer relay-token-0123456789", getClass(), "aHealthyClientIsAnsweredDuringASlowloris");
    }

    @Test
    void listsRoutesWithTheirInputOutputsAndCounters() throws Exception {
        UdpReceiver out = use(UdpReceiver.open("127.0.0.1"));
        Relay relay = start(null, out.url());
        List<byte[]> sent = Datagrams.fixed(20, 1316, 1);
        try (UdpSender sender = UdpSender.to(relay.route("cam").localAddress())) {
            sender.sendPaced(sent, 8, out::count);
        }
        await().until(() -> out.count() == 20);

        HttpResponse<String> r = get("/api/routes");

        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("Content-Type")).get().asString().startsWith("application/json");
        JsonNode route = json(r).get(0);
        assertThat(route.get("name").asText()).isEqualTo("cam");
        assertThat(route.get("input").asText()).isEqualTo("udp://127.0.0.1:0");
        assertThat(route.get("localPort").asInt()).isEqualTo(relay.route("cam").localAddress().getPort());
        assertThat(route.get("datagrams").asLong()).isEqualTo(20);
        assertThat(route.get("bytes").asLong()).isEqualTo(20 * 1316);
        assertThat(route.get("denied").asLong()).isZero();
        JsonNode o = route.get("outputs").get(0);
        assertThat(o.get("id").asText()).isNotEmpty();
        assertThat(o.get("url").asText()).isEqualTo(out.url());
        assertThat(o.get("datagrams").asLong()).isEqualTo(20);
        assertThat(o.get("bytes").asLong()).isEqualTo(20 * 1316);
        assertThat(o.get("drops").get("buffer_full").asLong()).isZero();
        assertThat(o.get("drops").size()).isEqualTo(5);
        assertThat(o.get("lastDatagramMillis").asLong()).isPositive();
    }

    @Test
    void addsAndRemovesOutputsWhileTheRouteRuns() throws Exception {
        UdpReceiver first = use(UdpReceiver.open("127.0.0.1"));
        UdpReceiver added = use(UdpReceiver.open("127.0.0.1"));
        Relay relay = start(null, first.url());

        HttpResponse<String> created = send("POST", "/api/routes/cam/outputs", "{\"url\":\"" + added.url() + "\"}",
                null);

        assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
        String id = json(created).get("id").asText();
        assertThat(json(created).get("url").asText()).isEqualTo(added.url());
        try (UdpSender sender = UdpSender.to(relay.route("cam").localAddress())) {
            sender.send(new byte[] {1, 2, 3});
            await().until(() -> added.count() == 1 && first.count() == 1);

            assertThat(send("DELETE", "/api/routes/cam/outputs/" + id, null, null).statusCode()).isEqualTo(204);

            sender.send(new byte[] {4});
            await().until(() -> first.count() == 2);
        }
        assertThat(added.count()).isEqualTo(1);
        assertThat(json(get("/api/routes")).get(0).get("outputs")).hasSize(1);
        assertThat(send("DELETE", "/api/routes/cam/outputs/" + id, null, null).statusCode()).isEqualTo(404);
    }

    @Test
    void unknownRouteOrOutputIs404AndABadRequestIs400WithOneLine() throws Exception {
        start(null, "udp://127.0.0.1:9");

        HttpResponse<String> noRoute = send("POST", "/api/routes/nope/outputs", "{\"url\":\"udp://127.0.0.1:9\"}",
                null);
        HttpResponse<String> noOutput = send("DELETE", "/api/routes/cam/outputs/o99", null, null);
        HttpResponse<String> notJson = send("POST", "/api/routes/cam/outputs", "{url:", null);
        HttpResponse<String> noUrl = send("POST", "/api/routes/cam/outputs", "{\"to\":\"x\"}", null);
        HttpResponse<String> badUrl = send("POST", "/api/routes/cam/outputs", "{\"url\":\"udp://127.0.0.1\"}", null);

        assertThat(noRoute.statusCode()).isEqualTo(404);
        assertThat(json(noRoute).get("error").asText()).isEqualTo("no route nope");
        assertThat(noOutput.statusCode()).isEqualTo(404);
        assertThat(json(noOutput).get("error").asText()).contains("o99");
        for (HttpResponse<String> r : List.of(notJson, noUrl, badUrl)) {
            assertThat(r.statusCode()).as(r.body()).isEqualTo(400);
            assertThat(json(r).get("error").asText()).isNotBlank().doesNotContain("\n");
        }
        assertThat(json(badUrl).get("error").asText()).contains("port");
        assertThat(json(get("/api/routes")).get(0).get("outputs")).hasSize(1);
    }

    @Test
    void healthzSaysOkWithTheNumberOfRoutes() throws Exception {
        start(null, "udp://127.0.0.1:9");

        HttpResponse<String> r = get("/healthz");

        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(json(r).get("status").asText()).isEqualTo("ok");
        assertThat(json(r).get("routes").asInt()).isEqualTo(1);
    }

    @Test
    void theInputBitRateIsOverAWindowSoTheFirstScrapeAndEveryScraperSeeIt() throws Exception {
        UdpReceiver out = use(UdpReceiver.open("127.0.0.1"));
        Relay relay = start(null, out.url());
        try (UdpSender sender = UdpSender.to(relay.route("cam").localAddress())) {
            for (int i = 0; i < 10; i++) {
                sender.send(new byte[1000]);
            }
            await().until(() -> out.count() == 10);
        }
        String rate = "streamtee_route_input_bits_per_second\\{route=\"cam\"} [1-9]";
        // the first scrape ever already has a rate, and a second scraper right after sees it too
        assertThat(get("/metrics").body()).containsPattern(rate);
        assertThat(get("/metrics").body()).containsPattern(rate);
    }

    @Test
    void metricsHaveEverySeriesAndFollowOutputsAddedAndRemoved() throws Exception {
        UdpReceiver out = use(UdpReceiver.open("127.0.0.1"));
        Relay relay = start(null, out.url());
        try (UdpSender sender = UdpSender.to(relay.route("cam").localAddress())) {
            sender.send(new byte[100]);
            await().until(() -> out.count() == 1);
        }
        String id = relay.route("cam").outputs().get(0).id();
        String outTags = "output=\"" + id + "\",route=\"cam\",url=\"" + out.url() + "\"";

        String metrics = get("/metrics").body();

        assertThat(metrics)
                .contains("streamtee_route_received_datagrams_total{route=\"cam\"} 1.0")
                .contains("streamtee_route_received_bytes_total{route=\"cam\"} 100.0")
                .contains("streamtee_route_denied_datagrams_total{route=\"cam\"} 0.0")
                .contains("streamtee_route_input_errors_total{route=\"cam\"} 0.0")
                .contains("streamtee_output_sent_datagrams_total{" + outTags + "} 1.0")
                .contains("streamtee_output_sent_bytes_total{" + outTags + "} 100.0")
                .contains("streamtee_output_dropped_datagrams_total{output=\"" + id
                        + "\",reason=\"buffer_full\",route=\"cam\",url=\"" + out.url() + "\"} 0.0")
                .contains("streamtee_http_unauthorized_total 0.0")
                .contains("streamtee_route_input_bits_per_second{route=\"cam\"}");
        try (UdpSender sender = UdpSender.to(relay.route("cam").localAddress())) {
            sender.send(new byte[1000]);
            await().until(() -> out.count() == 2);
        }
        // 8,000 bits arrived since the first scrape: whatever the time between scrapes, the rate is positive
        assertThat(get("/metrics").body()).containsPattern("streamtee_route_input_bits_per_second\\{route=\"cam\"} [1-9]");

        String added = json(send("POST", "/api/routes/cam/outputs", "{\"url\":\"udp://127.0.0.1:9\"}", null))
                .get("id").asText();
        assertThat(get("/metrics").body()).contains("output=\"" + added + "\",route=\"cam\",url=\"udp://127.0.0.1:9\"");

        send("DELETE", "/api/routes/cam/outputs/" + added, null, null);
        assertThat(get("/metrics").body()).doesNotContain("output=\"" + added + "\"").contains(outTags);
    }

    @Test
    void withATokenEveryRequestButTheStatusPageMustCarryIt() throws Exception {
        start(TOKEN, "udp://127.0.0.1:9");

        assertThat(get("/api/routes").statusCode()).isEqualTo(401);
        assertThat(get("/metrics").statusCode()).isEqualTo(401);
        assertThat(get("/healthz").statusCode()).isEqualTo(401);
        assertThat(send("GET", "/api/routes", null, "wrong").statusCode()).isEqualTo(401);
        assertThat(send("POST", "/api/routes/cam/outputs", "{\"url\":\"udp://127.0.0.1:9\"}", null).statusCode())
                .isEqualTo(401);
        assertThat(json(get("/api/routes")).get("error").asText()).contains("token");

        assertThat(send("GET", "/api/routes", null, TOKEN).statusCode()).isEqualTo(200);
        assertThat(get("/").statusCode()).isEqualTo(200);
        assertThat(send("GET", "/metrics", null, TOKEN).body()).contains("streamtee_http_unauthorized_total 6.0");
    }

    @Test
    void aPlayerMayPassTheTokenInTheStreamUrl() throws Exception {
        start(TOKEN, "udp://127.0.0.1:9");
        URI stream = URI.create("http://127.0.0.1:" + api.port() + "/streams/cam");

        HttpResponse<Void> without = http.send(HttpRequest.newBuilder(stream).build(),
                HttpResponse.BodyHandlers.discarding());
        try (StreamReader with = new StreamReader(URI.create(stream + "?token=" + TOKEN))) {
            assertThat(with.response().statusCode()).isEqualTo(200);
        }

        assertThat(without.statusCode()).isEqualTo(401);
        assertThat(get("/api/routes?token=" + TOKEN).statusCode()).as("only streams take ?token=").isEqualTo(401);
    }

    @Test
    void aPortInUseIsOneLine() {
        start(null, "udp://127.0.0.1:9");

        assertThatThrownBy(() -> use(new ControlServer(null, "127.0.0.1", api.port(), null).start()))
                .isInstanceOf(io.streamtee.cli.CommandException.class)
                .hasMessageStartingWith("api: cannot listen on 127.0.0.1:" + api.port() + ": ")
                .hasMessageContaining("address already in use").hasMessageNotContaining("\n");
    }

    @Test
    void offLoopbackATokenIsRequired() {
        assertThatThrownBy(() -> new ControlServer(null, "0.0.0.0", 0, null))
                .isInstanceOf(ConfigException.class)
                .hasMessage("api: listening on 0.0.0.0 (not loopback) needs a token; set one, or listen on 127.0.0.1");
        assertThatThrownBy(() -> new ControlServer(null, "10.1.2.3", 0, ""))
                .isInstanceOf(ConfigException.class);
    }

    @Test
    void statusPageIsSelfContainedHtml() throws Exception {
        start(null, "udp://127.0.0.1:9");

        HttpResponse<String> r = get("/");

        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("Content-Type")).get().asString().startsWith("text/html");
        assertThat(r.body()).contains("\"canvas\"").contains("fetch(\"api/routes\"").doesNotContain("http://", "https://");
    }

    @Test
    void closeIsIdempotent() {
        start(null, "udp://127.0.0.1:9");
        api.close();
        api.close();
    }
}
