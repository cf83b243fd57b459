package io.streamtee.bridge;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.bytedeco.ffmpeg.avformat.AVIOInterruptCB;
import org.bytedeco.javacpp.Pointer;

/**
 * The way out of libavformat's blocking calls for one input's or output's thread: the interrupt callback
 * ({@link #install}) ends a blocking call once {@link #stop()} was called or the deadline of {@link #arm} has passed;
 * {@link #pause} waits between attempts and returns at once on {@link #stop()}. One static callback serves every
 * interrupter, finding it by the opaque pointer's value (a key, never dereferenced).
 */
final class Interrupter {
    private static final Map<Long, Interrupter> LIVE = new ConcurrentHashMap<>();
    private static final AtomicLong NEXT_ID = new AtomicLong(1);
    /** 1 ends the blocking call. */
    private static final AVIOInterruptCB.Callback_Pointer CALLBACK = new AVIOInterruptCB.Callback_Pointer() {
        @Override
        public int call(Pointer opaque) {
            Interrupter i = LIVE.get(opaque.address());
            return i == null || i.interrupted() ? 1 : 0;
        }
    };

    private final long id = NEXT_ID.getAndIncrement();
    private final Pointer opaque = new Pointer() {
        {
            address = id; // never dereferenced: a key for LIVE
        }
    };
    private final Object wakeUp = new Object();
    private volatile boolean stopped;
    /** Whether a blocking call may wait without a deadline (a listener waiting for its caller). */
    private volatile boolean waitForever;
    private volatile long deadline;

    /** Lets the callback find this interrupter: before the thread's first blocking call. */
    void register() {
        LIVE.put(id, this);
    }

    /** Points {@code callback} (a format context's, or one for {@code avio_open2}) at this interrupter. */
    void install(AVIOInterruptCB callback) {
        callback.callback(CALLBACK).opaque(opaque);
    }

    /** The next blocking calls end after {@code timeoutNanos}, or, {@code forever}, only on {@link #stop()}. */
    void arm(long timeoutNanos, boolean forever) {
        waitForever = forever;
        deadline = System.nanoTime() + timeoutNanos;
    }

    boolean stopped() {
        return stopped;
    }

    /** Whether the blocking call that just failed was ended by the deadline (not by {@link #stop()}). */
    boolean timedOut() {
        return !stopped && !waitForever && System.nanoTime() - deadline > 0;
    }

    private boolean interrupted() {
        return stopped || !waitForever && System.nanoTime() - deadline > 0;
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

    /** Ends the blocking call in progress and every later one, and a {@link #pause}. */
    void stop() {
        stopped = true;
        synchronized (wakeUp) {
            wakeUp.notifyAll();
        }
    }

    /**
     * {@link #stop()}, then waits (5 s at most) for {@code thread}, which frees what libavformat holds, and lets the
     * callback forget this interrupter.
     */
    void stopAndJoin(Thread thread) {
        stop();
        if (thread.isAlive() && Thread.currentThread() != thread) {
            try {
                thread.join(5_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        LIVE.remove(id);
    }
}
