package io.streamtee.analyze.motion;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.streamtee.ts.Timestamps;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class MotionTrackerTest {
    private static final long FRAME = 3600; // 25 fps
    private final Recorder events = new Recorder();
    private final Detections d = new Detections(4);
    private long index;

    private void quiet(long pts) {
        d.reset(100, 50, pts, 0, false);
        feed();
    }

    private void motion(long pts, double score, int x0, int x1) {
        d.reset(100, 50, pts, score, false);
        d.add(x0, 10, x1, 20, (x1 - x0) * 10);
        feed();
    }

    private MotionTracker tracker;

    private void feed() {
        tracker.accept(d, index++);
    }

    @Test
    void startsAfterConsecutiveMotionAndEndsAfterTheQuietGapByPts() {
        tracker = new MotionTracker(Zones.none(), events);
        long pts = 1000;
        motion(pts, 0.01, 0, 10); // a flicker of two frames is not an event
        motion(pts += FRAME, 0.01, 0, 10);
        quiet(pts += FRAME);
        assertThat(events.started).isEmpty();

        long start = pts += FRAME;
        motion(start, 0.01, 0, 10);
        motion(pts += FRAME, 0.03, 10, 20);
        assertThat(events.started).isEmpty();
        motion(pts += FRAME, 0.02, 20, 30);
        assertThat(events.started).hasSize(1);
        assertThat(events.started.get(0).startPts()).isEqualTo(start);
        assertThat(events.started.get(0).open()).isTrue();

        // a second and a half of quiet, then motion again: still the same event
        for (int i = 0; i < 37; i++) {
            quiet(pts += FRAME);
        }
        long peakFrame = index;
        motion(pts += FRAME, 0.05, 40, 60);
        long last = pts;
        assertThat(events.ended).isEmpty();
        for (int i = 0; i < 49; i++) {
            quiet(pts += FRAME);
        }
        assertThat(events.ended).isEmpty(); // 1.96 s
        quiet(pts += FRAME); // 2.0 s
        assertThat(events.ended).hasSize(1);
        MotionEvent e = events.ended.get(0);
        assertThat(e.id()).isEqualTo(1);
        assertThat(e.endPts()).isEqualTo(last + 180_000);
        assertThat(e.peakScore()).isEqualTo(0.05);
        assertThat(e.peakFrame()).isEqualTo(peakFrame);
        assertThat(e.peakBox()).isEqualTo(new Box(40, 10, 60, 20, 200));
        assertThat(e.union()).isEqualTo(new Box(0, 10, 60, 20, 100 + 100 + 100 + 200));
        assertThat(e.motionFrames()).isEqualTo(4);
        assertThat(events.updated).extracting(MotionEvent::peakScore).containsExactly(0.05);
    }

    @Test
    void recalibratingFramesAreNoMotionAndAStreamEndClosesTheEvent() {
        tracker = new MotionTracker(2, Duration.ofSeconds(1), Zones.none(), events);
        long pts = Timestamps.PTS_WRAP - 2 * FRAME; // across the 33-bit wrap
        motion(pts, 0.01, 0, 10);
        d.reset(100, 50, pts += FRAME, 0.9, true);
        feed();
        motion(pts = (pts + FRAME) % Timestamps.PTS_WRAP, 0.01, 0, 10);
        assertThat(events.started).isEmpty();
        motion(pts += FRAME, 0.01, 0, 10);
        assertThat(events.started).hasSize(1);
        tracker.finish();
        assertThat(events.ended).hasSize(1);
        assertThat(events.ended.get(0).endPts()).isEqualTo(pts + 90_000);
        tracker.finish();
        assertThat(events.ended).hasSize(1);
    }

    @Test
    void motionJumpingAboutIsNoEventMotionInOnePlaceIs() {
        tracker = new MotionTracker(Zones.none(), events);
        long pts = 0;
        // three frames in a row with motion, each far from the one before (rain, snow): no run of three
        motion(pts, 0.01, 0, 10);
        motion(pts += FRAME, 0.01, 40, 50);
        long third = pts += FRAME;
        motion(third, 0.01, 80, 90);
        assertThat(events.started).isEmpty();
        // then staying within NEAR pixels of the frame before: a run from the third frame on
        motion(pts += FRAME, 0.01, 90 + MotionTracker.NEAR, 95);
        assertThat(events.started).isEmpty();
        motion(pts += FRAME, 0.01, 95 + MotionTracker.NEAR, 100);
        assertThat(events.started).hasSize(1);
        assertThat(events.started.get(0).startPts()).isEqualTo(third);
        int narrow = 10 * (5 - MotionTracker.NEAR); // the two later boxes' areas
        assertThat(events.started.get(0).union()).isEqualTo(new Box(80, 10, 100, 20, 100 + 2 * narrow));
    }

    @Test
    void zonesEnteredAreUpdates() {
        Zones zones = new Zones(List.of(Zone.parse("left", "[[0,0],[0.5,0],[0.5,1],[0,1]]", 0),
                Zone.parse("right", "[[0.5,0],[1,0],[1,1],[0.5,1]]", 0)));
        tracker = new MotionTracker(zones, events);
        long pts = 0;
        motion(pts, 0.02, 0, 10);
        motion(pts += FRAME, 0.01, 10, 20);
        motion(pts += FRAME, 0.01, 20, 30);
        assertThat(events.started.get(0).zones()).containsExactly("left");
        motion(pts += FRAME, 0.01, 60, 70);
        assertThat(events.updated).hasSize(1);
        assertThat(events.updated.get(0).zones()).containsExactly("left", "right");
    }

    @Test
    void settingsAreChecked() {
        assertThatThrownBy(() -> new MotionTracker(0, Duration.ofSeconds(1), Zones.none(), events))
                .hasMessage("analyze.motion.startFrames: must be at least 1, not 0");
        assertThatThrownBy(() -> MotionSettings.defaults().withThreshold(0))
                .hasMessage("analyze.motion.threshold: must be between 1 and 255, not 0");
        assertThat(MotionSettings.defaults().width(1920, 1080)).isEqualTo(178);
        assertThat(MotionSettings.defaults().width(640, 480)).isEqualTo(133);
    }
}
