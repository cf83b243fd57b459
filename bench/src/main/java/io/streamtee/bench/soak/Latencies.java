package io.streamtee.bench.soak;

/**
 * A histogram of one-way latencies: 50 us buckets up to 5 s, one bucket beyond. Not thread-safe: each output's one
 * receiving thread has its own, read after a swap under the owner's lock.
 */
final class Latencies {

    private static final long BUCKET_NANOS = 50_000;
    private static final int BUCKETS = 100_000; // 5 s
    private final long[] counts = new long[BUCKETS + 1];
    private long total;
    private long maxNanos;

    void add(long nanos) {
        long n = Math.max(0, nanos);
        counts[(int) Math.min(BUCKETS, n / BUCKET_NANOS)]++;
        total++;
        maxNanos = Math.max(maxNanos, n);
    }

    void addAll(Latencies other) {
        for (int i = 0; i <= BUCKETS; i++) {
            counts[i] += other.counts[i];
        }
        total += other.total;
        maxNanos = Math.max(maxNanos, other.maxNanos);
    }

    long count() {
        return total;
    }

    /** The q-quantile (nearest rank) in milliseconds, the upper edge of its bucket; NaN when empty. */
    double quantileMs(double q) {
        if (total == 0) {
            return Double.NaN;
        }
        long rank = Math.max(1, (long) Math.ceil(q * total));
        long seen = 0;
        for (int i = 0; i <= BUCKETS; i++) {
            seen += counts[i];
            if (seen >= rank) {
                return i == BUCKETS ? maxNanos / 1e6 : (i + 1) * BUCKET_NANOS / 1e6;
            }
        }
        return maxNanos / 1e6;
    }

    double maxMs() {
        return maxNanos / 1e6;
    }
}
