package io.streamtee.analyze.motion;

import java.util.List;
import java.util.Objects;

/**
 * Finds what moved in a stream of small grey pictures by comparing each against a slowly learnt background, in the
 * spirit of Frigate's "improved" motion detector, Motion and ZoneMinder (our own code). Per frame:
 *
 * <ol>
 *   <li><b>Contrast stretch.</b> A straight line maps the 4th and 96th percentile of the unmasked pixels to 40 and
 *       215, so an even brightness or contrast change (exposure, lights dimming) cancels out; the spread is at least
 *       {@link MotionSettings#minContrast()} so a flat picture's noise is not blown up. The line goes on beyond the
 *       percentiles up to 0 and 255 (40 levels of headroom each side, where Frigate clips at the percentiles): a
 *       visitor brighter than the brightest part of the scene, in front of it, keeps its full difference (a soft knee
 *       with a quarter of the slope there made a bright visitor on the camera's white bar 15 levels, under the
 *       threshold).</li>
 *   <li><b>Masks</b> are set to 0 (and their pixels never count as changed).</li>
 *   <li><b>Blur</b>: a 3x3 binomial kernel ([1 2 1] across, then down), which cuts sensor noise to about a third.</li>
 *   <li><b>Global change?</b> If the picture's contrast spread jumped by more than
 *       {@link MotionSettings#contrastChange()} from its recent average (IR night mode turning the picture grey, a
 *       flash), or its median moved by more than {@link #LEVEL_CHANGE} of the spread from its recent average (lights
 *       switched on or off: the stretch cancels an even step, not the bright parts it pushes into the sensor's
 *       ceiling), the detector recalibrates: the background becomes this picture and for
 *       {@link MotionSettings#calibrationFrames()} frames it follows at the fast {@link
 *       MotionSettings#calibrationAlpha()} and reports nothing but {@link Detections#recalibrating()}.</li>
 *   <li><b>Difference</b>: the background is first fitted to the picture as {@code gain * background + offset}
 *       (least squares over the unmasked pixels), which takes out an even change the stretch left (a fade towards
 *       night mode's flat grey, once the spread is under {@link MotionSettings#minContrast()}); a pixel changed when
 *       it differs from the fitted float running-average background by more than {@link MotionSettings#threshold()}.
 *       More than {@link MotionSettings#lightningThreshold()} of the picture changed is a global change too
 *       (lights, a cloud, the camera's own gain): recalibrate, not motion.</li>
 *   <li><b>Background update</b>, selective: pixels that did not change follow at {@link MotionSettings#alpha()}, so
 *       the background keeps up with a slow cloud shadow or dusk; changed pixels follow at the slower
 *       {@link MotionSettings#motionAlpha()}, so a visitor standing still shows for several seconds and a parked car
 *       still fades into the background eventually (Frigate uses one alpha, 0.01, for both).</li>
 *   <li><b>One 3x3 dilation</b> joins the pieces of one moving thing; then <b>8-connected components</b> (an
 *       iterative flood fill, no recursion) holding at least {@link MotionSettings#minArea()} changed pixels become
 *       boxes. The area counts the pixels that changed, not the dilated ones (Frigate measures the dilated contour):
 *       a rain streak or a speck of noise grows to 3 pixels wide under the dilation, yet stays small here. A small
 *       region (under {@link #SMALL} times the minimum area) must also <b>persist</b>: at least {@link #PERSISTENCE}
 *       of its changed pixels changed in the previous frame too (within a pixel), so heavy rain, whose streaks touch
 *       each other at random places for one frame, makes no box, while anything that moves overlaps itself.</li>
 * </ol>
 *
 * <p>Held against truth at the defaults by the analyzer's {@code MotionTruthTest}, {@code X264TruthTest} and
 * {@code NoFalseAlarmTest}: one event per visit of the test camera's visitor and of an ffmpeg/libx264 box, starting
 * within a few frames of it; none in five minutes of a static noisy scene, for brightness steps and night mode.
 *
 * After the buffers for a picture size are made (the first frame, or a size change), {@link #detect} allocates
 * nothing. {@link Detector} states the threading contract; the returned {@link Detections} is reused.
 */
public final class MotionDetector implements Detector {
    private static final double CONTRAST_AVERAGE_ALPHA = 0.01;
    /** Where the stretch puts the 4th and the 96th percentile: headroom on both sides before 0 and 255. */
    private static final int STRETCH_LOW = 40;
    private static final int STRETCH_HIGH = 215;
    /**
     * The picture's level (its median) moving this far from its recent average,
     * as a share of the contrast spread, is a global change: lights switched on or off. The contrast stretch cancels
     * an even step by itself; this catches the uneven part, where the step pushes bright parts into the sensor's
     * ceiling (or dark ones into its floor), which no stretch can undo.
     */
    static final double LEVEL_CHANGE = 0.15;
    /**
     * A small region (under {@link #SMALL} times {@link MotionSettings#minArea()} changed pixels) counts only when at
     * least this share of its changed pixels changed in the previous frame too (within a pixel: the previous frame's
     * dilated change). Rain drops, snow flakes and noise specks flicker for one frame at one place; a thing that
     * moves overlaps itself from frame to frame. A large region counts at once.
     */
    static final double PERSISTENCE = 0.5;
    static final int SMALL = 4;
    private final MotionSettings settings;
    private final List<Polygon> masks;
    private final Detections detections;
    private final int[] histogram = new int[256];
    private final int[] lut = new int[256];
    private int width = -1;
    private int height = -1;
    private byte[] masked; // 1 where a mask hides the pixel
    private int unmasked;
    private int[] work; // the stretched picture, then the horizontal blur pass
    private float[] picture; // blurred, in grey levels
    private float[] background;
    private byte[] changed;
    private byte[] across; // the dilation's horizontal pass
    private byte[] dilated;
    private byte[] previous; // the previous frame's dilated change
    private byte[] current; // this frame's, kept while the components consume dilated
    private int[] stack;
    private boolean started;
    private double contrastAverage;
    private double level; // of the last stretched picture, in raw grey levels
    private double levelAverage;
    private float fitGain = 1; // picture ~ fitGain * background + fitOffset, over the unmasked pixels
    private float fitOffset;
    private int calibrationLeft;
    private long recalibrations;
    private long frames;
    private boolean closed;

    /** A detector ignoring motion inside the {@code masks}. */
    public MotionDetector(MotionSettings settings, List<Polygon> masks) {
        this.settings = Objects.requireNonNull(settings, "settings");
        this.masks = List.copyOf(masks);
        this.detections = new Detections(settings.maxBoxes());
    }

    public MotionDetector(MotionSettings settings) {
        this(settings, List.of());
    }

    public MotionSettings settings() {
        return settings;
    }

    /** How many times a global change (not the start) made the detector relearn the scene. */
    public long recalibrations() {
        return recalibrations;
    }

    /** Frames seen. */
    public long frames() {
        return frames;
    }

    @Override
    public Detections detect(GreyFrame frame) {
        if (closed) {
            throw new IllegalStateException("motion detector is closed");
        }
        frames++;
        int w = frame.width();
        int h = frame.height();
        if (w != width || h != height) {
            resize(w, h);
        }
        int n = w * h;
        if (unmasked == 0) {
            detections.reset(w, h, frame.pts(), 0, false);
            return detections;
        }
        double contrast = stretch(frame.luma(), n);
        blur(w, h);
        if (!started) {
            started = true;
            contrastAverage = contrast;
            levelAverage = level;
            relearn(n);
            detections.reset(w, h, frame.pts(), 0, true);
            return detections;
        }
        double factor = settings.contrastChange();
        if (contrast > contrastAverage * factor || contrastAverage > contrast * factor
                || Math.abs(level - levelAverage) > LEVEL_CHANGE * contrast) {
            contrastAverage = contrast;
            levelAverage = level;
            recalibrations++;
            double score = (double) difference(n) / unmasked;
            relearn(n);
            detections.reset(w, h, frame.pts(), score, true);
            return detections;
        }
        contrastAverage += CONTRAST_AVERAGE_ALPHA * (contrast - contrastAverage);
        levelAverage += CONTRAST_AVERAGE_ALPHA * (level - levelAverage);
        if (calibrationLeft > 0) {
            calibrationLeft--;
            follow(n, (float) settings.calibrationAlpha());
            detections.reset(w, h, frame.pts(), 0, true);
            return detections;
        }
        fit(n);
        int count = difference(n);
        double score = (double) count / unmasked;
        if (score > settings.lightningThreshold()) {
            recalibrations++;
            relearn(n);
            detections.reset(w, h, frame.pts(), score, true);
            return detections;
        }
        followSelectively(n, (float) settings.alpha(), (float) settings.motionAlpha());
        detections.reset(w, h, frame.pts(), score, false);
        if (count > 0) {
            dilate(w, h);
            System.arraycopy(dilated, 0, current, 0, n);
            components(w, h);
            byte[] t = previous;
            previous = current;
            current = t;
        } else {
            java.util.Arrays.fill(previous, (byte) 0);
        }
        return detections;
    }

    private void resize(int w, int h) {
        int n = w * h;
        width = w;
        height = h;
        masked = new byte[n];
        for (Polygon p : masks) {
            byte[] m = p.rasterize(w, h);
            for (int i = 0; i < n; i++) {
                masked[i] |= m[i];
            }
        }
        unmasked = 0;
        for (int i = 0; i < n; i++) {
            unmasked += 1 - masked[i];
        }
        work = new int[n];
        picture = new float[n];
        background = new float[n];
        changed = new byte[n];
        across = new byte[n];
        dilated = new byte[n];
        previous = new byte[n];
        current = new byte[n];
        stack = new int[n];
        started = false;
    }

    /** Histogram, percentiles, stretch into {@link #work}; returns the effective contrast spread. */
    private double stretch(byte[] luma, int n) {
        java.util.Arrays.fill(histogram, 0);
        for (int i = 0; i < n; i++) {
            if (masked[i] == 0) {
                histogram[luma[i] & 0xff]++;
            }
        }
        int lo = percentile(unmasked * 4 / 100);
        int hi = percentile(unmasked * 96 / 100);
        level = percentile(unmasked / 2);
        int spread = Math.max(hi - lo, settings.minContrast());
        int base = hi - lo >= settings.minContrast() ? lo : (lo + hi - spread) / 2;
        double gain = (double) (STRETCH_HIGH - STRETCH_LOW) / spread;
        for (int v = 0; v < 256; v++) {
            lut[v] = (int) Math.max(0, Math.min(255, Math.round(STRETCH_LOW + (v - base) * gain)));
        }
        for (int i = 0; i < n; i++) {
            work[i] = masked[i] != 0 ? 0 : lut[luma[i] & 0xff];
        }
        return spread;
    }

    private int percentile(int rank) {
        int seen = 0;
        for (int v = 0; v < 256; v++) {
            seen += histogram[v];
            if (seen > rank) {
                return v;
            }
        }
        return 255;
    }

    /** [1 2 1] across then down (edges repeated), from {@link #work} into {@link #picture}. */
    private void blur(int w, int h) {
        int[] in = work;
        for (int y = 0; y < h; y++) {
            int row = y * w;
            int prev = in[row];
            for (int x = 0; x < w; x++) {
                int cur = in[row + x];
                int next = x + 1 < w ? in[row + x + 1] : cur;
                in[row + x] = prev + 2 * cur + next; // prev is read before being overwritten
                prev = cur;
            }
        }
        for (int x = 0; x < w; x++) {
            int prev = in[x];
            for (int y = 0; y < h; y++) {
                int i = y * w + x;
                int cur = in[i];
                int next = y + 1 < h ? in[i + w] : cur;
                picture[i] = (prev + 2 * cur + next) / 16f;
                prev = cur;
            }
        }
    }

    private void relearn(int n) {
        System.arraycopy(picture, 0, background, 0, n);
        java.util.Arrays.fill(previous, (byte) 0);
        calibrationLeft = settings.calibrationFrames();
    }

    /**
     * Fits the picture to the background as {@code gain * background + offset} (least squares over the unmasked
     * pixels, the gain kept within 1/2..2): what is left after it is the picture's local change, while an even change
     * of the whole picture's brightness or contrast that the stretch did not cancel (a fade towards night mode's flat
     * grey below {@link MotionSettings#minContrast()}) is not.
     */
    private void fit(int n) {
        double sb = 0;
        double sp = 0;
        double sbb = 0;
        double sbp = 0;
        for (int i = 0; i < n; i++) {
            if (masked[i] == 0) {
                double b = background[i];
                double p = picture[i];
                sb += b;
                sp += p;
                sbb += b * b;
                sbp += b * p;
            }
        }
        double m = unmasked;
        double var = m * sbb - sb * sb;
        double gain = var > 0 ? (m * sbp - sb * sp) / var : 1;
        gain = Math.max(0.5, Math.min(2, gain));
        fitGain = (float) gain;
        fitOffset = (float) ((sp - gain * sb) / m);
    }

    private void follow(int n, float alpha) {
        for (int i = 0; i < n; i++) {
            background[i] += alpha * (picture[i] - background[i]);
        }
    }

    /** Unchanged pixels follow at {@code alpha}, changed ones at {@code motionAlpha}. */
    private void followSelectively(int n, float alpha, float motionAlpha) {
        for (int i = 0; i < n; i++) {
            float a = changed[i] != 0 ? motionAlpha : alpha;
            background[i] += a * (picture[i] - background[i]);
        }
    }

    private int difference(int n) {
        float threshold = settings.threshold();
        int count = 0;
        for (int i = 0; i < n; i++) {
            float expected = fitGain * background[i] + fitOffset;
            byte c = masked[i] == 0 && Math.abs(picture[i] - expected) > threshold ? (byte) 1 : 0;
            changed[i] = c;
            count += c;
        }
        return count;
    }

    /** One 3x3 dilation of {@link #changed} into {@link #dilated} (via {@link #across}), masks cleared again. */
    private void dilate(int w, int h) {
        for (int y = 0; y < h; y++) {
            int row = y * w;
            for (int x = 0; x < w; x++) {
                int i = row + x;
                across[i] = (byte) (changed[i] | (x > 0 ? changed[i - 1] : 0) | (x + 1 < w ? changed[i + 1] : 0));
            }
        }
        for (int y = 0; y < h; y++) {
            int row = y * w;
            for (int x = 0; x < w; x++) {
                int i = row + x;
                int up = y > 0 ? across[i - w] : 0;
                int down = y + 1 < h ? across[i + w] : 0;
                dilated[i] = (byte) ((up | across[i] | down) & (1 - masked[i]));
            }
        }
    }

    /**
     * 8-connected components of {@link #dilated} (consumed); those holding at least {@code minArea} changed pixels
     * (counted before the dilation) become boxes, bounded by their dilated extent.
     */
    private void components(int w, int h) {
        byte[] d = dilated;
        int minArea = settings.minArea();
        for (int start = 0; start < w * h; start++) {
            if (d[start] == 0) {
                continue;
            }
            d[start] = 0;
            int top = 0;
            stack[top++] = start;
            int area = 0;
            int persisted = 0;
            int x0 = w;
            int y0 = h;
            int x1 = -1;
            int y1 = -1;
            while (top > 0) {
                int i = stack[--top];
                int x = i % w;
                int y = i / w;
                area += changed[i];
                persisted += changed[i] & previous[i];
                x0 = Math.min(x0, x);
                x1 = Math.max(x1, x);
                y0 = Math.min(y0, y);
                y1 = Math.max(y1, y);
                for (int dy = -1; dy <= 1; dy++) {
                    int ny = y + dy;
                    if (ny < 0 || ny >= h) {
                        continue;
                    }
                    for (int dx = -1; dx <= 1; dx++) {
                        int nx = x + dx;
                        if (nx < 0 || nx >= w) {
                            continue;
                        }
                        int j = ny * w + nx;
                        if (d[j] != 0) {
                            d[j] = 0;
                            stack[top++] = j;
                        }
                    }
                }
            }
            if (area >= minArea && (area >= SMALL * minArea || persisted >= PERSISTENCE * area)) {
                detections.add(x0, y0, x1 + 1, y1 + 1, area);
            }
        }
    }

    /** Idempotent. */
    @Override
    public void close() {
        closed = true;
    }
}
