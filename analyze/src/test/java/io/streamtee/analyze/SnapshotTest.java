package io.streamtee.analyze;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.streamtee.analyze.event.Event;
import io.streamtee.analyze.event.EventSink;
import io.streamtee.analyze.event.EventStore;
import io.streamtee.analyze.motion.Polygon;
import io.streamtee.camera.Box;
import io.streamtee.camera.Camera;
import io.streamtee.camera.CameraConfig;
import io.streamtee.camera.CameraStats;
import io.streamtee.camera.Destination;
import io.streamtee.camera.PatternScript;
import io.streamtee.camera.Visit;
import io.streamtee.config.Endpoint;
import io.streamtee.media.JpegEncoder;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;

/**
 * Snapshots against a real camera in-process: the START message's snapshot is in the store when a sink gets the
 * message, it is a JPEG at the camera's full size, and the END's snapshot shows the visitor inside the drawn box
 * (the camera's script says where the visitor was at the peak frame). Leaves {@code target/snapshot-start.jpg} and
 * {@code target/snapshot-end.jpg} to look at.
 */
class SnapshotTest {
    static final String CLOCK_MASK = "[[0,0.85],[1,0.85],[1,1],[0,1]]";
    static final int WIDTH = 640;
    static final int HEIGHT = 360;

    /** What a sink saw: the message and the store's snapshot of its event at the moment it got it. */
    record Seen(Event event, byte[] jpeg) {
    }

    /** A sink that looks the snapshot up in the store when a message arrives, as the webhook and mail sinks do. */
    static final class Looking implements EventSink {
        final EventStore store;
        final List<Seen> seen = new CopyOnWriteArrayList<>();

        Looking(EventStore store) {
            this.store = store;
        }

        @Override
        public String name() {
            return "looking";
        }

        @Override
        public void deliver(Event event) {
            seen.add(new Seen(event, store.jpeg(event)));
        }
    }

    /** One visitor crossing (3 s to 4.5 s) of a 640x360 camera at 20 fps, analyzed at the default settings. */
    static AnalyzerConfig config(EventStore store, List<EventSink> sinks) {
        return AnalyzerConfig.of(Endpoint.parse("udp://127.0.0.1:0", Endpoint.Role.INPUT), "porch", sinks)
                .withZones(List.of(), List.of(Polygon.parse("--mask", CLOCK_MASK))).withStore(store)
                .withClips(ClipLinks.parse("--playback", "http://127.0.0.1:8081"));
    }

    static CameraConfig camera(Analyzer analyzer) {
        int fps = 20;
        return CameraConfig.pattern(Destination.of(analyzer.localAddress()))
                .withSource(CameraConfig.Pattern.DEFAULT.withSize(WIDTH, HEIGHT).withFps(fps).withGop(2 * fps)
                        .withBitrate(1_000_000).withVisitor(Duration.ofSeconds(3), Duration.ofMillis(1500)))
                .withDuration(Duration.ofMillis(5_900));
    }

    private static BufferedImage image(byte[] jpeg) throws Exception {
        BufferedImage image = ImageIO.read(new ByteArrayInputStream(jpeg));
        assertThat(image).as("a JPEG ImageIO reads").isNotNull();
        return image;
    }

    private static boolean red(BufferedImage image, int x, int y) {
        int rgb = image.getRGB(x, y);
        return (rgb >> 16 & 0xFF) > 170 && (rgb >> 8 & 0xFF) < 100 && (rgb & 0xFF) < 100;
    }

    /**
     * The bounding box {x0, y0, x1, y1} of the red pixels (the drawn outlines) left of the pattern's own red bar (the
     * sixth of seven, from 5/7 of the width), or null when there are none.
     */
    private static int[] redBounds(BufferedImage image) {
        int x0 = Integer.MAX_VALUE;
        int y0 = Integer.MAX_VALUE;
        int x1 = -1;
        int y1 = -1;
        for (int y = 0; y < image.getHeight(); y++) {
            for (int x = 0; x < image.getWidth() * 5 / 7 - 8; x++) {
                if (red(image, x, y) && red(image, x + 1, y)) {
                    x0 = Math.min(x0, x);
                    y0 = Math.min(y0, y);
                    x1 = Math.max(x1, x + 1);
                    y1 = Math.max(y1, y + 1);
                }
            }
        }
        return x1 < 0 ? null : new int[] {x0, y0, x1, y1};
    }

    @Test
    void startCarriesTheFirstMotionFramesSnapshotAndEndThePeakWithTheVisitorInsideTheBox() throws Exception {
        EventStore store = new EventStore();
        Looking sink = new Looking(store);
        CameraStats sent;
        List<Visit> visits;
        PatternScript script;
        long encoded;
        long copies;
        try (Analyzer analyzer = new Analyzer(config(store, List.of(sink))).start()) {
            try (Camera cam = new Camera(camera(analyzer)).start()) {
                assertThat(cam.awaitDone(Duration.ofSeconds(30))).isTrue();
                assertThat(cam.failure()).isNull();
                sent = cam.stats();
                visits = cam.timeline().visits();
                script = cam.timeline().script().orElseThrow();
            }
            await().atMost(Duration.ofSeconds(5)).until(() -> analyzer.stats().datagrams() == sent.datagramsSent());
            analyzer.close(); // ends the open event
            encoded = analyzer.snapshotsEncoded();
            copies = analyzer.snapshotCopies();
            assertThat(copies).as("frames copied, of %d decoded", analyzer.stats().framesDecoded())
                    .isLessThan(analyzer.stats().framesDecoded() / 2);
        }
        assertThat(visits).hasSize(1);
        List<Seen> motion = sink.seen.stream().filter(s -> s.event().kind() == Event.Kind.MOTION).toList();
        assertThat(motion).as("motion messages").hasSizeGreaterThanOrEqualTo(2);
        assertThat(motion).extracting(s -> s.event().id()).containsOnly(motion.getFirst().event().id());

        Seen start = motion.getFirst();
        assertThat(start.event().phase()).isEqualTo(Event.Phase.START);
        assertThat(start.event().snapshot()).isEqualTo(EventStore.snapshotPath(start.event().id()));
        assertThat(start.jpeg()).as("the START's snapshot is in the store when the sink gets the START").isNotNull();
        BufferedImage first = image(start.jpeg());
        assertThat(first.getWidth()).isEqualTo(WIDTH);
        assertThat(first.getHeight()).isEqualTo(HEIGHT);
        Files.write(Path.of("target/snapshot-start.jpg"), start.jpeg());

        Seen end = motion.getLast();
        assertThat(end.event().phase()).isEqualTo(Event.Phase.END);
        assertThat(end.jpeg()).as("the END's snapshot is in the store when the sink gets the END").isNotNull();
        Files.write(Path.of("target/snapshot-end.jpg"), end.jpeg());
        BufferedImage peak = image(end.jpeg());
        assertThat(peak.getWidth()).isEqualTo(WIDTH);
        assertThat(peak.getHeight()).isEqualTo(HEIGHT);

        // the drawn box: the peak frame's largest box (the event's first region), in pixels of the full picture
        Event.Region r = end.event().boxes().getFirst();
        int x0 = (int) Math.floor(r.x() * WIDTH + 1e-9);
        int y0 = (int) Math.floor(r.y() * HEIGHT + 1e-9);
        int x1 = (int) Math.ceil((r.x() + r.w()) * WIDTH - 1e-9);
        int y1 = (int) Math.ceil((r.y() + r.h()) * HEIGHT - 1e-9);
        long peakFrame = script.frameAt(((Number) end.event().details().get("peakPts")).longValue());
        Box visitor = script.visitorBox(peakFrame).orElseThrow(() -> new AssertionError(
                "no visitor at the peak frame " + peakFrame));
        int slack = HEIGHT / 100 + 1; // a pixel of the 100-line motion picture, in the full picture
        assertThat(visitor.x()).as("visitor %s inside box %d,%d-%d,%d", visitor, x0, y0, x1, y1)
                .isGreaterThanOrEqualTo(x0 - slack);
        assertThat(visitor.y()).as("visitor %s inside box %d,%d-%d,%d", visitor, x0, y0, x1, y1)
                .isGreaterThanOrEqualTo(y0 - slack);
        assertThat(visitor.x1()).as("visitor %s inside box %d,%d-%d,%d", visitor, x0, y0, x1, y1)
                .isLessThanOrEqualTo(x1 + slack);
        assertThat(visitor.y() + visitor.height()).as("visitor %s inside box %d,%d-%d,%d", visitor, x0, y0, x1, y1)
                .isLessThanOrEqualTo(y1 + slack);
        // and the box is drawn in the JPEG: red just outside its top and bottom edges, not in the visitor's middle
        int t = JpegEncoder.thickness(HEIGHT);
        int cx = (x0 + x1) / 2;
        if (y0 - t >= 0) {
            assertThat(red(peak, cx, y0 - t + t / 2)).as("top edge of the box at %d,%d", cx, y0 - t + t / 2).isTrue();
        }
        if (y1 + t <= HEIGHT) {
            assertThat(red(peak, cx, y1 + t / 2)).as("bottom edge at %d,%d", cx, y1 + t / 2).isTrue();
        }
        int vx = visitor.x() + visitor.width() / 2;
        int vy = visitor.y() + visitor.height() / 2;
        assertThat(red(peak, vx, vy)).as("the visitor's middle is not covered").isFalse();

        // cost: a JPEG for the START, the END, and at most one a second of stream time for UPDATEs in between
        long seconds = (end.event().endMillis() - end.event().startMillis() + 999) / 1000;
        assertThat(encoded).as("JPEGs encoded for %d motion messages", motion.size()).isBetween(2L, 2 + seconds);
        assertThat(motion.stream().filter(s -> s.event().snapshot() == null)).isEmpty();

        // the START shows the first frame with motion: its outline is around where the visitor came in (the left
        // edge), not around where it was at the peak (further right)
        int[] outline = redBounds(first);
        long firstFrame = script.frameAt(start.event().startPts());
        Box entering = script.visitorBox(firstFrame).orElseThrow(() -> new AssertionError(
                "no visitor at the START's first frame " + firstFrame));
        assertThat(outline).as("red outline in the START's snapshot").isNotNull();
        assertThat(entering.x()).as("visitor at frame %d %s inside the outline %s", firstFrame, entering,
                Arrays.toString(outline)).isGreaterThanOrEqualTo(outline[0] - slack);
        assertThat(entering.x1()).as("visitor at frame %d %s inside the outline %s", firstFrame, entering,
                Arrays.toString(outline)).isLessThanOrEqualTo(outline[2] + slack);
        assertThat(outline[2]).as("the START's outline %s ends left of the peak's visitor %s",
                Arrays.toString(outline), visitor).isLessThan(visitor.x());

        assertThat(end.event().details().get("clip").toString())
                .startsWith("http://127.0.0.1:8081/clip.mp4?camera=porch&from=");
        assertThat(store.event(end.event().id())).isEqualTo(end.event());
    }
}
