package io.streamtee.analyze.motion;

import io.streamtee.config.ConfigException;

/**
 * How {@link MotionDetector} decides that something moved. The defaults fire on a person-sized change in a 100 px
 * high picture and on nothing from sensor or compression noise, lighting changes, or IR night mode.
 *
 * @param frameHeight height of the small grey picture the detector works on (the width follows the camera's aspect
 *     ratio, {@link #width(int, int)}); 100 px keeps a frame well under a millisecond
 * @param threshold how many grey levels (0..255, after contrast stretch and blur) a pixel must differ from the
 *     background to count as changed; 30 sits far above blurred sensor noise
 * @param minArea the fewest changed pixels (counted before the 3x3 dilation that joins them) a connected change
 *     must hold to become a box; 10 drops noise specks and rain streaks, yet keeps a person far away (about 3x6 px)
 * @param lightningThreshold more than this fraction (0..1) of the unmasked picture changed at once means a global
 *     change (lights, a cloud, the camera's exposure), so the detector recalibrates rather than reporting motion
 * @param contrastChange the picture's contrast (the spread between its 4th and 96th percentile) jumping by more than
 *     this factor either way from its recent average (over about 100 frames) means a global change too (IR night
 *     mode turning the picture grey, a flash); the detector recalibrates
 * @param minContrast the smallest spread (grey levels) the contrast stretch maps to its full range; it caps
 *     the stretch's gain so that a flat picture (night, fog) does not turn its noise into motion
 * @param calibrationAlpha how fast the background follows the picture while calibrating (0..1 per frame)
 * @param alpha how fast the background follows the unchanged pixels of the picture otherwise: fast enough that a
 *     slow cloud shadow or dusk stays below the threshold, slow enough to average the noise away
 * @param motionAlpha how fast the background follows the changed pixels: slow, so that a visitor standing still for
 *     a few seconds still shows, yet a parked car becomes background after a minute or two
 * @param calibrationFrames frames spent calibrating at the start and after each global change (no motion reported)
 * @param maxBoxes the most boxes reported per frame (the largest are kept)
 */
public record MotionSettings(int frameHeight, int threshold, int minArea, double lightningThreshold,
        double contrastChange, int minContrast, double calibrationAlpha, double alpha, double motionAlpha,
        int calibrationFrames, int maxBoxes) {

    private static final String KEY = "analyze.motion.";

    public MotionSettings {
        range("frameHeight", frameHeight, 8, 1080);
        range("threshold", threshold, 1, 255);
        range("minArea", minArea, 1, Integer.MAX_VALUE);
        fraction("lightningThreshold", lightningThreshold);
        if (!(contrastChange > 1)) {
            throw ConfigException.at(KEY + "contrastChange", "must be more than 1, not " + contrastChange);
        }
        range("minContrast", minContrast, 1, 255);
        fraction("calibrationAlpha", calibrationAlpha);
        fraction("alpha", alpha);
        fraction("motionAlpha", motionAlpha);
        range("calibrationFrames", calibrationFrames, 1, 100_000);
        range("maxBoxes", maxBoxes, 1, 10_000);
    }

    /**
     * The defaults: 100 px high, threshold 30, min area 10, lightning 0.8, contrast x2, min contrast 48, alphas 0.2
     * (calibrating), 0.04 (background) and 0.01 (where it changed), 15 calibration frames, 32 boxes.
     */
    public static MotionSettings defaults() {
        return new MotionSettings(100, 30, 10, 0.8, 2.0, 48, 0.2, 0.04, 0.01, 15, 32);
    }

    /** The small picture's width for a {@code sourceWidth x sourceHeight} camera: same aspect ratio, at least 8. */
    public int width(int sourceWidth, int sourceHeight) {
        if (sourceWidth < 1 || sourceHeight < 1) {
            throw new IllegalArgumentException("picture size must be positive, not " + sourceWidth + "x"
                    + sourceHeight);
        }
        return Math.max(8, (int) Math.round((double) sourceWidth * frameHeight / sourceHeight));
    }

    public MotionSettings withThreshold(int value) {
        return new MotionSettings(frameHeight, value, minArea, lightningThreshold, contrastChange, minContrast,
                calibrationAlpha, alpha, motionAlpha, calibrationFrames, maxBoxes);
    }

    public MotionSettings withMinArea(int value) {
        return new MotionSettings(frameHeight, threshold, value, lightningThreshold, contrastChange, minContrast,
                calibrationAlpha, alpha, motionAlpha, calibrationFrames, maxBoxes);
    }

    private static void range(String name, int value, int min, int max) {
        if (value < min || value > max) {
            throw ConfigException.at(KEY + name, "must be between " + min + " and " + max + ", not " + value);
        }
    }

    private static void fraction(String name, double value) {
        if (!(value > 0 && value <= 1)) {
            throw ConfigException.at(KEY + name, "must be more than 0 and at most 1, not " + value);
        }
    }
}
