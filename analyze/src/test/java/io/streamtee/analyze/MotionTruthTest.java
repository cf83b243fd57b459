package io.streamtee.analyze;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.streamtee.analyze.event.Event;
import io.streamtee.analyze.motion.MotionSettings;
import io.streamtee.analyze.motion.MotionTracker;
import io.streamtee.analyze.motion.Polygon;
import io.streamtee.camera.Camera;
import io.streamtee.camera.CameraConfig;
import io.streamtee.camera.CameraStats;
import io.streamtee.camera.Destination;
import io.streamtee.camera.PatternClip;
import io.streamtee.camera.PatternScript;
import io.streamtee.config.Endpoint;
import io.streamtee.testing.Figures;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The truth test at the default motion settings: the pattern camera with a visitor every 10 s for 4 s over
 * 60 s gives exactly one motion event per visit, starting within 0.5 s of the visit, ending within 1 s plus the quiet
 * gap after it, with the visitor inside the event's box. The camera's stream is made with its own encoder as fast as
 * the machine allows ({@link PatternClip}) and fed through the analyzer's decoding side ({@link Replay}).
 */
class MotionTruthTest {
    /** Where the camera burns its clock in, masked as a user masks a camera's timestamp. */
    static final Polygon CLOCK_MASK = Polygon.parse("analyze.masks[0]", "[[0,0.85],[1,0.85],[1,1],[0,1]]");
    static final Instant START = Instant.parse("2026-11-30T12:00:00Z");

    @ParameterizedTest(name = "{0}x{1} at {2} fps, {3} bit/s")
    @CsvSource({"320, 180, 15, 300000", "320, 180, 20, 400000", "640, 360, 15, 800000", "1280, 720, 30, 4000000"})
    void oneEventPerVisitAtTheDefaults(int width, int height, int fps, long bitrate) throws Exception {
        CameraConfig.Pattern pattern = CameraConfig.Pattern.DEFAULT.withSize(width, height).withFps(fps)
                .withBitrate(bitrate).withVisitor(Duration.ofSeconds(10), Duration.ofSeconds(4));
        long t0 = System.nanoTime();
        byte[] ts = PatternClip.render(pattern, Duration.ofSeconds(60), START);
        long t1 = System.nanoTime();
        Replay.Result result = Replay.run(ts, MotionSettings.defaults(), List.of(), List.of(CLOCK_MASK));
        long t2 = System.nanoTime();
        System.out.printf("%dx%d@%d: encoded 60 s in %d ms, analysed in %d ms, %d frames%n", width, height, fps,
                (t1 - t0) / 1_000_000, (t2 - t1) / 1_000_000, result.frames());
        assertThat(result.frames()).isEqualTo(60L * fps);
        assertThat(result.skipped()).isZero();
        assertThat(result.errors()).isZero();
        Truth truth = Truth.of(new PatternScript(pattern), 60L * fps);
        assertThat(truth.visits()).hasSize(5);
        truth.check(width + "x" + height, result.motion(), MotionTracker.DEFAULT_GAP);
    }

    /**
     * Lighting changes between visits do not blind the detector: with night mode from 25 s to 37 s and the lights
     * stepping down 40 at 17 s (and up again at 34 s), the visits at 10 s (day), 20 s (dimmer), 30 s (at night,
     * dimmer) and 40 s (day again) are one event each, and the changes themselves none. (Not lights up: the camera
     * clips its picture at 235, where the bright visitor and the white bar then both end up.)
     */
    @Test
    void visitsBetweenLightingChangesAndAtNightAreOneEventEach() throws Exception {
        CameraConfig.Pattern pattern = CameraConfig.Pattern.DEFAULT.withSize(320, 180).withFps(15)
                .withBitrate(300_000).withVisitor(Duration.ofSeconds(10), Duration.ofSeconds(4))
                .withLights(new CameraConfig.Lights(Duration.ofSeconds(17), -40, Duration.ofSeconds(25),
                        Duration.ofSeconds(12)));
        byte[] ts = PatternClip.render(pattern, Duration.ofSeconds(47), START);
        Replay.Result result = Replay.run(ts, MotionSettings.defaults(), List.of(), List.of(CLOCK_MASK));
        Truth truth = Truth.of(new PatternScript(pattern), 47L * 15);
        assertThat(truth.visits()).hasSize(4);
        truth.check("lights", result.motion(), MotionTracker.DEFAULT_GAP);
    }

    /**
     * The same live, end to end: the camera sends in real time over loopback UDP to a running {@link Analyzer} at
     * the defaults. Three visits (34.5 s) rather than the minute above: the minute costs a minute of test time, and
     * the replay already holds every visit of it; what this one adds is the socket, the health monitor's demuxer and
     * the arrival clock, which three visits exercise as well as six.
     */
    @Test
    void liveOverUdpOneEventPerVisitAtTheDefaults() throws Exception {
        AnalyzerTest.Recording sink = new AnalyzerTest.Recording();
        CameraConfig.Pattern pattern = CameraConfig.Pattern.DEFAULT.withSize(640, 360).withFps(15)
                .withBitrate(800_000).withVisitor(Duration.ofSeconds(10), Duration.ofSeconds(4));
        AnalyzerConfig config = AnalyzerConfig.of(Endpoint.parse("udp://127.0.0.1:0", Endpoint.Role.INPUT), "porch",
                List.of(sink)).withZones(List.of(), List.of(CLOCK_MASK));
        CameraStats sent;
        Analyzer.Stats stats;
        try (Analyzer analyzer = new Analyzer(config).start()) {
            CameraConfig camera = CameraConfig.pattern(Destination.of(analyzer.localAddress())).withSource(pattern)
                    .withDuration(Duration.ofMillis(34_500));
            try (Camera cam = new Camera(camera).start()) {
                assertThat(cam.awaitDone(Duration.ofSeconds(70))).isTrue();
                assertThat(cam.failure()).isNull();
                sent = cam.stats();
            }
            await().atMost(Duration.ofSeconds(10))
                    .until(() -> analyzer.stats().datagrams() == sent.datagramsSent());
            await().atMost(Duration.ofSeconds(10))
                    .until(() -> analyzer.stats().framesDecoded() >= sent.framesEncoded() - 1);
            stats = analyzer.stats();
        }
        System.out.println("analyzer " + stats + ", camera " + sent);
        assertThat(stats.framesSkipped()).isZero();
        assertThat(stats.decodeErrors()).isZero();
        Truth truth = Truth.of(new PatternScript(pattern), sent.framesEncoded());
        assertThat(truth.visits()).hasSize(3);
        Map<String, List<Event>> motion = new LinkedHashMap<>();
        sink.events.stream().filter(e -> e.kind() == Event.Kind.MOTION)
                .forEach(e -> motion.computeIfAbsent(e.id(), k -> new ArrayList<>()).add(e));
        truth.check("live 640x360", motion, MotionTracker.DEFAULT_GAP);
        Figures.of("analyze.events").put("visits", truth.visits().size()).put("motion_events", motion.size())
                .put("frames_sent", sent.framesEncoded()).put("frames_decoded", stats.framesDecoded())
                .put("frames_skipped", stats.framesSkipped())
                .record(MotionTruthTest.class, "liveOverUdpOneEventPerVisitAtTheDefaults");
    }
}
