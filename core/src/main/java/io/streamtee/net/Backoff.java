package io.streamtee.net;

import java.time.Duration;
import java.util.random.RandomGenerator;

/**
 * How long to wait before trying a dependency that is down again (a TCP consumer, an HTTP camera, object storage,
 * and next a webhook or a mail server): {@code initial} after the first failure, twice as long after each further
 * failure in a row, at most {@code max}. The caller counts the failures and starts again from 1 once a try worked.
 *
 * @param initial the first wait, more than 0
 * @param max     the longest wait, at least {@code initial}
 */
public record Backoff(Duration initial, Duration max) {

    public Backoff {
        if (initial.isNegative() || initial.isZero() || max.compareTo(initial) < 0) {
            throw new IllegalArgumentException("backoff: need 0 < initial <= max, got " + initial + ", " + max);
        }
    }

    /** The wait after the {@code failures}-th failure in a row (1 for the first). */
    public long delayMillis(int failures) {
        long ceiling = max.toMillis();
        long wait = initial.toMillis();
        for (int i = 1; i < failures && wait < ceiling; i++) {
            wait *= 2;
        }
        return Math.min(wait, ceiling);
    }

    /**
     * As {@link #delayMillis(int)}, drawn between half and all of it: jitter, so that many clients that lost the same
     * server do not all come back at the same moment.
     */
    public long delayMillis(int failures, RandomGenerator random) {
        long wait = delayMillis(failures);
        return wait - random.nextLong(wait / 2 + 1);
    }
}
