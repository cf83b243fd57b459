package io.streamtee.ts;

import java.util.Arrays;

/**
 * One H.264 or H.265 access unit as its PES carried it: the Annex B byte stream (start codes, parameter sets, SEI,
 * slices), its timestamps, whether it is a keyframe, and whether packets of it were lost.
 *
 * <p>{@link AccessUnitAssembler} hands out one instance that it reuses: its contents are valid only during the
 * callback; copy what you keep ({@link #toByteArray()}).
 */
public final class AccessUnit {
    byte[] data;
    int length;
    int pid;
    int streamType;
    long pts = Timestamps.NONE;
    long dts = Timestamps.NONE;
    boolean keyframe;
    boolean damaged;
    long position;

    AccessUnit() {
    }

    /**
     * An access unit made by hand (tests, a file read by other means): {@code data} is used as it is, not copied.
     *
     * @param streamType {@link Pmt#STREAM_TYPE_H264} or {@link Pmt#STREAM_TYPE_H265}
     */
    public static AccessUnit of(int streamType, byte[] data, long pts, long dts, boolean keyframe) {
        AccessUnit au = new AccessUnit();
        au.data = data;
        au.length = data.length;
        au.pid = -1;
        au.streamType = streamType;
        au.pts = pts;
        au.dts = dts;
        au.keyframe = keyframe;
        au.position = -1;
        return au;
    }

    /** The bytes, from index 0 to {@link #length()}; the array may be longer. */
    public byte[] data() {
        return data;
    }

    public int length() {
        return length;
    }

    /** The PID it came on, or -1 when made by hand. */
    public int pid() {
        return pid;
    }

    /** The PMT stream type: {@link Pmt#STREAM_TYPE_H264} or {@link Pmt#STREAM_TYPE_H265}. */
    public int streamType() {
        return streamType;
    }

    /** The PTS in 90 kHz ticks, or {@link Timestamps#NONE}. */
    public long pts() {
        return pts;
    }

    /** The DTS in 90 kHz ticks (the PTS when the PES had no DTS), or {@link Timestamps#NONE}. */
    public long dts() {
        return dts;
    }

    /** An IDR picture (H.264) or an IRAP picture (H.265): decoding can start here. */
    public boolean keyframe() {
        return keyframe;
    }

    /** A continuity error on its PID while it arrived: packets of it (or of its tail) may be missing. */
    public boolean damaged() {
        return damaged;
    }

    /** The stream offset of the transport packet that began its PES, or -1 when made by hand. */
    public long position() {
        return position;
    }

    /** A copy of the bytes. */
    public byte[] toByteArray() {
        return Arrays.copyOf(data, length);
    }

    @Override
    public String toString() {
        return "AccessUnit[" + Pmt.codecName(streamType) + " pid=" + pid + " pts=" + pts + " dts=" + dts + " bytes="
                + length + (keyframe ? " key" : "") + (damaged ? " damaged" : "") + "]";
    }
}
