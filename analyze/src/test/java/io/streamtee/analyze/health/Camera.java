package io.streamtee.analyze.health;

import io.streamtee.testing.AnnexB;
import io.streamtee.testing.BitWriter;
import io.streamtee.ts.Pmt;
import io.streamtee.ts.Timestamps;
import io.streamtee.ts.TsPacket;
import io.streamtee.ts.TsWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * A synthetic camera for the health tests: one program, H.264 video on {@link #VIDEO_PID} (also the PCR PID), audio
 * on {@link #AUDIO_PID}, PMT on {@link #PMT_PID}, written with the ts module's {@link TsWriter}. Time goes in 20 ms
 * ticks: every tick a PCR-only packet, an audio PES and a null packet; every second tick a video frame (25 fps,
 * a keyframe with SPS/PPS every 25 frames); every fifth tick PAT and PMT. Its fields can be changed between ticks to
 * script a stream: picture size, frame bytes, a PCR or PTS jump, PAT or audio left out.
 */
final class Camera {
    static final int PMT_PID = 0x1000;
    static final int VIDEO_PID = 0x100;
    static final int AUDIO_PID = 0x101;
    static final long TICK_NANOS = 20_000_000L;

    private final TsWriter w = new TsWriter();
    private final Random random;
    private final long pcrStart;
    private final long ptsStart;
    private final byte[] pat = TsWriter.patSection(1, 0, 1, PMT_PID);
    private final byte[] pmt = TsWriter.pmtSection(1, 0, VIDEO_PID, Pmt.STREAM_TYPE_H264, VIDEO_PID, 0x0F, AUDIO_PID);
    private final byte[] audioOnlyPmt = TsWriter.pmtSection(1, 0, VIDEO_PID, 0x0F, AUDIO_PID);
    private int tick;
    private int frame;

    int width = 1920;
    int height = 1080;
    int frameBytes = 1500;
    /** Added to every PCR from now on, in 27 MHz ticks (no discontinuity_indicator: a PCR error). */
    long pcrJump;
    /** Added to every PTS and DTS from now on, in 90 kHz ticks. */
    long ptsJump;
    boolean sendPat = true;
    boolean sendAudio = true;
    /** False: a PMT with audio only, and no video frames (the PCR stays on {@link #VIDEO_PID}). */
    boolean video = true;
    /** False: an SPS without timing info, so the frame rate is known only from the timestamps. */
    boolean timing = true;

    /** A camera whose clocks start at {@code startSeconds} and whose random slices come from {@code seed}. */
    Camera(long seed, int startSeconds) {
        this.random = new Random(seed);
        this.pcrStart = startSeconds * Timestamps.PCR_HZ;
        this.ptsStart = startSeconds * Timestamps.PTS_HZ + 9000;
    }

    /** The ticks written so far. */
    int ticks() {
        return tick;
    }

    /** The 188-byte packets of the next tick, in order. */
    List<byte[]> next() {
        int t = tick++;
        if (t % 5 == 0) {
            if (sendPat) {
                w.section(0, pat);
            }
            w.section(PMT_PID, video ? pmt : audioOnlyPmt);
        }
        w.pcr(VIDEO_PID, pcrStart + t * (Timestamps.PCR_HZ / 50) + pcrJump);
        if (t % 2 == 0 && video) {
            boolean key = frame % 25 == 0;
            long dts = ptsStart + t * (Timestamps.PTS_HZ / 50) + ptsJump;
            byte[] au = AnnexB.accessUnit(key, frameBytes, random, sps(width, height, timing ? 25 : 0),
                    new byte[] {0x68, (byte) 0xEE, 0x3C, (byte) 0x80});
            w.pes(VIDEO_PID, 0xE0, dts + 2 * (Timestamps.PTS_HZ / 50), dts, au, Timestamps.NONE, key);
            frame++;
        }
        if (sendAudio) {
            byte[] audio = new byte[200];
            random.nextBytes(audio);
            w.pes(AUDIO_PID, 0xC0, ptsStart + t * (Timestamps.PTS_HZ / 50) + ptsJump, Timestamps.NONE, audio);
        }
        w.nulls(1);
        byte[] b = w.toByteArray();
        w.clear();
        List<byte[]> packets = new ArrayList<>();
        for (int off = 0; off < b.length; off += TsPacket.SIZE) {
            byte[] p = new byte[TsPacket.SIZE];
            System.arraycopy(b, off, p, 0, TsPacket.SIZE);
            packets.add(p);
        }
        return packets;
    }

    /**
     * A High-profile SPS for the size (cropped from whole macroblocks) with VUI timing for {@code fps}, or none for an
     * {@code fps} of 0.
     */
    static byte[] sps(int width, int height, int fps) {
        int mbsW = (width + 15) / 16;
        int mbsH = (height + 15) / 16;
        int cropRight = (mbsW * 16 - width) / 2;
        int cropBottom = (mbsH * 16 - height) / 2;
        BitWriter b = new BitWriter().u(8, 0x67).u(8, 100).u(8, 0).u(8, 40)
                .ue(0).ue(1).ue(0).ue(0).u(1, 0).u(1, 0)
                .ue(0).ue(0).ue(2).ue(1).u(1, 0)
                .ue(mbsW - 1).ue(mbsH - 1)
                .u(1, 1).u(1, 1);
        boolean crop = cropRight != 0 || cropBottom != 0;
        b.u(1, crop ? 1 : 0);
        if (crop) {
            b.ue(0).ue(cropRight).ue(0).ue(cropBottom);
        }
        b.u(1, 1).u(1, 1).u(8, 1).u(1, 0).u(1, 0).u(1, 0);
        if (fps > 0) {
            b.u(1, 1).u(32, 1).u(32, 2L * fps).u(1, 1);
        } else {
            b.u(1, 0);
        }
        b.u(1, 0).u(1, 0).u(1, 0).u(1, 0);
        return b.rbspWithTrailingBits();
    }
}
