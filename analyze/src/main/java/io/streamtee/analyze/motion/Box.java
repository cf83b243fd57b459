package io.streamtee.analyze.motion;

/**
 * A rectangle in pixel coordinates of the small picture: columns {@code x0} (inclusive) to {@code x1} (exclusive),
 * rows {@code y0} to {@code y1}; {@code area} is the number of changed pixels it was made of (at most
 * {@code width() * height()}).
 */
public record Box(int x0, int y0, int x1, int y1, int area) {
    public Box {
        if (x0 < 0 || y0 < 0 || x1 <= x0 || y1 <= y0 || area < 0) {
            throw new IllegalArgumentException("bad box " + x0 + "," + y0 + " to " + x1 + "," + y1 + " area " + area);
        }
    }

    public int width() {
        return x1 - x0;
    }

    public int height() {
        return y1 - y0;
    }

    /** Whether the pixel {@code (x, y)} is inside. */
    public boolean contains(int x, int y) {
        return x >= x0 && x < x1 && y >= y0 && y < y1;
    }

    /** The smallest box holding both; the area is the sum (an upper bound of the changed pixels). */
    public Box union(Box other) {
        return new Box(Math.min(x0, other.x0), Math.min(y0, other.y0), Math.max(x1, other.x1),
                Math.max(y1, other.y1), area + other.area);
    }

    /** The centre in normalized coordinates (0..1) of a {@code pictureWidth x pictureHeight} picture. */
    public double centerX(int pictureWidth) {
        return (x0 + x1) / 2.0 / pictureWidth;
    }

    public double centerY(int pictureHeight) {
        return (y0 + y1) / 2.0 / pictureHeight;
    }
}
