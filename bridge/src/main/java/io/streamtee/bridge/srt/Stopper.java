package io.streamtee.bridge.srt;

import java.util.concurrent.TimeUnit;

/** The stop flag of one input's or output's thread: {@link #pause} waits between attempts and ends at {@link #stop}. */
final class Stopper {
    private final Object wakeUp = new Object();
    private volatile boolean stopped;

    boolean stopped() {
        return stopped;
    }

    /** Waits {@code millis}, or less when {@link #stop()} is called meanwhile (or the thread is interrupted). */
    void pause(long millis) {
        synchronized (wakeUp) {
            long until = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
            long left;
            while (!stopped && (left = until - System.nanoTime()) > 0) {
                try {
                    TimeUnit.NANOSECONDS.timedWait(wakeUp, left);
                } catch (InterruptedException e) {
                    stopped = true;
                }
            }
        }
    }

    void stop() {
        stopped = true;
        synchronized (wakeUp) {
            wakeUp.notifyAll();
        }
    }

    /** {@link #stop()}, then waits ({@code millis} at most) for {@code thread} to end. */
    void stopAndJoin(Thread thread, long millis) {
        stop();
        if (thread.isAlive() && Thread.currentThread() != thread) {
            try {
                thread.join(millis);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
