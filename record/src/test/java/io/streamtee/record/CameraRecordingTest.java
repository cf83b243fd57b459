package io.streamtee.record;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.streamtee.camera.Camera;
import io.streamtee.camera.CameraConfig;
import io.streamtee.camera.CameraStats;
import io.streamtee.camera.Destination;
import io.streamtee.playback.PlaybackServer;
import io.streamtee.testing.FfmpegJudge;
import io.streamtee.testing.Figures;
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
        FfmpegJudge.assumeInstalled();
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
        assertThat(decodedFromKeyframes(cam, rows)).isEqualTo(sent.framesEncoded());
        assertThat(Recordings.column(cam, "frames", Long.class)).containsExactly(50L, 50L, 50L);
        assertThat(Recordings.column(cam, "duration_ms", Long.class)).containsExactly(2000L, 2000L, 2000L);
    }

    /**
     * The proof: 60 s of the camera (640x360, 25 fps, a keyframe every 2 s) with the default 10 s segments.
     * Every segment decodes and starts with a keyframe, frames recorded = frames sent, and the HLS playlist of a 20 s
     * range (snapped out to the keyframes around it: 22 s) plays in ffmpeg with exactly its frames, as do the TS and
     * MP4 clips of the same range.
     */
    @Test
    void sixtySecondsOfTheCameraRecordAndPlayBackFrameExact(@TempDir Path out) throws Exception {
        FfmpegJudge.assumeInstalled();
        int fps = 25;
        CameraStats sent;
        try (Recorder recorder = new Recorder(Recordings.config(dir)).start()) {
            CameraConfig config = CameraConfig.pattern(Destination.of(recorder.localAddress()))
                    .withSource(CameraConfig.Pattern.DEFAULT.withSize(640, 360).withFps(fps).withGop(2 * fps)
                            .withBitrate(1_000_000).withVisitor(Duration.ofSeconds(7), Duration.ofSeconds(3)))
                    .withDuration(Duration.ofSeconds(60));
            try (Camera camera = new Camera(config).start()) {
                assertThat(camera.awaitDone(Duration.ofSeconds(120))).isTrue();
                assertThat(camera.failure()).isNull();
                sent = camera.stats();
            }
            await().atMost(Duration.ofSeconds(10)).until(() -> recorder.stats().datagrams() == sent.datagramsSent());
            assertThat(recorder.stats().continuityErrors()).isZero();
        }
        assertThat(sent.framesEncoded()).isEqualTo(60 * fps);

        Path cam = dir.resolve("camera");
        List<SegmentIndex.Row> rows = Recordings.rows(cam);
        assertThat(rows).hasSize(6);
        int decoded = decodedFromKeyframes(cam, rows);
        assertThat(decoded).as("frames recorded").isEqualTo(sent.framesEncoded());
        Figures.of("record.segments").put("seconds", 60).put("segments", rows.size())
                .put("frames_sent", sent.framesEncoded()).put("frames_decoded", decoded)
                .put("frames_lost", sent.framesEncoded() - decoded)
                .record(CameraRecordingTest.class, "sixtySecondsOfTheCameraRecordAndPlayBackFrameExact");

        long t0 = rows.getFirst().startMillis();
        String range = "from=" + java.time.Instant.ofEpochMilli(t0 + 15_300) + "&to="
                + java.time.Instant.ofEpochMilli(t0 + 35_300);
        int expected = 22 * fps; // keyframes at 14 s and 36 s
        try (PlaybackServer server = new PlaybackServer(dir, "127.0.0.1", 0, null).start()) {
            String playlist = server.url() + "play.m3u8?" + range;
            assertThat(FfmpegJudge.decodeErrors(playlist)).isEmpty();
            assertThat(FfmpegJudge.frames(playlist)).as("frames of the playlist").isEqualTo(expected);
            for (String kind : List.of("ts", "mp4")) {
                Path clip = out.resolve("clip." + kind);
                java.net.http.HttpResponse<Path> r = java.net.http.HttpClient.newHttpClient().send(
                        java.net.http.HttpRequest.newBuilder(java.net.URI.create(server.url() + "clip." + kind + "?"
                                + range)).build(), java.net.http.HttpResponse.BodyHandlers.ofFile(clip));
                assertThat(r.statusCode()).isEqualTo(200);
                assertThat(FfmpegJudge.decodeErrors(clip)).as("errors in the %s clip", kind).isEmpty();
                assertThat(FfmpegJudge.firstFrame(clip)).isEqualTo("1,I");
                assertThat(FfmpegJudge.frames(clip)).as("frames of the %s clip", kind).isEqualTo(expected);
            }
        }
    }

    /** Checks every segment decodes with no ffmpeg error from a keyframe; the frames they hold together. */
    private static int decodedFromKeyframes(Path cam, List<SegmentIndex.Row> rows) throws Exception {
        int frames = 0;
        for (SegmentIndex.Row row : rows) {
            Path file = cam.resolve(row.path());
            assertThat(FfmpegJudge.decodeErrors(file)).as("ffmpeg errors in %s", row.path()).isEmpty();
            assertThat(FfmpegJudge.firstFrame(file)).as("first frame of %s", row.path()).isEqualTo("1,I");
            frames += FfmpegJudge.frames(file);
        }
        return frames;
    }
}
