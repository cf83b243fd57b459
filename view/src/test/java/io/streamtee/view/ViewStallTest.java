package io.streamtee.view;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.streamtee.camera.Camera;
import io.streamtee.camera.CameraConfig;
import io.streamtee.camera.Destination;
import io.streamtee.config.Endpoint;
import io.streamtee.testing.Figures;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Over real sockets: a WebSocket viewer that reads nothing (a 4 KiB receive buffer, never read) is moved to the next
 * keyframe and counted, while a viewer beside it gets every frame in order.
 */
@Timeout(60)
class ViewStallTest {
    private static final int FPS = 25;
    private static final long STEP = 90_000 / FPS;

    @Test
    void aStalledWebSocketViewerIsSkippedWhileTheOtherGetsEveryFrame() throws Exception {
        Hub hub = Hub.withDefaults(10);
        try (LiveInput input = new LiveInput(Endpoint.parse("udp://127.0.0.1:0", Endpoint.Role.INPUT), hub).start();
                ViewServer server = new ViewServer(hub, "--http", new InetSocketAddress("127.0.0.1", 0)).start()) {
            CameraConfig config = CameraConfig.pattern(Destination.of(input.localAddress()))
                    .withSource(CameraConfig.Pattern.DEFAULT.withSize(640, 360).withFps(FPS).withGop(FPS)
                            .withBitrate(2_000_000).withNoise(8))
                    .withDuration(Duration.ofSeconds(15));
            try (Camera camera = new Camera(config).start();
                    Socket stalled = new Socket()) {
                await().atMost(Duration.ofSeconds(15)).until(() -> hub.cachedFrames() >= 1);
                stalled.setReceiveBufferSize(4096);
                stalled.connect(new InetSocketAddress("127.0.0.1", server.port()), 5000);
                OutputStream out = stalled.getOutputStream();
                out.write(("GET /ws HTTP/1.1\r\nHost: 127.0.0.1:" + server.port() + "\r\nUpgrade: websocket\r\n"
                        + "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                        + "Sec-WebSocket-Version: 13\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
                out.flush(); // and never read

                List<Long> pts = new CopyOnWriteArrayList<>();
                URI uri = URI.create(server.url().replace("http://", "ws://") + "ws");
                WebSocket ws = HttpClient.newHttpClient().newWebSocketBuilder().buildAsync(uri,
                        new WebSocket.Listener() {
                            private final ByteArrayOutputStream part = new ByteArrayOutputStream();

                            @Override
                            public CompletionStage<?> onBinary(WebSocket w, ByteBuffer data, boolean last) {
                                byte[] b = new byte[data.remaining()];
                                data.get(b);
                                part.writeBytes(b);
                                if (last) {
                                    pts.add(ByteBuffer.wrap(part.toByteArray()).getLong(4));
                                    part.reset();
                                }
                                w.request(1);
                                return null;
                            }
                        }).get(5, TimeUnit.SECONDS);
                await().atMost(Duration.ofSeconds(20)).until(() -> hub.viewers() == 2 && hub.skips() >= 2);
                await().atMost(Duration.ofSeconds(5)).until(() -> pts.size() >= 4 * FPS);
                ws.sendClose(WebSocket.NORMAL_CLOSURE, "done").get(5, TimeUnit.SECONDS);
                List<Long> got = List.copyOf(pts);
                for (int i = 1; i < got.size(); i++) {
                    assertThat(got.get(i)).as("PTS of message %d", i).isEqualTo(got.get(0) + i * STEP);
                }
                assertThat(server.cutOff()).isZero();
                long expected = (got.getLast() - got.getFirst()) / STEP + 1;
                Figures.of("fault.serve.viewer-stall").put("frames_checked", got.size())
                        .put("frames_lost_others", expected - got.size()).put("stalled_skips", hub.skips())
                        .put("cut_off", server.cutOff())
                        .record(getClass(), "aStalledWebSocketViewerIsSkippedWhileTheOtherGetsEveryFrame");
            }
        }
    }
}
