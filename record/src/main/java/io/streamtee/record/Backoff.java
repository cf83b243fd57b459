package io.streamtee.record;

import java.time.Duration;
import java.util.random.RandomGenerator;

/**
 * How long the {@link Uploader} waits after failed attempts: {@code initial}, doubling up to {@code max}, each wait
 * drawn between half and all of that (jitter, so that many recorders that lost the same store do not come back in
 * step).
 */
record Backoff(Duration initial, Duration max) {

    /** 1 s, 2 s, 4 s, ... up to a minute. */
    static final Backoff DEFAULT = new Backoff(Duration.ofSeconds(1), Duration.ofSeconds(60));

    Backoff {
        if (initial.isNegative() || initial.isZero() || max.compareTo(initial) < 0) {
            throw new IllegalArgumentException("backoff: need 0 < initial <= max, got " + initial + ", " + max);
        }
    }

    /** The wait after the {@code failures}-th failure in a row (1 for the first). */
    long delayMillis(int failures, RandomGenerator random) {
        long ceiling = max.toMillis();
        long base = initial.toMillis();
        for (int i = 1; i < failures && base < ceiling; i++) {
            base *= 2;
        }
        base = Math.min(base, ceiling);
        return base - random.nextLong(base / 2 + 1);
    }
}
