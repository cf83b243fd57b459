package io.streamtee.analyze;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.streamtee.analyze.event.Event;
import io.streamtee.analyze.event.EventSink;
import io.streamtee.analyze.motion.MotionTracker;
import io.streamtee.camera.Box;
import io.streamtee.camera.Camera;
import io.streamtee.camera.CameraConfig;
import io.streamtee.camera.CameraStats;
import io.streamtee.camera.Destination;
import io.streamtee.camera.PatternScript;
import io.streamtee.camera.Visit;
import io.streamtee.config.Endpoint;
import io.streamtee.ts.Timestamps;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/** The whole pipeline: a real H.264 pattern camera over loopback into the analyzer, held against the camera's truth. */
class AnalyzerTest {
    private static final long HALF_SECOND = Timestamps.PTS_HZ / 2;
    private static final long GAP = MotionTracker.DEFAULT_GAP.toNanos() * Timestamps.PTS_HZ / 1_000_000_000L;
    /** A box edge in the detector's 100 px high picture may be off by a pixel or so of it. */
    private static final double SLACK = 0.02;

    /** Keeps every event it is given. */
    static final class Recording implements EventSink {
        final List<Event> events = new CopyOnWriteArrayList<>();

        @Override
        public String name() {
            return "recording";
        }

        @Override
        public void deliver(Event event) {
            events.add(event);
        }

        @Override
        public void close() {
        }
    }

    @Test
    void oneMotionEventPerVisitWhereAndWhenTheVisitorWasAndNoHealthProblem() throws Exception {
        Recording sink = new Recording();
        int fps = 20;
        CameraStats sent;
        List<Visit> visits;
        PatternScript script;
        Analyzer.Stats stats;
        // The default motion settings; the camera's burned-in clock is masked, as a user masks a camera's timestamp.
        AnalyzerConfig config = AnalyzerConfig.of(Endpoint.parse("udp://127.0.0.1:0", Endpoint.Role.INPUT), "porch",
                List.of(sink)).withZones(List.of(), List.of(MotionTruthTest.CLOCK_MASK));
        try (Analyzer analyzer = new Analyzer(config).start()) {
            CameraConfig camera = CameraConfig.pattern(Destination.of(analyzer.localAddress()))
                    .withSource(CameraConfig.Pattern.DEFAULT.withSize(320, 180).withFps(fps).withGop(2 * fps)
                            .withBitrate(400_000).withVisitor(Duration.ofSeconds(4), Duration.ofSeconds(2)))
                    .withDuration(Duration.ofMillis(14_500));
            try (Camera cam = new Camera(camera).start()) {
                assertThat(cam.awaitDone(Duration.ofSeconds(40))).isTrue();
                assertThat(cam.failure()).isNull();
                sent = cam.stats();
                visits = cam.timeline().visits();
                script = cam.timeline().script().orElseThrow();
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
        assertThat(visits).hasSize(3);

        Map<String, List<Event>> motion = new LinkedHashMap<>();
        sink.events.stream().filter(e -> e.kind() == Event.Kind.MOTION)
                .forEach(e -> motion.computeIfAbsent(e.id(), k -> new ArrayList<>()).add(e));
        assertThat(motion).as("motion events").hasSize(visits.size());
        int i = 0;
        for (List<Event> phases : motion.values()) {
            Visit visit = visits.get(i++);
            Event start = phases.getFirst();
            Event end = phases.getLast();
            assertThat(start.phase()).isEqualTo(Event.Phase.START);
            assertThat(end.phase()).isEqualTo(Event.Phase.END);
            assertThat(start.id()).startsWith("porch-").endsWith("-" + start.id().substring(
                    start.id().lastIndexOf('-') + 1));
            long startOffset = Timestamps.ptsDiff(visit.startPts() % Timestamps.PTS_WRAP, start.startPts());
            long endOffset = Timestamps.ptsDiff(visit.endPts() % Timestamps.PTS_WRAP, end.endPts());
            System.out.printf("visit %d: START %+d ms, END %+d ms (gap %d ms)%n", visit.number(),
                    startOffset * 1000 / Timestamps.PTS_HZ, endOffset * 1000 / Timestamps.PTS_HZ,
                    GAP * 1000 / Timestamps.PTS_HZ);
            assertThat(Math.abs(startOffset)).as("visit %d: START's offset", visit.number()).isLessThanOrEqualTo(
                    HALF_SECOND);
            assertThat(endOffset).as("visit %d: END's offset", visit.number())
                    .isBetween(GAP - HALF_SECOND, GAP + 2 * HALF_SECOND);
            assertThat(end.endMillis() - end.startMillis()).as("wall duration")
                    .isBetween(2000L, 2000L + 1000 + GAP * 1000 / Timestamps.PTS_HZ);

            long peakPts = ((Number) end.details().get("peakPts")).longValue();
            long peakFrame = script.frameAt(peakPts);
            Box truth = script.visitorBox(peakFrame).orElseThrow(() -> new AssertionError(
                    "visit " + visit.number() + ": no visitor at the peak frame " + peakFrame));
            Event.Region box = end.boxes().getFirst();
            double tx0 = (double) truth.x() / script.width();
            double ty0 = (double) truth.y() / script.height();
            double tx1 = (double) truth.x1() / script.width();
            double ty1 = (double) truth.y1() / script.height();
            assertThat(box.x()).as("visit %d: left of %s vs %s", visit.number(), box, truth)
                    .isLessThanOrEqualTo(tx0 + SLACK);
            assertThat(box.y()).as("visit %d: top of %s vs %s", visit.number(), box, truth)
                    .isLessThanOrEqualTo(ty0 + SLACK);
            assertThat(box.x() + box.w()).as("visit %d: right of %s vs %s", visit.number(), box, truth)
                    .isGreaterThanOrEqualTo(tx1 - SLACK);
            assertThat(box.y() + box.h()).as("visit %d: bottom of %s vs %s", visit.number(), box, truth)
                    .isGreaterThanOrEqualTo(ty1 - SLACK);
        }

        // the stream's start may be judged (a PCR interval measured from the first PCR): nothing after its first second
        long firstPts = script.pts(0);
        List<Event> health = sink.events.stream().filter(e -> e.kind() == Event.Kind.HEALTH).toList();
        assertThat(health).as("health events").allSatisfy(e -> assertThat(
                Timestamps.ptsDiff(firstPts, e.startPts())).isBetween(0L, Timestamps.PTS_HZ));
    }

    @Test
    void portZeroReportsTheBoundPortAndCloseIsIdempotent() {
        Recording sink = new Recording();
        Analyzer analyzer = new Analyzer(AnalyzerConfig.of(Endpoint.parse("udp://127.0.0.1:0", Endpoint.Role.INPUT),
                "porch", List.of(sink))).start();
        assertThat(analyzer.localAddress().getPort()).isPositive();
        assertThat(analyzer.sinks()).hasSize(1);
        analyzer.close();
        analyzer.close();
        assertThat(analyzer.stats().events()).isZero();
        assertThat(sink.events).isEmpty();
    }

    @Test
    void aPortInUseIsAOneLineError() {
        try (Analyzer first = new Analyzer(AnalyzerConfig.of(Endpoint.parse("udp://127.0.0.1:0",
                Endpoint.Role.INPUT), "a", List.of())).start()) {
            int port = first.localAddress().getPort();
            Analyzer second = new Analyzer(AnalyzerConfig.of(Endpoint.parse("udp://127.0.0.1:" + port,
                    Endpoint.Role.INPUT), "b", List.of()));
            org.assertj.core.api.Assertions.assertThatThrownBy(second::start).isInstanceOf(AnalyzeException.class)
                    .hasMessageNotContaining("\n").hasMessageContaining(String.valueOf(port));
            second.close();
        }
    }
}
