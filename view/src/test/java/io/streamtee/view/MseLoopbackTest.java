package io.streamtee.view;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.streamtee.camera.Camera;
import io.streamtee.camera.CameraConfig;
import io.streamtee.camera.Destination;
import io.streamtee.config.Endpoint;
import io.streamtee.media.Fmp4Writer;
import io.streamtee.testing.FfmpegJudge;
import java.io.ByteArrayOutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real camera (in-process, H.264 over UDP on loopback) through {@link LiveInput}, the {@link Hub} and the
 * {@link ViewServer}'s {@code /mse} WebSocket ({@link MseFeed}) to a Java WebSocket client that joins in the middle of
 * a GOP: the init segment first, then the cached GOP from its keyframe, then contiguous live fragments; what it got,
 * appended into a file as the page appends it, is read back by ffprobe.
 */
@Timeout(60)
class MseLoopbackTest {
    private static final int FPS = 25;
    private static final long STEP = 90_000 / FPS;
    private static final int GOP = 4 * FPS;

    @TempDir
    Path dir;

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

    @Test
    void aViewerJoiningMidGopGetsTheInitSegmentThenTheCachedGopThenContiguousFragments() throws Exception {
        new Fmp4Writer().close(); // FFmpeg's native libraries loaded before: the muxer keeps up from its first frame
        Hub hub = Hub.withDefaults(ViewCommand.QUEUE);
        HttpClient http = HttpClient.newHttpClient();
        try (LiveInput input = new LiveInput(Endpoint.parse("udp://127.0.0.1:0", Endpoint.Role.INPUT), hub).start();
                ViewServer server = new ViewServer(hub, "--http", new InetSocketAddress("127.0.0.1", 0)).start()) {
            CameraConfig config = CameraConfig.pattern(Destination.of(input.localAddress()))
                    .withSource(CameraConfig.Pattern.DEFAULT.withSize(320, 180).withFps(FPS).withGop(GOP)
                            .withBitrate(300_000))
                    .withDuration(Duration.ofSeconds(20));
            try (Camera camera = new Camera(config).start()) {
                await().atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(5)).until(() ->
                        hub.frames() > GOP && hub.cachedFrames() >= 10 && hub.cachedFrames() <= 30);
                long cachedKeyframe = hub.cached().get(0).pts(); // 70 frames (2.8 s) before the next one
                Client client = new Client();
                WebSocket ws = http.newWebSocketBuilder()
                        .buildAsync(URI.create(server.url().replace("http://", "ws://") + "mse"), client)
                        .get(5, TimeUnit.SECONDS);
                List<byte[]> got = new ArrayList<>();
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
                while (got.size() < 1 + 2 * GOP && System.nanoTime() < deadline) {
                    byte[] m = client.messages.poll(200, TimeUnit.MILLISECONDS);
                    if (m != null) {
                        got.add(m);
                    }
                }
                String metrics = http.send(HttpRequest.newBuilder(URI.create(server.url()
                        + "metrics")).build(), HttpResponse.BodyHandlers.ofString()).body();
                assertThat(metrics).as("the MSE viewer counts as one of the camera's viewers, on MSE")
                        .contains("streamtee_view_mse_viewers{camera=\"camera\"} 1.0")
                        .contains("streamtee_view_viewers{camera=\"camera\"} 1.0");
                ws.sendClose(WebSocket.NORMAL_CLOSURE, "done").get(5, TimeUnit.SECONDS);
                assertThat(got).hasSize(1 + 2 * GOP);

                ByteBuffer init = ByteBuffer.wrap(got.get(0));
                assertThat(init.get(0)).as("version").isEqualTo((byte) MseFeed.VERSION);
                assertThat(init.get(3)).as("an init segment first").isEqualTo((byte) MseFeed.KIND_INIT);
                assertThat(init.getInt(20)).as("generation").isEqualTo(1);
                assertThat(new String(got.get(0), MseFeed.HEADER + 4, 4, "US-ASCII")).isEqualTo("ftyp");
                ByteBuffer first = ByteBuffer.wrap(got.get(1));
                assertThat(first.get(3)).isEqualTo((byte) MseFeed.KIND_FRAGMENT);
                assertThat(first.get(1) & Frame.FLAG_KEYFRAME).as("the first fragment is a keyframe").isNotZero();
                assertThat(first.getLong(4)).as("it starts at once with the cached GOP's keyframe")
                        .isEqualTo(cachedKeyframe);
                long now = System.currentTimeMillis();
                assertThat(first.getLong(12)).as("receive time").isBetween(now - 15_000, now);
                for (int i = 1; i < got.size(); i++) {
                    ByteBuffer b = ByteBuffer.wrap(got.get(i));
                    assertThat(b.get(3)).as("kind of message %d", i).isEqualTo((byte) MseFeed.KIND_FRAGMENT);
                    assertThat(b.getInt(20)).as("generation of %d", i).isEqualTo(1);
                    assertThat(b.getLong(4)).as("PTS of message %d", i).isEqualTo(cachedKeyframe + (i - 1) * STEP);
                    assertThat(b.get(1) & Frame.FLAG_KEYFRAME).as("keyframe flag of %d", i)
                            .isEqualTo((i - 1) % GOP == 0 ? Frame.FLAG_KEYFRAME : 0);
                }
                ByteArrayOutputStream mp4 = new ByteArrayOutputStream();
                for (byte[] m : got) {
                    mp4.write(m, MseFeed.HEADER, m.length - MseFeed.HEADER);
                }
                Path file = Files.write(dir.resolve("mse.mp4"), mp4.toByteArray());
                assertThat(FfmpegJudge.decodeErrors(file)).isEmpty();
                assertThat(FfmpegJudge.frames(file)).isEqualTo(2 * GOP);
                await().atMost(Duration.ofSeconds(5)).until(() -> server.mse().viewers() == 0);
                assertThat(server.mse().hub().skips()).isZero();
            }
        } finally {
            http.shutdownNow();
        }
    }

    /**
     * The camera restarts at the same picture size (its init segment the same bytes): a viewer that stays connected
     * gets a new generation, with its init segment before the first fragment of the new stream, whose timestamps start
     * again; also when the camera ran less than a second before restarting (its PTS only a few frames back).
     */
    @Test
    void aCameraRestartingAtTheSameSizeGivesConnectedViewersANewGeneration() throws Exception {
        new Fmp4Writer().close(); // FFmpeg's native libraries loaded before the camera starts
        Hub hub = Hub.withDefaults(ViewCommand.QUEUE);
        HttpClient http = HttpClient.newHttpClient();
        try (LiveInput input = new LiveInput(Endpoint.parse("udp://127.0.0.1:0", Endpoint.Role.INPUT), hub).start();
                ViewServer server = new ViewServer(hub, "--http", new InetSocketAddress("127.0.0.1", 0)).start()) {
            Client client = new Client();
            WebSocket ws = http.newWebSocketBuilder()
                    .buildAsync(URI.create(server.url().replace("http://", "ws://") + "mse"), client)
                    .get(5, TimeUnit.SECONDS);
            List<byte[]> got = new ArrayList<>();
            int[] runs = {2 * FPS, 10, 10}; // fragments of each run of the camera before it restarts
            for (int run = 0; run < runs.length; run++) {
                CameraConfig config = CameraConfig.pattern(Destination.of(input.localAddress()))
                        .withSource(CameraConfig.Pattern.DEFAULT.withSize(320, 180).withFps(FPS).withGop(FPS)
                                .withBitrate(300_000))
                        .withDuration(Duration.ofSeconds(10));
                int generation = run + 1;
                int wanted = runs[run];
                try (Camera camera = new Camera(config).start()) {
                    await().atMost(Duration.ofSeconds(20)).until(() -> {
                        client.messages.drainTo(got);
                        return got.stream().filter(m -> ByteBuffer.wrap(m).getInt(20) == generation
                                && m[3] == MseFeed.KIND_FRAGMENT).count() >= wanted;
                    });
                }
            }
            ws.sendClose(WebSocket.NORMAL_CLOSURE, "done").get(5, TimeUnit.SECONDS);
            byte[] firstInit = got.get(0);
            assertThat(firstInit[3]).as("an init segment first").isEqualTo((byte) MseFeed.KIND_INIT);
            int generation = 1;
            long lastPts = Long.MIN_VALUE;
            for (int i = 1; i < got.size(); i++) {
                ByteBuffer b = ByteBuffer.wrap(got.get(i));
                if (b.getInt(20) != generation) {
                    assertThat(b.getInt(20)).as("message %d: the next generation", i).isEqualTo(generation + 1);
                    assertThat(got.get(i)[3]).as("message %d: an init segment first", i)
                            .isEqualTo((byte) MseFeed.KIND_INIT);
                    assertThat(Arrays.copyOfRange(got.get(i), MseFeed.HEADER, got.get(i).length))
                            .as("the same size: the same init segment")
                            .isEqualTo(Arrays.copyOfRange(firstInit, MseFeed.HEADER, firstInit.length));
                    assertThat(got.get(i + 1)[1] & Frame.FLAG_KEYFRAME).as("then a keyframe").isNotZero();
                    assertThat(ByteBuffer.wrap(got.get(i + 1)).getLong(4)).as("the new stream starts again")
                            .isLessThanOrEqualTo(lastPts);
                    generation++;
                    lastPts = Long.MIN_VALUE;
                    continue;
                }
                assertThat(got.get(i)[3]).as("message %d", i).isEqualTo((byte) MseFeed.KIND_FRAGMENT);
                assertThat(b.getLong(4)).as("message %d's PTS rises within a generation", i).isGreaterThan(lastPts);
                lastPts = b.getLong(4);
            }
            assertThat(generation).as("a generation for each run of the camera").isEqualTo(runs.length);
        } finally {
            http.shutdownNow();
        }
    }

    /**
     * The camera restarts at another picture size: a viewer that stays connected gets a new init segment (generation
     * 2) before the first fragment of the new stream, and the new stream's fragments play at the new size.
     */
    @Test
    void aCameraRestartingAtAnotherSizeGivesConnectedViewersANewInitSegment() throws Exception {
        Hub hub = Hub.withDefaults(ViewCommand.QUEUE);
        try (LiveInput input = new LiveInput(Endpoint.parse("udp://127.0.0.1:0", Endpoint.Role.INPUT), hub).start();
                ViewServer server = new ViewServer(hub, "--http", new InetSocketAddress("127.0.0.1", 0)).start()) {
            Client client = new Client();
            WebSocket ws = HttpClient.newHttpClient().newWebSocketBuilder()
                    .buildAsync(URI.create(server.url().replace("http://", "ws://") + "mse"), client)
                    .get(5, TimeUnit.SECONDS);
            List<byte[]> got = new ArrayList<>();
            for (int[] size : new int[][] {{320, 180}, {480, 270}}) {
                CameraConfig config = CameraConfig.pattern(Destination.of(input.localAddress()))
                        .withSource(CameraConfig.Pattern.DEFAULT.withSize(size[0], size[1]).withFps(FPS)
                                .withGop(FPS).withBitrate(300_000))
                        .withDuration(Duration.ofSeconds(3));
                int generation = size[0] == 320 ? 1 : 2;
                try (Camera camera = new Camera(config).start()) {
                    await().atMost(Duration.ofSeconds(15)).until(() -> {
                        client.messages.drainTo(got);
                        return got.stream().anyMatch(m -> ByteBuffer.wrap(m).getInt(20) == generation
                                && m[3] == MseFeed.KIND_FRAGMENT);
                    });
                }
            }
            ws.sendClose(WebSocket.NORMAL_CLOSURE, "done").get(5, TimeUnit.SECONDS);
            int second = -1;
            for (int i = 0; i < got.size(); i++) {
                if (ByteBuffer.wrap(got.get(i)).getInt(20) == 2) {
                    second = i;
                    break;
                }
            }
            assertThat(got.get(0)[3]).as("an init segment first").isEqualTo((byte) MseFeed.KIND_INIT);
            assertThat(second).as("the new generation").isPositive();
            assertThat(got.get(second)[3]).as("an init segment before the new stream").isEqualTo(
                    (byte) MseFeed.KIND_INIT);
            assertThat(got.subList(1, second)).allMatch(m -> m[3] == MseFeed.KIND_FRAGMENT);
            assertThat(got.get(second + 1)[1] & Frame.FLAG_KEYFRAME).isNotZero();
            ByteArrayOutputStream mp4 = new ByteArrayOutputStream();
            for (byte[] m : got.subList(second, got.size())) {
                mp4.write(m, MseFeed.HEADER, m.length - MseFeed.HEADER);
            }
            Path file = Files.write(dir.resolve("second.mp4"), mp4.toByteArray());
            assertThat(FfmpegJudge.stream(file).width()).isEqualTo(480);
            assertThat(FfmpegJudge.decodeErrors(file)).isEmpty();
        }
    }
}
