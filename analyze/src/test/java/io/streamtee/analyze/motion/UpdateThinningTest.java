package io.streamtee.analyze.motion;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A visitor walking left to right for 12 s at 25 fps, their share of the picture growing every frame: the tracker
 * reports a new peak on every frame; through {@link UpdateThinning} the sinks get one UPDATE per 5 s, plus one when
 * the right zone is entered, and the same START and END.
 */
class UpdateThinningTest {
    private static final long FRAME = 3600; // 25 fps
    private static final long FIVE_SECONDS = 5 * 90_000;
    private static final Zones ZONES = new Zones(List.of(Zone.parse("left", "[[0,0],[0.5,0],[0.5,1],[0,1]]", 0),
            Zone.parse("right", "[[0.5,0],[1,0],[1,1],[0.5,1]]", 0)));

    private final Recorder raw = new Recorder();
    private final Recorder thinned = new Recorder();

    /** Feeds the same walk to a tracker reporting to {@link #raw} and one reporting through thinning. */
    private void walk(Duration every) {
        MotionTracker plain = new MotionTracker(ZONES, raw);
        MotionTracker thin = new MotionTracker(3, MotionTracker.DEFAULT_GAP, ZONES, new UpdateThinning(every, thinned));
        Detections d = new Detections(4);
        long pts = 10_000;
        int frames = 300;
        for (int i = 0; i < frames; i++, pts += FRAME) {
            d.reset(100, 50, pts, 0.001 + i * 0.0001, false);
            int x0 = i / 3;
            d.add(x0, 10, x0 + 1, 20, 10);
            plain.accept(d, i);
            thin.accept(d, i);
        }
        for (int i = 0; i < 60; i++, pts += FRAME) { // 2.4 s of quiet ends the event
            d.reset(100, 50, pts, 0, false);
            plain.accept(d, frames + i);
            thin.accept(d, frames + i);
        }
    }

    @Test
    void oneUpdatePerFiveSecondsPlusOnePerNewZone() {
        walk(Duration.ofSeconds(5));
        assertThat(raw.updated).as("the tracker's own UPDATEs, one per frame").hasSizeGreaterThan(290);
        assertThat(thinned.started).isEqualTo(raw.started);
        assertThat(thinned.ended).isEqualTo(raw.ended);
        assertThat(thinned.ended.get(0).zones()).containsExactly("left", "right");

        MotionEvent enteredRight = raw.updated.stream().filter(e -> e.zones().contains("right")).findFirst()
                .orElseThrow();
        assertThat(thinned.updated).as("at 5 s, on entering the right zone, and 5 s after that").hasSize(3);
        assertThat(thinned.updated).contains(enteredRight);
        long last = thinned.started.get(0).lastMotionPts();
        for (MotionEvent u : thinned.updated) {
            if (!u.equals(enteredRight)) {
                assertThat(u.lastMotionPts() - last).as("time since the previous message").isBetween(FIVE_SECONDS,
                        FIVE_SECONDS + FRAME);
            }
            last = u.lastMotionPts();
        }
        assertThat(raw.updated).as("each UPDATE that goes out is one the tracker made").containsAll(thinned.updated);
    }

    @Test
    void zeroPassesEveryUpdate() {
        walk(Duration.ZERO);
        assertThat(thinned.updated).isEqualTo(raw.updated);
        assertThat(thinned.ended).isEqualTo(raw.ended);
    }

    @Test
    void theDefaultIsFiveSeconds() {
        assertThat(TrackerSettings.DEFAULTS.updateEvery()).isEqualTo(Duration.ofSeconds(5));
        assertThat(TrackerSettings.DEFAULTS.startFrames()).isEqualTo(MotionTracker.DEFAULT_START_FRAMES);
        assertThat(TrackerSettings.DEFAULTS.endGap()).isEqualTo(MotionTracker.DEFAULT_GAP);
    }
}
