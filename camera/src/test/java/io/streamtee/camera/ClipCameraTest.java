package io.streamtee.camera;

import static org.assertj.core.api.Assertions.assertThat;

import io.streamtee.testing.FfmpegJudge;
import io.streamtee.testing.UdpReceiver;
import io.streamtee.ts.StreamInfo;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A real clip camera on loopback: the capture must decode, hold fps x seconds frames and arrive at its rate. */
class ClipCameraTest {

    private static final int FPS = 25;

    @TempDir
    Path dir;

    @Test
    void playsAClipInALoopAtItsPcrRate() throws Exception {
        Path clip = Clips.write(dir.resolve("clip.ts"), Clips.small(FPS), FPS);
        try (UdpReceiver capture = UdpReceiver.open("127.0.0.1")) {
            CameraConfig config = CameraConfig.clip(clip, Destination.of(
                    new InetSocketAddress("127.0.0.1", capture.port()))).withDuration(Duration.ofMillis(2400));
            CameraStats stats = CameraRuns.runToEnd(config, capture);
            assertThat(stats.loops()).isEqualTo(2);
            List<UdpReceiver.Datagram> datagrams = capture.timed();
            TsAssertions.assertDatagramsOfSevenPackets(datagrams, 0);

            Path ts = capture.writeTo(dir.resolve("cap.ts"), 0);
            StreamCheck check = StreamCheck.of(Files.readAllBytes(ts));
            assertThat(check.errors).as("TR 101 290 errors").isEmpty();
            assertThat(check.videoPts).hasSize(60);

            // Received rate: the least-squares slope of bytes over arrival time, robust to a late datagram or two.
            // Within 5%: on the shared 2-core CI machine the test's own receive thread, stamping arrival times, was
            // seen 2.3% off over these 2.4 s; a clip sent unpaced, or paced by the wrong clock, is off by far more.
            double arrivalRate = TsAssertions.slopeBytesPerSecond(datagrams, 0);
            double streamRate = TsAssertions.pcrBytesPerSecond(Files.readAllBytes(ts));
            assertThat(arrivalRate / streamRate).as("arrival %.0f B/s vs stream %.0f B/s", arrivalRate, streamRate)
                    .isBetween(0.95, 1.05);

            FfmpegJudge.assumeInstalled();
            assertThat(FfmpegJudge.decodeErrors(ts)).isEmpty();
            FfmpegJudge.Probe probe = FfmpegJudge.stream(ts);
            assertThat(probe.frames()).isBetween(59, 61);
            StreamInfo video = check.video();
            assertThat(video.codec()).isEqualTo(probe.codec());
            assertThat(video.width()).isEqualTo(probe.width());
            assertThat(video.height()).isEqualTo(probe.height());
            assertThat(probe.frameRate()).isEqualTo(FPS + "/1");
            assertThat(video.fps()).isEqualTo(FPS, org.assertj.core.api.Assertions.within(0.01));
        }
    }
}
