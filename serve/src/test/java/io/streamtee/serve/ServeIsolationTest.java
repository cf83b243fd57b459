package io.streamtee.serve;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.streamtee.camera.Camera;
import io.streamtee.camera.CameraConfig;
import io.streamtee.camera.Destination;
import io.streamtee.record.Recorder;
import io.streamtee.record.SegmentStore;
import io.streamtee.testing.Figures;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * One camera's recorder stalls (its disk writer stops: a write that never returns) while both cameras stream: the
 * stalled camera's viewer and analyzer, and the other camera's every service, still get every frame.
 */
@Timeout(90)
class ServeIsolationTest {
    @TempDir
    Path tmp;

    @Test
    void aStalledRecorderCostsNoOtherServiceAFrame() throws Exception {
        String yaml = """
                data: %s
                cameras:
                  stalled: { input: udp://127.0.0.1:0, record: { segment: 1s } }
                  healthy: { input: udp://127.0.0.1:0, record: { segment: 1s } }
                """.formatted(tmp.resolve("data"));
        CountDownLatch release = new CountDownLatch(1);
        AtomicInteger stalledWrites = new AtomicInteger();
        SegmentStore stalls = path -> {
            SegmentStore.SegmentFile real = SegmentStore.FILES.create(path);
            return new SegmentStore.SegmentFile() {
                @Override
                public void write(ByteBuffer src) throws IOException {
                    stalledWrites.incrementAndGet();
                    try {
                        release.await(); // the disk stops answering
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                    real.write(src);
                }

                @Override
                public void force() throws IOException {
                    real.force();
                }

                @Override
                public long size() throws IOException {
                    return real.size();
                }

                @Override
                public void truncate(long size) throws IOException {
                    real.truncate(size);
                }

                @Override
                public void close() throws IOException {
                    real.close();
                }
            };
        };
        List<Camera> cameras = new ArrayList<>();
        Serve serve = new Serve(ServeYaml.parse("t.yml", yaml, k -> null),
                c -> c.camera().equals("stalled") ? new Recorder(c, stalls) : new Recorder(c)).start(null);
        try {
            for (String name : List.of("stalled", "healthy")) {
                InetSocketAddress in = serve.route(name).localAddress();
                cameras.add(new Camera(CameraConfig.pattern(Destination.of(new InetSocketAddress("127.0.0.1",
                                in.getPort())))
                        .withSource(new CameraConfig.Pattern(320, 240, 25, 400_000, 25, Duration.ZERO, Duration.ZERO, 2))
                        .withDuration(Duration.ofSeconds(4))).start());
            }
            for (Camera c : cameras) {
                assertThat(c.awaitDone(Duration.ofSeconds(30))).isTrue();
                c.finish(Duration.ofSeconds(3));
            }
            assertThat(stalledWrites.get()).as("the stalled recorder tried to write").isPositive();
            for (int i = 0; i < 2; i++) {
                CameraServices s = serve.cameras().get(i);
                long frames = cameras.get(i).stats().framesEncoded();
                assertThat(frames).isGreaterThan(90);
                await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
                    assertThat(s.feed().hub().frames()).as("%s viewer frames", s.name()).isEqualTo(frames);
                    assertThat(s.analyzer().stats().accessUnits()).as("%s analyzer access units", s.name())
                            .isEqualTo(frames);
                });
            }
            CameraServices healthy = serve.camera("healthy");
            await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(
                    healthy.recorder().inputStats().datagrams()).isEqualTo(cameras.get(1).stats().datagramsSent()));
            assertThat(healthy.recorder().stats().segments()).as("the healthy recorder closed segments").isPositive();
            assertThat(serve.camera("stalled").recorder().stats().segments()).as("the stalled one did not").isZero();
            long framesOthers = 0;
            long framesGotOthers = 0;
            for (int i = 0; i < 2; i++) { // both cameras' viewers and analyzers, the healthy camera's recorder
                CameraServices s = serve.cameras().get(i);
                framesOthers += 2 * cameras.get(i).stats().framesEncoded();
                framesGotOthers += s.feed().hub().frames() + s.analyzer().stats().accessUnits();
            }
            Figures.of("fault.serve.recorder-stall").put("stalled_writes", stalledWrites.get())
                    .put("frames_lost_others", framesOthers - framesGotOthers)
                    .put("datagrams_lost_healthy_recorder", cameras.get(1).stats().datagramsSent()
                            - healthy.recorder().inputStats().datagrams())
                    .record(getClass(), "aStalledRecorderCostsNoOtherServiceAFrame");
        } finally {
            release.countDown(); // the disk answers again: the recorder can close
            serve.close();
            cameras.forEach(Camera::close);
        }
    }
}
