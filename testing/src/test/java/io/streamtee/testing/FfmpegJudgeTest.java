package io.streamtee.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The judge itself, on a stream it makes and on a file that is not a stream. */
class FfmpegJudgeTest {
    @TempDir
    Path dir;

    @Test
    void aTestPatternIsJudgedCleanWithItsFramesSizeAndKeyframeFirst() throws Exception {
        FfmpegJudge.assumeEncoder("libx264");
        Path ts = FfmpegJudge.testPattern(dir.resolve("p.ts"), 160, 120, 25, 1, "-c:v", "libx264", "-g", "25");

        assertThat(FfmpegJudge.decodeErrors(ts)).isEmpty();
        assertThat(FfmpegJudge.decode(ts.toString()).exit()).isZero();
        assertThat(FfmpegJudge.frames(ts)).isEqualTo(25);
        assertThat(FfmpegJudge.firstFrame(ts)).startsWith("1,I"); // x264 adds a side-data column: "1,I,"
        assertThat(FfmpegJudge.probe(ts, "format=format_name")).isEqualTo("mpegts");
        assertThat(FfmpegJudge.stream(ts)).isEqualTo(new FfmpegJudge.Probe("h264", 160, 120, "25/1", 25));
        List<byte[]> luma = FfmpegJudge.lumaPlanes(ts, 160, 120);
        assertThat(luma).hasSize(25).allMatch(p -> p.length == 160 * 120);
    }

    @Test
    void junkHasDecodeErrorsAndFailingCommandsFailTheTest() throws Exception {
        FfmpegJudge.assumeInstalled();
        Path junk = dir.resolve("junk.ts");
        byte[] bytes = new byte[188 * 20];
        Arrays.fill(bytes, (byte) 0x47);
        Files.write(junk, bytes);

        FfmpegJudge.Result decode = FfmpegJudge.decode(junk.toString());
        assertThat(decode.exit()).isNotZero();
        assertThat(FfmpegJudge.decodeErrors(junk)).isNotEmpty();
        assertThatThrownBy(() -> FfmpegJudge.frames(junk)).isInstanceOf(AssertionError.class)
                .hasMessageContaining("exited with");
        assertThatThrownBy(() -> FfmpegJudge.encode(dir.resolve("x.ts"), "nosuchsource", 1))
                .isInstanceOf(AssertionError.class).hasMessageContaining("exited with");
    }
}
