package io.streamtee.view;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.streamtee.camera.Camera;
import io.streamtee.camera.CameraConfig;
import io.streamtee.camera.Destination;
import io.streamtee.config.Endpoint;
import java.io.ByteArrayOutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A real camera (in-process, H.264 over UDP on loopback) through {@link LiveInput}, the {@link Hub} and the
 * {@link ViewServer}'s WebSocket to a Java WebSocket client that joins in the middle of a GOP.
 */
@Timeout(60)
class ViewLoopbackTest {
    private static final int FPS = 25;
    private static final long STEP = 90_000 / FPS;
    private static final int GOP = 3 * FPS;

    /** Collects whole binary messages. */
    private static final class Client implements WebSocket.Listener {
        final BlockingQueue<byte[]> messages = new LinkedBlockingQueue<>();
        private final ByteArrayOutputStream part = new ByteArrayOutputStream();

        @Override
        public CompletionStage<?> onBinary(WebSocket ws, ByteBuffer data, boolean last) {
            byte[] b = new byte[data.remaining()];
            data.get(b);
            part.writeBytes(b);
            if (last) {
                messages.add(part.toByteArray());
                part.reset();
            }
            ws.request(1);
            return null;
        }
    }

    /** The NAL unit types in an Annex B access unit, in order. */
    static List<Integer> nalTypes(byte[] b, int from) {
        List<Integer> types = new ArrayList<>();
        for (int i = from; i + 3 < b.length; i++) {
            if (b[i] == 0 && b[i + 1] == 0 && b[i + 2] == 1) {
                types.add(b[i + 3] & 0x1f);
                i += 2;
            }
        }
        return types;
    }

    @Test
    void aViewerJoiningMidGopGetsAKeyframeWithItsParameterSetsThenContiguousFrames() throws Exception {
        Hub hub = Hub.withDefaults(ViewCommand.QUEUE);
        try (LiveInput input = new LiveInput(Endpoint.parse("udp://127.0.0.1:0", Endpoint.Role.INPUT), hub).start();
                ViewServer server = new ViewServer(hub, "--http", new InetSocketAddress("127.0.0.1", 0)).start()) {
            CameraConfig config = CameraConfig.pattern(Destination.of(input.localAddress()))
                    .withSource(CameraConfig.Pattern.DEFAULT.withSize(320, 180).withFps(FPS).withGop(GOP)
                            .withBitrate(300_000))
                    .withDuration(Duration.ofSeconds(14));
            try (Camera camera = new Camera(config).start()) {
                // the middle of the second GOP at the earliest: the cache holds a keyframe and some frames after it
                await().atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(5)).until(() ->
                        hub.frames() > GOP && hub.cachedFrames() >= 10 && hub.cachedFrames() <= 30);
                long cachedKeyframe = hub.cached().get(0).pts(); // 45 frames (1.8 s) before the next one
                Client client = new Client();
                WebSocket ws = HttpClient.newHttpClient().newWebSocketBuilder()
                        .buildAsync(URI.create(server.url().replace("http://", "ws://") + "ws"), client)
                        .get(5, TimeUnit.SECONDS);
                List<byte[]> got = new ArrayList<>();
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
                while (got.size() < 3 * FPS && System.nanoTime() < deadline) {
                    byte[] m = client.messages.poll(200, TimeUnit.MILLISECONDS);
                    if (m != null) {
                        got.add(m);
                    }
                }
                ws.sendClose(WebSocket.NORMAL_CLOSURE, "done").get(5, TimeUnit.SECONDS);
                assertThat(got).hasSize(3 * FPS);

                ByteBuffer first = ByteBuffer.wrap(got.get(0));
                assertThat(first.get(0)).as("version").isEqualTo((byte) Frame.VERSION);
                assertThat(first.get(1) & Frame.FLAG_KEYFRAME).as("the first is a keyframe").isNotZero();
                assertThat(first.get(2)).isEqualTo((byte) Frame.CODEC_H264);
                assertThat(nalTypes(got.get(0), Frame.HEADER)).as("SPS, PPS and an IDR slice").contains(7, 8, 5);
                long now = System.currentTimeMillis();
                assertThat(first.getLong(12)).as("receive time").isBetween(now - 15_000, now);
                assertThat(first.getLong(4)).as("it starts at once with the cached GOP's keyframe")
                        .isEqualTo(cachedKeyframe);
                long pts = first.getLong(4);
                for (int i = 1; i < got.size(); i++) {
                    ByteBuffer b = ByteBuffer.wrap(got.get(i));
                    assertThat(b.getLong(4)).as("PTS of message %d", i).isEqualTo(pts + i * STEP);
                    assertThat(b.get(1) & Frame.FLAG_KEYFRAME).as("keyframe flag of %d", i)
                            .isEqualTo(i % GOP == 0 ? Frame.FLAG_KEYFRAME : 0);
                    assertThat(nalTypes(got.get(i), Frame.HEADER)).contains(i % GOP == 0 ? 5 : 1);
                }
                await().atMost(Duration.ofSeconds(5)).until(() -> hub.viewers() == 0);
                String health = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                        URI.create(server.url() + "healthz")).build(), HttpResponse.BodyHandlers.ofString()).body();
                assertThat(health).startsWith("{\"status\":\"ok\",\"camera\":\"camera\",\"viewers\":0,")
                        .contains("\"skips\":0");
            }
        }
    }
}
