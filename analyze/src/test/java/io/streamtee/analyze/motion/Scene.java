package io.streamtee.analyze.motion;

import java.util.Random;

/**
 * Synthetic grey frames for the motion tests: a static textured scene with sensor-like noise from a seeded Random,
 * optionally a bright disc (the visitor), a brightness offset, a gain, a flat grey "night mode" and a cloud shadow.
 * 15 frames per second, PTS in 90 kHz ticks.
 */
final class Scene {
    static final int W = 178;
    static final int H = 100;
    static final long TICKS_PER_FRAME = 6000; // 15 fps
    static final int NOISE = 6; // +-6 levels, triangular (sum of two uniforms)

    private final Random random;
    private final int[] base = new int[W * H];
    private final byte[] luma = new byte[W * H];
    private long frame;
    int offset;
    boolean night;
    /** 0..1: how far the picture has faded towards night mode's flat grey (used when not {@link #night}). */
    double fade;
    /** Disc centre and radius in pixels; radius 0 = no disc. */
    double discX;
    double discY;
    double discR;
    int discLevel = 235;
    /** Cloud: fraction of light taken at the shadow's core, and its edge's column. */
    double cloudDepth;
    double cloudEdge;
    /** Rain: this many short bright streaks (1 px wide, {@link #RAIN_LENGTH} long) at random places each frame. */
    int rain;
    static final int RAIN_LENGTH = 6;
    static final int RAIN_LEVEL = 35;

    Scene(long seed) {
        random = new Random(seed);
        for (int y = 0; y < H; y++) {
            for (int x = 0; x < W; x++) {
                double v = 100 + 40 * Math.sin(x / 11.0) * Math.cos(y / 7.0) + 20 * Math.sin((x + 2 * y) / 23.0);
                if (x > 120 && x < 160 && y > 10 && y < 40) {
                    v = 150; // a window
                }
                if (x > 20 && x < 50 && y > 70) {
                    v = 45; // a door
                }
                base[y * W + x] = (int) v;
            }
        }
    }

    /** The next frame. */
    GreyFrame next() {
        for (int y = 0; y < H; y++) {
            for (int x = 0; x < W; x++) {
                int i = y * W + x;
                double v = night ? 128 : base[i] + fade * (128 - base[i]);
                if (discR > 0) {
                    double dx = x + 0.5 - discX;
                    double dy = y + 0.5 - discY;
                    if (dx * dx + dy * dy <= discR * discR) {
                        v = night ? 200 : discLevel;
                    }
                }
                if (cloudDepth > 0) {
                    double shade = cloudDepth / (1 + Math.exp((x - cloudEdge) / 25.0));
                    v *= 1 - shade;
                }
                v += offset + random.nextInt(NOISE + 1) + random.nextInt(NOISE + 1) - NOISE;
                luma[i] = (byte) Math.max(0, Math.min(255, (int) Math.round(v)));
            }
        }
        for (int k = 0; k < rain; k++) {
            int x = random.nextInt(W);
            int y0 = random.nextInt(H - RAIN_LENGTH);
            for (int y = y0; y < y0 + RAIN_LENGTH; y++) {
                int i = y * W + x;
                luma[i] = (byte) Math.min(255, (luma[i] & 0xff) + RAIN_LEVEL);
            }
        }
        return new GreyFrame(W, H, luma, pts(frame++));
    }

    long index() {
        return frame;
    }

    static long pts(long frame) {
        return 1000 + frame * TICKS_PER_FRAME;
    }
}
