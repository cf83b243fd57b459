package io.streamtee.bench.soak;

import java.nio.file.Path;
import java.time.Duration;

/**
 * One soak run's settings.
 *
 * @param root       the repository (for {@code bin/jvm.sh}: serve gets the launcher's JVM options)
 * @param work       where the config, serve's log, the recordings and the results go
 * @param clip       the camera clip: made with the simulator's encoder ({@code PatternClip}) when missing
 * @param seconds    how long the cameras send
 * @param interval   one JSON line per interval (the brief's "minute"; shorter for short runs)
 * @param cameras    cameras through the one serve
 * @param bitrate    each camera's H.264 bit rate, bit/s
 * @param outputs    UDP outputs per camera, each checked byte for byte
 * @param width      picture width
 * @param height     picture height
 * @param clipLength the clip's length (the camera loops it, continuity kept)
 */
record SoakConfig(Path root, Path work, Path clip, int seconds, Duration interval, int cameras, long bitrate,
        int outputs, int width, int height, Duration clipLength) {

    static final int FPS = 30;

    SoakConfig {
        if (seconds < 10 || seconds > 24 * 3600) {
            throw new IllegalArgumentException("seconds: 10 to 86400, not " + seconds);
        }
        if (cameras < 1 || cameras > 16) {
            throw new IllegalArgumentException("--cameras: 1 to 16, not " + cameras);
        }
        if (outputs < 1 || outputs > 16) {
            throw new IllegalArgumentException("--outputs: 1 to 16, not " + outputs);
        }
    }

    /** The brief's defaults: 3 cameras at 20 Mbit/s 1280x720, 3 outputs each; a minute per line from 3 minutes on. */
    static SoakConfig defaults(Path root, Path work, int seconds) {
        return new SoakConfig(root, work, work.resolve("clip.ts"), seconds, defaultInterval(seconds), 3, 20_000_000L,
                3, 1280, 720, Duration.ofSeconds(20));
    }

    /** A minute, or a quarter of a run shorter than 3 minutes (so that a first and a last window exist). */
    static Duration defaultInterval(int seconds) {
        return seconds >= 180 ? Duration.ofMinutes(1) : Duration.ofSeconds(Math.max(5, seconds / 4));
    }

    SoakConfig withBitrate(long b) {
        return new SoakConfig(root, work, clip, seconds, interval, cameras, b, outputs, width, height, clipLength);
    }

    SoakConfig withClip(Path c) {
        return new SoakConfig(root, work, c, seconds, interval, cameras, bitrate, outputs, width, height, clipLength);
    }

    SoakConfig withSize(int w, int h) {
        return new SoakConfig(root, work, clip, seconds, interval, cameras, bitrate, outputs, w, h, clipLength);
    }

    SoakConfig withClipLength(Duration d) {
        return new SoakConfig(root, work, clip, seconds, interval, cameras, bitrate, outputs, width, height, d);
    }

    SoakConfig withCameras(int n) {
        return new SoakConfig(root, work, clip, seconds, interval, n, bitrate, outputs, width, height, clipLength);
    }
}
