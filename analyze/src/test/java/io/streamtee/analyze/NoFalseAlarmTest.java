package io.streamtee.analyze;

import static org.assertj.core.api.Assertions.assertThat;

import io.streamtee.analyze.event.Event;
import io.streamtee.analyze.motion.MotionSettings;
import io.streamtee.analyze.motion.MotionTracker;
import io.streamtee.analyze.motion.Polygon;
import io.streamtee.analyze.motion.Zone;
import io.streamtee.camera.CameraConfig;
import io.streamtee.camera.PatternClip;
import io.streamtee.camera.PatternScript;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The "no false alarms" at the default motion settings, against the pattern camera's real H.264 stream
 * (rendered faster than real time and replayed through the analyzer's decoding side, {@link Replay}): a static
 * scene with sensor noise for five minutes, lighting steps and night-mode switches, a mask over the visitor's path;
 * and the zones an event names. The camera's burned-in clock is masked, as a user masks a camera's timestamp (see
 * {@link #theBurnedInClockIsMotionUnlessMasked}).
 */
class NoFalseAlarmTest {
    private static final CameraConfig.Pattern SMALL = CameraConfig.Pattern.DEFAULT.withSize(320, 180).withFps(15)
            .withBitrate(300_000);
    private static final CameraConfig.Pattern NO_VISITOR = SMALL.withVisitor(Duration.ZERO, Duration.ZERO);
    private static final List<Polygon> CLOCK = List.of(MotionTruthTest.CLOCK_MASK);

    private static Replay.Result replay(CameraConfig.Pattern pattern, Duration duration, List<Zone> zones,
            List<Polygon> masks) throws InterruptedException {
        byte[] ts = PatternClip.render(pattern, duration, MotionTruthTest.START);
        Replay.Result result = Replay.run(ts, MotionSettings.defaults(), zones, masks);
        assertThat(result.frames()).isEqualTo(frames(pattern, duration));
        assertThat(result.skipped()).isZero();
        return result;
    }

    /** Frames a pattern camera makes in {@code duration}. */
    private static long frames(CameraConfig.Pattern pattern, Duration duration) {
        return Math.round(duration.toNanos() * (double) pattern.fps() / 1e9);
    }

    @ParameterizedTest(name = "sensor noise {0}, {1} bit/s")
    @CsvSource({"4, 300000", "16, 300000"})
    void fiveMinutesOfAStaticNoisySceneGiveNoEvent(int noise, long bitrate) throws Exception {
        Replay.Result result = replay(NO_VISITOR.withNoise(noise).withBitrate(bitrate), Duration.ofMinutes(5),
                List.of(), CLOCK);
        assertThat(result.motion()).as("motion events in five static minutes").isEmpty();
    }

    /**
     * What the clock mask is for: a camera's burned-in clock changes every frame. In the detector's 100 px high
     * picture its digits are a few pixels each, mostly under the minimum area after the blur, yet now and then the
     * changing digits of the frame counter and the milliseconds make a region large enough for an event. As with
     * Frigate, the answer is a mask over the timestamp.
     */
    @Test
    void theBurnedInClockIsMotionUnlessMasked() throws Exception {
        byte[] ts = PatternClip.render(NO_VISITOR, Duration.ofSeconds(120), MotionTruthTest.START);
        Replay.Result open = Replay.run(ts, MotionSettings.defaults(), List.of(), List.of());
        System.out.println("the clock unmasked: " + open.motion().size() + " motion events in 120 s");
        assertThat(open.motionEnds()).isNotEmpty().allSatisfy(e -> assertThat(e.boxes().getLast().y())
                .as("the motion is the clock's, at the bottom").isGreaterThan(0.85));
        assertThat(Replay.run(ts, MotionSettings.defaults(), List.of(), CLOCK).motion()).isEmpty();
    }

    @ParameterizedTest(name = "step {0} every {1} s, night every {2} s for {3} s")
    @CsvSource({"40, 7, 20, 8", "-40, 5, 13, 4", "60, 3, 0, 0", "20, 4, 6, 3"})
    void lightingStepsAndNightModeSwitchesGiveNoMotionEvent(int step, int stepEvery, int nightEvery, int nightFor)
            throws Exception {
        CameraConfig.Pattern pattern = NO_VISITOR.withLights(new CameraConfig.Lights(Duration.ofSeconds(stepEvery),
                step, Duration.ofSeconds(nightEvery), Duration.ofSeconds(nightFor)));
        Replay.Result result = replay(pattern, Duration.ofSeconds(60), List.of(), CLOCK);
        assertThat(result.motion()).as("motion events").isEmpty();
    }

    @Test
    void aMaskOverTheVisitorsPathGivesNoEventAndWithoutItEveryVisitIsOne() throws Exception {
        CameraConfig.Pattern pattern = SMALL.withVisitor(Duration.ofSeconds(10), Duration.ofSeconds(4));
        byte[] ts = PatternClip.render(pattern, Duration.ofSeconds(35), MotionTruthTest.START);
        Polygon path = Polygon.parse("analyze.masks[1]", "[[0,0.3],[1,0.3],[1,0.7],[0,0.7]]");
        Replay.Result masked = Replay.run(ts, MotionSettings.defaults(), List.of(),
                List.of(MotionTruthTest.CLOCK_MASK, path));
        assertThat(masked.motion()).as("motion events with the path masked").isEmpty();
        Replay.Result open = Replay.run(ts, MotionSettings.defaults(), List.of(), CLOCK);
        assertThat(open.motion()).as("motion events without that mask").hasSize(3);
    }

    @Test
    void eachEventNamesTheZonesTheVisitorCrossedAndOnlyThose() throws Exception {
        // the visitor crosses the whole width at rows 0.4..0.6
        List<Zone> zones = List.of(
                Zone.parse("path-left", "[[0,0.3],[0.3,0.3],[0.3,0.7],[0,0.7]]", 0),
                Zone.parse("sky", "[[0,0],[1,0],[1,0.2],[0,0.2]]", 0),
                Zone.parse("door", "[[0.45,0],[0.55,0],[0.55,1],[0.45,1]]", 0),
                Zone.parse("lawn", "[[0,0.55],[1,0.55],[1,0.8],[0,0.8]]", 0),
                Zone.parse("lawn-mostly", "[[0,0.55],[1,0.55],[1,0.8],[0,0.8]]", 0.5),
                Zone.parse("path-right", "[[0.7,0.3],[1,0.3],[1,0.7],[0.7,0.7]]", 0));
        CameraConfig.Pattern pattern = SMALL.withVisitor(Duration.ofSeconds(10), Duration.ofSeconds(4));
        Replay.Result result = replay(pattern, Duration.ofSeconds(25), zones, CLOCK);
        Truth truth = Truth.of(new PatternScript(pattern), frames(pattern, Duration.ofSeconds(25)));
        truth.check("zones", result.motion(), MotionTracker.DEFAULT_GAP);
        for (Event end : result.motionEnds()) {
            // the lawn holds the bottom quarter of the visitor's box: touched, but not half of it
            assertThat(end.zones()).as(end.id()).containsExactly("path-left", "door", "lawn", "path-right");
            assertThat(end.title()).isEqualTo("motion in path-left, door, lawn, path-right");
        }
    }
}
