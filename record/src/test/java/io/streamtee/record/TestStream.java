package io.streamtee.record;

import io.streamtee.testing.AnnexB;
import io.streamtee.testing.Datagrams;
import io.streamtee.ts.Pmt;
import io.streamtee.ts.Timestamps;
import io.streamtee.ts.TsPacket;
import io.streamtee.ts.TsWriter;
import java.io.ByteArrayOutputStream;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

/**
 * A synthetic camera-like transport stream for tests: PAT and PMT before every keyframe and every 10 frames, H.264
 * video on {@link #VIDEO_PID} (also the PCR PID) at {@code fps} with an IDR every {@code gop} frames, whose
 * parameter sets and SEI push the first slice a few packets past the PES start, and audio packets interleaved with
 * the video packets.
 */
final class TestStream {
    static final int PMT_PID = 0x1000;
    static final int VIDEO_PID = 0x100;
    static final int AUDIO_PID = 0x101;
    static final long PTS_START = 10 * Timestamps.PTS_HZ;

    int fps = 25;
    int gop = 25;
    int frameBytes = 2000;
    double seconds = 10;

    TestStream seconds(double s) {
        seconds = s;
        return this;
    }

    TestStream frameBytes(int n) {
        frameBytes = n;
        return this;
    }

    TestStream gop(int frames) {
        gop = frames;
        return this;
    }

    int frames() {
        return (int) Math.round(seconds * fps);
    }

    long frameTicks() {
        return Timestamps.PTS_HZ / fps;
    }

    byte[] bytes() {
        Random random = new Random(7);
        TsWriter psi = new TsWriter();
        TsWriter video = new TsWriter();
        TsWriter audio = new TsWriter();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] pat = TsWriter.patSection(1, 0, 1, PMT_PID);
        byte[] pmt = TsWriter.pmtSection(1, 0, VIDEO_PID, Pmt.STREAM_TYPE_H264, VIDEO_PID, 0x0F, AUDIO_PID);
        for (int f = 0; f < frames(); f++) {
            boolean key = f % gop == 0;
            if (key || f % 10 == 0) {
                out.writeBytes(psi.section(TsPacket.PAT_PID, pat).section(PMT_PID, pmt).toByteArray());
                psi.clear();
            }
            long pts = PTS_START + f * frameTicks();
            long pcr = pts * 300 - 27_000_000L / 10;
            byte[] v = video.pes(VIDEO_PID, 0xE0, pts, pts, accessUnit(key, random), pcr, key).toByteArray();
            video.clear();
            byte[] sound = new byte[300];
            random.nextBytes(sound);
            byte[] a = audio.pes(AUDIO_PID, 0xC0, pts, Timestamps.NONE, sound).toByteArray();
            audio.clear();
            // interleave: one audio packet after every second video packet
            int ai = 0;
            for (int vi = 0; vi < v.length; vi += TsPacket.SIZE) {
                out.write(v, vi, TsPacket.SIZE);
                if ((vi / TsPacket.SIZE) % 2 == 1 && ai < a.length) {
                    out.write(a, ai, TsPacket.SIZE);
                    ai += TsPacket.SIZE;
                }
            }
            out.write(a, ai, a.length - ai);
        }
        return out.toByteArray();
    }

    /** AUD, then for a keyframe SPS, PPS and a 400-byte SEI, then the slice (IDR or not). */
    private byte[] accessUnit(boolean key, Random random) {
        byte[] sei = new byte[400];
        Arrays.fill(sei, (byte) 0x55);
        sei[0] = 0x06;
        return AnnexB.accessUnit(key, frameBytes, random,
                new byte[] {0x67, 0x42, (byte) 0xC0, 0x1E, (byte) 0xDA, 0x05, 0x07, (byte) 0xC4},
                new byte[] {0x68, (byte) 0xCE, 0x3C, (byte) 0x80}, sei);
    }

    /** The stream cut into datagrams of seven packets (the last may be shorter). */
    static List<byte[]> datagrams(byte[] ts) {
        return Datagrams.sevenPackets(ts);
    }

    static int pid(byte[] b, int off) {
        return ((b[off + 1] & 0x1F) << 8) | (b[off + 2] & 0xFF);
    }

    static boolean unitStart(byte[] b, int off) {
        return (b[off + 1] & 0x40) != 0;
    }
}
