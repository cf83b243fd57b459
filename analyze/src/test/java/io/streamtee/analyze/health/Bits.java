package io.streamtee.analyze.health;

import java.io.ByteArrayOutputStream;

/** Writes bits and exp-Golomb codes, to build the SPS of {@link Camera}. */
final class Bits {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private int cur;
    private int n;

    Bits u(int bits, long value) {
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

    Bits ue(int v) {
        long x = v + 1L;
        int len = 64 - Long.numberOfLeadingZeros(x);
        u(len - 1, 0);
        return u(len, x);
    }

    /** Adds rbsp_trailing_bits and returns the bytes, with emulation prevention inserted. */
    byte[] rbsp() {
        u(1, 1);
        while (n != 0) {
            u(1, 0);
        }
        ByteArrayOutputStream esc = new ByteArrayOutputStream();
        int zeros = 0;
        for (byte b : out.toByteArray()) {
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
