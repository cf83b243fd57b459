package io.streamtee.bridge;

/**
 * Fills in the timestamps an RTSP client cannot give for a stream's first access units, so that the MPEG-TS muxer
 * (which needs a PTS and a DTS on every packet, always rising DTS) takes every one of them. libavformat's RTSP client
 * gives the first keyframe no timestamp at all, and, for a stream with B-frames, the first few access units no DTS
 * (it learns the reordering from the PTS of the access units that follow): dropping those would drop the whole first
 * GOP.
 *
 * <p>The access units up to the first one with both times are held ({@link #hold}); that one settles the others
 * ({@link #settle}): each held access unit gets a DTS one frame interval apart in decoding order, ending one interval
 * before the settled DTS; a held keyframe without a PTS shows first in its GOP (one interval before the smallest PTS
 * seen), any other such unit at its DTS. After that, a missing DTS is one interval after the last (never past the
 * PTS), a missing PTS is the DTS, and a DTS not above the last is moved just above it. Times the stream gives are kept
 * as they are. Works in the input stream's time base. Not thread-safe.
 */
final class MissingTimes {
    /** libavformat's "no timestamp". */
    static final long NONE = Long.MIN_VALUE;
    /** Access units held at most before the first with both times; older ones are dropped. */
    static final int MAX_HELD = 128;

    private final long step;
    private final long[] pts = new long[MAX_HELD];
    private final long[] dts = new long[MAX_HELD];
    private final boolean[] key = new boolean[MAX_HELD];
    private int held;
    private boolean settled;
    private long lastDts = NONE;

    /** @param step one frame interval in the stream's time base, more than 0 */
    MissingTimes(long step) {
        if (step <= 0) {
            throw new IllegalArgumentException("step " + step);
        }
        this.step = step;
    }

    /** Whether a packet with these times must wait: no packet with both times has come yet and this one lacks one. */
    boolean mustHold(long packetPts, long packetDts) {
        return !settled && (packetPts == NONE || packetDts == NONE);
    }

    /**
     * Remembers a held access unit's times (in decoding order).
     *
     * @return false when {@value #MAX_HELD} are held already: the caller drops this one
     */
    boolean hold(long packetPts, long packetDts, boolean keyframe) {
        if (held == MAX_HELD) {
            return false;
        }
        pts[held] = packetPts;
        dts[held] = packetDts;
        key[held] = keyframe;
        held++;
        return true;
    }

    /** How many access units are held. */
    int held() {
        return held;
    }

    /**
     * Settles the held access units against the first one with both times.
     *
     * @return {@code {pts, dts}} for each held access unit, in the order held; then none is held
     */
    long[][] settle(long knownPts, long knownDts) {
        long smallest = knownPts;
        for (int i = 0; i < held; i++) {
            if (pts[i] != NONE) {
                smallest = Math.min(smallest, pts[i]);
            }
        }
        long[][] out = new long[held][];
        long previous = NONE;
        for (int i = 0; i < held; i++) {
            long d = dts[i] != NONE ? dts[i] : knownDts - (long) (held - i) * step;
            if (previous != NONE && d <= previous) {
                d = previous + 1;
            }
            long p = pts[i] != NONE ? pts[i] : key[i] ? smallest - step : d;
            p = Math.max(p, d);
            out[i] = new long[] {p, d};
            previous = d;
        }
        held = 0;
        settled = true;
        lastDts = previous;
        return out;
    }

    /**
     * The times of an access unit once settled (the first with both times settles it too).
     *
     * @return {@code {pts, dts}}
     */
    long[] next(long packetPts, long packetDts) {
        settled = true;
        long d = packetDts;
        if (d == NONE) {
            d = lastDts == NONE ? packetPts : lastDts + step;
            if (packetPts != NONE) {
                d = Math.min(d, packetPts);
            }
        }
        if (d == NONE) {
            d = 0;
        }
        if (lastDts != NONE && d <= lastDts) {
            d = lastDts + 1;
        }
        long p = packetPts == NONE ? d : Math.max(packetPts, d);
        lastDts = d;
        return new long[] {p, d};
    }
}
