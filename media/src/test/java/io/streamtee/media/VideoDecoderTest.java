package io.streamtee.media;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.streamtee.testing.FfmpegJudge;
import io.streamtee.ts.AccessUnit;
import io.streamtee.ts.Pmt;
import io.streamtee.ts.Timestamps;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Real streams from Debian's ffmpeg, demuxed by the ts module, decoded, and judged against ffmpeg's own decode. */
class VideoDecoderTest {
    static final long FRAME_25 = Timestamps.PTS_HZ / 25;

    @TempDir
    Path dir;

    @Test
    void h264HighWithBFramesDecodesEveryFrameInOrderBitExact() throws Exception {
        FfmpegJudge.assumeEncoder("libx264");
        Path ts = FfmpegJudge.testPattern(dir.resolve("high.ts"), 320, 240, 25, 2,
                "-c:v", "libx264", "-profile:v", "high", "-bf", "2", "-g", "25");
        assertDecodesLikeFfmpeg(ts, 320, 240, 50);
    }

    @Test
    void h265DecodesEveryFrameInOrderBitExact() throws Exception {
        FfmpegJudge.assumeEncoder("libx265");
        Path ts = FfmpegJudge.testPattern(dir.resolve("hevc.ts"), 320, 240, 25, 2,
                "-c:v", "libx265", "-x265-params", "log-level=error");
        assertDecodesLikeFfmpeg(ts, 320, 240, 50);
    }

    @Test
    void h265Main10GivesEightBitLuma() throws Exception {
        FfmpegJudge.assumeEncoder("libx265");
        Path ts = FfmpegJudge.testPattern(dir.resolve("main10.ts"), 320, 240, 25, 1,
                "-c:v", "libx265", "-pix_fmt", "yuv420p10le", "-x265-params", "log-level=error");
        Decoded decoded;
        try (VideoDecoder decoder = new VideoDecoder()) {
            decoded = Decoded.decode(Files.readAllBytes(ts), decoder);
            assertThat(decoder.errors()).isZero();
        }
        assertThat(decoded.pictures).hasSize(25).allMatch(p -> p.width() == 320 && p.height() == 240);
        // ffmpeg's 8-bit conversion of the same pictures (it may dither): the same luma within rounding
        List<byte[]> reference = FfmpegJudge.lumaPlanes(ts, 320, 240);
        assertThat(reference).hasSize(25);
        for (int i = 0; i < 25; i++) {
            byte[] ours = decoded.pictures.get(i).luma();
            long diff = 0;
            for (int k = 0; k < ours.length; k++) {
                diff += Math.abs((ours[k] & 0xFF) - (reference.get(i)[k] & 0xFF));
            }
            assertThat(diff / (double) ours.length).as("frame %d: mean luma difference", i).isLessThan(1.0);
        }
    }

    private static void assertDecodesLikeFfmpeg(Path ts, int width, int height, int frames) throws Exception {
        Decoded decoded;
        try (VideoDecoder decoder = new VideoDecoder()) {
            decoded = Decoded.decode(Files.readAllBytes(ts), decoder);
            assertThat(decoder.frames()).isEqualTo(frames);
            assertThat(decoder.accessUnits()).isEqualTo(frames);
            assertThat(decoder.errors()).isZero();
            assertThat(decoder.skipped()).isZero();
        }
        List<Decoded.Picture> pictures = decoded.pictures;
        assertThat(pictures).hasSize(frames);
        assertThat(pictures).allSatisfy(p -> {
            assertThat(p.width()).isEqualTo(width);
            assertThat(p.height()).isEqualTo(height);
        });
        assertThat(pictures.getFirst().keyframe()).isTrue();
        for (int i = 1; i < pictures.size(); i++) {
            assertThat(pictures.get(i).pts() - pictures.get(i - 1).pts()).as("PTS step at frame %d", i)
                    .isEqualTo(FRAME_25);
        }
        List<byte[]> reference = FfmpegJudge.lumaPlanes(ts, width, height);
        assertThat(reference).hasSize(frames);
        for (int i = 0; i < frames; i++) {
            assertThat(pictures.get(i).luma()).as("luma of frame %d", i).isEqualTo(reference.get(i));
        }
    }

    @Test
    void aResolutionChangeMidStreamIsFollowed() throws Exception {
        FfmpegJudge.assumeEncoder("libx264");
        byte[] small = Files.readAllBytes(FfmpegJudge.testPattern(dir.resolve("a.ts"), 320, 240, 25, 2,
                "-c:v", "libx264", "-profile:v", "high", "-bf", "2"));
        byte[] large = Files.readAllBytes(FfmpegJudge.testPattern(dir.resolve("b.ts"), 640, 360, 25, 2,
                "-c:v", "libx264", "-profile:v", "main", "-bf", "2"));

        // the access units one after the other: a new SPS with another size, to the same decoder
        try (VideoDecoder decoder = new VideoDecoder()) {
            Decoded out = new Decoded();
            for (AccessUnit au : Decoded.accessUnits(small)) {
                decoder.decode(au, out);
            }
            for (AccessUnit au : Decoded.accessUnits(large)) {
                decoder.decode(au, out);
            }
            decoder.flush(out);
            assertThat(out.pictures).hasSize(100);
            assertThat(out.pictures.subList(0, 50)).allMatch(p -> p.width() == 320 && p.height() == 240);
            assertThat(out.pictures.subList(50, 100)).allMatch(p -> p.width() == 640 && p.height() == 360);
            assertThat(decoder.errors()).isZero();
        }

        // the two files concatenated: the continuity counters jump at the joint, the rest decodes
        byte[] joined = new byte[small.length + large.length];
        System.arraycopy(small, 0, joined, 0, small.length);
        System.arraycopy(large, 0, joined, small.length, large.length);
        try (VideoDecoder decoder = new VideoDecoder()) {
            Decoded out = Decoded.decode(joined, decoder);
            long smalls = out.pictures.stream().filter(p -> p.width() == 320 && p.height() == 240).count();
            long larges = out.pictures.stream().filter(p -> p.width() == 640 && p.height() == 360).count();
            assertThat(smalls).as("at most the access unit at the joint is lost").isBetween(49L, 50L);
            assertThat(larges).isEqualTo(50);
            assertThat(smalls + larges).isEqualTo(out.pictures.size());
            assertThat(decoder.errors()).isEqualTo(50 - smalls);
        }
    }

    @Test
    void garbageInAnAccessUnitIsCountedAndDecodingGoesOnAtTheNextKeyframe() throws Exception {
        FfmpegJudge.assumeEncoder("libx264");
        byte[] ts = Files.readAllBytes(FfmpegJudge.testPattern(dir.resolve("gop.ts"), 320, 240, 25, 3,
                "-c:v", "libx264", "-profile:v", "high", "-bf", "2", "-g", "25", "-keyint_min", "25",
                "-sc_threshold", "0"));
        List<AccessUnit> units = Decoded.accessUnits(ts);
        assertThat(units).hasSize(75);
        assertThat(units).filteredOn(AccessUnit::keyframe).extracting(u -> units.indexOf(u))
                .containsExactly(0, 25, 50);
        Random random = new Random(42);
        int broken = 37;
        AccessUnit b = units.get(broken);
        byte[] garbage = new byte[b.length()];
        random.nextBytes(garbage);
        units.set(broken, AccessUnit.of(b.streamType(), garbage, b.pts(), b.dts(), false));

        try (VideoDecoder decoder = new VideoDecoder()) {
            Decoded out = Decoded.decode(units, decoder);
            assertThat(decoder.errors()).isEqualTo(1);
            assertThat(decoder.skipped()).as("the rest of the broken group of pictures").isEqualTo(49 - broken);
            assertThat(decoder.frames()).isEqualTo(75 - 1 - (49 - broken)).isEqualTo(out.pictures.size());
            long thirdKey = units.get(50).pts();
            assertThat(out.pictures).filteredOn(p -> p.pts() >= thirdKey).as("the last group whole").hasSize(25);
            assertThat(out.pictures).filteredOn(p -> p.pts() < units.get(25).pts()).as("the first group whole")
                    .hasSize(25);
        }
    }

    @Test
    void aSliceWithBrokenDataIsCountedNotHandedOut() throws Exception {
        FfmpegJudge.assumeEncoder("libx264");
        byte[] ts = Files.readAllBytes(FfmpegJudge.testPattern(dir.resolve("slice.ts"), 320, 240, 25, 2,
                "-c:v", "libx264", "-profile:v", "high", "-bf", "0", "-g", "25", "-keyint_min", "25",
                "-sc_threshold", "0"));
        List<AccessUnit> units = Decoded.accessUnits(ts);
        int broken = 10;
        AccessUnit b = units.get(broken);
        byte[] data = b.toByteArray();
        int slice = sliceStart(data);
        Random random = new Random(1);
        for (int i = slice + 4; i < data.length; i++) {
            data[i] = (byte) (1 + random.nextInt(255)); // start code and slice header kept, slice data random
        }
        units.set(broken, AccessUnit.of(b.streamType(), data, b.pts(), b.dts(), false));

        try (VideoDecoder decoder = new VideoDecoder()) {
            Decoded out = Decoded.decode(units, decoder);
            assertThat(decoder.errors()).isEqualTo(1);
            assertThat(decoder.skipped()).isEqualTo(24 - broken);
            assertThat(out.pictures).hasSize(50 - 1 - (24 - broken));
            assertThat(out.pictures).extracting(Decoded.Picture::pts).doesNotContain(b.pts());
        }
    }

    /** Index of the first byte after the start code of the first slice NAL unit (H.264 types 1 and 5). */
    private static int sliceStart(byte[] au) {
        for (int i = 2; i + 1 < au.length; i++) {
            if (au[i] == 1 && au[i - 1] == 0 && au[i - 2] == 0) {
                int type = au[i + 1] & 0x1F;
                if (type == 1 || type == 5) {
                    return i + 1;
                }
            }
        }
        throw new AssertionError("no slice in the access unit");
    }

    @Test
    void aStreamJoinedMidGroupStartsAtItsFirstKeyframeWithoutError() throws Exception {
        FfmpegJudge.assumeEncoder("libx264");
        byte[] ts = Files.readAllBytes(FfmpegJudge.testPattern(dir.resolve("join.ts"), 320, 240, 25, 2,
                "-c:v", "libx264", "-profile:v", "high", "-bf", "2", "-g", "25", "-keyint_min", "25",
                "-sc_threshold", "0"));
        List<AccessUnit> units = Decoded.accessUnits(ts);
        try (VideoDecoder decoder = new VideoDecoder()) {
            Decoded out = Decoded.decode(units.subList(10, units.size()), decoder);
            assertThat(decoder.skipped()).isEqualTo(15);
            assertThat(decoder.errors()).isZero();
            assertThat(out.pictures).hasSize(25);
            assertThat(out.pictures.getFirst().pts()).isEqualTo(units.get(25).pts());
        }
    }

    @Test
    void anAccessUnitOfTheOtherCodecHandsOutTheLastFramesAndReopens() throws Exception {
        FfmpegJudge.assumeEncoder("libx264");
        FfmpegJudge.assumeEncoder("libx265");
        List<AccessUnit> avc = Decoded.accessUnits(Files.readAllBytes(FfmpegJudge.testPattern(dir.resolve("1.ts"),
                320, 240, 25, 1, "-c:v", "libx264", "-bf", "2")));
        List<AccessUnit> hevc = Decoded.accessUnits(Files.readAllBytes(FfmpegJudge.testPattern(dir.resolve("2.ts"),
                176, 144, 25, 1, "-c:v", "libx265", "-x265-params", "log-level=error")));
        try (VideoDecoder decoder = new VideoDecoder()) {
            Decoded out = new Decoded();
            avc.forEach(au -> decoder.decode(au, out));
            assertThat(decoder.codec()).isEqualTo(VideoCodec.H264);
            hevc.forEach(au -> decoder.decode(au, out));
            assertThat(decoder.codec()).isEqualTo(VideoCodec.H265);
            decoder.flush(out);
            assertThat(out.pictures).hasSize(50);
            assertThat(out.pictures.subList(0, 25)).allMatch(p -> p.width() == 320);
            assertThat(out.pictures.subList(25, 50)).allMatch(p -> p.width() == 176 && p.height() == 144);
            assertThat(decoder.errors()).isZero();
        }
    }

    @Test
    void greyIsTheLumaAveragedOverEachAreaAndAtFullSizeTheLumaItself() throws Exception {
        FfmpegJudge.assumeEncoder("libx264");
        // smooth gradients: any area filter and a plain 4x4 box average agree on them
        byte[] ts = Files.readAllBytes(FfmpegJudge.encode(dir.resolve("grey.ts"), "gradients=size=320x240:rate=25",
                0.2, "-c:v", "libx264", "-crf", "10"));
        try (VideoDecoder decoder = new VideoDecoder()) {
            int[] checked = {0};
            Decoded.decodeWith(ts, decoder, f -> {
                byte[] luma = f.luma();
                assertThat(f.grey(320, 240)).as("no range stretch, no filter at full size").isEqualTo(luma);
                byte[] grey = f.grey(80, 60);
                long diff = 0;
                for (int y = 0; y < 60; y++) {
                    for (int x = 0; x < 80; x++) {
                        int sum = 0;
                        for (int dy = 0; dy < 4; dy++) {
                            for (int dx = 0; dx < 4; dx++) {
                                sum += luma[(y * 4 + dy) * 320 + x * 4 + dx] & 0xFF;
                            }
                        }
                        diff += Math.abs((grey[y * 80 + x] & 0xFF) - Math.round(sum / 16f));
                    }
                }
                assertThat(diff / (80.0 * 60)).as("mean difference from a 4x4 box average").isLessThan(1.0);
                byte[] reused = new byte[100 * 56 + 7];
                assertThat(f.grey(100, 56, reused)).isSameAs(reused);
                checked[0]++;
            });
            assertThat(checked[0]).isEqualTo(5);
        }
    }

    @Test
    void closeIsIdempotentAndDecodingAfterItFails() {
        VideoDecoder decoder = new VideoDecoder();
        decoder.close();
        decoder.close();
        assertThatThrownBy(() -> decoder.decode(VideoCodec.H264, new byte[10], 0, 10, 0, 0, true, f -> { }))
                .isInstanceOf(IllegalStateException.class).hasMessage("video decoder is closed");
    }

    @Test
    void aStreamTypeThatIsNoVideoIsRefusedByName() {
        assertThatThrownBy(() -> VideoCodec.ofStreamType(0x0F)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("stream type aac is not a video codec the decoder knows (h264, h265)");
        assertThat(VideoCodec.ofStreamType(Pmt.STREAM_TYPE_H265)).isEqualTo(VideoCodec.H265);
    }
}
