package io.streamtee.analyze;

import io.streamtee.ts.Timestamps;

/**
 * The wall clock of a stream's pictures, from their PTS and the times they arrived: what an event's start and end
 * are stamped with, and what its clip link asks the recorder for.
 *
 * <p>A picture that arrived late (the first ones, while the sender warms up or the decoder opens; any one after a
 * stall) must not move the clock: the clock is the <em>earliest</em> arrival the PTS allows, {@code min(arrival -
 * pts)} over the pictures seen, so a burst of late pictures leaves it alone and one picture on time pulls it back.
 * So that a sender whose clock runs slow against ours (or a path whose delay grows) is followed too, the estimate
 * creeps later by {@value #CREEP_PER_SECOND_MICROS} µs per second of stream unless a picture holds it down. A PTS that
 * jumps by more than {@value #JUMP_SECONDS} s (a camera that restarted) starts the clock afresh at that picture's
 * arrival.
 *
 * <p>Not thread-safe: the decoding thread owns it.
 */
final class StreamClock {
    static final long CREEP_PER_SECOND_MICROS = 1000;
    static final long JUMP_SECONDS = 10;
    private static final long JUMP_TICKS = JUMP_SECONDS * Timestamps.PTS_HZ;

    private long lastPts = Timestamps.NONE;
    private long lastMicros; // the wall clock of lastPts, in microseconds since the epoch
    private long fallbackMillis;

    /**
     * Whether a picture with {@code pts} would start the clock afresh: its PTS is more than {@value #JUMP_SECONDS} s
     * from the last one's (a camera that restarted). The caller ends what it timed by the old clock first.
     */
    boolean jumps(long pts) {
        return pts != Timestamps.NONE && lastPts != Timestamps.NONE
                && Math.abs(Timestamps.ptsDiff(lastPts, pts)) > JUMP_TICKS;
    }

    /** A picture with {@code pts} (or {@link Timestamps#NONE}) arrived at {@code arrivalMillis}. */
    void picture(long pts, long arrivalMillis) {
        fallbackMillis = arrivalMillis;
        if (pts == Timestamps.NONE) {
            return;
        }
        long arrivalMicros = arrivalMillis * 1000;
        if (lastPts == Timestamps.NONE) {
            lastPts = pts;
            lastMicros = arrivalMicros;
            return;
        }
        long step = Timestamps.ptsDiff(lastPts, pts);
        if (Math.abs(step) > JUMP_TICKS) {
            lastPts = pts;
            lastMicros = arrivalMicros;
            return;
        }
        long stepMicros = step * 1_000_000 / Timestamps.PTS_HZ;
        long predicted = lastMicros + stepMicros + Math.max(0, stepMicros) * CREEP_PER_SECOND_MICROS / 1_000_000;
        lastPts = pts;
        lastMicros = Math.min(predicted, arrivalMicros);
    }

    /**
     * The wall clock (epoch millis) of {@code pts}; before any picture with a PTS, or for {@link Timestamps#NONE},
     * the arrival time of the last picture.
     */
    long wall(long pts) {
        if (pts == Timestamps.NONE || lastPts == Timestamps.NONE) {
            return fallbackMillis;
        }
        return Math.floorDiv(lastMicros + Timestamps.ptsDiff(lastPts, pts) * 1_000_000 / Timestamps.PTS_HZ, 1000);
    }
}
