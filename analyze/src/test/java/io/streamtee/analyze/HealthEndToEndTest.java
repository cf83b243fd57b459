package io.streamtee.analyze;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.streamtee.analyze.event.Event;
import io.streamtee.analyze.health.HealthEvent;
import io.streamtee.analyze.health.HealthSettings;
import io.streamtee.analyze.motion.MotionSettings;
import io.streamtee.camera.Camera;
import io.streamtee.camera.CameraConfig;
import io.streamtee.camera.Destination;
import io.streamtee.config.Endpoint;
import io.streamtee.testing.Figures;
import io.streamtee.ts.Tr101290;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Stream health proven end to end: the real pattern camera (H.264, 20 fps, its own faults) over loopback UDP into a
 * real analyzer, the events read from a sink.
 */
class HealthEndToEndTest {
    static final CameraConfig.Pattern SMALL = CameraConfig.Pattern.DEFAULT.withSize(320, 180).withFps(20).withGop(20)
            .withBitrate(600_000).withVisitor(Duration.ofSeconds(60), Duration.ofSeconds(1));

    static Analyzer analyzer(AnalyzerTest.Recording sink, HealthSettings health) {
        return new Analyzer(new AnalyzerConfig(Endpoint.parse("udp://127.0.0.1:0", Endpoint.Role.INPUT), "porch",
                MotionSettings.defaults(), health, List.of(), List.of(), List.of(sink))).start();
    }

    static CameraConfig camera(InetSocketAddress to, CameraConfig.Pattern pattern, Duration duration) {
        return CameraConfig.pattern(Destination.of(to)).withSource(pattern).withDuration(duration);
    }

    static List<Event> health(AnalyzerTest.Recording sink) {
        return sink.events.stream().filter(e -> e.kind() == Event.Kind.HEALTH).toList();
    }

    static List<Event> of(AnalyzerTest.Recording sink, HealthEvent.Kind kind) {
        return health(sink).stream().filter(e -> kind.name().equals(e.details().get("problem"))).toList();
    }

    static List<Event> videoContinuity(AnalyzerTest.Recording sink) {
        return of(sink, HealthEvent.Kind.CONTINUITY).stream().filter(e -> Integer.valueOf(256)
                .equals(e.details().get("pid"))).toList();
    }

    static String describe(AnalyzerTest.Recording sink) {
        return String.join("\n", health(sink).stream().map(e -> e.phase() + " " + e.title()).toList());
    }

    @Test
    void lossIsOneContinuityEpisodeThenACameraStoppedAndRestartedIsLostAndBack() throws Exception {
        AnalyzerTest.Recording sink = new AnalyzerTest.Recording();
        HealthSettings settings = HealthSettings.DEFAULTS.withQuietTime(Duration.ofSeconds(5))
                .withBackConfirm(Duration.ofSeconds(1));
        long errors;
        try (Analyzer analyzer = analyzer(sink, settings)) {
            // 1. the camera with --loss 0.02 for 6 s: about one lost datagram a second
            CameraConfig lossy = camera(analyzer.localAddress(), SMALL, Duration.ofSeconds(6))
                    .withFaults(new CameraConfig.Faults(0.02, Duration.ZERO, false, 42));
            long dropped;
            try (Camera cam = new Camera(lossy).start()) {
                assertThat(cam.awaitDone(Duration.ofSeconds(20))).isTrue();
                dropped = cam.stats().datagramsDropped();
            }
            assertThat(dropped).isGreaterThan(3);
            // the lost datagrams damaged access units: the decoder skipped to the next keyframe, counted as damage
            await().atMost(Duration.ofSeconds(5)).until(() -> analyzer.stats().framesSkippedDamaged() > 0);
            // 2. stopped: the continuity episode ends by its quiet time, the stream is lost after 2 s
            long stopped = System.nanoTime();
            await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(20))
                    .until(() -> of(sink, HealthEvent.Kind.STREAM_LOST).size() >= 1);
            long lostSaidMs = (System.nanoTime() - stopped) / 1_000_000;
            await().atMost(Duration.ofSeconds(10)).until(() -> of(sink, HealthEvent.Kind.STREAM_LOST).size() == 1
                    && videoContinuity(sink).size() == 2);
            errors = analyzer.health().errorCount(Tr101290.Kind.CONTINUITY_COUNT_ERROR);
            // 3. restarted: back after the silence, confirmed after 1 s of data
            long decodedBefore = analyzer.stats().framesDecoded();
            long restarted = System.nanoTime();
            long backSaidMs;
            long firstFrameMs;
            long framesAfter;
            try (Camera cam = new Camera(camera(analyzer.localAddress(), SMALL, Duration.ofSeconds(3))).start()) {
                await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(10))
                        .until(() -> analyzer.stats().framesDecoded() > decodedBefore);
                firstFrameMs = (System.nanoTime() - restarted) / 1_000_000;
                await().atMost(Duration.ofSeconds(10)).until(() -> of(sink, HealthEvent.Kind.STREAM_LOST).size() == 2);
                backSaidMs = (System.nanoTime() - restarted) / 1_000_000;
                assertThat(cam.awaitDone(Duration.ofSeconds(20))).isTrue();
                framesAfter = cam.stats().framesEncoded();
            }
            try { // measured, not asserted: what the analyzer decoded of the restarted camera
                await().atMost(Duration.ofSeconds(5)).until(() -> analyzer.stats().framesDecoded() - decodedBefore
                        >= framesAfter);
            } catch (org.awaitility.core.ConditionTimeoutException e) {
                System.out.println("decoded after the restart: " + (analyzer.stats().framesDecoded() - decodedBefore)
                        + " of " + framesAfter);
            }
            Figures.of("fault.camera.stop-restart-analyze").put("stream_lost_said_ms", lostSaidMs)
                    .put("first_frame_after_restart_ms", firstFrameMs).put("stream_back_said_ms", backSaidMs)
                    .put("frames_sent_after_restart", framesAfter)
                    .put("frames_decoded_after_restart", analyzer.stats().framesDecoded() - decodedBefore)
                    .record(getClass(), "lossIsOneContinuityEpisodeThenACameraStoppedAndRestartedIsLostAndBack");
            assertThat(analyzer.health().errorCount(Tr101290.Kind.CONTINUITY_COUNT_ERROR)).isEqualTo(errors);
            // one on the video PID; the PAT's and PMT's (when a lost datagram held them) may be more than 5 s apart
            assertThat(analyzer.health().problemsStarted(HealthEvent.Kind.CONTINUITY)).isPositive();
            assertThat(analyzer.health().outagesTotal()).isEqualTo(1);
        }
        String all = describe(sink);
        System.out.println(all);

        List<Event> cc = videoContinuity(sink);
        assertThat(cc).as(all).extracting(Event::phase).containsExactly(Event.Phase.START, Event.Phase.END);
        assertThat(cc.get(1).id()).isEqualTo(cc.get(0).id());
        assertThat(cc.get(0).title()).isEqualTo("continuity errors on PID 256");
        assertThat(cc.get(1).title()).startsWith("continuity errors on PID 256 ended (");
        assertThat(errors).isGreaterThan(3);
        // every problem that started ended: hysteresis, not an event per lost datagram
        for (HealthEvent.Kind kind : List.of(HealthEvent.Kind.CONTINUITY, HealthEvent.Kind.PCR)) {
            List<Event> k = of(sink, kind);
            assertThat(k.stream().filter(e -> e.phase() == Event.Phase.END)).as(all).hasSize(k.size() / 2);
            assertThat((long) k.size()).as(all).isLessThanOrEqualTo(2 * errors);
        }

        List<Event> lost = of(sink, HealthEvent.Kind.STREAM_LOST);
        assertThat(lost).as(all).extracting(Event::phase).containsExactly(Event.Phase.START, Event.Phase.END);
        assertThat(lost.get(0).title()).startsWith("stream lost (no data for 2.");
        assertThat(lost.get(1).title()).matches("stream back after \\d+\\.\\d s");
        // the silence: from the last datagram of the first camera to the first of the second one
        assertThat(lost.get(1).endMillis() - lost.get(1).startMillis()).isBetween(2_000L, 15_000L);

        // no timestamp, format or other problem (a lost datagram that held a PCR is a PCR gap: TR 101 290 says so);
        // the restart after an outage is no continuity error; the format is said once
        assertThat(health(sink)).as(all).extracting(e -> e.details().get("problem")).containsOnly(
                "CONTINUITY", "PCR", "STREAM_LOST", "FORMAT");
        List<Event> format = of(sink, HealthEvent.Kind.FORMAT);
        assertThat(format).hasSize(1);
        assertThat(format.get(0).title()).isEqualTo("stream format: h264 320x180 20 fps");
        assertThat(format.get(0).details()).containsEntry("codec", "h264").containsEntry("width", 320)
                .containsEntry("height", 180);
    }

    @Test
    void closingTheAnalyzerEndsTheOpenEpisodes() throws Exception {
        AnalyzerTest.Recording sink = new AnalyzerTest.Recording();
        try (Analyzer analyzer = analyzer(sink, HealthSettings.DEFAULTS)) {
            CameraConfig lossy = camera(analyzer.localAddress(), SMALL, Duration.ZERO)
                    .withFaults(new CameraConfig.Faults(0.05, Duration.ZERO, false, 7));
            try (Camera cam = new Camera(lossy).start()) {
                await().atMost(Duration.ofSeconds(10)).until(() -> !of(sink, HealthEvent.Kind.CONTINUITY).isEmpty());
                analyzer.close(); // while the camera still sends, the episode open
            }
        }
        List<Event> cc = of(sink, HealthEvent.Kind.CONTINUITY);
        assertThat(cc).as(describe(sink)).extracting(Event::phase).containsExactly(Event.Phase.START,
                Event.Phase.END);
        assertThat(cc.get(1).id()).isEqualTo(cc.get(0).id());
        assertThat(cc.get(1).title()).matches("continuity errors on PID 256 ended: analyzer stopped \\(\\d+ in .*\\)");
        assertThat(health(sink).stream().filter(e -> e.phase() == Event.Phase.START && e.endMillis() < 0)
                .map(Event::id)).as("every START has its END")
                .allMatch(id -> health(sink).stream().anyMatch(e -> e.id().equals(id)
                        && e.phase() == Event.Phase.END));
    }
}
