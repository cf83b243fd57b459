package io.streamtee.bridge;

/**
 * An audio stream's times as written: always rising, and continuous across the jump libavformat's RTSP client makes
 * when the stream's first RTCP sender report moves it onto the video's clock (see {@link Rejoin}): a DTS not after the
 * last moves (with every later one) to just after the last packet, and so does, once per stream, one more than a
 * quarter of a second after it (the jump forward; after that, such a gap is audio lost on the way, and kept, or the
 * audio would run early against the video from there on). A packet without any time is dropped. Works in the stream's time base; not
 * thread-safe.
 */
final class AudioTimes {
    private final long second;
    private long offset;
    private long last = MissingTimes.NONE;
    private long lastDuration;
    private boolean jumpedForward;

    /** @param second one second in the stream's time base (its sample rate, for RTP audio), more than 0 */
    AudioTimes(long second) {
        if (second <= 0) {
            throw new IllegalArgumentException("second " + second);
        }
        this.second = second;
    }

    /**
     * The times of the next packet, as libavformat gives them.
     *
     * @param duration the packet's duration (0 when unknown: the last packet's distance is used)
     * @return {@code {pts, dts}}, or null for a packet to drop
     */
    long[] next(long pts, long dts, long duration) {
        long d = dts != MissingTimes.NONE ? dts : pts;
        if (d == MissingTimes.NONE) {
            return null;
        }
        long p = pts != MissingTimes.NONE ? pts : d;
        d += offset;
        p += offset;
        boolean forward = last != MissingTimes.NONE && d > last + second / 4 && !jumpedForward;
        if (last != MissingTimes.NONE && (d <= last || forward)) {
            jumpedForward |= forward;
            long move = last + Math.max(1, lastDuration) - d;
            offset += move;
            d += move;
            p += move;
        }
        lastDuration = duration > 0 ? duration : last == MissingTimes.NONE ? 0 : d - last;
        last = d;
        return new long[] {Math.max(p, d), d};
    }
}
