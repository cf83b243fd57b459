package io.streamtee.analyze.motion;

import java.util.Objects;

/**
 * One small grey picture for a {@link Detector}: {@code width * height} luma bytes, row after row (unsigned), and the
 * presentation time in 90 kHz ticks ({@link io.streamtee.ts.Timestamps#NONE} if unknown). Typically made from
 * {@code io.streamtee.media.Frame.grey(width, height, into)} at {@link MotionSettings#width(int, int)} x
 * {@link MotionSettings#frameHeight()}. The bytes are not copied: the caller may reuse the array once
 * {@link Detector#detect} returned.
 */
public record GreyFrame(int width, int height, byte[] luma, long pts) {
    public GreyFrame {
        Objects.requireNonNull(luma, "luma");
        if (width < 1 || height < 1) {
            throw new IllegalArgumentException("grey frame size must be positive, not " + width + "x" + height);
        }
        if (luma.length < width * height) {
            throw new IllegalArgumentException("luma of " + luma.length + " bytes is too small for " + width + "x"
                    + height);
        }
    }

    /** The luma at {@code (x, y)}, 0..255. */
    public int at(int x, int y) {
        return luma[y * width + x] & 0xff;
    }
}
