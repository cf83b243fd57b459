package io.streamtee.ts;

import io.streamtee.testing.AnnexB;
import io.streamtee.testing.BitWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * The test fixture: a clean synthetic transport stream, as a list of tagged packets that tests can mutate, drop or
 * duplicate before concatenating them. One program: PMT on {@link #PMT_PID}, H.264 video on {@link #VIDEO_PID}
 * (also the PCR PID), AAC-typed audio on {@link #AUDIO_PID}.
 *
 * <p>The timeline advances in 20 ms ticks: every tick a PCR-only packet, an audio PES and a null packet; every
 * second tick a video frame (25 fps), with an IDR and SPS/PPS every {@code gop} frames; every fifth tick PAT and PMT.
 */
final class SyntheticStream {
    static final int PMT_PID = 0x1000;
    static final int VIDEO_PID = 0x100;
    static final int AUDIO_PID = 0x101;
    static final long TICK_PCR = Timestamps.PCR_HZ / 50;
    static final long TICK_PTS = Timestamps.PTS_HZ / 50;
    static final long PCR_START = 10 * Timestamps.PCR_HZ;
    static final long PTS_START = 10 * Timestamps.PTS_HZ + 9000;

    /** One packet and what it is: pat, pmt, pcr, video, video-start, key-start, audio, null. */
    record Packet(byte[] bytes, String what, int tick) {
    }

    private double seconds = 2;
    private int gop = 25;
    private int width = 1920;
    private int height = 1080;
    private int fps = 25;
    private int frameBytes = 1500;
    private long seed = 1;

    SyntheticStream seconds(double s) {
        this.seconds = s;
        return this;
    }

    SyntheticStream gop(int frames) {
        this.gop = frames;
        return this;
    }

    SyntheticStream size(int w, int h) {
        this.width = w;
        this.height = h;
        return this;
    }

    SyntheticStream frameBytes(int n) {
        this.frameBytes = n;
        return this;
    }

    int frames() {
        return (int) Math.round(seconds * 25);
    }

    List<Packet> packets() {
        Random random = new Random(seed);
        TsWriter w = new TsWriter();
        List<Packet> list = new ArrayList<>();
        byte[] pat = TsWriter.patSection(1, 0, 1, PMT_PID);
        byte[] pmt = TsWriter.pmtSection(1, 0, VIDEO_PID, Pmt.STREAM_TYPE_H264, VIDEO_PID, 0x0F, AUDIO_PID);
        int ticks = (int) Math.round(seconds * 50);
        int frame = 0;
        for (int t = 0; t < ticks; t++) {
            if (t % 5 == 0) {
                add(list, w.section(0, pat), "pat", t);
                add(list, w.section(PMT_PID, pmt), "pmt", t);
            }
            add(list, w.pcr(VIDEO_PID, PCR_START + t * TICK_PCR), "pcr", t);
            if (t % 2 == 0) {
                boolean key = frame % gop == 0;
                long dts = PTS_START + t * TICK_PTS;
                long pts = dts + 2 * TICK_PTS;
                w.pes(VIDEO_PID, 0xE0, pts, dts, accessUnit(key, random), Timestamps.NONE, key);
                add(list, w, key ? "key-start" : "video-start", "video", t);
                frame++;
            }
            byte[] audio = new byte[200];
            random.nextBytes(audio);
            add(list, w.pes(AUDIO_PID, 0xC0, PTS_START + t * TICK_PTS, Timestamps.NONE, audio), "audio", t);
            add(list, w.nulls(1), "null", t);
        }
        return list;
    }

    private static void add(List<Packet> list, TsWriter w, String what, int tick) {
        add(list, w, what, what, tick);
    }

    private static void add(List<Packet> list, TsWriter w, String first, String rest, int tick) {
        byte[] b = w.toByteArray();
        w.clear();
        for (int off = 0; off < b.length; off += TsPacket.SIZE) {
            byte[] p = new byte[TsPacket.SIZE];
            System.arraycopy(b, off, p, 0, TsPacket.SIZE);
            list.add(new Packet(p, off == 0 ? first : rest, tick));
        }
    }

    /** An Annex B access unit: AUD, then SPS, PPS and an IDR slice for a keyframe, else a non-IDR slice. */
    byte[] accessUnit(boolean key, Random random) {
        return AnnexB.accessUnit(key, frameBytes, random, sps(width, height, fps),
                new byte[] {0x68, (byte) 0xEE, 0x3C, (byte) 0x80});
    }

    /** A High-profile SPS for the size (cropped to it from whole macroblocks) with VUI timing for {@code fps}. */
    static byte[] sps(int width, int height, int fps) {
        int mbsW = (width + 15) / 16;
        int mbsH = (height + 15) / 16;
        int cropRight = (mbsW * 16 - width) / 2;
        int cropBottom = (mbsH * 16 - height) / 2;
        BitWriter b = new BitWriter()
                .u(8, 0x67).u(8, 100).u(8, 0).u(8, 40)
                .ue(0) // sps id
                .ue(1) // chroma_format_idc 4:2:0
                .ue(0).ue(0).u(1, 0) // bit depths, qpprime
                .u(1, 0) // no scaling matrix
                .ue(0) // log2_max_frame_num_minus4
                .ue(0).ue(2) // poc type 0, log2_max_poc_lsb_minus4
                .ue(1).u(1, 0) // max_num_ref_frames, gaps
                .ue(mbsW - 1).ue(mbsH - 1)
                .u(1, 1) // frame_mbs_only
                .u(1, 1); // direct_8x8
        boolean crop = cropRight != 0 || cropBottom != 0;
        b.flag(crop);
        if (crop) {
            b.ue(0).ue(cropRight).ue(0).ue(cropBottom);
        }
        b.u(1, 1) // vui present
                .u(1, 1).u(8, 1) // aspect ratio 1:1
                .u(1, 0) // overscan
                .u(1, 0) // video signal type
                .u(1, 0) // chroma loc
                .u(1, 1).u(32, 1).u(32, 2L * fps).u(1, 1) // timing: fixed frame rate
                .u(1, 0).u(1, 0).u(1, 0).u(1, 0) // hrd, vcl hrd, pic_struct, bitstream restriction
                ;
        return b.rbspWithTrailingBits();
    }

    static byte[] concat(List<Packet> packets) {
        byte[] out = new byte[packets.size() * TsPacket.SIZE];
        for (int i = 0; i < packets.size(); i++) {
            System.arraycopy(packets.get(i).bytes(), 0, out, i * TsPacket.SIZE, TsPacket.SIZE);
        }
        return out;
    }

    byte[] bytes() {
        return concat(packets());
    }
}
