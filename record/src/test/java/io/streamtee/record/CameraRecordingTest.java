package io.streamtee.record;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.streamtee.camera.Camera;
import io.streamtee.camera.CameraConfig;
import io.streamtee.camera.CameraStats;
import io.streamtee.camera.Destination;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A real H.264 camera into the recorder over loopback, judged by ffmpeg and ffprobe. */
class CameraRecordingTest {

    @TempDir
    Path dir;

    @Test
    void everySegmentDecodesStartsWithAKeyframeAndNoFrameIsLost() throws Exception {
        Ffmpeg.assumeAvailable();
        CameraStats sent;
        Recorder.Stats recorded;
        try (Recorder recorder = new Recorder(Recordings.config(dir).withSegment(Duration.ofSeconds(2))).start()) {
            CameraConfig config = CameraConfig.pattern(Destination.of(recorder.localAddress()))
                    .withSource(CameraConfig.Pattern.DEFAULT.withSize(320, 240).withFps(25).withGop(25)
                            .withBitrate(500_000).withVisitor(Duration.ofSeconds(2), Duration.ofSeconds(1)))
                    .withDuration(Duration.ofSeconds(6));
            try (Camera camera = new Camera(config).start()) {
                assertThat(camera.awaitDone(Duration.ofSeconds(60))).isTrue();
                assertThat(camera.failure()).isNull();
                sent = camera.stats();
            }
            await().atMost(Duration.ofSeconds(10)).until(() -> recorder.stats().datagrams() == sent.datagramsSent());
            recorded = recorder.stats();
        }
        assertThat(sent.framesEncoded()).isEqualTo(150);
        assertThat(recorded.bytesReceived()).isEqualTo(sent.bytesSent());
        assertThat(recorded.continuityErrors()).isZero();

        Path cam = dir.resolve("camera");
        List<SegmentIndex.Row> rows = Recordings.rows(cam);
        assertThat(rows).hasSize(3);
        int frames = 0;
        for (SegmentIndex.Row row : rows) {
            Path file = cam.resolve(row.path());
            assertThat(Ffmpeg.decodeErrors(file)).as("ffmpeg errors in %s", row.path()).isEmpty();
            assertThat(Ffmpeg.firstFrame(file)).as("first frame of %s", row.path()).isEqualTo("1,I");
            frames += Ffmpeg.frames(file);
        }
        assertThat(frames).isEqualTo(sent.framesEncoded());
        assertThat(Recordings.column(cam, "frames", Long.class)).containsExactly(50L, 50L, 50L);
        assertThat(Recordings.column(cam, "duration_ms", Long.class)).containsExactly(2000L, 2000L, 2000L);
    }
}
