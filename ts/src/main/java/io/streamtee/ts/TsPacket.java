package io.streamtee.ts;

/**
 * Static accessors over one 188-byte transport packet at {@code buf[off]}. They read or write only the bytes they
 * name and never allocate. Callers make sure the packet is complete ({@code off + 188 <= buf.length}).
 */
public final class TsPacket {
    /** Packet size in bytes. */
    public static final int SIZE = 188;
    /** The sync byte that starts every packet. */
    public static final int SYNC_BYTE = 0x47;
    /** PID of the Program Association Table. */
    public static final int PAT_PID = 0x0000;
    /** PID of null (stuffing) packets. */
    public static final int NULL_PID = 0x1FFF;
    /** Number of distinct PIDs. */
    public static final int PID_COUNT = 8192;

    private TsPacket() {
    }

    public static boolean hasSync(byte[] buf, int off) {
        return buf[off] == SYNC_BYTE;
    }

    /** transport_error_indicator (TEI): the packet is known to be corrupt. */
    public static boolean transportError(byte[] buf, int off) {
        return (buf[off + 1] & 0x80) != 0;
    }

    /** payload_unit_start_indicator: a PES packet or a PSI section starts in this packet. */
    public static boolean payloadUnitStart(byte[] buf, int off) {
        return (buf[off + 1] & 0x40) != 0;
    }

    public static int pid(byte[] buf, int off) {
        return ((buf[off + 1] & 0x1F) << 8) | (buf[off + 2] & 0xFF);
    }

    /** transport_scrambling_control, 0 when not scrambled. */
    public static int scrambling(byte[] buf, int off) {
        return (buf[off + 3] >> 6) & 0x3;
    }

    /** adaptation_field_control: 1 payload only, 2 adaptation field only, 3 both, 0 reserved. */
    public static int adaptationFieldControl(byte[] buf, int off) {
        return (buf[off + 3] >> 4) & 0x3;
    }

    public static boolean hasAdaptationField(byte[] buf, int off) {
        return (buf[off + 3] & 0x20) != 0;
    }

    public static boolean hasPayload(byte[] buf, int off) {
        return (buf[off + 3] & 0x10) != 0;
    }

    /** continuity_counter, 0..15. */
    public static int continuityCounter(byte[] buf, int off) {
        return buf[off + 3] & 0x0F;
    }

    /** adaptation_field_length, or -1 when the packet has no adaptation field. */
    public static int adaptationFieldLength(byte[] buf, int off) {
        return hasAdaptationField(buf, off) ? buf[off + 4] & 0xFF : -1;
    }

    /**
     * Offset in {@code buf} of the first payload byte, or -1 when the packet has no payload or a malformed
     * adaptation field length.
     */
    public static int payloadOffset(byte[] buf, int off) {
        int b3 = buf[off + 3];
        if ((b3 & 0x10) == 0) {
            return -1;
        }
        if ((b3 & 0x20) == 0) {
            return off + 4;
        }
        int start = off + 5 + (buf[off + 4] & 0xFF);
        return start < off + SIZE ? start : -1;
    }

    /** Flags byte of the adaptation field, or 0 when there is none or it is empty. */
    private static int adaptationFlags(byte[] buf, int off) {
        return hasAdaptationField(buf, off) && (buf[off + 4] & 0xFF) > 0 ? buf[off + 5] & 0xFF : 0;
    }

    /** discontinuity_indicator of the adaptation field. */
    public static boolean discontinuity(byte[] buf, int off) {
        return (adaptationFlags(buf, off) & 0x80) != 0;
    }

    /** random_access_indicator of the adaptation field (set by many muxers on keyframes, not by all). */
    public static boolean randomAccess(byte[] buf, int off) {
        return (adaptationFlags(buf, off) & 0x40) != 0;
    }

    /** True when the adaptation field carries a PCR. */
    public static boolean hasPcr(byte[] buf, int off) {
        return (adaptationFlags(buf, off) & 0x10) != 0 && (buf[off + 4] & 0xFF) >= 7;
    }

    /**
     * The PCR in 27 MHz ticks ({@code base * 300 + extension}), valid only when {@link #hasPcr} is true.
     * Convert with {@link Timestamps#pcrToNanos} and compare with {@link Timestamps#pcrDiff}.
     */
    public static long pcr(byte[] buf, int off) {
        long base = ((buf[off + 6] & 0xFFL) << 25)
                | ((buf[off + 7] & 0xFFL) << 17)
                | ((buf[off + 8] & 0xFFL) << 9)
                | ((buf[off + 9] & 0xFFL) << 1)
                | ((buf[off + 10] & 0xFFL) >> 7);
        int ext = ((buf[off + 10] & 0x01) << 8) | (buf[off + 11] & 0xFF);
        return base * 300 + ext;
    }

    /** Overwrites the PCR of a packet that already carries one ({@link #hasPcr}); returns false otherwise. */
    public static boolean setPcr(byte[] buf, int off, long pcr) {
        if (!hasPcr(buf, off)) {
            return false;
        }
        writePcr(buf, off + 6, pcr);
        return true;
    }

    static void writePcr(byte[] buf, int at, long pcr) {
        long p = Math.floorMod(pcr, Timestamps.PCR_WRAP);
        long base = p / 300;
        int ext = (int) (p % 300);
        buf[at] = (byte) (base >>> 25);
        buf[at + 1] = (byte) (base >>> 17);
        buf[at + 2] = (byte) (base >>> 9);
        buf[at + 3] = (byte) (base >>> 1);
        buf[at + 4] = (byte) (((base & 1) << 7) | 0x7E | (ext >>> 8));
        buf[at + 5] = (byte) ext;
    }

    public static void setContinuityCounter(byte[] buf, int off, int cc) {
        buf[off + 3] = (byte) ((buf[off + 3] & 0xF0) | (cc & 0x0F));
    }

    /**
     * Sets discontinuity_indicator. A packet without an adaptation field (or with an empty one) has no room for
     * the flag without moving the payload, so it is left alone and false is returned.
     */
    public static boolean setDiscontinuity(byte[] buf, int off) {
        if (!hasAdaptationField(buf, off) || (buf[off + 4] & 0xFF) == 0) {
            return false;
        }
        buf[off + 5] |= (byte) 0x80;
        return true;
    }
}
