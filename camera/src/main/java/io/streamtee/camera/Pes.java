package io.streamtee.camera;

import io.streamtee.ts.Timestamps;
import io.streamtee.ts.TsPacket;

/** The PES header fields the camera reads and rewrites: PTS and DTS in the packet where a PES starts. */
final class Pes {

    private Pes() {
    }

    /**
     * Offset of the PES header's PTS_DTS flags byte in a packet that starts a PES with an optional header, or -1.
     * PSI sections never match: their payload starts with a pointer field, not the 00 00 01 start code.
     */
    private static int flagsOffset(byte[] buf, int off) {
        if (!TsPacket.payloadUnitStart(buf, off)) {
            return -1;
        }
        int p = TsPacket.payloadOffset(buf, off);
        if (p < 0 || p + 9 > off + TsPacket.SIZE) {
            return -1;
        }
        if (buf[p] != 0 || buf[p + 1] != 0 || buf[p + 2] != 1) {
            return -1;
        }
        int streamId = buf[p + 3] & 0xFF;
        if (streamId == 0xBC || streamId == 0xBE || streamId == 0xBF || streamId == 0xF0 || streamId == 0xF1
                || streamId == 0xF2 || streamId == 0xF8 || streamId == 0xFF) {
            return -1;
        }
        if ((buf[p + 6] & 0xC0) != 0x80) {
            return -1;
        }
        return p + 7;
    }

    /** The DTS (or the PTS when there is no DTS) of the PES starting in this packet, or -1. */
    static long decodeTime(byte[] buf, int off) {
        int f = flagsOffset(buf, off);
        if (f < 0) {
            return -1;
        }
        int flags = (buf[f] >> 6) & 0x3;
        if (flags == 3 && f + 2 + 10 <= off + TsPacket.SIZE) {
            return read(buf, f + 7);
        }
        if (flags >= 2 && f + 2 + 5 <= off + TsPacket.SIZE) {
            return read(buf, f + 2);
        }
        return -1;
    }

    /** Adds {@code shift} (90 kHz ticks) to the PTS and DTS of the PES starting in this packet, if any. */
    static void shiftTimestamps(byte[] buf, int off, long shift) {
        int f = flagsOffset(buf, off);
        if (f < 0) {
            return;
        }
        int flags = (buf[f] >> 6) & 0x3;
        if (flags >= 2 && f + 2 + 5 <= off + TsPacket.SIZE) {
            write(buf, f + 2, read(buf, f + 2) + shift);
        }
        if (flags == 3 && f + 2 + 10 <= off + TsPacket.SIZE) {
            write(buf, f + 7, read(buf, f + 7) + shift);
        }
    }

    static long read(byte[] b, int at) {
        return ((b[at] & 0x0EL) << 29)
                | ((b[at + 1] & 0xFFL) << 22)
                | ((b[at + 2] & 0xFEL) << 14)
                | ((b[at + 3] & 0xFFL) << 7)
                | ((b[at + 4] & 0xFEL) >> 1);
    }

    /** Writes a timestamp, keeping the 4-bit prefix and the marker bits already there. */
    static void write(byte[] b, int at, long value) {
        long v = Math.floorMod(value, Timestamps.PTS_WRAP);
        b[at] = (byte) ((b[at] & 0xF0) | ((v >> 29) & 0x0E) | 1);
        b[at + 1] = (byte) (v >> 22);
        b[at + 2] = (byte) (((v >> 14) & 0xFE) | 1);
        b[at + 3] = (byte) (v >> 7);
        b[at + 4] = (byte) (((v << 1) & 0xFE) | 1);
    }
}
