package io.streamtee.camera;

import java.time.Instant;

/**
 * One crossing of the visitor, as a pattern camera painted it: the truth an analyzer's motion events are held
 * against. Where the disc is at each frame of the visit: {@link PatternScript#visitorBox}.
 *
 * @param number the visit's number, 1, 2, ... (the {@code --visitor-every} period it appears in)
 * @param startFrame the first frame with the visitor
 * @param endFrame the first frame without it again (as scheduled, even while the visit goes on)
 * @param startPts the PTS (90 kHz, unwrapped) of {@code startFrame}
 * @param endPts the PTS of {@code endFrame}
 * @param start the wall clock burned into {@code startFrame}
 * @param end the wall clock burned into {@code endFrame}; null while the visit goes on (or when the camera stopped
 *     before it ended)
 */
public record Visit(int number, long startFrame, long endFrame, long startPts, long endPts, Instant start,
        Instant end) {

    /** True once the visitor has left the picture. */
    public boolean ended() {
        return end != null;
    }
}
