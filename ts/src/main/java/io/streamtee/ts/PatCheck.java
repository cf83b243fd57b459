package io.streamtee.ts;

import java.nio.ByteBuffer;

/**
 * Whether a datagram starts a real stream: it holds a PAT section (PID 0, table 0) that fits its packet and whose
 * CRC-32 checks. Random bytes that happen to look like TS packets pass this about once in four billion times. The
 * services give it to core's UDP receiver as the test of a source that starts a stream.
 */
public final class PatCheck {
    private PatCheck() {
    }

    /** Whole TS packets in {@code datagram}'s remaining bytes (left as they are); true when one holds a good PAT. */
    public static boolean startsStream(ByteBuffer datagram) {
        if (!datagram.hasArray()) {
            return false;
        }
        byte[] b = datagram.array();
        int base = datagram.arrayOffset() + datagram.position();
        int end = base + datagram.remaining();
        for (int p = base; p + TsPacket.SIZE <= end; p += TsPacket.SIZE) {
            if (isPat(b, p)) {
                return true;
            }
        }
        return false;
    }

    private static boolean isPat(byte[] b, int p) {
        boolean unitStart = (b[p + 1] & 0x40) != 0;
        int pid = ((b[p + 1] & 0x1F) << 8) | (b[p + 2] & 0xFF);
        int adaptation = (b[p + 3] >> 4) & 0x3;
        if (pid != 0 || !unitStart || (adaptation & 0x1) == 0) {
            return false;
        }
        int off = p + 4;
        if (adaptation == 3) {
            off += 1 + (b[off] & 0xFF);
        }
        int end = p + TsPacket.SIZE;
        if (off >= end) {
            return false;
        }
        off += 1 + (b[off] & 0xFF); // pointer field
        if (off + 3 > end || b[off] != 0) {
            return false;
        }
        int length = ((b[off + 1] & 0x0F) << 8) | (b[off + 2] & 0xFF);
        int sectionEnd = off + 3 + length;
        return length >= 9 && sectionEnd <= end && Crc32Mpeg2.compute(b, off, 3 + length) == 0;
    }
}
