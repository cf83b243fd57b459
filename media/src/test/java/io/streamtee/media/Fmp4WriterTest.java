package io.streamtee.media;

import static org.assertj.core.api.Assertions.assertThat;

import io.streamtee.testing.FfmpegJudge;
import io.streamtee.ts.AccessUnit;
import io.streamtee.ts.Timestamps;
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

    /**
     * The 33-bit PTS wraps (every ~26.5 h): the writer unwraps it, so the timeline goes on past 2^33 with no dropped
     * frame, no new init segment, and decoding times that keep rising one frame apart.
     */
    @Test
    void thePtsWrapIsNotAJump() throws Exception {
        FfmpegJudge.assumeEncoder("libx264");
        List<AccessUnit> units = Decoded.accessUnits(Files.readAllBytes(FfmpegJudge.testPattern(
                dir.resolve("wrap.ts"), 320, 240, 25, 2, "-c:v", "libx264", "-bf", "0", "-g", "25")));
        long start = Timestamps.PTS_WRAP - 20 * 3600; // 20 frames before the wrap
        List<Fmp4Writer.Fragment> fragments = new ArrayList<>();
        try (Fmp4Writer writer = new Fmp4Writer()) {
            for (AccessUnit au : units) {
                long pts = (start + au.pts() - units.get(0).pts()) % Timestamps.PTS_WRAP;
                fragments.add(writer.write(au.data(), 0, au.length(), pts, au.keyframe()));
            }
            assertThat(writer.skipped()).as("frames dropped").isZero();
            assertThat(writer.generation()).as("init segments").isEqualTo(1);
            assertThat(fragments).hasSize(50).doesNotContainNull();
            for (int i = 0; i < fragments.size(); i++) {
                assertThat(fragments.get(i).pts()).as("fragment %d's PTS, unwrapped", i).isEqualTo(start + i * 3600L);
                assertThat(tfdt(fragments.get(i).bytes())).isEqualTo(fragments.get(i).dts());
                assertThat(fragments.get(i).dts()).isLessThanOrEqualTo(fragments.get(i).pts());
                if (i > 2) { // the first frames: the frame rate learnt
                    assertThat(fragments.get(i).dts() - fragments.get(i - 1).dts()).as("fragment %d's DTS step", i)
                            .isEqualTo(3600);
                }
            }
            Path file = write(dir.resolve("wrap.mp4"), writer.init(), fragments);
            assertThat(FfmpegJudge.decodeErrors(file)).isEmpty();
            assertThat(FfmpegJudge.frames(file)).isEqualTo(50);
        }
    }

    /**
     * A camera restarting a little earlier than where it was (less than a second back): its keyframe's PTS is not
     * after the frames already written, so it is a new stream (a new generation), not squashed onto the old timeline.
     */
    @Test
    void aKeyframeWithAPtsAFewFramesBackStartsANewGeneration() throws Exception {
        FfmpegJudge.assumeEncoder("libx264");
        List<AccessUnit> units = Decoded.accessUnits(Files.readAllBytes(FfmpegJudge.testPattern(
                dir.resolve("restart.ts"), 320, 240, 25, 1, "-c:v", "libx264", "-bf", "0", "-g", "10")));
        List<Fmp4Writer.Fragment> second = new ArrayList<>();
        try (Fmp4Writer writer = new Fmp4Writer()) {
            for (AccessUnit au : units.subList(0, 15)) { // 0.6 s, then the camera starts again from its first frame
                writer.write(au.data(), 0, au.length(), au.pts(), au.keyframe());
            }
            for (AccessUnit au : units) {
                second.add(writer.write(au.data(), 0, au.length(), au.pts(), au.keyframe()));
            }
            assertThat(writer.generation()).isEqualTo(2);
            assertThat(writer.skipped()).isZero();
            assertThat(second).allMatch(f -> f.generation() == 2);
            for (int i = 0; i < second.size(); i++) {
                assertThat(second.get(i).pts()).as("fragment %d's PTS", i).isEqualTo(units.get(i).pts());
                if (i > 0) {
                    assertThat(second.get(i).dts() - second.get(i - 1).dts()).as("fragment %d's DTS step", i)
                            .isEqualTo(3600);
                }
            }
            Path file = write(dir.resolve("second.mp4"), writer.init(), second);
            assertThat(FfmpegJudge.decodeErrors(file)).isEmpty();
            assertThat(FfmpegJudge.frames(file)).isEqualTo(25);
        }
    }

    /**
     * A 5 fps camera: every sample lasts one frame interval (18000 ticks), so the fragments are contiguous, from the
     * third frame on (the first two have too little to learn from) and in a new generation after a restart from its
     * first.
     */
    @Test
    void aSlowCameraGetsItsFrameDurationFromItsFirstFrames() throws Exception {
        FfmpegJudge.assumeEncoder("libx264");
        List<AccessUnit> units = Decoded.accessUnits(Files.readAllBytes(FfmpegJudge.testPattern(
                dir.resolve("slow.ts"), 320, 240, 5, 4, "-c:v", "libx264", "-bf", "0", "-g", "10")));
        assertThat(units).hasSize(20);
        List<Fmp4Writer.Fragment> first = new ArrayList<>();
        List<Fmp4Writer.Fragment> second = new ArrayList<>();
        try (Fmp4Writer writer = new Fmp4Writer()) {
            for (AccessUnit au : units) {
                first.add(writer.write(au.data(), 0, au.length(), au.pts(), au.keyframe()));
            }
            for (AccessUnit au : units) { // the camera restarts
                second.add(writer.write(au.data(), 0, au.length(), au.pts(), au.keyframe()));
            }
            assertThat(writer.generation()).isEqualTo(2);
        }
        for (int i = 2; i < first.size(); i++) {
            assertThat(sampleDuration(first.get(i).bytes())).as("first generation, sample %d", i).isEqualTo(18000);
        }
        for (int i = 0; i < second.size(); i++) {
            assertThat(sampleDuration(second.get(i).bytes())).as("second generation, sample %d", i).isEqualTo(18000);
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

    /** The duration of a fragment's one sample: the trun's, else the tfhd's default. */
    static long sampleDuration(byte[] fragment) {
        int tfhd = find(fragment, "tfhd");
        int trun = find(fragment, "trun");
        ByteBuffer b = ByteBuffer.wrap(fragment);
        int trunFlags = b.getInt(trun + 4) & 0xFFFFFF;
        if ((trunFlags & 0x100) != 0) {
            int at = trun + 12 + ((trunFlags & 0x1) != 0 ? 4 : 0) + ((trunFlags & 0x4) != 0 ? 4 : 0);
            return b.getInt(at) & 0xFFFFFFFFL;
        }
        int tfhdFlags = b.getInt(tfhd + 4) & 0xFFFFFF;
        assertThat(tfhdFlags & 0x8).as("a default sample duration").isNotZero();
        int at = tfhd + 12 + ((tfhdFlags & 0x1) != 0 ? 8 : 0) + ((tfhdFlags & 0x2) != 0 ? 4 : 0);
        return b.getInt(at) & 0xFFFFFFFFL;
    }

    /** Where a box type's four letters are (its size is 4 bytes before). */
    private static int find(byte[] mp4, String type) {
        for (int i = 0; i + 4 <= mp4.length; i++) {
            if (mp4[i] == type.charAt(0) && mp4[i + 1] == type.charAt(1) && mp4[i + 2] == type.charAt(2)
                    && mp4[i + 3] == type.charAt(3)) {
                return i;
            }
        }
        throw new AssertionError("no " + type);
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
