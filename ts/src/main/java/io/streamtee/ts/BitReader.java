package io.streamtee.ts;

/**
 * Reads bits and exp-Golomb codes from an RBSP (emulation prevention already removed). Reading past the end
 * returns zeros and sets {@link #overrun()} instead of throwing, so parsers check once at the end.
 */
final class BitReader {
    private byte[] buf;
    private int end;
    private long bit;
    private boolean overrun;

    BitReader reset(byte[] buf, int off, int len) {
        this.buf = buf;
        this.end = off + len;
        this.bit = (long) off * 8;
        this.overrun = false;
        return this;
    }

    int bit() {
        int byteIndex = (int) (bit >>> 3);
        if (byteIndex >= end) {
            overrun = true;
            return 0;
        }
        int v = (buf[byteIndex] >> (7 - (int) (bit & 7))) & 1;
        bit++;
        return v;
    }

    boolean flag() {
        return bit() != 0;
    }

    /** Up to 32 bits, unsigned (returned in a long). */
    long bits(int n) {
        long v = 0;
        for (int i = 0; i < n; i++) {
            v = (v << 1) | bit();
        }
        return v;
    }

    int u(int n) {
        return (int) bits(n);
    }

    void skip(int n) {
        bit += n;
        if (bit > (long) end * 8) {
            overrun = true;
        }
    }

    /** ue(v); an impossible code (more than 31 leading zeros) sets overrun and returns 0. */
    int ue() {
        int zeros = 0;
        while (bit() == 0) {
            if (overrun || ++zeros > 31) {
                overrun = true;
                return 0;
            }
        }
        return (int) ((1L << zeros) - 1 + bits(zeros));
    }

    /** se(v). */
    int se() {
        int k = ue();
        return (k & 1) != 0 ? (k + 1) / 2 : -(k / 2);
    }

    boolean overrun() {
        return overrun;
    }
}
