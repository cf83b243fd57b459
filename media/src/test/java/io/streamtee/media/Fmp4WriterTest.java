package io.streamtee.media;

import static org.assertj.core.api.Assertions.assertThat;

import io.streamtee.testing.FfmpegJudge;
import io.streamtee.ts.AccessUnit;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The fMP4 writer on real streams from Debian's ffmpeg, demuxed by the ts module: init segment plus fragments
 * written to a file, read back by ffprobe (frame count, keyframe flags, timestamps), from the start and from a
 * keyframe in the middle (a viewer that joins late); no sockets.
 */
class Fmp4WriterTest {
    @TempDir
    Path dir;

    @Test
    void x264HighWithBFramesGivesOneFragmentPerAccessUnitWithItsPtsAndKeyframes() throws Exception {
        FfmpegJudge.assumeEncoder("libx264");
        Path ts = FfmpegJudge.testPattern(dir.resolve("high.ts"), 320, 240, 25, 4,
                "-c:v", "libx264", "-profile:v", "high", "-bf", "2", "-g", "50");
        List<AccessUnit> units = Decoded.accessUnits(Files.readAllBytes(ts));
        assertThat(units).hasSize(100);
        List<Fmp4Writer.Fragment> fragments = new ArrayList<>();
        byte[] init;
        try (Fmp4Writer writer = new Fmp4Writer()) {
            for (AccessUnit au : units) {
                fragments.add(writer.write(au.data(), 0, au.length(), au.pts(), au.keyframe()));
            }
            init = writer.init();
            assertThat(writer.codec()).isEqualTo("avc1.64000d");
            assertThat(writer.generation()).isEqualTo(1);
            assertThat(writer.skipped()).isZero();
            assertThat(writer.fragments()).isEqualTo(100);
        }
        assertThat(boxes(init)).containsExactly("ftyp", "moov");
        for (int i = 0; i < units.size(); i++) {
            Fmp4Writer.Fragment f = fragments.get(i);
            assertThat(boxes(f.bytes())).as("fragment %d", i).containsExactly("moof", "mdat");
            assertThat(f.keyframe()).isEqualTo(units.get(i).keyframe());
            assertThat(f.pts()).isEqualTo(units.get(i).pts());
            assertThat(f.dts()).isLessThanOrEqualTo(f.pts());
            assertThat(tfdt(f.bytes())).as("fragment %d's tfdt: its absolute decoding time", i).isEqualTo(f.dts());
            if (i > 0) {
                assertThat(f.dts()).isGreaterThan(fragments.get(i - 1).dts());
            }
        }

        Path whole = write(dir.resolve("whole.mp4"), init, fragments);
        assertThat(FfmpegJudge.decodeErrors(whole)).isEmpty();
        assertThat(FfmpegJudge.frames(whole)).isEqualTo(100);
        List<long[]> packets = packets(whole);
        assertThat(packets).hasSize(100);
        for (int i = 0; i < units.size(); i++) {
            assertThat(packets.get(i)[0]).as("packet %d pts", i).isEqualTo(units.get(i).pts());
            assertThat(packets.get(i)[2] == 1).as("packet %d keyframe", i).isEqualTo(units.get(i).keyframe());
        }

        // a viewer joining at the second keyframe: the same init segment, then the fragments from there on
        int second = 50;
        assertThat(units.get(second).keyframe()).isTrue();
        Path joined = write(dir.resolve("joined.mp4"), init, fragments.subList(second, fragments.size()));
        assertThat(FfmpegJudge.decodeErrors(joined)).isEmpty();
        assertThat(FfmpegJudge.frames(joined)).isEqualTo(50);
        assertThat(packets(joined).get(0)[0]).as("absolute times: the PTS of the joining keyframe")
                .isEqualTo(units.get(second).pts());
        assertThat(FfmpegJudge.firstFrame(joined)).isEqualTo("1,I");
    }

    @Test
    void aNewSpsGivesANewInitSegmentAndFramesBeforeTheFirstKeyframeAreSkipped() throws Exception {
        FfmpegJudge.assumeEncoder("libx264");
        List<AccessUnit> small = Decoded.accessUnits(Files.readAllBytes(FfmpegJudge.testPattern(
                dir.resolve("small.ts"), 320, 240, 25, 1, "-c:v", "libx264", "-bf", "0", "-g", "10")));
        List<AccessUnit> big = Decoded.accessUnits(Files.readAllBytes(FfmpegJudge.testPattern(
                dir.resolve("big.ts"), 640, 360, 25, 1, "-c:v", "libx264", "-bf", "0", "-g", "10")));
        try (Fmp4Writer writer = new Fmp4Writer()) {
            List<Fmp4Writer.Fragment> first = new ArrayList<>();
            for (AccessUnit au : small.subList(3, small.size())) { // joined mid-GOP: 7 frames before a keyframe
                Fmp4Writer.Fragment f = writer.write(au.data(), 0, au.length(), au.pts(), au.keyframe());
                if (f != null) {
                    first.add(f);
                }
            }
            assertThat(writer.skipped()).isEqualTo(7);
            assertThat(first).hasSize(15).allMatch(f -> f.generation() == 1);
            byte[] firstInit = writer.init();
            List<Fmp4Writer.Fragment> second = new ArrayList<>();
            for (AccessUnit au : big) {
                second.add(writer.write(au.data(), 0, au.length(), au.pts(), au.keyframe()));
            }
            assertThat(writer.generation()).isEqualTo(2);
            assertThat(second).allMatch(f -> f.generation() == 2);
            assertThat(writer.init()).isNotEqualTo(firstInit);
            Path a = write(dir.resolve("a.mp4"), firstInit, first);
            Path b = write(dir.resolve("b.mp4"), writer.init(), second);
            assertThat(FfmpegJudge.stream(a)).satisfies(p -> {
                assertThat(p.width()).isEqualTo(320);
                assertThat(p.frames()).isEqualTo(15);
            });
            assertThat(FfmpegJudge.stream(b)).satisfies(p -> {
                assertThat(p.width()).isEqualTo(640);
                assertThat(p.frames()).isEqualTo(25);
            });
        }
    }

    @Test
    void aPtsThatJumpsBackStartsANewTimelineAtTheNextKeyframe() throws Exception {
        FfmpegJudge.assumeEncoder("libx264");
        List<AccessUnit> units = Decoded.accessUnits(Files.readAllBytes(FfmpegJudge.testPattern(
                dir.resolve("gop.ts"), 320, 240, 25, 1, "-c:v", "libx264", "-bf", "0", "-g", "10")));
        try (Fmp4Writer writer = new Fmp4Writer()) {
            for (AccessUnit au : units) {
                writer.write(au.data(), 0, au.length(), au.pts() + 900_000, au.keyframe());
            }
            assertThat(writer.generation()).isEqualTo(1);
            AccessUnit delta = units.get(1);
            assertThat(writer.write(delta.data(), 0, delta.length(), delta.pts(), false)).isNull(); // back 10 s
            AccessUnit key = units.get(0);
            Fmp4Writer.Fragment f = writer.write(key.data(), 0, key.length(), key.pts(), true);
            assertThat(writer.generation()).isEqualTo(2);
            assertThat(f.pts()).isEqualTo(key.pts());
            assertThat(writer.skipped()).isEqualTo(1);
        }
    }

    @Test
    void parameterSetsAreFoundBetweenThreeAndFourByteStartCodes() {
        byte[] au = {0, 0, 0, 1, 0x09, (byte) 0xF0, 0, 0, 0, 1, 0x67, 0x42, (byte) 0xC0, 0x1E, 0x11, 0, 0, 1, 0x68,
            (byte) 0xCE, 0x3C, (byte) 0x80, 0, 0, 1, 0x65, (byte) 0x88};
        byte[][] sets = Fmp4Writer.parameterSets(au, 0, au.length);
        assertThat(sets[0]).containsExactly(0x67, 0x42, 0xC0, 0x1E, 0x11);
        assertThat(sets[1]).containsExactly(0x68, 0xCE, 0x3C, 0x80);
        assertThat(Fmp4Writer.parameterSets(au, 18, au.length - 18)).as("no SPS").isNull();
    }

    private static Path write(Path file, byte[] init, List<Fmp4Writer.Fragment> fragments) throws IOException {
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        all.write(init);
        for (Fmp4Writer.Fragment f : fragments) {
            all.write(f.bytes());
        }
        return Files.write(file, all.toByteArray());
    }

    /** ffprobe's packets: pts and dts in the stream's time base (90 kHz), and 1 for a keyframe. */
    private static List<long[]> packets(Path mp4) throws Exception {
        String out = FfmpegJudge.check(FfmpegJudge.ffprobe("-v", "error", "-select_streams", "v:0",
                "-show_entries", "stream=time_base:packet=pts,dts,flags", "-of", "csv=p=0", mp4.toString()));
        assertThat(out).contains("1/90000");
        List<long[]> packets = new ArrayList<>();
        for (String line : out.lines().filter(l -> l.contains("_")).toList()) {
            String[] f = line.split(",");
            packets.add(new long[] {Long.parseLong(f[0]), Long.parseLong(f[1]), f[2].startsWith("K") ? 1 : 0});
        }
        return packets;
    }

    /** The top-level box types. */
    static List<String> boxes(byte[] mp4) {
        List<String> types = new ArrayList<>();
        ByteBuffer b = ByteBuffer.wrap(mp4);
        while (b.remaining() >= 8) {
            int size = b.getInt(b.position());
            types.add(new String(mp4, b.position() + 4, 4, StandardCharsets.US_ASCII));
            b.position(b.position() + size);
        }
        assertThat(b.remaining()).as("bytes after the last box").isZero();
        return types;
    }

    /** The baseMediaDecodeTime in moof/traf/tfdt. */
    static long tfdt(byte[] fragment) {
        for (int i = 0; i + 8 <= fragment.length; i++) {
            if (fragment[i] == 't' && fragment[i + 1] == 'f' && fragment[i + 2] == 'd' && fragment[i + 3] == 't') {
                ByteBuffer b = ByteBuffer.wrap(fragment, i + 4, fragment.length - i - 4);
                int version = b.get() & 0xFF;
                b.position(b.position() + 3);
                return version == 1 ? b.getLong() : b.getInt() & 0xFFFFFFFFL;
            }
        }
        throw new AssertionError("no tfdt");
    }
}
