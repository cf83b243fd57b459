package io.streamtee.media;

import io.streamtee.ts.Timestamps;
import org.bytedeco.ffmpeg.avutil.AVFrame;
import org.bytedeco.javacpp.IntPointer;
import org.bytedeco.javacpp.PointerPointer;

/**
 * One decoded picture, as {@link VideoDecoder} hands it to its consumer. The decoder reuses the instance and the
 * picture's memory: a frame is valid only during the call that hands it over; copy what you keep ({@link #luma()},
 * {@link #grey(int, int)}, or the whole picture with {@link #copyTo(Picture)}).
 */
public final class Frame {
    private final AVFrame av;
    private final PointerPointer<?> data;
    private final IntPointer linesize;
    private final Scaler scaler;
    private long pts = Timestamps.NONE;
    private boolean keyframe;
    private long index;

    Frame(AVFrame av, Scaler scaler) {
        this.av = av;
        this.scaler = scaler;
        this.data = av.data(); // the arrays inside the AVFrame: they follow each picture decoded into it
        this.linesize = av.linesize();
    }

    void set(long pts, boolean keyframe, long index) {
        this.pts = pts;
        this.keyframe = keyframe;
        this.index = index;
    }

    public int width() {
        return av.width();
    }

    public int height() {
        return av.height();
    }

    /** The presentation time in 90 kHz ticks (the PTS of the access unit that carried it), or {@link Timestamps#NONE}. */
    public long pts() {
        return pts;
    }

    /** An intra picture the decoder marked as a key frame (IDR, IRAP). */
    public boolean keyframe() {
        return keyframe;
    }

    /** How many frames this decoder handed out before this one. */
    public long index() {
        return index;
    }

    /** A copy of the luma plane: {@code width() * height()} bytes, row after row, 8 bits per pixel. */
    public byte[] luma() {
        return luma(new byte[width() * height()]);
    }

    /** Copies the luma plane into {@code into} (at least {@code width() * height()} bytes); returns it. */
    public byte[] luma(byte[] into) {
        requireRoom(into, width(), height());
        scaler.luma(av, data, linesize, into);
        return into;
    }

    /**
     * The picture scaled to {@code width x height} grey (its luma, area-averaged): e.g. a small picture for motion
     * detection. The aspect ratio is the caller's choice.
     */
    public byte[] grey(int width, int height) {
        return grey(width, height, new byte[width * height]);
    }

    /** Like {@link #grey(int, int)}, into {@code into} (at least {@code width * height} bytes); returns it. */
    public byte[] grey(int width, int height, byte[] into) {
        if (width < 1 || height < 1) {
            throw new IllegalArgumentException("grey picture size must be positive, not " + width + "x" + height);
        }
        requireRoom(into, width, height);
        scaler.grey(av, data, linesize, width, height, into);
        return into;
    }

    /**
     * Copies the whole picture into {@code into} as 8-bit YUV 4:2:0 (its arrays reused when big enough): a plain
     * copy of the planes for 8-bit 4:2:0 pictures (what H.264 and H.265 Main decode to), a conversion with swscale
     * for the others (10-bit, 4:2:2, ...). Keeps the colour range (full or limited) and the PTS.
     *
     * @return {@code into}
     */
    public Picture copyTo(Picture into) {
        into.resize(width(), height());
        boolean full = scaler.yuv420(av, data, linesize, into);
        into.set(full, pts);
        return into;
    }

    private static void requireRoom(byte[] into, int width, int height) {
        if (into.length < width * height) {
            throw new IllegalArgumentException("buffer of " + into.length + " bytes is too small for " + width + "x"
                    + height);
        }
    }

    @Override
    public String toString() {
        return "Frame[" + width() + "x" + height() + " pts=" + pts + (keyframe ? " key" : "") + " #" + index + "]";
    }
}
