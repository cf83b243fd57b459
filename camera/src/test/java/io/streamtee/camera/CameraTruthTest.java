package io.streamtee.camera;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.streamtee.media.VideoDecoder;
import io.streamtee.testing.UdpReceiver;
import io.streamtee.ts.AccessUnitAssembler;
import io.streamtee.ts.TsDemux;
import java.io.ByteArrayOutputStream;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * A real pattern camera on loopback: its timeline (the truth) holds against the decoded stream, frame by PTS: the
 * visitor is inside its box, the brightness step comes at its frame.
 */
class CameraTruthTest {

    private static final int W = 320;
    private static final int H = 240;

    @Test
    void theTimelineMatchesTheDecodedStream() throws Exception {
        try (UdpReceiver capture = UdpReceiver.open("127.0.0.1")) {
            // 10 fps for 2 s: a visit in frames 10..14, the lights 40 up from frame 15
            CameraConfig.Pattern pattern = CameraConfig.Pattern.DEFAULT.withSize(W, H).withFps(10)
                    .withBitrate(1_500_000).withNoise(0).withVisitor(Duration.ofSeconds(1), Duration.ofMillis(500))
                    .withLights(new CameraConfig.Lights(Duration.ofMillis(1500), 40, Duration.ZERO, Duration.ZERO));
            CameraConfig config = CameraConfig.pattern(Destination.of(new InetSocketAddress("127.0.0.1",
                    capture.port()))).withSource(pattern).withDuration(Duration.ofSeconds(2));
            Instant before = Instant.now();
            Timeline timeline;
            CameraStats stats;
            try (Camera camera = new Camera(config).start()) {
                timeline = camera.timeline();
                stats = CameraRuns.runToEnd(config, capture, camera);
            }
            PatternScript script = timeline.script().orElseThrow();
            assertThat(stats.framesEncoded()).isEqualTo(20);

            List<Visit> visits = timeline.visits();
            assertThat(visits).hasSize(1);
            Visit visit = visits.getFirst();
            assertThat(visit.number()).isEqualTo(1);
            assertThat(visit.startFrame()).isEqualTo(10);
            assertThat(visit.endFrame()).isEqualTo(15);
            assertThat(visit.start()).isAfter(before).isBefore(visit.end());
            List<LightChange> changes = timeline.lightChanges();
            assertThat(changes).hasSize(1);
            assertThat(changes.getFirst().frame()).isEqualTo(15);
            assertThat(changes.getFirst().to()).isEqualTo(new Lighting(40, false));

            TreeMap<Long, byte[]> lumaByPts = decode(capture);
            assertThat(lumaByPts).hasSize(20);
            assertThat(lumaByPts.firstKey()).isEqualTo(script.pts(0));
            assertThat(lumaByPts).containsKeys(visit.startPts(), visit.endPts(), changes.getFirst().pts());
            double base = barsMean(lumaByPts.firstEntry().getValue());
            for (var e : lumaByPts.entrySet()) {
                long frame = script.frameAt(e.getKey());
                byte[] luma = e.getValue();
                Lighting lit = script.lighting(frame);
                assertThat(barsMean(luma)).as("frame %d", frame).isCloseTo(base + lit.offset(), within(3.0));
                boolean visiting = frame >= visit.startFrame() && frame < visit.endFrame();
                assertThat(script.visitorBox(frame).isPresent()).isEqualTo(visiting);
                if (visiting) {
                    // the middle of the box's visible part is the visitor's bright amber
                    Box box = script.visitorBox(frame).orElseThrow();
                    int centre = (box.y() + box.height() / 2) * W + box.x() + box.width() / 2;
                    assertThat(luma[centre] & 0xFF).as("frame %d at %s", frame, box).isCloseTo(PatternPainter.VISITOR_Y, within(12));
                }
            }
        }
    }

    /** Mean luma of the bars above the visitor's rows (the top fifth of the picture). */
    private static double barsMean(byte[] luma) {
        long sum = 0;
        int rows = H / 5;
        for (int i = 0; i < rows * W; i++) {
            sum += luma[i] & 0xFF;
        }
        return (double) sum / (rows * W);
    }

    private static TreeMap<Long, byte[]> decode(UdpReceiver capture) {
        ByteArrayOutputStream ts = new ByteArrayOutputStream();
        capture.timed().forEach(d -> ts.writeBytes(d.bytes()));
        byte[] bytes = ts.toByteArray();
        TreeMap<Long, byte[]> frames = new TreeMap<>();
        try (VideoDecoder decoder = new VideoDecoder()) {
            AccessUnitAssembler assembler = new AccessUnitAssembler(au -> decoder.decode(au,
                    f -> frames.put(f.pts(), f.luma())));
            TsDemux demux = new TsDemux(assembler);
            demux.feed(bytes, 0, bytes.length);
            demux.flush();
            assembler.flush();
            decoder.flush(f -> frames.put(f.pts(), f.luma()));
            assertThat(decoder.errors()).isZero();
        }
        return frames;
    }
}
