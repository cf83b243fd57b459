package io.streamtee.analyze.sink.webhook;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.streamtee.analyze.event.Event;
import io.streamtee.analyze.event.EventSink;
import io.streamtee.analyze.event.SinkQueue;
import io.streamtee.config.ConfigException;
import io.streamtee.net.Backoff;
import io.streamtee.testing.Closeables;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

class WebhookSinkTest {
    private static final Backoff FAST = new Backoff(Duration.ofMillis(10), Duration.ofMillis(50));
    private static final ObjectMapper JSON = new ObjectMapper();

    @RegisterExtension
    final Closeables closeables = new Closeables();

    static Event event(int n) {
        return new Event("porch-" + n, "porch", Event.Kind.MOTION, Event.Phase.START, "motion in porch " + n,
                List.of("door", "path"), 1_790_000_000_000L + n, -1, 90_000L * n, -1, 0.25,
                List.of(new Event.Region(0.1, 0.2, 0.3, 0.4)), "/api/events/porch-" + n + "/snapshot.jpg",
                Map.of("frames", n));
    }

    /** Records the ids it was given, in order. */
    static final class Recording implements EventSink {
        final List<String> ids = new CopyOnWriteArrayList<>();

        @Override
        public String name() {
            return "recording";
        }

        @Override
        public void deliver(Event event) {
            ids.add(event.id());
        }
    }

    private SinkQueue queue(EventSink sink, int attempts) {
        SinkQueue q = new SinkQueue(sink, 1000, attempts, FAST, Duration.ofSeconds(10)).start();
        closeables.use(() -> q.close(Duration.ofSeconds(2)));
        return q;
    }

    private static String hmac(String secret, byte[] body) throws Exception {
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
        return "sha256=" + HexFormat.of().formatHex(mac.doFinal(body));
    }

    @Test
    void everyEventArrivesAsJsonWithItsHeaders() throws Exception {
        HookServer server = closeables.use(HookServer.start(0));
        SinkQueue q = queue(WebhookSink.parse("webhook:" + server.url()), 3);
        for (int n = 1; n <= 5; n++) {
            q.offer(event(n));
        }

        await().atMost(Duration.ofSeconds(10)).until(() -> q.delivered() == 5);
        assertThat(server.requests).hasSize(5);
        for (int n = 1; n <= 5; n++) {
            HookServer.Request r = server.requests.get(n - 1);
            assertThat(r.method()).isEqualTo("POST");
            assertThat(r.path()).isEqualTo("/hook");
            assertThat(r.query()).isNull();
            assertThat(r.headers().getFirst("Content-Type")).isEqualTo("application/json");
            assertThat(r.headers().getFirst("User-Agent")).isEqualTo("streamtee/0.1");
            assertThat(r.headers().getFirst(WebhookSink.SIGNATURE_HEADER)).as("no secret, no signature").isNull();
            JsonNode json = JSON.readTree(r.body());
            assertThat(json.get("id").asText()).isEqualTo("porch-" + n);
            assertThat(json.get("camera").asText()).isEqualTo("porch");
            assertThat(json.get("kind").asText()).isEqualTo("MOTION");
            assertThat(json.get("phase").asText()).isEqualTo("START");
            assertThat(json.get("title").asText()).isEqualTo("motion in porch " + n);
            assertThat(json.get("zones").toString()).isEqualTo("[\"door\",\"path\"]");
            assertThat(json.get("startMillis").asLong()).isEqualTo(1_790_000_000_000L + n);
            assertThat(json.get("boxes").get(0).get("h").asDouble()).isEqualTo(0.4);
            assertThat(json.get("snapshot").asText()).isEqualTo("/api/events/porch-" + n + "/snapshot.jpg");
            assertThat(json.get("details").get("frames").asInt()).isEqualTo(n);
            assertThat(json.has("snapshotJpeg")).isFalse();
        }
    }

    @Test
    void theSignatureVerifiesWithTheSharedSecretWhichStaysOutOfTheUrlAndName() throws Exception {
        HookServer server = closeables.use(HookServer.start(0));
        String secret = "top+secret/äö";
        WebhookSink sink = closeables.use(WebhookSink.parse(server.url() + "?token=abc&secret="
                + java.net.URLEncoder.encode(secret, StandardCharsets.UTF_8).replace("%2B", "+")));
        sink.deliver(event(1));
        sink.deliver(event(2));

        assertThat(server.requests).hasSize(2);
        for (HookServer.Request r : server.requests) {
            String signature = r.headers().getFirst(WebhookSink.SIGNATURE_HEADER);
            assertThat(signature).matches("sha256=[0-9a-f]{64}");
            assertThat(MessageDigest.isEqual(signature.getBytes(StandardCharsets.US_ASCII),
                    hmac(secret, r.body()).getBytes(StandardCharsets.US_ASCII))).as("signature verifies").isTrue();
            assertThat(signature).isNotEqualTo(hmac("top secret/äö", r.body()));
            assertThat(r.query()).as("the receiver's own parameters go along, ours do not").isEqualTo("token=abc");
        }
        assertThat(JSON.readTree(server.requests.get(1).body()).get("id").asText()).isEqualTo("porch-2");
        assertThat(sink.name()).isEqualTo("webhook:" + server.url()).doesNotContain("secret");
    }

    @Test
    void userAndPasswordInTheUrlAreSentAsBasicAuthentication() throws Exception {
        HookServer server = closeables.use(HookServer.start(0));
        WebhookSink sink = closeables.use(WebhookSink.parse(
                "webhook:http://cam:p%40ss@127.0.0.1:" + server.port() + "/hook"));
        sink.deliver(event(1));

        assertThat(server.requests.get(0).headers().getFirst("Authorization"))
                .isEqualTo("Basic " + Base64.getEncoder().encodeToString("cam:p@ss".getBytes(StandardCharsets.UTF_8)));
        assertThat(sink.name()).isEqualTo("webhook:" + server.url());
    }

    @Test
    void aServerThatAnswers500FailsTheDeliveryAndTheQueueDeliversItOnceOnTheRetry() throws Exception {
        HookServer server = closeables.use(HookServer.start(0));
        WebhookSink direct = closeables.use(WebhookSink.parse(server.url()));
        server.answer(500);
        assertThatThrownBy(() -> direct.deliver(event(1))).isInstanceOf(IOException.class)
                .hasMessage("HTTP 500 from " + server.url());
        server.requests.clear();

        server.answer(500);
        SinkQueue q = queue(WebhookSink.parse(server.url()), 5);
        q.offer(event(2));

        await().atMost(Duration.ofSeconds(10)).until(() -> q.delivered() == 1);
        assertThat(q.retried()).isEqualTo(1);
        assertThat(q.failed()).isZero();
        assertThat(server.requests).hasSize(2);
        assertThat(server.requests.get(1).body()).isEqualTo(server.requests.get(0).body());
        assertThat(JSON.readTree(server.requests.get(1).body()).get("id").asText()).isEqualTo("porch-2");
    }

    @Test
    @Timeout(30)
    void aHangingServerFailsTheDeliveryAfterTheTimeoutAndNeverHoldsUpAnotherSink() throws Exception {
        HookServer server = closeables.use(HookServer.start(0));
        server.hang();
        String url = "webhook:" + server.url() + "?timeout=300ms";

        WebhookSink direct = closeables.use(WebhookSink.parse(url));
        long t0 = System.nanoTime();
        assertThatThrownBy(() -> direct.deliver(event(0))).isInstanceOf(IOException.class)
                .hasMessage("no answer from " + server.url() + " within 0.3s");
        long tookMillis = (System.nanoTime() - t0) / 1_000_000;
        assertThat(tookMillis).isBetween(250L, 5_000L);

        Recording recording = new Recording();
        SinkQueue stuck = queue(WebhookSink.parse(url), 2);
        SinkQueue ok = queue(recording, 2);
        for (int n = 1; n <= 20; n++) {
            stuck.offer(event(n));
            ok.offer(event(n));
        }
        await().atMost(Duration.ofSeconds(5)).until(() -> recording.ids.size() == 20);
        assertThat(recording.ids).first().isEqualTo("porch-1");
        assertThat(recording.ids).last().isEqualTo("porch-20");
        await().atMost(Duration.ofSeconds(10)).until(() -> stuck.failed() >= 1);
        assertThat(stuck.delivered()).isZero();
        assertThat(stuck.retried()).isGreaterThanOrEqualTo(1);
        stuck.close(Duration.ofMillis(100));
    }

    @Test
    @Timeout(30)
    void aServerDownAtStartGetsTheEventOnceItIsUp() throws Exception {
        int port;
        try (ServerSocket free = new ServerSocket()) {
            free.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            port = free.getLocalPort();
        }
        SinkQueue q = new SinkQueue(WebhookSink.parse("webhook:http://127.0.0.1:" + port + "/hook"), 100, 1000,
                new Backoff(Duration.ofMillis(20), Duration.ofMillis(100)), Duration.ofSeconds(10)).start();
        closeables.use(() -> q.close(Duration.ofSeconds(2)));
        q.offer(event(1));
        await().atMost(Duration.ofSeconds(10)).until(() -> q.retried() >= 2);
        assertThat(q.delivered()).isZero();

        HookServer server = closeables.use(HookServer.start(port));
        await().atMost(Duration.ofSeconds(10)).until(() -> q.delivered() == 1);
        assertThat(server.requests).hasSize(1);
        assertThat(JSON.readTree(server.requests.get(0).body()).get("id").asText()).isEqualTo("porch-1");
    }

    @Test
    void inlineAttachesTheSnapshotJpegAndOtherwiseOnlyItsUrl() throws Exception {
        String where = "http://analyzer.lan:8080/api/events/porch-1/snapshot.jpg";
        byte[] jpeg = {(byte) 0xFF, (byte) 0xD8, (byte) 0xFF, 1, 2, 3, (byte) 0xFF, (byte) 0xD9};
        WebhookSink.Snapshots snapshots = new WebhookSink.Snapshots() {
            @Override
            public byte[] jpeg(Event event) {
                return event.id().equals("porch-1") ? jpeg : null;
            }

            @Override
            public String url(Event event) {
                return "http://analyzer.lan:8080" + event.snapshot();
            }
        };

        WebhookSink inline = WebhookSink.parse("webhook:https://h.example/x?snapshot=inline", snapshots);
        JsonNode withJpeg = JSON.readTree(inline.body(event(1)));
        assertThat(Base64.getDecoder().decode(withJpeg.get("snapshotJpeg").asText())).isEqualTo(jpeg);
        assertThat(withJpeg.get("snapshot").asText()).isEqualTo(where);
        assertThat(JSON.readTree(inline.body(event(2))).has("snapshotJpeg")).as("no snapshot for it").isFalse();

        JsonNode urlOnly = JSON.readTree(WebhookSink.parse("https://h.example/x", snapshots).body(event(1)));
        assertThat(urlOnly.has("snapshotJpeg")).isFalse();
        assertThat(urlOnly.get("snapshot").asText()).isEqualTo(where);

        JsonNode noSource = JSON.readTree(WebhookSink.parse("https://h.example/x?snapshot=inline").body(event(1)));
        assertThat(noSource.has("snapshotJpeg")).isFalse();
        assertThat(noSource.get("snapshot").asText()).isEqualTo("/api/events/porch-1/snapshot.jpg");
    }

    @Test
    void aSnapshotThatCannotBeReadIsLeftOutAndTheEventStillSent() throws Exception {
        WebhookSink sink = WebhookSink.parse("webhook:https://h.example/x?snapshot=inline", event -> {
            throw new IOException("gone");
        });
        JsonNode json = JSON.readTree(sink.body(event(1)));
        assertThat(json.has("snapshotJpeg")).isFalse();
        assertThat(json.get("id").asText()).isEqualTo("porch-1");
    }

    @Test
    void badUrlsAreOneLineErrorsThatNameTheSinkWithoutItsSecret() {
        assertThatThrownBy(() -> WebhookSink.parse("webhook:ftp://h.example/x")).isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("sink 'webhook:ftp://h.example/x': a webhook needs an http:// or https:// URL");
        assertThatThrownBy(() -> WebhookSink.parse("webhook:https://h.example/x?secret=abc&snapshot=big"))
                .isInstanceOf(ConfigException.class)
                .hasMessage("sink 'webhook:https://h.example/x': ?snapshot= must be inline or url, not 'big'");
        assertThatThrownBy(() -> WebhookSink.parse("https://h.example/x?secret="))
                .hasMessage("sink 'https://h.example/x': ?secret= is empty");
        assertThatThrownBy(() -> WebhookSink.parse("https://u:pw@h.example/x?timeout=soon&secret=abc"))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("sink 'https://h.example/x': ?timeout=")
                .hasMessageNotContaining("abc").hasMessageNotContaining("pw");
        assertThatThrownBy(() -> WebhookSink.parse("webhook:")).isInstanceOf(ConfigException.class);
        assertThatThrownBy(() -> WebhookSink.parse("webhook:https:///x")).isInstanceOf(ConfigException.class)
                .hasMessage("sink 'webhook:https:///x': the URL has no host");
    }

    @Test
    void theNameShowsNeitherQueryNorPassword() {
        WebhookSink sink = WebhookSink.parse("WEBHOOK:https://u:pw@h.example:8443/x/y?secret=abc&token=t");
        assertThat(sink.name()).isEqualTo("webhook:https://h.example:8443/x/y");
        assertThat(sink.target().toString()).isEqualTo("https://h.example:8443/x/y?token=t");
        assertThat(WebhookSink.parse("https://h.example").name()).isEqualTo("webhook:https://h.example/");
    }
}
