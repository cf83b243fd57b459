package io.streamtee.ts;

import java.util.Arrays;

/** Helpers shared by {@link H264} and {@link H265}. */
public final class Nal {
    private Nal() {
    }

    /**
     * Index of the first byte after the next Annex B start code (00 00 01) at or after {@code from}, or -1.
     * A four-byte start code 00 00 00 01 is found as well (its first zero is then the previous unit's trailing byte).
     */
    public static int nextStartCode(byte[] buf, int from, int to) {
        for (int i = from + 2; i < to; i++) {
            if (buf[i] == 1 && buf[i - 1] == 0 && buf[i - 2] == 0) {
                return i + 1;
            }
        }
        return -1;
    }

    /**
     * Copies a NAL unit to {@code dst} removing emulation prevention bytes (the 03 in 00 00 03). Returns the
     * number of bytes written; stops when {@code dst} is full.
     */
    public static int unescape(byte[] src, int off, int len, byte[] dst) {
        int n = 0;
        int zeros = 0;
        for (int i = off, end = off + len; i < end && n < dst.length; i++) {
            byte b = src[i];
            if (zeros >= 2 && b == 3) {
                zeros = 0;
                continue;
            }
            zeros = b == 0 ? zeros + 1 : 0;
            dst[n++] = b;
        }
        return n;
    }

    /**
     * A NAL unit's bytes with emulation prevention applied: an 03 inserted after every 00 00 that is followed by a
     * byte 00 to 03, and after a final 00 00 (ITU-T H.264 7.4.1). The input is the unit as RBSP, header byte included.
     */
    public static byte[] escape(byte[] rbsp, int off, int len) {
        byte[] out = new byte[len + len / 2 + 1];
        int n = 0;
        int zeros = 0;
        for (int i = off, end = off + len; i < end; i++) {
            byte b = rbsp[i];
            if (zeros >= 2 && (b & 0xFF) <= 3) {
                out[n++] = 3;
                zeros = 0;
            }
            out[n++] = b;
            zeros = b == 0 ? zeros + 1 : 0;
        }
        if (zeros >= 2) {
            out[n++] = 3;
        }
        return Arrays.copyOf(out, n);
    }

    /** Width, height and frame rate from a sequence parameter set; fps is 0 when the SPS has no timing info. */
    public record VideoSize(int width, int height, double fps) {
    }
}
