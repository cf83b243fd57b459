package io.streamtee.analyze.motion;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class MotionDetectorTest {
    private static final int CALIBRATION = MotionSettings.defaults().calibrationFrames() + 1;
    private static final int SPEED = 3; // px per frame
    private static final long GAP = MotionTracker.DEFAULT_GAP.toMillis() * 90;

    /** Everything one run saw. */
    private static final class Run {
        final Scene scene;
        final MotionDetector detector;
        final Recorder events = new Recorder();
        final MotionTracker tracker;
        int motionFrames;
        final List<Long> motionIndexes = new ArrayList<>();

        Run(long seed, List<Polygon> masks, Zones zones) {
            scene = new Scene(seed);
            detector = new MotionDetector(MotionSettings.defaults(), masks);
            tracker = new MotionTracker(zones, events);
        }

        Run(long seed) {
            this(seed, List.of(), Zones.none());
        }

        Detections frame() {
            long index = scene.index();
            Detections d = detector.detect(scene.next());
            if (d.motion()) {
                motionFrames++;
                motionIndexes.add(index);
            }
            tracker.accept(d, index);
            return d;
        }

        void frames(int n) {
            for (int i = 0; i < n; i++) {
                frame();
            }
        }

        /**
         * The disc crosses left to right at row {@code y}; each frame's largest box must match the disc's visible
         * extent within {@code slack} px. Returns the index of the first frame the disc is in the picture.
         */
        long cross(double y, double r, int slack, List<String> mismatches) {
            scene.discY = y;
            scene.discR = r;
            long entry = -1;
            for (double x = -r - SPEED; x < Scene.W + r + SPEED; x += SPEED) {
                scene.discX = x;
                boolean visible = x + r > 0.5 && x - r < Scene.W - 0.5;
                if (visible && entry < 0) {
                    entry = scene.index();
                }
                Detections d = frame();
                boolean wellInside = x - r > 2 && x + r < Scene.W - 2;
                if (wellInside && slack >= 0) {
                    if (!d.motion()) {
                        mismatches.add("no motion at x=" + x);
                        continue;
                    }
                    Box b = d.box(0);
                    int ex0 = (int) Math.floor(x - r);
                    int ex1 = (int) Math.ceil(x + r);
                    int ey0 = (int) Math.floor(y - r);
                    int ey1 = (int) Math.ceil(y + r);
                    if (Math.abs(b.x0() - ex0) > slack || Math.abs(b.x1() - ex1) > slack
                            || Math.abs(b.y0() - ey0) > slack || Math.abs(b.y1() - ey1) > slack) {
                        mismatches.add("x=" + x + " box " + b + " vs disc " + ex0 + "," + ey0 + " to " + ex1 + ","
                                + ey1);
                    }
                }
            }
            scene.discR = 0;
            return entry;
        }
    }

    @Test
    void aDiscCrossingGivesBoxesOnTheDiscAndOneEventPerCrossing() {
        Run run = new Run(1);
        run.frames(CALIBRATION + 30);
        List<String> mismatches = new ArrayList<>();
        long entry1 = run.cross(50, 8, 3, mismatches);
        long last1 = run.motionIndexes.get(run.motionIndexes.size() - 1);
        run.frames(60); // 4 s of quiet
        long entry2 = run.cross(30, 10, 3, mismatches);
        long last2 = run.motionIndexes.get(run.motionIndexes.size() - 1);
        run.frames(60);
        run.tracker.finish();

        assertThat(mismatches).isEmpty();
        assertThat(run.events.started).hasSize(2);
        assertThat(run.events.ended).hasSize(2);
        MotionEvent first = run.events.ended.get(0);
        assertThat(first.startPts()).isBetween(Scene.pts(entry1), Scene.pts(entry1 + 3));
        assertThat(first.lastMotionPts()).isEqualTo(Scene.pts(last1));
        assertThat(first.endPts()).isEqualTo(Scene.pts(last1) + GAP);
        assertThat(first.peakFrame()).isBetween(entry1, last1);
        assertThat(first.union().x0()).isLessThanOrEqualTo(3);
        assertThat(first.union().x1()).isGreaterThanOrEqualTo(Scene.W - 3);
        assertThat(first.union().y0()).isBetween(38, 45);
        assertThat(first.union().y1()).isBetween(55, 62);
        MotionEvent second = run.events.ended.get(1);
        assertThat(second.startPts()).isBetween(Scene.pts(entry2), Scene.pts(entry2 + 3));
        assertThat(second.endPts()).isEqualTo(Scene.pts(last2) + GAP);
        // the disc's exit is the last motion: no ghost left behind in the background
        assertThat(last1 - entry1).isLessThanOrEqualTo((Scene.W + 16) / SPEED + 3);
    }

    /**
     * A visitor close to the camera fills much of the picture (radius 30: a sixth of it), brighter or darker than
     * all of it: still motion, not a lighting change. (At radius 40, over a quarter of the picture, the picture's
     * median moves enough to read as lights switched on.)
     */
    @ParameterizedTest
    @ValueSource(ints = {20, 30})
    void aBigVisitorCloseToTheCameraIsOneEvent(int radius) {
        for (int level : new int[] {235, 20}) {
            Run run = new Run(14);
            run.scene.discLevel = level;
            run.frames(CALIBRATION + 30);
            run.cross(50, radius, -1, new ArrayList<>());
            run.frames(60);
            assertThat(run.events.ended).as("radius %d, level %d", radius, level).hasSize(1);
            assertThat(run.detector.recalibrations()).as("radius %d, level %d", radius, level).isZero();
        }
    }

    @Test
    void aVisitorStandingStillShowsForSecondsThenBecomesBackground() {
        Run run = new Run(12);
        run.frames(CALIBRATION + 30);
        run.scene.discX = 90;
        run.scene.discY = 50;
        run.scene.discR = 8;
        int shown = 0;
        for (int i = 0; i < 75; i++) { // 5 s
            shown += run.frame().motion() ? 1 : 0;
        }
        assertThat(shown).isEqualTo(75);
        assertThat(run.events.started).hasSize(1);
        run.frames(900); // a minute: parked
        assertThat(run.events.ended).hasSize(1);
        int late = 0;
        for (int i = 0; i < 100; i++) {
            late += run.frame().motion() ? 1 : 0;
        }
        assertThat(late).isZero();
    }

    @Test
    void aStaticNoisySceneDetectsNothingAfterCalibration() {
        Run run = new Run(2);
        int detections = 0;
        double maxScore = 0;
        for (int i = 0; i < 3000; i++) {
            Detections d = run.frame();
            if (i >= CALIBRATION) {
                detections += d.count();
                maxScore = Math.max(maxScore, d.score());
                assertThat(d.recalibrating()).as("frame %d", i).isFalse();
            }
        }
        assertThat(detections).isZero();
        assertThat(maxScore).isZero();
        assertThat(run.events.started).isEmpty();
        assertThat(run.detector.recalibrations()).isZero();

        // the noise is real: a detector with a low threshold sees changed pixels (specks that do not persist from
        // frame to frame make no box, so the changed share is what shows them)
        Scene scene = new Scene(2);
        MotionDetector sensitive = new MotionDetector(MotionSettings.defaults().withThreshold(8).withMinArea(1));
        int noisy = 0;
        for (int i = 0; i < 200; i++) {
            noisy += sensitive.detect(scene.next()).score() > 0 ? 1 : 0;
        }
        assertThat(noisy).isPositive();
    }

    @Test
    void aBrightnessStepIsNoMotionAndADiscAfterwardsStillIs() {
        Run run = new Run(3);
        run.frames(CALIBRATION + 30);
        run.scene.offset = 60;
        run.frames(200);
        run.scene.offset = -40;
        run.frames(200);
        assertThat(run.events.started).isEmpty();
        assertThat(run.motionFrames).isZero();

        run.cross(50, 8, -1, new ArrayList<>());
        run.frames(60);
        assertThat(run.events.ended).hasSize(1);
    }

    @Test
    void switchingToFlatGreyNightModeRecalibratesAndADiscAtNightStillShows() {
        Run run = new Run(4);
        run.frames(CALIBRATION + 30);
        run.scene.night = true;
        run.frames(300);
        assertThat(run.events.started).isEmpty();
        assertThat(run.motionFrames).isZero();
        assertThat(run.detector.recalibrations()).isGreaterThanOrEqualTo(1);

        run.scene.night = false; // and back to day
        run.frames(300);
        assertThat(run.events.started).isEmpty();
        assertThat(run.motionFrames).isZero();
        assertThat(run.detector.recalibrations()).isGreaterThanOrEqualTo(2);

        run.scene.night = true;
        run.frames(60);
        run.cross(50, 8, -1, new ArrayList<>());
        run.frames(60);
        assertThat(run.events.ended).hasSize(1);
    }

    @ParameterizedTest
    @ValueSource(ints = {8, 30, 75, 150})
    void aNightModeFadingInOverAFewFramesIsNoMotionEvent(int fadeFrames) {
        Run run = new Run(8);
        run.frames(CALIBRATION + 30);
        for (int i = 1; i <= fadeFrames; i++) {
            run.scene.fade = (double) i / fadeFrames;
            run.frame();
        }
        run.scene.night = true;
        run.frames(300);
        assertThat(run.events.started).isEmpty();
        assertThat(run.motionFrames).isLessThan(MotionTracker.DEFAULT_START_FRAMES);
        assertThat(run.detector.recalibrations()).isGreaterThanOrEqualTo(1);
    }

    @Test
    void detectingAllocatesNothingAfterWarmUp() {
        Scene scene = new Scene(10);
        scene.discR = 8;
        scene.discY = 50;
        GreyFrame[] frames = new GreyFrame[200];
        for (int i = 0; i < frames.length; i++) {
            scene.discX = i * 3 % 200 - 10;
            GreyFrame f = scene.next();
            frames[i] = new GreyFrame(f.width(), f.height(), f.luma().clone(), f.pts());
        }
        MotionDetector detector = new MotionDetector(MotionSettings.defaults(),
                List.of(Polygon.parse("m", "[[0,0],[0.2,0],[0.2,0.2]]")));
        for (GreyFrame f : frames) {
            detector.detect(f);
        }
        var threads = (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();
        long id = Thread.currentThread().threadId();
        int boxes = 0;
        long before = threads.getThreadAllocatedBytes(id);
        for (GreyFrame f : frames) {
            boxes += detector.detect(f).count();
        }
        long allocated = threads.getThreadAllocatedBytes(id) - before;
        assertThat(boxes).isPositive();
        assertThat(allocated).as("bytes allocated by 200 frames").isLessThan(1000);
    }

    @Test
    void aSlowCloudShadowIsNoMotion() {
        Run run = new Run(5);
        run.frames(CALIBRATION + 30);
        run.scene.cloudDepth = 0.4;
        for (double edge = -120; edge < Scene.W + 120; edge += 0.75) { // about 30 s at 15 fps
            run.scene.cloudEdge = edge;
            run.frame();
        }
        run.frames(100);
        assertThat(run.events.started).isEmpty();
        assertThat(run.motionFrames).isZero();
    }

    @Test
    void lightRainIsNoMotionAndADiscInTheRainStillIs() {
        Run run = new Run(11);
        run.frames(CALIBRATION + 30);
        run.scene.rain = 10; // ten 1x6 px streaks, 35 levels brighter, each frame
        run.frames(600);
        assertThat(run.events.started).isEmpty();

        List<String> mismatches = new ArrayList<>();
        run.cross(50, 8, Scene.RAIN_LENGTH + 2, mismatches); // a streak touching the disc joins its box
        assertThat(mismatches).isEmpty();
        assertThat(run.events.started).hasSize(1);
    }

    /**
     * Heavy rain: 40 to 160 streaks a frame (1x6 px, 35 levels brighter; 80 change 2.7% of the picture every frame)
     * touch each other often enough to make regions over the minimum area; they flicker at random places, so they do
     * not persist from frame to frame, and what chance overlaps let through comes and goes at random places, not in
     * one place for three frames (the tracker's rule). 160 a frame change 5% of the picture every frame.
     */
    @ParameterizedTest
    @ValueSource(ints = {40, 80, 160})
    void heavyRainIsNoMotionAndADiscInItStillIs(int streaks) {
        Run run = new Run(13);
        run.frames(CALIBRATION + 30);
        run.scene.rain = streaks;
        run.frames(900); // a minute
        assertThat(run.events.started).isEmpty();

        run.cross(50, 8, -1, new ArrayList<>());
        run.frames(60);
        assertThat(run.events.started).hasSize(1);
    }

    @Test
    void aMaskOverTheDiscsPathHidesIt() {
        Polygon band = Polygon.parse("analyze.masks[0]", "[[0,0.3],[1,0.3],[1,0.7],[0,0.7]]");
        Run masked = new Run(6, List.of(band), Zones.none());
        masked.frames(CALIBRATION + 30);
        masked.cross(50, 8, -1, new ArrayList<>());
        masked.frames(60);
        assertThat(masked.events.started).isEmpty();
        assertThat(masked.motionFrames).isZero();

        Run open = new Run(6);
        open.frames(CALIBRATION + 30);
        open.cross(50, 8, -1, new ArrayList<>());
        open.frames(60);
        assertThat(open.events.started).hasSize(1);
    }

    @Test
    void theEventNamesTheZonesTheDiscCrossedAndHonoursTheMinimumShare() {
        Zones zones = new Zones(List.of(
                Zone.parse("left", "[[0,0.3],[0.3,0.3],[0.3,0.7],[0,0.7]]", 0),
                Zone.parse("sky", "[[0,0],[1,0],[1,0.2],[0,0.2]]", 0),
                Zone.parse("right", "[[0.7,0.3],[1,0.3],[1,0.7],[0.7,0.7]]", 0),
                Zone.parse("kerb", "[[0,0.56],[1,0.56],[1,0.7],[0,0.7]]", 0),
                Zone.parse("kerbHalf", "[[0,0.56],[1,0.56],[1,0.7],[0,0.7]]", 0.5)));
        Run run = new Run(7, List.of(), zones);
        run.frames(CALIBRATION + 30);
        run.cross(50, 8, -1, new ArrayList<>());
        run.frames(60);
        assertThat(run.events.ended).hasSize(1);
        // the disc's box spans rows 42..58: the kerb zone (rows 56..70) holds under half of it
        assertThat(run.events.ended.get(0).zones()).containsExactly("left", "right", "kerb");
        assertThat(run.events.updated).anySatisfy(e -> assertThat(e.zones()).contains("right"));
    }

    @Test
    void aDetectorIsNotUsedAfterClose() {
        MotionDetector detector = new MotionDetector(MotionSettings.defaults());
        detector.close();
        detector.close();
        assertThatThrownBy(() -> detector.detect(new Scene(1).next())).isInstanceOf(IllegalStateException.class);
    }
}
