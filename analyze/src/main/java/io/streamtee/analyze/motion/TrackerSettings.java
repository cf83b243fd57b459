package io.streamtee.analyze.motion;

import io.streamtee.config.ConfigException;
import java.time.Duration;

/**
 * How per-frame motion becomes events (keys under {@code analyze.motion} in the config file, beside the
 * {@link MotionSettings}).
 *
 * @param startFrames consecutive frames with motion before an event starts ({@link MotionTracker})
 * @param endGap      stream time without motion that ends an event ({@link MotionTracker})
 * @param updateEvery the least stream time between two UPDATE messages of one event ({@link UpdateThinning}); a
 *                    change in between goes out with the next UPDATE or the END, a newly touched zone at once; 0
 *                    sends an UPDATE for every change (new peak or zone)
 */
public record TrackerSettings(int startFrames, Duration endGap, Duration updateEvery) {
    private static final String KEY = "analyze.motion.";

    /** 3 frames, 2 s, 5 s. */
    public static final TrackerSettings DEFAULTS = new TrackerSettings(MotionTracker.DEFAULT_START_FRAMES,
            MotionTracker.DEFAULT_GAP, Duration.ofSeconds(5));

    public TrackerSettings {
        if (startFrames < 1 || startFrames > 10_000) {
            throw ConfigException.at(KEY + "startFrames", "must be between 1 and 10000, not " + startFrames);
        }
        if (endGap == null || endGap.isNegative() || endGap.isZero()) {
            throw ConfigException.at(KEY + "endGap", "must be more than 0");
        }
        if (updateEvery == null || updateEvery.isNegative()) {
            throw ConfigException.at(KEY + "updateEvery", "must be 0 or more");
        }
    }

    public TrackerSettings withUpdateEvery(Duration value) {
        return new TrackerSettings(startFrames, endGap, value);
    }
}
