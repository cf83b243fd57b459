package io.streamtee.camera;

import java.time.Duration;
import java.util.Optional;

/**
 * What the test pattern shows at each frame, as a pure function of the frame number: whether the visitor is in
 * the picture and where, how the scene is lit, and the PTS the stream carries for the frame. The painter paints
 * from it and the {@link Timeline} reports from it, so a test can hold an analyzer's findings against it.
 *
 * <p>Durations become whole frames ({@code round(seconds * fps)}). The visitor appears at the start of every
 * {@code visitorEvery} period (the first one after one period) and crosses from the left edge to the right edge in
 * {@code visitorFor}; its visit number {@code k >= 1} is the period it appears in, so visit {@code k} covers frames
 * {@code k * every} (inclusive) to {@code k * every + for} (exclusive). Lighting follows {@link CameraConfig.Lights}
 * with the same rule: brightness step {@code k} at frame {@code k * stepEvery}, night spell {@code k} from frame
 * {@code k * nightEvery} for {@code nightFor}.
 */
public final class PatternScript {

    /** The muxer's delay between a frame's PCR and its DTS ({@code max_delay}), in microseconds. */
    static final int MUX_DELAY_MICROS = 100_000;
    /**
     * The PTS of frame 0 in 90 kHz ticks: FFmpeg's mpegts muxer shifts every timestamp by twice its
     * {@code max_delay} (measured with 50 and 100 ms; TimelineTest holds it against the stream), here 200 ms.
     */
    public static final long FIRST_PTS = 2 * MUX_DELAY_MICROS * 90L / 1000;

    private final int width;
    private final int height;
    private final int fps;
    private final int radius;
    private final long visitorEvery;
    private final long visitorFor;
    private final long stepEvery;
    private final int step;
    private final long nightEvery;
    private final long nightFor;

    /** The script of {@code pattern}. */
    public PatternScript(CameraConfig.Pattern pattern) {
        this(pattern.width(), pattern.height(), pattern.fps(), frames(pattern.visitorEvery(), pattern.fps()),
                frames(pattern.visitorFor(), pattern.fps()), frames(pattern.lights().stepEvery(), pattern.fps()),
                pattern.lights().step(), frames(pattern.lights().nightEvery(), pattern.fps()),
                frames(pattern.lights().nightFor(), pattern.fps()));
    }

    /** Periods and lengths in frames; a period of 0 means never. */
    PatternScript(int width, int height, int fps, long visitorEvery, long visitorFor, long stepEvery, int step,
            long nightEvery, long nightFor) {
        this.width = width;
        this.height = height;
        this.fps = fps;
        this.radius = Math.max(4, height / 10) & ~1;
        this.visitorEvery = visitorEvery;
        this.visitorFor = visitorFor;
        this.stepEvery = stepEvery;
        this.step = step;
        this.nightEvery = nightEvery;
        this.nightFor = nightFor;
    }

    static long frames(Duration d, int fps) {
        return Math.round(d.toNanos() * (double) fps / 1e9);
    }

    public int width() {
        return width;
    }

    public int height() {
        return height;
    }

    public int fps() {
        return fps;
    }

    /** The visitor disc's radius in pixels. */
    public int radius() {
        return radius;
    }

    /**
     * The PTS (90 kHz) the stream carries for frame {@code frame}: {@link #FIRST_PTS} + {@code frame * 90000 / fps}
     * rounded to the nearest tick. Not wrapped: the stream carries it modulo 2^33 (about 26.5 hours).
     */
    public long pts(long frame) {
        return FIRST_PTS + (frame * 180_000 + fps) / (2L * fps);
    }

    /** The frame shown at PTS {@code pts} (unwrapped, as {@link #pts} gives it): the last frame whose PTS is <= it. */
    public long frameAt(long pts) {
        if (pts < FIRST_PTS) {
            return 0;
        }
        long n = (pts - FIRST_PTS) * fps / 90_000;
        while (pts(n + 1) <= pts) {
            n++;
        }
        while (n > 0 && pts(n) > pts) {
            n--;
        }
        return n;
    }

    /** The number (1, 2, ...) of the visit in progress at {@code frame}, or 0 when the visitor is not there. */
    public int visitNumber(long frame) {
        if (visitorEvery <= 0 || visitorFor <= 0 || frame < visitorEvery || frame % visitorEvery >= visitorFor) {
            return 0;
        }
        return Math.toIntExact(frame / visitorEvery);
    }

    /** The first frame of visit {@code number}. */
    public long visitStart(int number) {
        return number * visitorEvery;
    }

    /** The first frame after visit {@code number}, when the visitor is gone again. */
    public long visitEnd(int number) {
        return number * visitorEvery + visitorFor;
    }

    /** True while the visitor is in the picture at {@code frame}. */
    public boolean visitorVisible(long frame) {
        return visitNumber(frame) != 0;
    }

    /**
     * The bounding box of the visitor disc's pixels in the picture at {@code frame} (the pixels within
     * {@link #radius()} of its centre that are inside the picture: when the disc is half out at an edge, the box is
     * that of the visible part), or empty when the visitor is not there.
     */
    public Optional<Box> visitorBox(long frame) {
        if (!visitorVisible(frame)) {
            return Optional.empty();
        }
        int cx = visitorCenterX(frame);
        int cy = height / 2;
        int x0 = Math.max(0, cx - radius);
        int x1 = Math.min(width, cx + radius + 1);
        // the visible column nearest the centre has the tallest run of disc pixels
        long dx = Math.clamp(cx, x0, x1 - 1) - cx;
        int half = (int) Math.sqrt((double) radius * radius - dx * dx);
        while ((long) (half + 1) * (half + 1) + dx * dx <= (long) radius * radius) {
            half++;
        }
        while ((long) half * half + dx * dx > (long) radius * radius) {
            half--;
        }
        int y0 = Math.max(0, cy - half);
        int y1 = Math.min(height, cy + half + 1);
        return Optional.of(new Box(x0, y0, x1 - x0, y1 - y0));
    }

    /** The column of the visitor's centre at {@code frame} (it may be off the picture); only meaningful while visible. */
    int visitorCenterX(long frame) {
        long phase = frame % visitorEvery;
        double progress = (phase + 0.5) / visitorFor;
        return (int) Math.round(-radius + progress * (width + 2 * radius));
    }

    /** How the scene is lit at {@code frame}. */
    public Lighting lighting(long frame) {
        int offset = stepEvery > 0 && (frame / stepEvery) % 2 == 1 ? step : 0;
        boolean night = nightEvery > 0 && nightFor > 0 && frame >= nightEvery && frame % nightEvery < nightFor;
        return new Lighting(offset, night);
    }
}
