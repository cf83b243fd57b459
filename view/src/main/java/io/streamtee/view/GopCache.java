package io.streamtee.view;

import java.util.ArrayList;
import java.util.List;

/**
 * The current group of pictures: every frame from the last keyframe on (the keyframe carries the SPS and PPS in the
 * streams of the camera simulator and of x264), so that a new viewer decodes up to the live frame at once instead of
 * waiting for the next keyframe. Bounded: when the GOP passes {@code maxFrames} or {@code maxBytes} (a stream with
 * very long or no keyframe intervals) it is dropped and the cache stays empty until the next keyframe. Not
 * thread-safe: the {@link Hub} calls it under its lock.
 */
public final class GopCache {
    private final int maxFrames;
    private final long maxBytes;
    private final List<Frame> frames = new ArrayList<>();
    private long bytes;
    private long overflows;

    public GopCache(int maxFrames, long maxBytes) {
        if (maxFrames < 1 || maxBytes < 1) {
            throw new IllegalArgumentException("maxFrames and maxBytes must be positive");
        }
        this.maxFrames = maxFrames;
        this.maxBytes = maxBytes;
    }

    /** Adds the newest frame: a keyframe starts a new GOP; a frame before the first keyframe is not kept. */
    public void add(Frame f) {
        if (f.keyframe()) {
            frames.clear();
            bytes = 0;
        } else if (frames.isEmpty()) {
            return;
        }
        if (frames.size() + 1 > maxFrames || bytes + f.message().length > maxBytes) {
            frames.clear();
            bytes = 0;
            overflows++;
            return;
        }
        frames.add(f);
        bytes += f.message().length;
    }

    /** The GOP so far, keyframe first; empty before a keyframe (or after an overflow until the next one). */
    public List<Frame> frames() {
        return List.copyOf(frames);
    }

    public long bytes() {
        return bytes;
    }

    /** GOPs dropped for passing the bounds. */
    public long overflows() {
        return overflows;
    }

    /** Forgets the GOP (a new stream: the old one's frames do not decode with the new one's parameter sets). */
    public void clear() {
        frames.clear();
        bytes = 0;
    }
}
