package io.streamtee.analyze.motion;

import java.util.ArrayList;
import java.util.List;

/** A {@link MotionTracker.Listener} that keeps what it was told. */
final class Recorder implements MotionTracker.Listener {
    final List<MotionEvent> started = new ArrayList<>();
    final List<MotionEvent> updated = new ArrayList<>();
    final List<MotionEvent> ended = new ArrayList<>();

    @Override
    public void started(MotionEvent event) {
        started.add(event);
    }

    @Override
    public void updated(MotionEvent event) {
        updated.add(event);
    }

    @Override
    public void ended(MotionEvent event) {
        ended.add(event);
    }
}
