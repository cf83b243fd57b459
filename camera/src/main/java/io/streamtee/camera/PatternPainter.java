package io.streamtee.camera;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

/**
 * Paints the synthetic camera picture into YUV 4:2:0 planes: 75% colour bars over a luma ramp, a burned-in UTC
 * wall clock and frame number, and a "visitor" disc that crosses the frame on a schedule.
 *
 * <p>What is where at each frame comes from a {@link PatternScript}. The scene (bars and ramp) is painted once; the
 * lit background is the scene under the frame's {@link Lighting}, recomputed (and the whole picture repainted)
 * only when the lighting changes. Without noise, each frame restores only what the previous frame changed (the
 * caption box and the visitor's bounding box) and paints the new caption and visitor, so the per-frame cost is a
 * few kilobytes of writes. With noise (a camera sensor's grain, which is what makes an encoder spend its bitrate),
 * the luma plane is rewritten from the lit background plus a precomputed noise table read at a per-frame offset.
 * The caption is the camera's overlay: lighting does not change it.
 */
final class PatternPainter {

    private static final DateTimeFormatter CLOCK =
            DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss.SSS").withZone(ZoneOffset.UTC);

    /** 75% bars in BT.601 limited range: white, yellow, cyan, green, magenta, red, blue. {Y, U, V}. */
    private static final int[][] BARS = {
        {180, 128, 128}, {162, 44, 142}, {131, 156, 44}, {112, 72, 58},
        {84, 184, 198}, {65, 100, 212}, {35, 212, 114},
    };
    /**
     * The visitor's colour: a bright amber (orange chroma, far from every bar's), and in luma at least 50 levels from
     * every bar (the brightest, white, is 180). A motion detector works on luma, as a person in front of a door
     * differs from it in brightness; the earlier luma 150 sat between the bars (12 levels from yellow, 19 from cyan),
     * a visitor only a colour detector could see all along.
     */
    static final int VISITOR_Y = 230;
    private static final int VISITOR_U = 44;
    private static final int VISITOR_V = 200;

    final int width;
    final int height;
    final int chromaWidth;
    final int chromaHeight;
    /** The planes to encode, tightly packed (stride = width). */
    final byte[] y;
    final byte[] u;
    final byte[] v;
    /** The scene by day, as painted once. */
    private final byte[] sceneY;
    private final byte[] sceneU;
    private final byte[] sceneV;
    /** The scene under {@link #lighting}. */
    private final byte[] bgY;
    private final byte[] bgU;
    private final byte[] bgV;
    private final PatternScript script;
    private Lighting lighting = Lighting.DAY;
    private int visitorY = VISITOR_Y;
    private int visitorU = VISITOR_U;
    private int visitorV = VISITOR_V;

    private final int scale;
    private final int captionX;
    private final int captionY;
    private final int captionW;
    private final int captionH;
    private final int radius;
    /** The visitor's last painted area {x0, y0, x1, y1} (exclusive, even), or null. */
    private int[] lastVisitorBox;
    /** Uniform noise in -amplitude..amplitude, longer than a plane so that each frame reads it at a new offset. */
    private final byte[] noise;

    /**
     * A painter with a visitor and no lighting changes.
     *
     * @param noise amplitude of the luma noise added to every pixel of every frame, 0..32; 0 for a clean picture
     */
    PatternPainter(int width, int height, int fps, double visitorEverySeconds, double visitorForSeconds,
            int noise) {
        this(new PatternScript(width, height, fps, Math.round(visitorEverySeconds * fps),
                Math.round(visitorForSeconds * fps), 0, 40, 0, 0), noise);
    }

    /**
     * @param script what is where at each frame
     * @param noise amplitude of the luma noise added to every pixel of every frame, 0..32; 0 for a clean picture
     */
    PatternPainter(PatternScript script, int noise) {
        int width = script.width();
        int height = script.height();
        this.script = script;
        if (width % 2 != 0 || height % 2 != 0) {
            throw new IllegalArgumentException("size must be even in both dimensions, got " + width + "x" + height);
        }
        this.width = width;
        this.height = height;
        this.chromaWidth = width / 2;
        this.chromaHeight = height / 2;
        this.y = new byte[width * height];
        this.u = new byte[chromaWidth * chromaHeight];
        this.v = new byte[chromaWidth * chromaHeight];
        this.sceneY = new byte[y.length];
        this.sceneU = new byte[u.length];
        this.sceneV = new byte[v.length];
        this.bgY = new byte[y.length];
        this.bgU = new byte[u.length];
        this.bgV = new byte[v.length];
        this.scale = Math.max(1, height / 240);
        String sample = caption(Instant.EPOCH, 0);
        this.captionW = (sample.length() * (BitmapFont.ADVANCE) + 2) * scale & ~1;
        this.captionH = (BitmapFont.HEIGHT + 4) * scale + 1 & ~1;
        this.captionX = Math.max(0, (width - captionW) / 2) & ~1;
        this.captionY = Math.max(0, height - captionH - 2 * scale) & ~1;
        this.radius = script.radius();
        this.noise = noise > 0 ? noiseTable(width * height, noise) : null;
        paintBackground();
        System.arraycopy(sceneY, 0, bgY, 0, y.length);
        System.arraycopy(sceneU, 0, bgU, 0, u.length);
        System.arraycopy(sceneV, 0, bgV, 0, v.length);
        System.arraycopy(bgY, 0, y, 0, y.length);
        System.arraycopy(bgU, 0, u, 0, u.length);
        System.arraycopy(bgV, 0, v, 0, v.length);
    }

    private static byte[] noiseTable(int planeSize, int amplitude) {
        byte[] table = new byte[planeSize + planeSize / 2 + 4099];
        java.util.SplittableRandom random = new java.util.SplittableRandom(0x5eed);
        for (int i = 0; i < table.length; i++) {
            table[i] = (byte) random.nextInt(-amplitude, amplitude + 1);
        }
        return table;
    }

    static String caption(Instant now, long frame) {
        return CLOCK.format(now) + " UTC  #" + String.format("%07d", frame % 10_000_000);
    }

    /** Paints frame number {@code frame} stamped with wall clock {@code now}. */
    void paint(long frame, Instant now) {
        Lighting lit = script.lighting(frame);
        if (!lit.equals(lighting)) {
            relight(lit);
        }
        if (noise != null) {
            // Sensor noise changes every pixel; repaint the whole luma plane from the background plus noise.
            int offset = (int) ((frame * 7919L) % (noise.length - y.length));
            for (int i = 0; i < y.length; i++) {
                y[i] = (byte) (bgY[i] + noise[offset + i]);
            }
            if (lastVisitorBox != null) {
                restoreChroma(lastVisitorBox[0], lastVisitorBox[1], lastVisitorBox[2], lastVisitorBox[3]);
                lastVisitorBox = null;
            }
        } else if (lastVisitorBox != null) {
            restore(lastVisitorBox[0], lastVisitorBox[1], lastVisitorBox[2], lastVisitorBox[3]);
            lastVisitorBox = null;
        }
        if (script.visitorVisible(frame)) {
            // the disc's square, clipped to the picture and widened to even columns and rows, so that its chroma
            // samples are covered whole
            int cx = script.visitorCenterX(frame);
            int cy = height / 2;
            int[] area = {Math.max(0, cx - radius) & ~1, Math.max(0, cy - radius) & ~1,
                Math.min(width, cx + radius + 2) & ~1, Math.min(height, cy + radius + 2) & ~1, cx, cy};
            paintDisc(area);
            lastVisitorBox = area;
        }
        paintCaption(caption(now, frame));
    }

    /** True while the visitor is in the picture for frame {@code frame}. */
    boolean visitorVisible(long frame) {
        return script.visitorVisible(frame);
    }

    /** The lighting of the last painted frame. */
    Lighting lighting() {
        return lighting;
    }

    /**
     * Recomputes the lit background from the scene and repaints the whole picture from it (the caption and the
     * visitor are painted over it next): the one full repaint a lighting change costs.
     */
    private void relight(Lighting lit) {
        lighting = lit;
        byte[] luma = new byte[256];
        for (int i = 0; i < 256; i++) {
            luma[i] = (byte) lit.luma(i);
        }
        for (int i = 0; i < bgY.length; i++) {
            bgY[i] = luma[sceneY[i] & 0xFF];
        }
        if (lit.night()) {
            java.util.Arrays.fill(bgU, (byte) 128);
            java.util.Arrays.fill(bgV, (byte) 128);
        } else {
            System.arraycopy(sceneU, 0, bgU, 0, bgU.length);
            System.arraycopy(sceneV, 0, bgV, 0, bgV.length);
        }
        System.arraycopy(bgY, 0, y, 0, y.length);
        System.arraycopy(bgU, 0, u, 0, u.length);
        System.arraycopy(bgV, 0, v, 0, v.length);
        lastVisitorBox = null;
        visitorY = lit.luma(VISITOR_Y);
        visitorU = lit.chroma(VISITOR_U);
        visitorV = lit.chroma(VISITOR_V);
    }

    private void paintDisc(int[] box) {
        int cx = box[4];
        int cy = box[5];
        long r2 = (long) radius * radius;
        for (int row = box[1]; row < box[3]; row++) {
            int dy = row - cy;
            for (int col = box[0]; col < box[2]; col++) {
                int dx = col - cx;
                if ((long) dx * dx + (long) dy * dy <= r2) {
                    y[row * width + col] = (byte) visitorY;
                }
            }
        }
        for (int row = box[1] / 2; row < box[3] / 2; row++) {
            int dy = row * 2 + 1 - cy;
            for (int col = box[0] / 2; col < box[2] / 2; col++) {
                int dx = col * 2 + 1 - cx;
                if ((long) dx * dx + (long) dy * dy <= r2) {
                    u[row * chromaWidth + col] = (byte) visitorU;
                    v[row * chromaWidth + col] = (byte) visitorV;
                }
            }
        }
    }

    private void paintCaption(String text) {
        int x1 = Math.min(width, captionX + captionW);
        int y1 = Math.min(height, captionY + captionH);
        for (int row = captionY; row < y1; row++) {
            java.util.Arrays.fill(y, row * width + captionX, row * width + x1, (byte) 16);
        }
        for (int row = captionY / 2; row < y1 / 2; row++) {
            java.util.Arrays.fill(u, row * chromaWidth + captionX / 2, row * chromaWidth + x1 / 2, (byte) 128);
            java.util.Arrays.fill(v, row * chromaWidth + captionX / 2, row * chromaWidth + x1 / 2, (byte) 128);
        }
        int penX = captionX + scale;
        int penY = captionY + 2 * scale;
        for (int i = 0; i < text.length(); i++) {
            BitmapFont.draw(text.charAt(i), y, width, height, penX, penY, scale, (byte) 235);
            penX += BitmapFont.ADVANCE * scale;
        }
    }

    private void restore(int x0, int y0, int x1, int y1) {
        for (int row = y0; row < y1; row++) {
            System.arraycopy(bgY, row * width + x0, y, row * width + x0, x1 - x0);
        }
        restoreChroma(x0, y0, x1, y1);
    }

    private void restoreChroma(int x0, int y0, int x1, int y1) {
        for (int row = y0 / 2; row < y1 / 2; row++) {
            int off = row * chromaWidth + x0 / 2;
            System.arraycopy(bgU, off, u, off, (x1 - x0) / 2);
            System.arraycopy(bgV, off, v, off, (x1 - x0) / 2);
        }
    }

    private void paintBackground() {
        int barsBottom = height * 2 / 3;
        for (int row = 0; row < height; row++) {
            for (int col = 0; col < width; col++) {
                int luma;
                if (row < barsBottom) {
                    luma = BARS[col * BARS.length / width][0];
                } else {
                    luma = 16 + col * (235 - 16) / Math.max(1, width - 1);
                }
                sceneY[row * width + col] = (byte) luma;
            }
        }
        for (int row = 0; row < chromaHeight; row++) {
            for (int col = 0; col < chromaWidth; col++) {
                int cu = 128;
                int cv = 128;
                if (row * 2 < barsBottom) {
                    int[] bar = BARS[col * 2 * BARS.length / width];
                    cu = bar[1];
                    cv = bar[2];
                }
                sceneU[row * chromaWidth + col] = (byte) cu;
                sceneV[row * chromaWidth + col] = (byte) cv;
            }
        }
    }
}
