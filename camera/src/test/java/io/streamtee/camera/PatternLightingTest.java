package io.streamtee.camera;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.time.Instant;
import org.junit.jupiter.api.Test;

/** Scripted lighting in the painted frames: brightness steps and night mode, on schedule and nowhere else. */
class PatternLightingTest {

    private static final Instant NOW = Instant.parse("2026-11-24T04:12:32.123Z");
    private static final int W = 320;
    private static final int H = 240;
    /** The bars cover the top two thirds; the caption and the ramp are below. */
    private static final int BARS_BOTTOM = H * 2 / 3;

    /** 10 fps, no visitor; a step of {@code step} levels every {@code stepEvery} frames, night per the arguments. */
    private static PatternPainter painter(long stepEvery, int step, long nightEvery, long nightFor, int noise) {
        return new PatternPainter(new PatternScript(W, H, 10, 0, 0, stepEvery, step, nightEvery, nightFor), noise);
    }

    private static double meanLuma(PatternPainter p, int rowFrom, int rowTo) {
        long sum = 0;
        for (int i = rowFrom * p.width; i < rowTo * p.width; i++) {
            sum += p.y[i] & 0xFF;
        }
        return (double) sum / ((rowTo - rowFrom) * p.width);
    }

    private static double meanLuma(PatternPainter p) {
        return meanLuma(p, 0, p.height);
    }

    @Test
    void aBrightnessStepChangesMeanLumaAtTheScheduledFrameAndNotBefore() {
        PatternPainter p = painter(20, 40, 0, 0, 0);
        p.paint(0, NOW);
        double base = meanLuma(p, 0, BARS_BOTTOM);
        double baseAll = meanLuma(p);
        p.paint(19, NOW);
        assertThat(meanLuma(p, 0, BARS_BOTTOM)).isEqualTo(base);
        p.paint(20, NOW);
        // the bars do not clip at +40: exactly 40 levels up; the whole frame less (the ramp's top clips at 235, the
        // caption is the camera's overlay and does not change)
        assertThat(meanLuma(p, 0, BARS_BOTTOM)).isEqualTo(base + 40, within(1e-9));
        assertThat(meanLuma(p) - baseAll).isBetween(30.0, 40.0);
        p.paint(39, NOW);
        assertThat(meanLuma(p, 0, BARS_BOTTOM)).isEqualTo(base + 40, within(1e-9));
        p.paint(40, NOW);
        assertThat(meanLuma(p, 0, BARS_BOTTOM)).as("down again at the next step").isEqualTo(base, within(1e-9));
        p.paint(60, NOW);
        assertThat(meanLuma(p, 0, BARS_BOTTOM)).isEqualTo(base + 40, within(1e-9));

        PatternPainter darker = painter(20, -19, 0, 0, 0);
        darker.paint(20, NOW);
        assertThat(meanLuma(darker, 0, BARS_BOTTOM)).as("no bar clips at -19").isEqualTo(base - 19, within(1e-9));
        PatternPainter darkest = painter(20, -40, 0, 0, 0);
        darkest.paint(20, NOW);
        assertThat(meanLuma(darkest, 0, BARS_BOTTOM)).as("the blue bar clips at 16")
                .isBetween(base - 40, base - 35);
    }

    @Test
    void aBrightnessStepShowsThroughSensorNoise() {
        PatternPainter clean = painter(0, 40, 0, 0, 0);
        PatternPainter noisy = painter(20, 40, 0, 0, 4);
        clean.paint(0, NOW);
        double base = meanLuma(clean, 0, BARS_BOTTOM);
        noisy.paint(19, NOW);
        assertThat(meanLuma(noisy, 0, BARS_BOTTOM)).isEqualTo(base, within(0.5));
        noisy.paint(20, NOW);
        assertThat(meanLuma(noisy, 0, BARS_BOTTOM)).isEqualTo(base + 40, within(0.5));
        noisy.paint(21, NOW);
        assertThat(meanLuma(noisy, 0, BARS_BOTTOM)).isEqualTo(base + 40, within(0.5));
    }

    /** Chroma samples further than {@code tolerance} from neutral 128. */
    private static int colouredSamples(PatternPainter p, int tolerance) {
        int n = 0;
        for (int i = 0; i < p.u.length; i++) {
            if (Math.abs((p.u[i] & 0xFF) - 128) > tolerance || Math.abs((p.v[i] & 0xFF) - 128) > tolerance) {
                n++;
            }
        }
        return n;
    }

    @Test
    void nightModeMakesThePictureGreyAndDayBringsTheColourBack() {
        // night from frame 30 for 10 frames, then from 60
        PatternPainter p = painter(0, 40, 30, 10, 0);
        PatternPainter day = painter(0, 40, 0, 0, 0);
        day.paint(0, NOW);
        p.paint(29, NOW);
        assertThat(colouredSamples(p, 2)).as("day: the bars have colour").isGreaterThan(p.u.length / 3);
        p.paint(30, NOW);
        assertThat(p.lighting()).isEqualTo(new Lighting(0, true));
        assertThat(colouredSamples(p, 2)).as("night: U and V neutral").isZero();
        // a flatter picture: 75% white (180) and blue (35) bars move towards mid-grey
        int row = H / 4;
        assertThat(p.y[row * W + 2] & 0xFF).isEqualTo(128 + (180 - 128) * 3 / 4);
        assertThat(p.y[row * W + W - 3] & 0xFF).isEqualTo(128 + (35 - 128) * 3 / 4);
        p.paint(39, NOW);
        assertThat(colouredSamples(p, 2)).isZero();
        p.paint(40, NOW);
        assertThat(p.u).as("day again: the colours as before").isEqualTo(day.u);
        assertThat(p.v).isEqualTo(day.v);
        p.paint(0, NOW);
        assertThat(p.y).isEqualTo(day.y);
    }

    @Test
    void theVisitorIsLitAndGreyAtNight() {
        // visitor every 20 frames for 10; night every 40 frames for 20 (so visit 2 is at night)
        PatternPainter p = new PatternPainter(new PatternScript(W, H, 10, 20, 10, 0, 40, 40, 20), 0);
        p.paint(25, NOW);
        int cx = new PatternScript(W, H, 10, 20, 10, 0, 40, 40, 20).visitorCenterX(25);
        int atCentre = (H / 2) * W + cx;
        int chromaCentre = (H / 4) * p.chromaWidth + cx / 2;
        assertThat(p.y[atCentre] & 0xFF).isEqualTo(PatternPainter.VISITOR_Y);
        assertThat(p.u[chromaCentre] & 0xFF).isEqualTo(44);
        p.paint(45, NOW);
        assertThat(p.y[atCentre] & 0xFF).isEqualTo(new Lighting(0, true).luma(PatternPainter.VISITOR_Y));
        assertThat(p.u[chromaCentre] & 0xFF).isEqualTo(128);
        assertThat(p.v[chromaCentre] & 0xFF).isEqualTo(128);
    }
}
