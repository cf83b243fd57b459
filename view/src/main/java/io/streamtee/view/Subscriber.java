package io.streamtee.view;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One viewer's bounded queue of frames, bounded in frames and in bytes (a source sending huge access units must not
 * make a stalled viewer's queue huge). The {@link Hub} {@linkplain #offer offers} each frame and never waits: when
 * the queue is full (the viewer fell behind: a slow link, a busy browser) the queue is emptied, the skip counted,
 * and the viewer takes nothing more until the next keyframe, from which it decodes again. Its sender
 * {@linkplain #take takes} frames on its own thread. Thread-safe.
 */
public final class Subscriber {
    private final BlockingQueue<Frame> queue;
    private final long maxBytes;
    private final AtomicLong queuedBytes = new AtomicLong(); // of the frames in the queue; each removal subtracts its own
    private final AtomicLong offered = new AtomicLong();
    private final AtomicLong skips = new AtomicLong();
    private final AtomicLong framesDropped = new AtomicLong();
    private boolean waitingForKeyframe = true; // under the hub's lock (offer is called by one thread at a time)
    private volatile int cachedAtJoin;

    /** @param capacity the most frames waiting; a GOP bigger than this makes a joining viewer wait for a keyframe */
    public Subscriber(int capacity) {
        this(capacity, Long.MAX_VALUE);
    }

    /**
     * @param capacity the most frames waiting
     * @param maxBytes the most bytes waiting (one frame is always let in, whatever its size)
     */
    public Subscriber(int capacity, long maxBytes) {
        this.queue = new ArrayBlockingQueue<>(capacity);
        this.maxBytes = maxBytes;
    }

    /** Queues {@code f}, or drops it (see the class). Called by the hub, one call at a time. */
    synchronized void offer(Frame f) {
        offered.incrementAndGet();
        if (waitingForKeyframe) {
            if (!f.keyframe()) {
                framesDropped.incrementAndGet();
                return;
            }
            waitingForKeyframe = false;
        }
        int length = f.message().length;
        boolean room = (queue.isEmpty() || queuedBytes.get() + length <= maxBytes) && queue.offer(f);
        if (room) {
            queuedBytes.addAndGet(length);
        } else {
            List<Frame> cleared = new ArrayList<>();
            queue.drainTo(cleared);
            for (Frame c : cleared) {
                queuedBytes.addAndGet(-c.message().length);
            }
            skips.incrementAndGet();
            framesDropped.addAndGet(cleared.size() + 1L);
            waitingForKeyframe = true;
            if (f.keyframe() && queue.offer(f)) { // the frame that found the queue full can itself start again
                queuedBytes.addAndGet(length);
                waitingForKeyframe = false;
                framesDropped.decrementAndGet();
            }
        }
    }

    /**
     * A new stream began (the camera restarted): frames of it before its first keyframe do not decode with what the
     * viewer has, so it takes nothing more until that keyframe. What it has queued of the old stream stays. Called by
     * the hub.
     */
    synchronized void awaitKeyframe() {
        waitingForKeyframe = true;
    }

    /** Notes that the hub queued {@code frames} frames of its cached GOP when this viewer joined. */
    void joinedWith(int frames) {
        cachedAtJoin = frames;
    }

    /**
     * The frames of the cached GOP queued when the viewer joined (the first ones it takes): the page decodes them
     * to reach the live frame but shows only the last; 0 when it joined with none (it waits for a keyframe).
     */
    public int cachedAtJoin() {
        return cachedAtJoin;
    }

    /** The next frame, waiting at most {@code timeoutMillis}; null if none came. */
    public Frame take(long timeoutMillis) throws InterruptedException {
        return taken(queue.poll(timeoutMillis, TimeUnit.MILLISECONDS));
    }

    private Frame taken(Frame f) {
        if (f != null) {
            queuedBytes.addAndGet(-f.message().length);
        }
        return f;
    }

    /** The next frame if one waits, else null. */
    public Frame poll() {
        return taken(queue.poll());
    }

    /** Bytes of the frames waiting. */
    public long waitingBytes() {
        return queuedBytes.get();
    }

    /** Frames waiting. */
    public int waiting() {
        return queue.size();
    }

    /** Times the viewer fell behind and was moved to the next keyframe. */
    public long skips() {
        return skips.get();
    }

    /** Frames it did not get: dropped from its full queue, or passed over while waiting for a keyframe. */
    public long framesDropped() {
        return framesDropped.get();
    }

    /** Frames offered to it (the cached GOP at join included). */
    public long offered() {
        return offered.get();
    }
}
