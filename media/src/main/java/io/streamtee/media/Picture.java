package io.streamtee.media;

import io.streamtee.ts.Timestamps;
import java.util.Arrays;

/**
 * A picture kept after the decoder's callback returned: its planes copied out of a {@link Frame} as 8-bit YUV 4:2:0
 * ({@link Frame#copyTo}), e.g. the frame a snapshot is made of. The planes are Java arrays, tightly packed (no row
 * padding): {@link #y()} is {@code width * height} bytes, {@link #u()} and {@link #v()} each
 * {@code chromaWidth * chromaHeight}. The arrays are reused while the size stays the same, so keeping a picture
 * costs one allocation per size and then one copy per frame kept. Not thread-safe.
 */
public final class Picture {
    private byte[] y = new byte[0];
    private byte[] u = new byte[0];
    private byte[] v = new byte[0];
    private int width;
    private int height;
    private boolean fullRange;
    private long pts = Timestamps.NONE;

    /** An empty picture (0x0) to copy frames into. */
    public Picture() {
    }

    /** A mid-grey picture of this size, full range when {@code fullRange}; for drawing into and for tests. */
    public static Picture blank(int width, int height, boolean fullRange) {
        Picture p = new Picture();
        p.resize(width, height);
        Arrays.fill(p.y, 0, width * height, (byte) 128);
        Arrays.fill(p.u, 0, p.chromaWidth() * p.chromaHeight(), (byte) 128);
        Arrays.fill(p.v, 0, p.chromaWidth() * p.chromaHeight(), (byte) 128);
        p.fullRange = fullRange;
        return p;
    }

    /** Makes room for a {@code width x height} picture, keeping the arrays when they are big enough. */
    void resize(int width, int height) {
        if (width < 1 || height < 1) {
            throw new IllegalArgumentException("picture size must be positive, not " + width + "x" + height);
        }
        this.width = width;
        this.height = height;
        int luma = width * height;
        int chroma = chromaWidth() * chromaHeight();
        if (y.length < luma) {
            y = new byte[luma];
        }
        if (u.length < chroma) {
            u = new byte[chroma];
            v = new byte[chroma];
        }
    }

    void set(boolean fullRange, long pts) {
        this.fullRange = fullRange;
        this.pts = pts;
    }

    /** Makes this picture a copy of {@code other} (arrays reused when big enough); returns this. */
    public Picture copyFrom(Picture other) {
        resize(other.width, other.height);
        System.arraycopy(other.y, 0, y, 0, width * height);
        int chroma = chromaWidth() * chromaHeight();
        System.arraycopy(other.u, 0, u, 0, chroma);
        System.arraycopy(other.v, 0, v, 0, chroma);
        fullRange = other.fullRange;
        pts = other.pts;
        return this;
    }

    public int width() {
        return width;
    }

    public int height() {
        return height;
    }

    /** Whether a picture has been copied in yet. */
    public boolean empty() {
        return width == 0;
    }

    /** {@code (width + 1) / 2}: the chroma planes' width. */
    public int chromaWidth() {
        return (width + 1) / 2;
    }

    /** {@code (height + 1) / 2}: the chroma planes' height. */
    public int chromaHeight() {
        return (height + 1) / 2;
    }

    /** The luma plane (it may be longer than {@code width * height}: the rest is not part of the picture). */
    public byte[] y() {
        return y;
    }

    /** The Cb plane (may be longer than the picture needs). */
    public byte[] u() {
        return u;
    }

    /** The Cr plane (may be longer than the picture needs). */
    public byte[] v() {
        return v;
    }

    /** Full range (0..255, JPEG) rather than limited (16..235, video). */
    public boolean fullRange() {
        return fullRange;
    }

    /** The frame's PTS (90 kHz) when copied from a frame, else {@link Timestamps#NONE}. */
    public long pts() {
        return pts;
    }

    @Override
    public String toString() {
        return "Picture[" + width + "x" + height + (fullRange ? " full range" : "") + " pts=" + pts + "]";
    }
}
