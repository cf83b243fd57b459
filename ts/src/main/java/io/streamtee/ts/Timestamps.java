package io.streamtee.ts;

/** Arithmetic on PCR (27 MHz, 33+9 bits) and PTS/DTS (90 kHz, 33 bits) values, including wrap-around. */
public final class Timestamps {
    /** PCR ticks per second. */
    public static final long PCR_HZ = 27_000_000L;
    /** PTS/DTS ticks per second. */
    public static final long PTS_HZ = 90_000L;
    /** PTS values wrap at 2^33. */
    public static final long PTS_WRAP = 1L << 33;
    /** PCR values wrap at 2^33 * 300. */
    public static final long PCR_WRAP = PTS_WRAP * 300;
    /** Marker for "no timestamp" in callbacks. */
    public static final long NONE = -1;

    private Timestamps() {
    }

    public static long pcrToNanos(long pcrTicks) {
        return pcrTicks * 1000 / 27;
    }

    public static long ptsToNanos(long ptsTicks) {
        return ptsTicks * 100_000 / 9;
    }

    /** {@code to - from} in PCR ticks, taking the shortest way round the wrap, so negative when {@code to} is older. */
    public static long pcrDiff(long from, long to) {
        return shortest(to - from, PCR_WRAP);
    }

    /** {@code to - from} in 90 kHz ticks, taking the shortest way round the wrap. */
    public static long ptsDiff(long from, long to) {
        return shortest(to - from, PTS_WRAP);
    }

    private static long shortest(long d, long wrap) {
        d = Math.floorMod(d, wrap);
        return d >= wrap / 2 ? d - wrap : d;
    }
}
