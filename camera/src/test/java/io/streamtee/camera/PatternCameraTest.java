package io.streamtee.camera;

import static org.assertj.core.api.Assertions.assertThat;

import io.streamtee.testing.FfmpegJudge;
import io.streamtee.testing.UdpReceiver;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A real pattern camera on loopback, judged by ffprobe and ffmpeg. */
class PatternCameraTest {

    @TempDir
    Path dir;

    @Test
    void sendsDecodableH264OfExactlyFpsTimesSeconds() throws Exception {
        FfmpegJudge.assumeInstalled();
        try (UdpReceiver capture = UdpReceiver.open("127.0.0.1")) {
            CameraConfig config = CameraConfig.pattern(
                            Destination.of(new InetSocketAddress("127.0.0.1", capture.port())))
                    .withSource(CameraConfig.Pattern.DEFAULT.withSize(320, 240).withFps(30).withGop(30).withBitrate(500_000)
                            .withVisitor(Duration.ofSeconds(1), Duration.ofMillis(500)))
                    .withDuration(Duration.ofSeconds(2));
            CameraStats stats = CameraRuns.runToEnd(config, capture);
            assertThat(stats.framesEncoded()).isEqualTo(60);
            TsAssertions.assertDatagramsOfSevenPackets(capture.timed(), 0);

            Path ts = capture.writeTo(dir.resolve("cap.ts"), 0);
            assertThat(FfmpegJudge.decodeErrors(ts)).isEmpty();
            FfmpegJudge.Probe probe = FfmpegJudge.stream(ts);
            assertThat(probe.codec()).isEqualTo("h264");
            assertThat(probe.width()).isEqualTo(320);
            assertThat(probe.height()).isEqualTo(240);
            assertThat(probe.frameRate()).isEqualTo("30/1");
            assertThat(probe.frames()).isBetween(59, 61);

            // the ts module's own reading agrees with ffprobe, and finds no TR 101 290 error
            StreamCheck check = StreamCheck.of(java.nio.file.Files.readAllBytes(ts));
            assertThat(check.errors).isEmpty();
            io.streamtee.ts.StreamInfo video = check.video();
            assertThat(video.codec()).isEqualTo(probe.codec());
            assertThat(video.width()).isEqualTo(probe.width());
            assertThat(video.height()).isEqualTo(probe.height());
            assertThat(video.fps()).isEqualTo(30, org.assertj.core.api.Assertions.within(0.01));
            assertThat(video.frames()).isEqualTo(probe.frames());
            assertThat(video.gopLength()).isEqualTo(30);
            assertThat(video.keyframes()).isEqualTo(2);
        }
    }
}
