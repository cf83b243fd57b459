package io.streamtee.relay;

/**
 * How long to wait before the next reconnect attempt: 100 ms, doubling up to 5 s, back to 100 ms after a connection
 * that worked. Used on one event loop.
 */
final class Backoff {
    static final long FIRST_MILLIS = 100;
    static final long MAX_MILLIS = 5_000;

    private long next = FIRST_MILLIS;

    /** The delay before the next attempt; each call doubles the one after, up to {@link #MAX_MILLIS}. */
    long next() {
        long delay = next;
        next = Math.min(next * 2, MAX_MILLIS);
        return delay;
    }

    /** A connection worked: start again from {@link #FIRST_MILLIS}. */
    void reset() {
        next = FIRST_MILLIS;
    }
}
