package io.streamtee.bench.soak;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.streamtee.camera.CameraConfig;
import io.streamtee.camera.PatternClip;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The soak's segment check tells a decodable segment from one that is not. */
class SegmentCheckTest {

    @TempDir
    Path dir;

    @Test
    void aSimulatorClipDecodesAndNoiseDoesNot() throws Exception {
        assumeTrue(SoakTest.onPath("ffprobe"), "ffprobe not installed");
        byte[] clip = PatternClip.render(CameraConfig.Pattern.DEFAULT.withSize(320, 240), Duration.ofSeconds(2),
                Instant.now());
        Path cam = Files.createDirectories(dir.resolve("cam1/2026/12/01"));
        Files.write(cam.resolve("00-00-00.ts"), clip);
        Files.write(cam.resolve("00-00-10.ts"), clip);
        assertThat(SegmentCheck.check(dir.resolve("cam1")))
                .isEqualTo(new SegmentCheck.Result(2, 2, List.of()));

        byte[] noise = new byte[188 * 500];
        new Random(1).nextBytes(noise);
        Files.write(cam.resolve("00-00-20.ts"), noise);
        SegmentCheck.Result r = SegmentCheck.check(dir.resolve("cam1"));
        assertThat(r.segments()).isEqualTo(3);
        assertThat(r.decodable()).isEqualTo(2);
        assertThat(r.failures()).singleElement().asString().startsWith("00-00-20.ts: ");
    }
}
