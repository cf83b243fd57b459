package io.streamtee.ts;

/**
 * CRC-32/MPEG-2 (polynomial 0x04C11DB7, initial value 0xFFFFFFFF, not reflected, no final xor), the CRC that
 * ends every PSI section. Run over a whole section including its CRC field, it yields 0 when the section is intact.
 */
public final class Crc32Mpeg2 {
    private static final int[] TABLE = new int[256];

    static {
        for (int i = 0; i < 256; i++) {
            int c = i << 24;
            for (int k = 0; k < 8; k++) {
                c = (c & 0x80000000) != 0 ? (c << 1) ^ 0x04C11DB7 : c << 1;
            }
            TABLE[i] = c;
        }
    }

    private Crc32Mpeg2() {
    }

    public static int compute(byte[] buf, int off, int len) {
        int crc = 0xFFFFFFFF;
        for (int i = off, end = off + len; i < end; i++) {
            crc = (crc << 8) ^ TABLE[((crc >>> 24) ^ buf[i]) & 0xFF];
        }
        return crc;
    }
}
