package io.streamtee.camera;

import static org.assertj.core.api.Assertions.assertThat;

import io.streamtee.testing.FfmpegJudge;
import io.streamtee.ts.AccessUnitAssembler;
import io.streamtee.ts.CaptureTime;
import io.streamtee.ts.Timestamps;
import io.streamtee.ts.TsDemux;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every access unit of the pattern camera carries its frame's capture instant in the {@link CaptureTime} SEI. */
class CaptureTimeSeiTest {

    @Test
    void everyAccessUnitCarriesItsFramesInstant(@TempDir Path dir) throws Exception {
        int fps = 25;
        CameraConfig.Pattern pattern = CameraConfig.Pattern.DEFAULT.withSize(320, 240).withFps(fps).withGop(10)
                .withBitrate(300_000);
        Instant start = Instant.parse("2026-11-30T16:00:00.123456789Z"); // sub-microsecond: truncated in the SEI
        byte[] ts = PatternClip.render(pattern, Duration.ofSeconds(2), start);

        List<Long> captures = new ArrayList<>();
        List<Long> pts = new ArrayList<>();
        List<Boolean> keys = new ArrayList<>();
        AccessUnitAssembler assembler = new AccessUnitAssembler(au -> {
            captures.add(CaptureTime.find(au));
            pts.add(au.pts());
            keys.add(au.keyframe());
        });
        TsDemux demux = new TsDemux(assembler);
        demux.feed(ts, 0, ts.length);
        demux.flush();
        assembler.flush();

        assertThat(assembler.dropped()).isZero();
        assertThat(captures).hasSize(2 * fps).doesNotContain(CaptureTime.NONE);
        assertThat(keys).contains(true, false); // keyframes (SPS, PPS before the SEI) and delta frames alike
        for (int n = 0; n < captures.size(); n++) {
            Instant painted = start.plusNanos(n * 1_000_000_000L / fps); // what PatternClip gives frame n
            assertThat(captures.get(n)).as("frame %d", n).isEqualTo(CaptureTime.micros(painted));
            if (n > 0) {
                assertThat(captures.get(n) - captures.get(n - 1)).as("step at frame %d", n)
                        .isEqualTo(1_000_000L / fps);
                assertThat(pts.get(n) - pts.get(n - 1)).isEqualTo(Timestamps.PTS_HZ / fps);
            }
        }
        assertThat(CaptureTime.instant(captures.getFirst())).isEqualTo(Instant.parse("2026-11-30T16:00:00.123456Z"));

        FfmpegJudge.assumeInstalled();
        Path file = dir.resolve("sei.ts");
        Files.write(file, ts);
        assertThat(FfmpegJudge.decodeErrors(file)).isEmpty();
        assertThat(FfmpegJudge.frames(file)).isEqualTo(2 * fps);
    }
}
