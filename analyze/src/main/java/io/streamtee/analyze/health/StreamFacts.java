package io.streamtee.analyze.health;

import io.streamtee.config.Units;
import java.util.Locale;

/**
 * What the health monitor knows about the stream's video, for metrics and for {@link HealthEvent.Kind#FORMAT_CHANGED}.
 *
 * @param videoPid the first H.264/H.265 PID of the PMT, or -1 before it is known
 * @param codec    {@code h264}, {@code h265}, or {@code unknown}
 * @param width    picture width from the SPS, 0 when unknown
 * @param height   picture height from the SPS, 0 when unknown
 * @param fps      frames per second: from the median of the last DTS steps of the video PID (as the stream runs;
 *                 lost frames do not move it), else from the SPS timing; 0 when unknown
 * @param bitrate  bits per second of the whole transport stream over {@link HealthSettings#bitrateWindow()}
 */
public record StreamFacts(int videoPid, String codec, int width, int height, double fps, long bitrate) {
    /** Nothing known yet. */
    public static final StreamFacts UNKNOWN = new StreamFacts(-1, "unknown", 0, 0, 0, 0);

    /** The same facts with another bit rate. */
    public StreamFacts withBitrate(long bitsPerSecond) {
        return new StreamFacts(videoPid, codec, width, height, fps, bitsPerSecond);
    }

    /**
     * True when codec, size or frame rate differ, ignoring what is unknown on either side (a size of 0, an fps of 0)
     * and frame rate differences of 2% or less (a frame rate from DTS steps wanders a little).
     */
    public boolean formatDiffers(StreamFacts other) {
        if (!codec.equals(other.codec)) {
            return true;
        }
        if (width > 0 && other.width > 0 && (width != other.width || height != other.height)) {
            return true;
        }
        return fps > 0 && other.fps > 0 && Math.abs(fps - other.fps) > 0.02 * Math.max(fps, other.fps);
    }

    /** {@code h264 1920x1080 25 fps}. */
    public String format() {
        StringBuilder s = new StringBuilder(codec);
        if (width > 0) {
            s.append(' ').append(width).append('x').append(height);
        }
        if (fps > 0) {
            s.append(' ').append(fps == Math.rint(fps) ? String.format(Locale.ROOT, "%.0f", fps)
                    : String.format(Locale.ROOT, "%.2f", fps)).append(" fps");
        }
        return s.toString();
    }

    @Override
    public String toString() {
        return format() + (videoPid >= 0 ? " on PID " + videoPid : "") + ", " + Units.formatBitrate(bitrate);
    }
}
