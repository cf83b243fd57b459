package io.streamtee.record;

import io.streamtee.ts.Timestamps;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * One recorded segment as the index knows it. Filled in by the {@link Segmenter} while the segment is written (bytes,
 * frames, keyframe offsets, PTS range) and completed when it closes. Not thread-safe: it belongs to the thread that
 * records, and the index copies what it needs.
 */
public final class Segment {
    private Path path;
    final long startWallMillis;
    long endWallMillis;
    final long startPts;
    long endPts = Timestamps.NONE;
    long bytes;
    long frames;
    long continuityErrors;
    private long[] keyframes = new long[4];
    private long[] keyframePts = new long[4];
    private int keyframeCount;
    private long maxPts = Timestamps.NONE;
    private long lastDts = Timestamps.NONE;
    private long frameTicks;

    Segment(long startWallMillis, long startPts) {
        this.startWallMillis = startWallMillis;
        this.endWallMillis = startWallMillis;
        this.startPts = startPts;
    }

    /** Where the segment is stored; set by the recorder when it opens the file. */
    public Path path() {
        return path;
    }

    void path(Path p) {
        this.path = p;
    }

    public long startWallMillis() {
        return startWallMillis;
    }

    public long endWallMillis() {
        return endWallMillis;
    }

    public long startPts() {
        return startPts;
    }

    /** PTS at the end of the last frame (the next segment's first PTS when it was cut at a keyframe). */
    public long endPts() {
        return endPts;
    }

    /** Stream time covered, from the PTS range; 0 when unknown. */
    public long durationMillis() {
        if (startPts == Timestamps.NONE || endPts == Timestamps.NONE) {
            return 0;
        }
        return Math.max(0, Timestamps.ptsDiff(startPts, endPts) / 90);
    }

    public long bytes() {
        return bytes;
    }

    public long frames() {
        return frames;
    }

    public long continuityErrors() {
        return continuityErrors;
    }

    /** Byte offsets in the file of the packets that start each keyframe's PES; the first is right after the PSI. */
    public long[] keyframeOffsets() {
        return Arrays.copyOf(keyframes, keyframeCount);
    }

    /** The PTS of each keyframe, in the order of {@link #keyframeOffsets()}. */
    public long[] keyframePts() {
        return Arrays.copyOf(keyframePts, keyframeCount);
    }

    void addKeyframe(long offset, long pts) {
        if (keyframeCount == keyframes.length) {
            keyframes = Arrays.copyOf(keyframes, keyframeCount * 2);
            keyframePts = Arrays.copyOf(keyframePts, keyframeCount * 2);
        }
        keyframes[keyframeCount] = offset;
        keyframePts[keyframeCount++] = pts;
    }

    /** Counts one access unit and follows the highest PTS and the frame interval (from DTS steps). */
    void frame(long pts, long dts) {
        frames++;
        if (pts != Timestamps.NONE && (maxPts == Timestamps.NONE || Timestamps.ptsDiff(maxPts, pts) > 0)) {
            maxPts = pts;
        }
        if (dts != Timestamps.NONE) {
            if (lastDts != Timestamps.NONE) {
                long d = Timestamps.ptsDiff(lastDts, dts);
                if (d > 0 && d < Timestamps.PTS_HZ) {
                    frameTicks = d;
                }
            }
            lastDts = dts;
        }
    }

    /** PTS further than this from where the segment's frames end is a jump in the stream's clock, not a cut. */
    static final long JUMP_TICKS = Timestamps.PTS_HZ;

    /**
     * Whether a keyframe at {@code pts} continues this segment's frames (within {@link #JUMP_TICKS} of where they
     * end), rather than a clock that jumped: an encoder reset, a source switch, a looped file.
     */
    boolean continuesAt(long pts) {
        if (maxPts == Timestamps.NONE || pts == Timestamps.NONE) {
            return true;
        }
        long end = (maxPts + frameTicks) & (Timestamps.PTS_WRAP - 1);
        return Math.abs(Timestamps.ptsDiff(end, pts)) <= JUMP_TICKS;
    }

    /** Ends the segment where its data ends: the highest PTS plus one frame interval. */
    void endAtLastFrame() {
        endPts = maxPts == Timestamps.NONE ? startPts : (maxPts + frameTicks) & (Timestamps.PTS_WRAP - 1);
    }

    /** The keyframe offsets as the index stores them: comma-separated decimal. */
    String keyframeList() {
        return list(keyframes, keyframeCount);
    }

    /** The keyframe PTS as the index stores them: comma-separated decimal, -1 where a keyframe had none. */
    String keyframePtsList() {
        return list(keyframePts, keyframeCount);
    }

    private static String list(long[] values, int count) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < count; i++) {
            if (i > 0) {
                sb.append(',');
            }
            sb.append(values[i]);
        }
        return sb.toString();
    }

    @Override
    public String toString() {
        return (path == null ? "segment" : path.getFileName().toString()) + " (" + durationMillis() + " ms, "
                + frames + " frames, " + bytes + " bytes)";
    }
}
