package io.streamtee.view;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The web server's side of one camera: its feed, its {@link Snapshots}, and the viewers it admits. Every route that
 * streams to a viewer (the WebCodecs WebSocket and the MSE fallback's) takes a place with {@link #admit()} before it joins
 * the hub and gives it back with {@link #release()}, so the limit covers them all. Thread-safe.
 */
final class ServedCamera implements AutoCloseable {
    private final CameraFeed feed;
    private final Snapshots snapshots;
    private final FrameSocket frameSocket;
    private final MseFeed mse;
    private final FrameSocket mseSocket;
    private final int maxViewers;
    private final AtomicInteger admitted = new AtomicInteger();
    final AtomicLong refused = new AtomicLong();
    final AtomicLong cutOff = new AtomicLong();
    final AtomicLong sentFrames = new AtomicLong();
    final AtomicLong sentBytes = new AtomicLong();
    final AtomicLong ignoredMessages = new AtomicLong();
    final AtomicLong snapshotRequests = new AtomicLong();

    /** @param maxViewers the most viewers at once */
    ServedCamera(CameraFeed feed, int maxViewers) {
        this.feed = feed;
        this.maxViewers = maxViewers;
        this.snapshots = new Snapshots(feed.name(), feed.hub());
        this.frameSocket = new FrameSocket(this, feed.hub(), "viewer");
        this.mse = new MseFeed(feed.hub(), feed.hub().queueCapacity()); // as long as the camera's: same start
        this.mseSocket = new FrameSocket(this, mse, "MSE viewer");
    }

    /** The camera's WebCodecs WebSocket (one, whichever path it is served at). */
    FrameSocket frameSocket() {
        return frameSocket;
    }

    /** The camera's MSE fallback: its feed (muxing starts with the first MSE viewer) and its WebSocket. */
    MseFeed mse() {
        return mse;
    }

    FrameSocket mseSocket() {
        return mseSocket;
    }

    CameraFeed feed() {
        return feed;
    }

    String name() {
        return feed.name();
    }

    Hub hub() {
        return feed.hub();
    }

    Snapshots snapshots() {
        return snapshots;
    }

    int maxViewers() {
        return maxViewers;
    }

    /** Takes a viewer's place; false (and the refusal counted) when {@link #maxViewers()} are watching already. */
    boolean admit() {
        while (true) {
            int n = admitted.get();
            if (n >= maxViewers) {
                refused.incrementAndGet();
                return false;
            }
            if (admitted.compareAndSet(n, n + 1)) {
                return true;
            }
        }
    }

    /** Gives back a place {@link #admit()} took. */
    void release() {
        admitted.decrementAndGet();
    }

    /** The refusal a viewer over the limit gets, one line (a WebSocket close reason: at most 123 bytes). */
    String limitMessage() {
        return "try again later: the viewer limit of " + maxViewers + " is reached";
    }

    /** Viewers admitted now. */
    int admitted() {
        return admitted.get();
    }

    @Override
    public void close() {
        snapshots.close();
        mse.close();
    }
}
