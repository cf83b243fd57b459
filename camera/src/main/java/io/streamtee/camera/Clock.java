package io.streamtee.camera;

import java.util.concurrent.locks.LockSupport;

/** A monotonic clock the pacer can wait on; tests substitute a virtual one so pacing is checked without waiting. */
interface Clock {

    /** Monotonic nanoseconds, like {@link System#nanoTime()}. */
    long nanoTime();

    /**
     * Waits until {@link #nanoTime()} reaches {@code deadline}, or less when the thread is unparked; callers loop
     * and re-check their stop flag.
     */
    void parkUntil(long deadline);

    Clock SYSTEM = new Clock() {
        @Override
        public long nanoTime() {
            return System.nanoTime();
        }

        @Override
        public void parkUntil(long deadline) {
            long wait = deadline - System.nanoTime();
            if (wait > 0) {
                LockSupport.parkNanos(wait);
            }
        }
    };
}
