package io.streamtee.bridge;

import java.util.Arrays;

/**
 * Keeps a video stream's times continuous across the jump libavformat's RTSP client makes in a stream with audio and
 * video: until the camera's first RTCP sender reports, each stream's times count from its own first packet; when the
 * second stream's first report comes, that stream's times move onto the first one's clock, backwards or forwards by
 * up to a second or so, in the middle of the stream (and for the frames around it libavformat's DTS are the PTS, out of
 * order with B-frames). Written as they come, those frames would be out of order or refused.
 *
 * <p>A PTS more than {@value #WINDOW} frame intervals before the highest seen, or more than {@value #FORWARD} after
 * it, is a jump. The caller then holds {@value #LOOKAHEAD} access units (more than the B-frames a camera reorders) and
 * calls {@link #rejoin}: the earliest of them in presentation order takes the first free place after the frames before
 * the jump (a B-frame's place left open between them, else one interval after the highest), and every later time is
 * moved by as much. After a jump the DTS are made by {@link MissingTimes} (one interval apart, never after the PTS)
 * instead of taken. Keeps continuity, not the audio-video alignment the report brings (the frames' times are not
 * moved onto the audio's clock). Works in the stream's time base; not thread-safe.
 */
final class Rejoin {
    /** Access units held after a jump before {@link #rejoin}. */
    static final int LOOKAHEAD = 4;
    /** How far before the highest PTS, in frame intervals, a PTS is a jump (B-frames come a few intervals before). */
    static final int WINDOW = 8;
    /** How far after the highest PTS, in frame intervals, a PTS is a jump (a camera's pause is shorter). */
    static final int FORWARD = 150;
    private static final int RECENT = 32;

    private final long step;
    private final long[] recent = new long[RECENT];
    private int count;
    private int next;
    private long max = MissingTimes.NONE;
    private long offset;
    private boolean jumped;

    /** @param step one frame interval in the stream's time base, more than 0 */
    Rejoin(long step) {
        if (step <= 0) {
            throw new IllegalArgumentException("step " + step);
        }
        this.step = step;
    }

    /** Whether a packet with this PTS (as libavformat gives it) is the first after a jump. */
    boolean isJump(long rawPts) {
        if (rawPts == MissingTimes.NONE || max == MissingTimes.NONE) {
            return false;
        }
        long p = rawPts + offset;
        return p < max - WINDOW * step || p > max + FORWARD * step;
    }

    /**
     * Settles a jump from the PTS (as libavformat gives them, NONE where missing) of the access units held since.
     *
     * @return how far times move from now on (the sum of every jump's), in the stream's time base
     */
    long rejoin(long[] rawPts) {
        long earliest = Long.MAX_VALUE;
        for (long p : rawPts) {
            if (p != MissingTimes.NONE) {
                earliest = Math.min(earliest, p);
            }
        }
        if (earliest != Long.MAX_VALUE && max != MissingTimes.NONE) {
            offset = firstFree() - earliest;
        }
        jumped = true;
        return offset;
    }

    /** The first place free after the frames seen: a gap left for a B-frame among the latest, else after the last. */
    private long firstFree() {
        long[] seen = Arrays.copyOf(recent, count);
        Arrays.sort(seen);
        long free = max + step;
        for (int i = seen.length - 2; i >= Math.max(0, seen.length - 1 - WINDOW); i--) {
            if (seen[i + 1] - seen[i] > step + step / 2) {
                free = seen[i] + step;
            }
        }
        return free;
    }

    /** A PTS as written: moved by the jumps so far (NONE stays NONE). */
    long pts(long rawPts) {
        return rawPts == MissingTimes.NONE ? rawPts : rawPts + offset;
    }

    /** A DTS as written: moved by the jumps so far; NONE after a jump (made by {@link MissingTimes} then). */
    long dts(long rawDts) {
        return rawDts == MissingTimes.NONE || jumped ? MissingTimes.NONE : rawDts + offset;
    }

    /** Remembers the PTS an access unit was written with. */
    void written(long pts) {
        recent[next] = pts;
        next = (next + 1) % RECENT;
        count = Math.min(count + 1, RECENT);
        max = max == MissingTimes.NONE ? pts : Math.max(max, pts);
    }
}
