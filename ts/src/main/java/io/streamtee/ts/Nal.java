package io.streamtee.ts;

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

    /** Width, height and frame rate from a sequence parameter set; fps is 0 when the SPS has no timing info. */
    public record VideoSize(int width, int height, double fps) {
    }
}
