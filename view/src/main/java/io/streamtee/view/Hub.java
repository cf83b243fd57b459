package io.streamtee.view;

import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArraySet;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Fans each frame out to every viewer: keeps the current GOP ({@link GopCache}) and gives a joining viewer that GOP
 * then every frame after it, in order, with none missing between the two. Publishing never waits for a viewer: each
 * has its own bounded {@link Subscriber} queue, and one that falls behind is moved to the next keyframe without
 * slowing the others. Thread-safe.
 */
public final class Hub {
    private final GopCache cache;
    private final int queueCapacity;
    private final Set<Subscriber> subscribers = new CopyOnWriteArraySet<>();
    private final AtomicLong frames = new AtomicLong();
    private final AtomicLong skipsOfGone = new AtomicLong();
    private volatile String noVideo;

    /**
     * @param cache         the GOP cache
     * @param queueCapacity each viewer's queue: the most frames it may be behind before it is moved on
     */
    public Hub(GopCache cache, int queueCapacity) {
        this.cache = cache;
        this.queueCapacity = queueCapacity;
    }

    /** A hub with a cache of up to 1200 frames or 64 MiB and queues of {@code queueCapacity}. */
    public static Hub withDefaults(int queueCapacity) {
        return new Hub(new GopCache(1200, 64L << 20), queueCapacity);
    }

    /** Hands {@code f} to every viewer and keeps it in the GOP cache. Called by the input's one thread. */
    public synchronized void publish(Frame f) {
        frames.incrementAndGet();
        cache.add(f);
        for (Subscriber s : subscribers) {
            s.offer(f);
        }
    }

    /** A new viewer, given the cached GOP at once. */
    public synchronized Subscriber join() {
        Subscriber s = new Subscriber(queueCapacity);
        List<Frame> gop = cache.frames();
        if (gop.size() <= queueCapacity) { // else it waits for the next keyframe
            for (Frame f : gop) {
                s.offer(f);
            }
            s.joinedWith(gop.size());
        }
        subscribers.add(s);
        return s;
    }

    /** The viewer leaves (idempotent). */
    public void leave(Subscriber s) {
        if (subscribers.remove(s)) {
            skipsOfGone.addAndGet(s.skips());
        }
    }

    /** A new stream began (the camera restarted): the cached GOP is dropped. */
    public synchronized void reset() {
        cache.clear();
    }

    /**
     * The input's program carries no H.264/H.265 video (no video at all, or another codec): {@code message} says
     * what it carries, for the page; null when it carries video again.
     */
    public void noVideo(String message) {
        noVideo = message;
    }

    /** Why there is no video (see {@link #noVideo(String)}), or null while there is (or nothing is known yet). */
    public String noVideoMessage() {
        return noVideo;
    }

    /** Viewers now. */
    public int viewers() {
        return subscribers.size();
    }

    /** Frames published. */
    public long frames() {
        return frames.get();
    }

    /** Frames in the cached GOP now. */
    public synchronized int cachedFrames() {
        return cache.frames().size();
    }

    /** Times any viewer (present or gone) was moved to the next keyframe. */
    public long skips() {
        long n = skipsOfGone.get();
        for (Subscriber s : subscribers) {
            n += s.skips();
        }
        return n;
    }

    /** The cached GOP now (for tests and the page's start). */
    public synchronized List<Frame> cached() {
        return cache.frames();
    }
}
