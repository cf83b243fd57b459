package io.streamtee.camera;

/**
 * How the pattern's scene is lit at one frame: a brightness offset and day or night mode. The caption (the camera's
 * own overlay) is not lit; the bars, the ramp and the visitor are.
 *
 * @param offset luma levels added to every scene pixel (a brightness step), -100..100
 * @param night grey night mode, as an IR camera at dusk: no colour and a flatter picture
 */
public record Lighting(int offset, boolean night) {

    /** Daylight, no step: the scene as painted. */
    public static final Lighting DAY = new Lighting(0, false);

    /**
     * The luma of a scene pixel of luma {@code y} under this lighting: at night the contrast drops to 3/4 around
     * mid-grey ({@code 128 + (y - 128) * 3 / 4}, integer arithmetic), then {@link #offset} is added and the
     * result is clamped to the video range 16..235.
     */
    public int luma(int y) {
        int lit = night ? 128 + (y - 128) * 3 / 4 : y;
        return Math.clamp(lit + offset, 16, 235);
    }

    /** A chroma sample (U or V) under this lighting: neutral 128 at night, unchanged by day. */
    public int chroma(int c) {
        return night ? 128 : c;
    }

    /** For logs: {@code day}, {@code night}, {@code day +40}, {@code night -20}. */
    @Override
    public String toString() {
        return (night ? "night" : "day") + (offset == 0 ? "" : (offset > 0 ? " +" : " ") + offset);
    }
}
