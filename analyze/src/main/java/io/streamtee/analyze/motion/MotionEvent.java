package io.streamtee.analyze.motion;

import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.Set;

/**
 * One motion event as {@link MotionTracker} reports it: a snapshot, immutable. Times are PTS in 90 kHz ticks.
 *
 * @param id counts events from 1 per tracker
 * @param startPts the first frame of the run of motion that started the event
 * @param endPts last motion + the quiet gap, or {@link io.streamtee.ts.Timestamps#NONE} while the event is open
 * @param lastMotionPts the latest frame with motion
 * @param peakScore the highest changed fraction (0..1) of a frame in the event
 * @param peakFrame the frame index (as given to the tracker) of that frame: the one to take a snapshot of
 * @param peakPts the PTS of that frame
 * @param peakBox the largest box in that frame
 * @param union the smallest box holding every box of the event (its area: the sum of the boxes' areas)
 * @param zones the zones any box of the event touched, in configuration order
 * @param motionFrames how many frames of the event had motion
 * @param width the picture's width the boxes are in
 * @param height the picture's height
 */
public record MotionEvent(long id, long startPts, long endPts, long lastMotionPts, double peakScore, long peakFrame,
        long peakPts, Box peakBox, Box union, Set<String> zones, int motionFrames, int width, int height) {
    public MotionEvent {
        zones = Collections.unmodifiableSet(new LinkedHashSet<>(zones));
    }

    /** Still going: no end yet. */
    public boolean open() {
        return endPts == io.streamtee.ts.Timestamps.NONE;
    }
}
