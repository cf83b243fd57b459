package io.streamtee.camera;

/** A 5x7 bitmap font for the characters a caption needs: digits, a few letters and punctuation. */
final class BitmapFont {

    static final int WIDTH = 5;
    static final int HEIGHT = 7;
    /** Horizontal distance between two characters, in font pixels. */
    static final int ADVANCE = 6;

    private static final String CHARS = "0123456789:-.# UTC";
    /** One row per entry, five bits per row, most significant bit on the left. */
    private static final int[][] GLYPHS = {
        {0x0E, 0x11, 0x13, 0x15, 0x19, 0x11, 0x0E}, // 0
        {0x04, 0x0C, 0x04, 0x04, 0x04, 0x04, 0x0E}, // 1
        {0x0E, 0x11, 0x01, 0x02, 0x04, 0x08, 0x1F}, // 2
        {0x1F, 0x02, 0x04, 0x02, 0x01, 0x11, 0x0E}, // 3
        {0x02, 0x06, 0x0A, 0x12, 0x1F, 0x02, 0x02}, // 4
        {0x1F, 0x10, 0x1E, 0x01, 0x01, 0x11, 0x0E}, // 5
        {0x06, 0x08, 0x10, 0x1E, 0x11, 0x11, 0x0E}, // 6
        {0x1F, 0x01, 0x02, 0x04, 0x08, 0x08, 0x08}, // 7
        {0x0E, 0x11, 0x11, 0x0E, 0x11, 0x11, 0x0E}, // 8
        {0x0E, 0x11, 0x11, 0x0F, 0x01, 0x02, 0x0C}, // 9
        {0x00, 0x0C, 0x0C, 0x00, 0x0C, 0x0C, 0x00}, // :
        {0x00, 0x00, 0x00, 0x1F, 0x00, 0x00, 0x00}, // -
        {0x00, 0x00, 0x00, 0x00, 0x00, 0x0C, 0x0C}, // .
        {0x0A, 0x0A, 0x1F, 0x0A, 0x1F, 0x0A, 0x0A}, // #
        {0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00}, // space
        {0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x0E}, // U
        {0x1F, 0x04, 0x04, 0x04, 0x04, 0x04, 0x04}, // T
        {0x0E, 0x11, 0x10, 0x10, 0x10, 0x11, 0x0E}, // C
    };

    private BitmapFont() {
    }

    /**
     * Draws {@code c} with its top-left corner at ({@code x}, {@code y}) into a luma plane, each font pixel a
     * {@code scale} x {@code scale} square. Characters the font lacks draw nothing; pixels outside the plane are
     * clipped.
     */
    static void draw(char c, byte[] plane, int stride, int rows, int x, int y, int scale, byte value) {
        int index = CHARS.indexOf(c);
        if (index < 0) {
            return;
        }
        int[] glyph = GLYPHS[index];
        for (int gy = 0; gy < HEIGHT; gy++) {
            int bits = glyph[gy];
            if (bits == 0) {
                continue;
            }
            for (int gx = 0; gx < WIDTH; gx++) {
                if ((bits & (0x10 >> gx)) == 0) {
                    continue;
                }
                for (int sy = 0; sy < scale; sy++) {
                    int row = y + gy * scale + sy;
                    if (row < 0 || row >= rows) {
                        continue;
                    }
                    int start = x + gx * scale;
                    int end = Math.min(stride, start + scale);
                    for (int col = Math.max(0, start); col < end; col++) {
                        plane[row * stride + col] = value;
                    }
                }
            }
        }
    }
}
