package io.streamtee.ts;

/**
 * The PES header, in one place: which stream ids carry the optional header, the 33-bit PTS/DTS fields (read, write,
 * shift in place), and the header a writer puts in front of a payload. ISO/IEC 13818-1, 2.4.3.6 and 2.4.3.7.
 *
 * <p>A PTS or DTS field is five bytes: a 4-bit prefix ({@code 0010} PTS only, {@code 0011} PTS of a PTS+DTS pair,
 * {@code 0001} its DTS), the 33-bit value in pieces of 3, 15 and 15 bits, and a marker bit 1 after each piece.
 */
public final class Pes {
    /** Bytes of the fixed header: start code (3), stream id, PES_packet_length (2), two flag bytes, header length. */
    public static final int FIXED_HEADER = 9;
    /** Bytes of one PTS or DTS field. */
    public static final int TIMESTAMP_SIZE = 5;

    private Pes() {
    }

    /**
     * True when a PES of this stream id has the optional header (flags, PTS/DTS); false for the padding, private 2,
     * ECM, EMM, DSMCC, H.222.1 type E and directory streams, whose payload follows the packet length directly.
     */
    public static boolean hasOptionalHeader(int streamId) {
        return !(streamId == 0xBC || streamId == 0xBE || streamId == 0xBF || streamId == 0xF0 || streamId == 0xF1
                || streamId == 0xF2 || streamId == 0xF8 || streamId == 0xFF);
    }

    /** The 33-bit value of the PTS or DTS field at {@code at}; the prefix and marker bits are ignored. */
    public static long readTimestamp(byte[] b, int at) {
        return ((b[at] & 0x0EL) << 29)
                | ((b[at + 1] & 0xFFL) << 22)
                | ((b[at + 2] & 0xFEL) << 14)
                | ((b[at + 3] & 0xFFL) << 7)
                | ((b[at + 4] & 0xFEL) >> 1);
    }

    /** Writes a PTS or DTS field at {@code at}: the 4-bit {@code prefix}, {@code value} modulo 2^33, marker bits. */
    public static void writeTimestamp(byte[] b, int at, int prefix, long value) {
        long v = Math.floorMod(value, Timestamps.PTS_WRAP);
        b[at] = (byte) ((prefix << 4) | ((v >> 29) & 0x0E) | 1);
        b[at + 1] = (byte) (v >> 22);
        b[at + 2] = (byte) (((v >> 14) & 0xFE) | 1);
        b[at + 3] = (byte) (v >> 7);
        b[at + 4] = (byte) (((v << 1) & 0xFE) | 1);
    }

    /** Rewrites the value of the PTS or DTS field at {@code at}, keeping the 4-bit prefix already there. */
    public static void rewriteTimestamp(byte[] b, int at, long value) {
        writeTimestamp(b, at, (b[at] >> 4) & 0x0F, value);
    }

    /**
     * The length of the PES header {@link #writeHeader} writes: {@value #FIXED_HEADER} bytes, plus 5 for a PTS, plus
     * 5 more for a DTS that differs from it.
     */
    public static int headerLength(long pts, long dts) {
        return FIXED_HEADER + (pts == Timestamps.NONE ? 0 : hasDistinctDts(pts, dts) ? 2 : 1) * TIMESTAMP_SIZE;
    }

    private static boolean hasDistinctDts(long pts, long dts) {
        return dts != Timestamps.NONE && dts != pts;
    }

    /**
     * Writes a PES header at {@code at} ({@link #headerLength} bytes) for {@code payloadLength} bytes of payload:
     * PTS when {@code pts} is not {@link Timestamps#NONE}, DTS too when it is another value. PES_packet_length is 0
     * (unbounded, allowed for video) when the packet would be longer than 65535 bytes.
     *
     * @return the header length
     */
    public static int writeHeader(byte[] b, int at, int streamId, long pts, long dts, int payloadLength) {
        boolean hasDts = hasDistinctDts(pts, dts);
        int length = headerLength(pts, dts);
        b[at] = 0;
        b[at + 1] = 0;
        b[at + 2] = 1;
        b[at + 3] = (byte) streamId;
        int pesLen = length - 6 + payloadLength;
        if (pesLen > 0xFFFF) {
            pesLen = 0;
        }
        b[at + 4] = (byte) (pesLen >> 8);
        b[at + 5] = (byte) pesLen;
        b[at + 6] = (byte) 0x80;
        b[at + 7] = (byte) (pts == Timestamps.NONE ? 0 : hasDts ? 0xC0 : 0x80);
        b[at + 8] = (byte) (length - FIXED_HEADER);
        if (pts != Timestamps.NONE) {
            writeTimestamp(b, at + FIXED_HEADER, hasDts ? 3 : 2, pts);
            if (hasDts) {
                writeTimestamp(b, at + FIXED_HEADER + TIMESTAMP_SIZE, 1, dts);
            }
        }
        return length;
    }

    /**
     * Offset of the PES header's PTS_DTS flags byte in a transport packet that starts a PES with an optional header,
     * or -1. PSI sections never match: their payload starts with a pointer field, not the 00 00 01 start code.
     */
    private static int flagsOffset(byte[] buf, int off) {
        if (!TsPacket.payloadUnitStart(buf, off)) {
            return -1;
        }
        int p = TsPacket.payloadOffset(buf, off);
        if (p < 0 || p + FIXED_HEADER > off + TsPacket.SIZE) {
            return -1;
        }
        if (buf[p] != 0 || buf[p + 1] != 0 || buf[p + 2] != 1) {
            return -1;
        }
        if (!hasOptionalHeader(buf[p + 3] & 0xFF)) {
            return -1;
        }
        if ((buf[p + 6] & 0xC0) != 0x80) {
            return -1;
        }
        return p + 7;
    }

    /** The DTS (or the PTS when there is no DTS) of the PES starting in this transport packet, or -1. */
    public static long decodeTime(byte[] buf, int off) {
        int f = flagsOffset(buf, off);
        if (f < 0) {
            return -1;
        }
        int flags = (buf[f] >> 6) & 0x3;
        if (flags == 3 && f + 2 + 10 <= off + TsPacket.SIZE) {
            return readTimestamp(buf, f + 7);
        }
        if (flags >= 2 && f + 2 + 5 <= off + TsPacket.SIZE) {
            return readTimestamp(buf, f + 2);
        }
        return -1;
    }

    /** Adds {@code shift} (90 kHz ticks) to the PTS and DTS of the PES starting in this transport packet, if any. */
    public static void shiftTimestamps(byte[] buf, int off, long shift) {
        int f = flagsOffset(buf, off);
        if (f < 0) {
            return;
        }
        int flags = (buf[f] >> 6) & 0x3;
        if (flags >= 2 && f + 2 + 5 <= off + TsPacket.SIZE) {
            rewriteTimestamp(buf, f + 2, readTimestamp(buf, f + 2) + shift);
        }
        if (flags == 3 && f + 2 + 10 <= off + TsPacket.SIZE) {
            rewriteTimestamp(buf, f + 7, readTimestamp(buf, f + 7) + shift);
        }
    }
}
