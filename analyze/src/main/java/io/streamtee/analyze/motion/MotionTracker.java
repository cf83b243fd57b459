package io.streamtee.analyze.motion;

import io.streamtee.ts.Timestamps;
import java.time.Duration;
import java.util.Objects;

/**
 * Turns per-frame {@link Detections} into motion events, so that one visitor crossing the picture is one event: an
 * event starts after {@code startFrames} consecutive frames with motion in the same place (each frame's motion within
 * {@link #NEAR} pixels of the frame before's: a one-frame flicker is not an event, nor are specks that come and go at
 * random places, such as heavy rain) and ends
 * once no motion was seen for {@code gap} of stream time (by PTS, so a slow or bursty stream does not change it).
 * While it lasts it keeps the peak score and the frame index with the most motion (for the snapshot), the union of the
 * boxes and the zones they touched.
 *
 * <p>Frames while the detector recalibrates count as no motion. Frames without a PTS do not advance the stream clock.
 * Logic only: one thread calls {@link #accept} and {@link #finish}; the listener is called on that thread.
 */
public final class MotionTracker {
    /** How close (pixels of the detector's picture) a box must be to one of the previous frame's to continue a run. */
    public static final int NEAR = 4;
    /** Consecutive frames with motion before an event starts, by default. */
    public static final int DEFAULT_START_FRAMES = 3;
    /** The quiet gap that ends an event, by default. */
    public static final Duration DEFAULT_GAP = Duration.ofSeconds(2);

    /** Told of events; called on the tracker's thread, must return quickly. */
    public interface Listener {
        void started(MotionEvent event);

        /** The event touched a new zone or reached a higher peak. */
        default void updated(MotionEvent event) {
        }

        void ended(MotionEvent event);
    }

    private final int startFrames;
    private final long gapTicks;
    private final Zones zones;
    private final Listener listener;
    private long nextId = 1;
    private boolean active;
    private int run; // consecutive frames with motion, while no event is open
    private int[] previous = new int[4 * 32]; // the previous frame's boxes, x0 y0 x1 y1 each
    private int previousCount;
    private long lastPts = Timestamps.NONE;
    // the candidate or open event
    private long startPts;
    private long lastMotionPts;
    private double peakScore;
    private long peakFrame;
    private long runStartFrame = -1;
    private long peakPts;
    private Box peakBox;
    private int ux0;
    private int uy0;
    private int ux1;
    private int uy1;
    private int uarea;
    private long zoneBits;
    private int motionFrames;
    private int width;
    private int height;

    public MotionTracker(int startFrames, Duration gap, Zones zones, Listener listener) {
        if (startFrames < 1) {
            throw io.streamtee.config.ConfigException.at("analyze.motion.startFrames", "must be at least 1, not "
                    + startFrames);
        }
        if (gap.isNegative() || gap.isZero()) {
            throw io.streamtee.config.ConfigException.at("analyze.motion.gap", "must be positive, not " + gap);
        }
        this.startFrames = startFrames;
        this.gapTicks = gap.toNanos() * Timestamps.PTS_HZ / 1_000_000_000L;
        this.zones = Objects.requireNonNull(zones, "zones");
        this.listener = Objects.requireNonNull(listener, "listener");
    }

    /** With the defaults: 3 frames to start, 2 s to end. */
    public MotionTracker(Zones zones, Listener listener) {
        this(DEFAULT_START_FRAMES, DEFAULT_GAP, zones, listener);
    }

    /** Whether an event is open. */
    public boolean active() {
        return active;
    }

    /**
     * The index of the frame where the current run of motion began (the frame a START's snapshot shows), or -1 before
     * any; a run that moved elsewhere began again.
     */
    public long runStartFrame() {
        return runStartFrame;
    }

    /** Takes the detections of the frame with index {@code frameIndex} (any increasing count, for the snapshot). */
    public void accept(Detections d, long frameIndex) {
        long pts = d.pts() == Timestamps.NONE ? lastPts : d.pts();
        if (pts == Timestamps.NONE) {
            pts = 0;
        }
        lastPts = pts;
        if (active && Timestamps.ptsDiff(lastMotionPts, pts) >= gapTicks) {
            end();
        }
        if (!d.motion()) {
            run = 0;
            previousCount = 0;
            return;
        }
        if (!active && run > 0 && !nearPrevious(d)) {
            run = 0; // motion somewhere else: a new run starts here
        }
        keep(d);
        if (!active && run == 0) {
            begin(pts, d);
            runStartFrame = frameIndex;
        }
        long before = zoneBits;
        boolean higher = add(d, pts, frameIndex);
        if (active) {
            if (zoneBits != before || higher) {
                listener.updated(snapshot(Timestamps.NONE));
            }
            return;
        }
        run++;
        if (run >= startFrames) {
            active = true;
            run = 0;
            listener.started(snapshot(Timestamps.NONE));
        }
    }

    /** Whether a box of {@code d} is within {@link #NEAR} pixels of a box of the previous frame. */
    private boolean nearPrevious(Detections d) {
        for (int i = 0; i < d.count(); i++) {
            for (int j = 0; j < previousCount; j++) {
                int k = 4 * j;
                if (d.x0(i) <= previous[k + 2] + NEAR && previous[k] <= d.x1(i) + NEAR
                        && d.y0(i) <= previous[k + 3] + NEAR && previous[k + 1] <= d.y1(i) + NEAR) {
                    return true;
                }
            }
        }
        return false;
    }

    private void keep(Detections d) {
        if (previous.length < 4 * d.count()) {
            previous = new int[4 * d.count()];
        }
        for (int i = 0; i < d.count(); i++) {
            previous[4 * i] = d.x0(i);
            previous[4 * i + 1] = d.y0(i);
            previous[4 * i + 2] = d.x1(i);
            previous[4 * i + 3] = d.y1(i);
        }
        previousCount = d.count();
    }

    /** The stream ended: ends the open event, if any, at its last motion + the gap. */
    public void finish() {
        if (active) {
            end();
        }
        run = 0;
        previousCount = 0;
    }

    private void begin(long pts, Detections d) {
        startPts = pts;
        peakScore = -1;
        peakBox = null;
        ux0 = Integer.MAX_VALUE;
        uy0 = Integer.MAX_VALUE;
        ux1 = 0;
        uy1 = 0;
        uarea = 0;
        zoneBits = 0;
        motionFrames = 0;
        width = d.width();
        height = d.height();
    }

    /** Adds a frame with motion; returns whether it raised the peak. */
    private boolean add(Detections d, long pts, long frameIndex) {
        lastMotionPts = pts;
        motionFrames++;
        for (int i = 0; i < d.count(); i++) {
            ux0 = Math.min(ux0, d.x0(i));
            uy0 = Math.min(uy0, d.y0(i));
            ux1 = Math.max(ux1, d.x1(i));
            uy1 = Math.max(uy1, d.y1(i));
            uarea += d.area(i);
            zoneBits |= zones.touched(d.width(), d.height(), d.x0(i), d.y0(i), d.x1(i), d.y1(i));
        }
        if (d.score() > peakScore) {
            peakScore = d.score();
            peakFrame = frameIndex;
            peakPts = pts;
            peakBox = d.box(0);
            return true;
        }
        return false;
    }

    private void end() {
        long end = Math.floorMod(lastMotionPts + gapTicks, Timestamps.PTS_WRAP);
        active = false;
        run = 0;
        MotionEvent event = snapshot(end);
        nextId++;
        listener.ended(event);
    }

    private MotionEvent snapshot(long endPts) {
        return new MotionEvent(nextId, startPts, endPts, lastMotionPts, peakScore, peakFrame, peakPts, peakBox,
                new Box(ux0, uy0, ux1, uy1, uarea), zones.names(zoneBits), motionFrames, width, height);
    }
}
