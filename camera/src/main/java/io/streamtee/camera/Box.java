package io.streamtee.camera;

/**
 * A rectangle in picture coordinates (pixels, origin top left), for instance the visitor's bounding box.
 *
 * @param x left column
 * @param y top row
 * @param width columns, >= 0
 * @param height rows, >= 0
 */
public record Box(int x, int y, int width, int height) {

    public Box {
        if (width < 0 || height < 0) {
            throw new IllegalArgumentException("width and height must be >= 0, got " + width + "x" + height);
        }
    }

    /** The column just right of the box (exclusive end). */
    public int x1() {
        return x + width;
    }

    /** The row just below the box (exclusive end). */
    public int y1() {
        return y + height;
    }

    /** True when pixel ({@code px}, {@code py}) is inside. */
    public boolean contains(int px, int py) {
        return px >= x && px < x1() && py >= y && py < y1();
    }

    /** True when every pixel of {@code other} is inside this box. */
    public boolean contains(Box other) {
        return other.x >= x && other.y >= y && other.x1() <= x1() && other.y1() <= y1();
    }

    /** True when the two boxes share at least one pixel. */
    public boolean intersects(Box other) {
        return other.x < x1() && x < other.x1() && other.y < y1() && y < other.y1();
    }

    @Override
    public String toString() {
        return width + "x" + height + "+" + x + "+" + y;
    }
}
