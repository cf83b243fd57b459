package io.streamtee.analyze.health;

/**
 * Bytes per time over a sliding window, in {@value #BUCKETS} buckets; no allocation after construction. Before a
 * whole window has passed since the first byte, the rate is over the time since then.
 */
final class RateWindow {
    static final int BUCKETS = 50;

    private final long bucketNanos;
    private final long[] bytes = new long[BUCKETS];
    private final long[] index = new long[BUCKETS];
    private long firstNanos = Long.MIN_VALUE;

    RateWindow(long windowNanos) {
        this.bucketNanos = Math.max(1, windowNanos / BUCKETS);
        java.util.Arrays.fill(index, Long.MIN_VALUE);
    }

    void add(long n, long now) {
        if (firstNanos == Long.MIN_VALUE) {
            firstNanos = now;
        }
        long i = Math.floorDiv(now, bucketNanos);
        int slot = (int) Math.floorMod(i, (long) BUCKETS);
        if (index[slot] != i) {
            index[slot] = i;
            bytes[slot] = 0;
        }
        bytes[slot] += n;
    }

    /** Bits per second at {@code now}; 0 before the first byte. */
    long bitsPerSecond(long now) {
        if (firstNanos == Long.MIN_VALUE) {
            return 0;
        }
        long i = Math.floorDiv(now, bucketNanos);
        long sum = 0;
        for (int k = 0; k < BUCKETS; k++) {
            if (index[k] > i - BUCKETS && index[k] <= i) {
                sum += bytes[k];
            }
        }
        long start = Math.max((i - BUCKETS + 1) * bucketNanos, firstNanos);
        long span = Math.max(bucketNanos, now - start);
        return (long) (sum * 8 * 1e9 / span);
    }
}
