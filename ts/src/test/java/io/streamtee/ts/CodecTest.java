package io.streamtee.ts;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HexFormat;
import org.junit.jupiter.api.Test;

class CodecTest {
    private static Nal.VideoSize h264(byte[] escaped) {
        byte[] rbsp = new byte[escaped.length];
        int n = Nal.unescape(escaped, 0, escaped.length, rbsp);
        return H264.parseSps(rbsp, 0, n);
    }

    @Test
    void x264SpsFromFfmpeg() {
        // the SPS ffmpeg/libx264 writes for testsrc2 320x240 at 25 fps (High profile, VUI timing 1/50)
        byte[] sps = HexFormat.of().parseHex("6764000dacd94141fb0110000003001000000303"
                + "20f1429960");
        assertThat(h264(sps)).isEqualTo(new Nal.VideoSize(320, 240, 25.0));
    }

    @Test
    void croppingAndTimingFromAGeneratedSps() {
        assertThat(h264(SyntheticStream.sps(1920, 1080, 30))).isEqualTo(new Nal.VideoSize(1920, 1080, 30.0));
        assertThat(h264(SyntheticStream.sps(1280, 720, 50))).isEqualTo(new Nal.VideoSize(1280, 720, 50.0));
        assertThat(h264(SyntheticStream.sps(854, 480, 25))).isEqualTo(new Nal.VideoSize(854, 480, 25.0));
    }

    @Test
    void unescapeRemovesEmulationPrevention() {
        byte[] in = {0, 0, 3, 1, 5, 0, 0, 3, 0, 0, 3};
        byte[] out = new byte[16];
        int n = Nal.unescape(in, 0, in.length, out);
        assertThat(HexFormat.of().formatHex(out, 0, n)).isEqualTo("0000010500000000");
    }

    @Test
    void startCodeScan() {
        byte[] b = {9, 0, 0, 1, 0x67, 0, 0, 0, 1, 0x68};
        assertThat(Nal.nextStartCode(b, 0, b.length)).isEqualTo(4);
        assertThat(Nal.nextStartCode(b, 4, b.length)).isEqualTo(9);
        assertThat(Nal.nextStartCode(b, 9, b.length)).isEqualTo(-1);
    }

    @Test
    void nalTypes() {
        assertThat(H264.isKeyframe(H264.nalType(0x65))).isTrue();
        assertThat(H264.isKeyframe(H264.nalType(0x41))).isFalse();
        assertThat(H264.isVcl(H264.nalType(0x67))).isFalse();
        assertThat(H265.nalType(0x26)).isEqualTo(H265.NAL_IDR_W_RADL);
        assertThat(H265.isKeyframe(H265.nalType(0x2A))).isTrue(); // CRA
        assertThat(H265.isKeyframe(H265.nalType(0x02))).isFalse(); // TRAIL_R
        assertThat(H265.nalType(0x42)).isEqualTo(H265.NAL_SPS);
    }

    @Test
    void loopingAFileThroughTheRewriterKeepsTheStreamClean() {
        byte[] file = new SyntheticStream().seconds(1).bytes();
        byte[] looped = PsiTest.join(file, file, file);
        TsDemux raw = new TsDemux(TsListener.NONE);
        raw.feed(looped, 0, looped.length);
        raw.flush();
        assertThat(raw.errors().count(Tr101290.Kind.CONTINUITY_COUNT_ERROR)).isPositive();
        assertThat(raw.errors().count(Tr101290.Kind.PCR_DISCONTINUITY_INDICATOR_ERROR)).isEqualTo(2);

        ContinuityRewriter rewriter = new ContinuityRewriter();
        for (int off = 0; off < looped.length; off += 188) {
            if (off > 0 && off % file.length == 0) {
                rewriter.markDiscontinuity();
            }
            rewriter.rewrite(looped, off);
        }
        TsDemux demux = new TsDemux(TsListener.NONE);
        demux.feed(looped, 0, looped.length);
        demux.flush();
        assertThat(demux.errors().total()).as("%s", demux.errors()).isZero();
        assertThat(demux.video().frames()).isEqualTo(75);
    }
}
