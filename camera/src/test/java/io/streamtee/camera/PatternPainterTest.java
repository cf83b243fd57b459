package io.streamtee.camera;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import org.junit.jupiter.api.Test;

class PatternPainterTest {

    private static final Instant NOW = Instant.parse("2026-11-24T04:12:32.123Z");

    /** Pixels of the middle row that differ from a visitor-free frame. */
    private static int changedInMiddleRow(PatternPainter painter, PatternPainter reference, long frame) {
        painter.paint(frame, NOW);
        reference.paint(0, NOW);
        int row = painter.height / 2;
        int changed = 0;
        for (int x = 0; x < painter.width; x++) {
            if (painter.y[row * painter.width + x] != reference.y[row * painter.width + x]) {
                changed++;
            }
        }
        return changed;
    }

    @Test
    void theVisitorComesOnScheduleAndMoves() {
        // 10 fps, a visit every 2 s lasting 1 s: frames 20..29, 40..49, ...
        PatternPainter painter = new PatternPainter(320, 240, 10, 2, 1, 0);
        PatternPainter reference = new PatternPainter(320, 240, 10, 2, 1, 0);
        assertThat(changedInMiddleRow(painter, reference, 5)).isZero();
        assertThat(changedInMiddleRow(painter, reference, 19)).isZero();
        assertThat(changedInMiddleRow(painter, reference, 25)).isPositive();
        assertThat(changedInMiddleRow(painter, reference, 30)).as("gone again, background restored").isZero();
        assertThat(painter.visitorVisible(45)).isTrue();
        assertThat(painter.visitorVisible(50)).isFalse();

        painter.paint(21, NOW);
        int left = firstChanged(painter, reference);
        painter.paint(27, NOW);
        assertThat(firstChanged(painter, reference)).isGreaterThan(left);
    }

    private static int firstChanged(PatternPainter painter, PatternPainter reference) {
        int row = painter.height / 2;
        for (int x = 0; x < painter.width; x++) {
            if (painter.y[row * painter.width + x] != reference.y[row * painter.width + x]) {
                return x;
            }
        }
        return -1;
    }

    @Test
    void theCaptionShowsClockAndFrameNumber() {
        assertThat(PatternPainter.caption(NOW, 42)).isEqualTo("2026-11-24 04:12:32.123 UTC  #0000042");
        PatternPainter a = new PatternPainter(320, 240, 10, 0, 0, 0);
        PatternPainter b = new PatternPainter(320, 240, 10, 0, 0, 0);
        a.paint(1, NOW);
        b.paint(2, NOW);
        assertThat(a.y).isNotEqualTo(b.y);
        b.paint(1, NOW);
        assertThat(a.y).isEqualTo(b.y);
    }

    @Test
    void noiseChangesEveryFrameButStaysSmall() {
        PatternPainter clean = new PatternPainter(320, 240, 10, 0, 0, 0);
        PatternPainter noisy = new PatternPainter(320, 240, 10, 0, 0, 4);
        clean.paint(7, NOW);
        noisy.paint(7, NOW);
        int max = 0;
        for (int i = 0; i < clean.y.length; i++) {
            max = Math.max(max, Math.abs((clean.y[i] & 0xFF) - (noisy.y[i] & 0xFF)));
        }
        assertThat(max).isEqualTo(4);
        byte[] first = noisy.y.clone();
        noisy.paint(8, NOW);
        assertThat(noisy.y).isNotEqualTo(first);
    }
}
