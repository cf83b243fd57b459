package io.streamtee.analyze.motion;

import java.util.ArrayList;
import java.util.List;

/**
 * What a {@link Detector} found in one frame: up to {@link #capacity()} boxes (largest first), the score (for motion,
 * the fraction of the unmasked picture that changed, 0..1) and whether the detector was recalibrating (then there are
 * no boxes: the picture changed as a whole, e.g. lights on or IR night mode, and the detector is learning the new
 * scene).
 *
 * <p>The detector reuses one instance per frame so that detecting allocates nothing: read it before the next
 * {@link Detector#detect} call, or copy with {@link #box(int)} / {@link #boxes()}.
 */
public final class Detections {
    private final int[] x0;
    private final int[] y0;
    private final int[] x1;
    private final int[] y1;
    private final int[] area;
    private int count;
    private int width;
    private int height;
    private long pts;
    private double score;
    private boolean recalibrating;

    /** Room for {@code capacity} boxes. */
    public Detections(int capacity) {
        if (capacity < 1) {
            throw new IllegalArgumentException("capacity must be positive, not " + capacity);
        }
        x0 = new int[capacity];
        y0 = new int[capacity];
        x1 = new int[capacity];
        y1 = new int[capacity];
        area = new int[capacity];
    }

    /** For {@link Detector}s: starts the result of a new frame, with no boxes. */
    public void reset(int width, int height, long pts, double score, boolean recalibrating) {
        this.width = width;
        this.height = height;
        this.pts = pts;
        this.score = score;
        this.recalibrating = recalibrating;
        this.count = 0;
    }

    /**
     * For {@link Detector}s: adds the box {@code [x0,x1) x [y0,y1)} of {@code area} pixels, keeping the boxes sorted
     * largest area first; when full, the smallest is dropped.
     */
    public void add(int bx0, int by0, int bx1, int by1, int barea) {
        int i;
        if (count < x0.length) {
            i = count++;
        } else if (area[x0.length - 1] < barea) {
            i = x0.length - 1;
        } else {
            return;
        }
        while (i > 0 && area[i - 1] < barea) {
            x0[i] = x0[i - 1];
            y0[i] = y0[i - 1];
            x1[i] = x1[i - 1];
            y1[i] = y1[i - 1];
            area[i] = area[i - 1];
            i--;
        }
        x0[i] = bx0;
        y0[i] = by0;
        x1[i] = bx1;
        y1[i] = by1;
        area[i] = barea;
    }

    public int capacity() {
        return x0.length;
    }

    /** How many boxes (0 when nothing moved or while recalibrating). */
    public int count() {
        return count;
    }

    /** Width of the picture the boxes are in. */
    public int width() {
        return width;
    }

    public int height() {
        return height;
    }

    /** The frame's PTS (90 kHz). */
    public long pts() {
        return pts;
    }

    /**
     * The changed fraction of the unmasked picture, 0..1: on the frame that triggered a recalibration, how much
     * changed; 0 on the following calibration frames.
     */
    public double score() {
        return score;
    }

    /** The detector was relearning the scene: a global change (or the start) rather than motion. */
    public boolean recalibrating() {
        return recalibrating;
    }

    /** Something moved: at least one box and not recalibrating. */
    public boolean motion() {
        return count > 0 && !recalibrating;
    }

    public int x0(int i) {
        check(i);
        return x0[i];
    }

    public int y0(int i) {
        check(i);
        return y0[i];
    }

    public int x1(int i) {
        check(i);
        return x1[i];
    }

    public int y1(int i) {
        check(i);
        return y1[i];
    }

    public int area(int i) {
        check(i);
        return area[i];
    }

    /** The box {@code i} as a new object (0 is the largest). */
    public Box box(int i) {
        check(i);
        return new Box(x0[i], y0[i], x1[i], y1[i], area[i]);
    }

    /** A copy of all boxes, largest first. */
    public List<Box> boxes() {
        List<Box> out = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            out.add(box(i));
        }
        return out;
    }

    private void check(int i) {
        if (i < 0 || i >= count) {
            throw new IndexOutOfBoundsException("box " + i + " of " + count);
        }
    }

    @Override
    public String toString() {
        return "Detections[pts=" + pts + " score=" + String.format("%.4f", score)
                + (recalibrating ? " recalibrating" : "") + " " + boxes() + "]";
    }
}
