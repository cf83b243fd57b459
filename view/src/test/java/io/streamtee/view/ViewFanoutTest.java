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
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Many viewers and one that reads nothing, over real sockets: a real camera (in-process, H.264 over UDP on
 * loopback) through {@link LiveInput}, the {@link Hub} and the {@link ViewServer}'s WebSocket to {@value #VIEWERS}
 * Java WebSocket viewers joining one after another while the stream runs, plus one viewer that stops asking for
 * messages after its first (java.net.http then stops reading the socket, so the server's sends back up in TCP).
 * Every viewer but the stalled one gets every frame the hub published from the start of the GOP it joined in to the
 * end, in order; the stalled one is moved to the next keyframe (counted in {@link Hub#skips()}) and then cut off
 * ({@link ViewServer#cutOff()}) when one send has waited {@value ViewServer#SEND_TIMEOUT_SECONDS} s.
 */
@Timeout(120)
class ViewFanoutTest {
    private static final int FPS = 25;
    private static final int VIEWERS = 20;
    /** Each viewer's queue: 2 s, so the stalled viewer's queue fills 2 s after its sends stop completing. */
    private static final int QUEUE = 2 * FPS;

    /** A viewer that reads every message: the PTS and keyframe flag of each, in arrival order. */
    private static final class Viewer implements WebSocket.Listener {
        final List<long[]> frames = new CopyOnWriteArrayList<>(); // {pts, keyframe 0/1}
        private final ByteArrayOutputStream part = new ByteArrayOutputStream();

        @Override
        public CompletionStage<?> onBinary(WebSocket ws, ByteBuffer data, boolean last) {
            byte[] b = new byte[data.remaining()];
            data.get(b);
            part.writeBytes(b);
            if (last) {
                ByteBuffer m = ByteBuffer.wrap(part.toByteArray());
                frames.add(new long[] {m.getLong(4), m.get(1) & Frame.FLAG_KEYFRAME});
                part.reset();
            }
            ws.request(1);
            return null;
        }

        long lastPts() {
            return frames.isEmpty() ? Long.MIN_VALUE : frames.get(frames.size() - 1)[0];
        }
    }

    /** A viewer that takes the one message onOpen asks for, then never asks for another. */
    private static final class Stalled implements WebSocket.Listener {
        final AtomicLong parts = new AtomicLong();

        @Override
        public CompletionStage<?> onBinary(WebSocket ws, ByteBuffer data, boolean last) {
            parts.incrementAndGet();
            return null; // no request(1): java.net.http stops reading the socket
        }
    }

    @Test
    void everyViewerGetsEveryFrameInOrderWhileAStalledOneIsSkippedThenCutOff() throws Exception {
        Hub hub = Hub.withDefaults(QUEUE);
        // the published sequence, as the hub hands it out: a subscriber of its own, drained at once on this JVM
        Subscriber reference = hub.join();
        List<Frame> published = new CopyOnWriteArrayList<>();
        AtomicBoolean draining = new AtomicBoolean(true);
        Thread drain = Thread.ofVirtual().start(() -> {
            try {
                while (draining.get()) {
                    Frame f = reference.take(50);
                    if (f != null) {
                        published.add(f);
                    }
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        LiveInput input = new LiveInput(Endpoint.parse("udp://127.0.0.1:0", Endpoint.Role.INPUT), hub).start();
        HttpClient http = HttpClient.newHttpClient();
        HttpClient stalledHttp = HttpClient.newHttpClient();
        List<WebSocket> sockets = new ArrayList<>();
        try (input; ViewServer server = new ViewServer(hub, "--http", new InetSocketAddress("127.0.0.1", 0)).start()) {
            CameraConfig config = CameraConfig.pattern(Destination.of(input.localAddress()))
                    .withSource(CameraConfig.Pattern.DEFAULT.withSize(640, 360).withFps(FPS).withGop(FPS)
                            .withBitrate(2_000_000).withNoise(8))
                    .withDuration(Duration.ofSeconds(90));
            URI ws = URI.create(server.url().replace("http://", "ws://") + "ws");
            try (Camera camera = new Camera(config).start()) {
                await().atMost(Duration.ofSeconds(15)).until(() -> hub.cachedFrames() >= 1);
                Stalled stalled = new Stalled();
                WebSocket stalledWs = stalledHttp.newWebSocketBuilder().buildAsync(ws, stalled)
                        .get(5, TimeUnit.SECONDS);
                sockets.add(stalledWs); // aborted in any case: HttpClient.close() waits for its sockets
                await().atMost(Duration.ofSeconds(5)).until(() -> hub.viewers() == 2);

                // the viewers join one by one while the stream runs, at various points of the GOP
                List<Viewer> viewers = new ArrayList<>();
                List<Long> joinedBy = new ArrayList<>(); // hub.frames() once the viewer is in the hub
                for (int i = 0; i < VIEWERS; i++) {
                    Viewer v = new Viewer();
                    sockets.add(http.newWebSocketBuilder().buildAsync(ws, v).get(5, TimeUnit.SECONDS));
                    int in = 3 + i; // the reference, the stalled viewer and these
                    await().atMost(Duration.ofSeconds(5)).until(() -> hub.viewers() == in || server.cutOff() > 0);
                    assertThat(server.cutOff()).as("the stalled viewer is still there while the others join").isZero();
                    viewers.add(v);
                    joinedBy.add(hub.frames());
                    long before = hub.frames();
                    await().atMost(Duration.ofSeconds(5)).until(() -> hub.frames() >= before + 3);
                }

                // the stalled viewer: its sends stop completing, its queue fills, it is moved on, then cut off
                await().atMost(Duration.ofSeconds(40)).until(() -> server.cutOff() == 1);
                assertThat(hub.skips()).as("the stalled viewer moved to the next keyframe").isPositive();
                await().atMost(Duration.ofSeconds(5)).until(() -> hub.viewers() == 1 + VIEWERS);
                assertThat(stalled.parts.get()).as("message parts the stalled viewer took").isLessThanOrEqualTo(1);
                String health = http.send(HttpRequest.newBuilder(URI.create(server.url() + "healthz")).build(),
                        HttpResponse.BodyHandlers.ofString()).body();
                assertThat(health).as("the server's viewers: its WebSockets (the reference subscriber is none)")
                        .contains("\"viewers\":" + VIEWERS + ",").contains("\"cutOff\":1")
                        .doesNotContain("\"skips\":0,");
                stalledWs.abort();

                // the end of the stream: nothing is published after the input closes
                input.close();
                long total = hub.frames();
                await().atMost(Duration.ofSeconds(10)).until(() ->
                        published.size() + reference.framesDropped() == total);
                long lastPts = published.get(published.size() - 1).pts();
                await().atMost(Duration.ofSeconds(15)).until(() ->
                        viewers.stream().allMatch(v -> v.lastPts() == lastPts));
                assertThat(reference.skips()).as("the reference subscriber kept up").isZero();

                List<Long> publishedPts = published.stream().map(Frame::pts).toList();
                long offset = reference.framesDropped(); // frames published before the reference's first keyframe
                for (int i = 0; i < VIEWERS; i++) {
                    List<long[]> got = List.copyOf(viewers.get(i).frames);
                    List<Long> pts = got.stream().map(f -> f[0]).toList();
                    assertThat(got).as("viewer %d got frames", i).isNotEmpty();
                    int first = publishedPts.indexOf(pts.get(0));
                    assertThat(first).as("viewer %d's first frame was published", i).isNotNegative();
                    assertThat(published.get(first).keyframe()).as("viewer %d starts at a keyframe", i).isTrue();
                    assertThat(got.get(0)[1]).as("viewer %d's first message is flagged keyframe", i)
                            .isEqualTo(Frame.FLAG_KEYFRAME);
                    assertThat((long) first).as("viewer %d starts no later than it joined (the cached GOP)", i)
                            .isLessThanOrEqualTo(joinedBy.get(i) - offset);
                    assertThat(pts).as("viewer %d: every frame from its GOP on, in order, none twice", i)
                            .isEqualTo(publishedPts.subList(first, publishedPts.size()));
                }
                assertThat(server.cutOff()).isEqualTo(1);
            }
        } finally {
            draining.set(false);
            drain.join(5_000);
            for (WebSocket s : sockets) {
                s.abort();
            }
            http.close();
            stalledHttp.close();
        }
    }
}
