package io.streamtee.relay;

import java.util.concurrent.atomic.AtomicLongArray;

/**
 * Bytes per second over a fixed window of the last {@code seconds} seconds: a ring of per-second byte counts, filled
 * as data arrives. Reading it changes nothing, so any number of readers (Prometheus scrapers, the status page, logs)
 * see the same rate, from the first read on. Thread-safe: several workers may {@link #add} at once.
 */
final class RateWindow {
    private final int seconds;
    /** The second (epoch millis / 1000) each slot counts, and its bytes. */
    private final AtomicLongArray second;
    private final AtomicLongArray bytes;
    private volatile long firstMillis;

    RateWindow(int seconds) {
        this.seconds = seconds;
        this.second = new AtomicLongArray(seconds);
        this.bytes = new AtomicLongArray(seconds);
        for (int i = 0; i < seconds; i++) {
            second.set(i, -1);
        }
    }

    /** Counts {@code count} bytes that arrived at {@code nowMillis}. */
    void add(long count, long nowMillis) {
        if (firstMillis == 0) {
            firstMillis = nowMillis;
        }
        long s = nowMillis / 1000;
        int i = (int) (s % seconds);
        if (second.get(i) != s) {
            synchronized (this) {
                if (second.get(i) != s) { // a new second in this slot: forget the old one
                    bytes.set(i, 0);
                    second.set(i, s);
                }
            }
        }
        bytes.addAndGet(i, count);
    }

    /**
     * The bit rate over the window that ends at {@code nowMillis}: from the start of the oldest second in the window
     * (or from the first byte, if that came later) to now. 0 when nothing arrived in the window.
     */
    double bitsPerSecond(long nowMillis) {
        long now = nowMillis / 1000;
        long oldest = now - seconds + 1;
        long total = 0;
        for (int i = 0; i < seconds; i++) {
            long s = second.get(i);
            if (s >= oldest && s <= now) {
                total += bytes.get(i);
            }
        }
        if (total == 0) {
            return 0;
        }
        long from = Math.max(oldest * 1000, firstMillis);
        return 8.0 * total * 1000 / Math.max(1, nowMillis - from);
    }
}
