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
public final class Hub implements Feed {
    /**
     * The most bytes a viewer's queue holds besides the cached GOP it joined with: 32 MiB, some 60 s of a 4 Mbit/s
     * camera, far more than its 120 frames of anything real; a source sending huge access units fills it first.
     */
    static final long MAX_QUEUED_BYTES = 32L << 20;

    private final GopCache cache;
    private final int queueCapacity;
    private final Set<Subscriber> subscribers = new CopyOnWriteArraySet<>();
    private final AtomicLong frames = new AtomicLong();
    private final AtomicLong skipsOfGone = new AtomicLong();
    private final AtomicLong droppedOfGone = new AtomicLong();
    private final AtomicLong bytes = new AtomicLong();
    private volatile long lastPublishedMs;
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
        bytes.addAndGet(f.message().length - Frame.HEADER);
        lastPublishedMs = f.receivedMs();
        cache.add(f);
        for (Subscriber s : subscribers) {
            s.offer(f);
        }
    }

    /** Each viewer's queue, in frames. */
    public int queueCapacity() {
        return queueCapacity;
    }

    /** A new viewer, given the cached GOP at once. */
    @Override
    public synchronized Subscriber join() {
        List<Frame> gop = cache.frames();
        boolean fits = gop.size() <= queueCapacity; // else it waits for the next keyframe
        // room for the cached GOP besides its own queue: a viewer joining at the end of a long GOP must not be moved
        // on (and left without a picture until the next keyframe) by the first live frames that come before its
        // sender has sent the GOP
        Subscriber s = new Subscriber(queueCapacity + (fits ? gop.size() : 0),
                MAX_QUEUED_BYTES + (fits ? cache.bytes() : 0));
        if (fits) {
            for (Frame f : gop) {
                s.offer(f);
            }
            s.joinedWith(gop.size());
        }
        subscribers.add(s);
        return s;
    }

    /** The viewer leaves (idempotent). */
    @Override
    public void leave(Subscriber s) {
        if (subscribers.remove(s)) {
            skipsOfGone.addAndGet(s.skips());
            droppedOfGone.addAndGet(s.framesDropped());
        }
    }

    /**
     * A new stream began (the camera restarted, perhaps at another size): the cached GOP is dropped and every viewer
     * takes the new stream from its first keyframe (which carries the new parameter sets).
     */
    public synchronized void reset() {
        cache.clear();
        for (Subscriber s : subscribers) {
            s.awaitKeyframe();
        }
    }

    /**
     * The input's program carries no H.264/H.265 video (no video at all, or another codec): {@code message} says
     * what it carries, for the page; null when it carries video again.
     */
    public void noVideo(String message) {
        noVideo = message;
    }

    /** Why there is no video (see {@link #noVideo(String)}), or null while there is (or nothing is known yet). */
    @Override
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

    /** Bytes of the access units published (headers not counted). */
    public long bytes() {
        return bytes.get();
    }

    /** The receive time of the newest frame published (epoch ms), 0 before the first. */
    public long lastPublishedMs() {
        return lastPublishedMs;
    }

    /** Bytes of the frames in the cached GOP now (messages, headers included). */
    public synchronized long cachedBytes() {
        return cache.bytes();
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

    /** Frames viewers (present or gone) did not get: dropped from full queues or passed over for a keyframe. */
    public long framesDropped() {
        long n = droppedOfGone.get();
        for (Subscriber s : subscribers) {
            n += s.framesDropped();
        }
        return n;
    }

    /** The cached GOP now (for tests, the page's start and snapshots). */
    public synchronized List<Frame> cached() {
        return cache.frames();
    }
}
