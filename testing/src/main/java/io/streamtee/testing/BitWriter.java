package io.streamtee.testing;

import java.io.ByteArrayOutputStream;

/** Writes bits and exp-Golomb codes, to build H.264/H.265 parameter sets (SPS) for tests. */
public final class BitWriter {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private int cur;
    private int n;

    public BitWriter u(int bits, long value) {
        for (int i = bits - 1; i >= 0; i--) {
            cur = (cur << 1) | (int) ((value >> i) & 1);
            if (++n == 8) {
                out.write(cur);
                cur = 0;
                n = 0;
            }
        }
        return this;
    }

    public BitWriter flag(boolean f) {
        return u(1, f ? 1 : 0);
    }

    public BitWriter ue(int v) {
        long x = v + 1L;
        int len = 64 - Long.numberOfLeadingZeros(x);
        u(len - 1, 0);
        return u(len, x);
    }

    public BitWriter se(int v) {
        return ue(v <= 0 ? -2 * v : 2 * v - 1);
    }

    /** Adds rbsp_trailing_bits and returns the bytes, with emulation prevention inserted. */
    public byte[] rbspWithTrailingBits() {
        u(1, 1);
        while (n != 0) {
            u(1, 0);
        }
        byte[] raw = out.toByteArray();
        ByteArrayOutputStream esc = new ByteArrayOutputStream();
        int zeros = 0;
        for (byte b : raw) {
            if (zeros >= 2 && (b & 0xFF) <= 3) {
                esc.write(3);
                zeros = 0;
            }
            esc.write(b);
            zeros = b == 0 ? zeros + 1 : 0;
        }
        return esc.toByteArray();
    }
}
