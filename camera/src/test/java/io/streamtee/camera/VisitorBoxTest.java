package io.streamtee.camera;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The script's box is where the painter puts the amber disc, at every frame of a visit, edges included. */
class VisitorBoxTest {

    private static final Instant NOW = Instant.parse("2026-11-24T04:12:32.123Z");

    /** The bounding box of the pixels of luma {@code luma} above the caption, or empty. */
    private static Optional<Box> lumaBox(PatternPainter p, int luma, int rows) {
        int x0 = Integer.MAX_VALUE;
        int y0 = Integer.MAX_VALUE;
        int x1 = -1;
        int y1 = -1;
        for (int row = 0; row < rows; row++) {
            for (int col = 0; col < p.width; col++) {
                if ((p.y[row * p.width + col] & 0xFF) == luma) {
                    x0 = Math.min(x0, col);
                    y0 = Math.min(y0, row);
                    x1 = Math.max(x1, col + 1);
                    y1 = Math.max(y1, row + 1);
                }
            }
        }
        return x1 < 0 ? Optional.empty() : Optional.of(new Box(x0, y0, x1 - x0, y1 - y0));
    }

    /** The orange chroma samples (U 44, V 200), in picture coordinates; empty when there is none. */
    private static Optional<Box> orangeBox(PatternPainter p) {
        int x0 = Integer.MAX_VALUE;
        int y0 = Integer.MAX_VALUE;
        int x1 = -1;
        int y1 = -1;
        for (int row = 0; row < p.chromaHeight; row++) {
            for (int col = 0; col < p.chromaWidth; col++) {
                int i = row * p.chromaWidth + col;
                if ((p.u[i] & 0xFF) == 44 && (p.v[i] & 0xFF) == 200) {
                    x0 = Math.min(x0, 2 * col);
                    y0 = Math.min(y0, 2 * row);
                    x1 = Math.max(x1, 2 * col + 2);
                    y1 = Math.max(y1, 2 * row + 2);
                }
            }
        }
        return x1 < 0 ? Optional.empty() : Optional.of(new Box(x0, y0, x1 - x0, y1 - y0));
    }

    @Test
    void theBoxIsWhereTheDiscIsPaintedAtEveryFrame() {
        // 10 fps, a visit every 3 s for 2 s: frames 30..49; the disc's luma is no bar's
        PatternScript script = new PatternScript(320, 240, 10, 30, 20, 0, 40, 0, 0);
        PatternPainter p = new PatternPainter(script, 0);
        int rows = 240 * 2 / 3;
        for (long frame = 25; frame < 55; frame++) {
            p.paint(frame, NOW);
            Optional<Box> truth = script.visitorBox(frame);
            assertThat(lumaBox(p, PatternPainter.VISITOR_Y, rows)).as("frame %d", frame).isEqualTo(truth);
            assertThat(truth.isPresent()).isEqualTo(frame >= 30 && frame < 50);
            if (truth.isPresent()) {
                Box box = truth.get();
                Box chroma = orangeBox(p).orElseThrow();
                // chroma is subsampled 2x2: the orange samples cover the disc's box, widened to even pixels
                assertThat(chroma.intersects(box)).isTrue();
                assertThat(new Box(box.x() & ~1, box.y() & ~1, (box.x1() + 1 & ~1) - (box.x() & ~1),
                        (box.y1() + 1 & ~1) - (box.y() & ~1)).contains(chroma)).as("frame %d", frame).isTrue();
            } else {
                assertThat(orangeBox(p)).isEmpty();
            }
        }
        // it moves left to right and its first and last frames show it half out of the picture
        assertThat(script.visitorBox(30).orElseThrow().x()).isZero();
        assertThat(script.visitorBox(49).orElseThrow().x1()).isEqualTo(320);
        assertThat(script.visitorBox(40).orElseThrow().width()).isEqualTo(2 * script.radius() + 1);
        assertThat(script.visitorBox(31).orElseThrow().x1()).isLessThan(script.visitorBox(32).orElseThrow().x1());
    }

    @Test
    void theBoxFollowsTheDiscWhenTheLightsChange() {
        // lights up 40 from frame 10: the disc's luma becomes 235 (clamped), which no lit bar has either (white: 220)
        PatternScript script = new PatternScript(320, 240, 10, 10, 10, 10, 40, 0, 0);
        PatternPainter p = new PatternPainter(script, 0);
        for (long frame = 10; frame < 20; frame++) {
            p.paint(frame, NOW);
            assertThat(lumaBox(p, new Lighting(40, false).luma(PatternPainter.VISITOR_Y), 160)).as("frame %d", frame).isEqualTo(script.visitorBox(frame));
        }
    }
}
