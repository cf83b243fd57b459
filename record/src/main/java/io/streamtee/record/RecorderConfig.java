package io.streamtee.record;

import io.streamtee.config.CameraName;
import io.streamtee.config.ConfigException;
import io.streamtee.config.Endpoint;
import io.streamtee.input.Inputs;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * Everything a {@link Recorder} needs, as data.
 *
 * @param listen where the stream arrives: {@code udp://host:port} (port 0 picks one), or a multicast group
 * @param dir the recordings directory; segments go to {@code dir/camera/YYYY/MM/DD/HH-MM-SS.ts}
 * @param camera the camera's name: a directory name of letters, digits, {@code . _ -}
 * @param segment target segment length; a segment is cut at the first keyframe at or after it
 * @param keep delete segments older than this; {@link Duration#ZERO} keeps them forever
 * @param maxBytes delete the oldest segments while all of them take more than this; 0 for no limit
 * @param store where finished segments and the index are uploaded, or null to keep them on local disk only
 */
public record RecorderConfig(Endpoint listen, Path dir, String camera, Duration segment, Duration keep,
        long maxBytes, StoreConfig store) {

    public static final String DEFAULT_CAMERA = "camera";
    public static final Duration DEFAULT_SEGMENT = Duration.ofSeconds(10);

    public RecorderConfig {
        Objects.requireNonNull(listen, "listen");
        Objects.requireNonNull(dir, "dir");
        Objects.requireNonNull(camera, "camera");
        Objects.requireNonNull(segment, "segment");
        Objects.requireNonNull(keep, "keep");
        if (!listen.isUdp()) {
            Inputs.installed().require("--listen", listen, List.of("udp")); // rtsp://, srt://: plugged inputs
        }
        if (!CameraName.isValid(camera)) {
            throw new ConfigException("--camera: '" + CameraName.shown(camera) + "' is not a usable name (letters,"
                    + " digits, . _ -; at most 64)");
        }
        if (segment.toMillis() < 100) {
            throw new ConfigException("--segment: must be at least 100ms, got " + segment.toMillis() + "ms");
        }
        if (keep.isNegative()) {
            throw new ConfigException("--keep: must not be negative");
        }
        if (maxBytes < 0) {
            throw new ConfigException("--max-size: must not be negative");
        }
    }

    /** No object store: recordings stay on local disk only. */
    public RecorderConfig(Endpoint listen, Path dir, String camera, Duration segment, Duration keep, long maxBytes) {
        this(listen, dir, camera, segment, keep, maxBytes, null);
    }

    /** Defaults: camera {@code camera}, 10 s segments, kept forever, no size limit, no object store. */
    public static RecorderConfig of(Endpoint listen, Path dir) {
        return new RecorderConfig(listen, dir, DEFAULT_CAMERA, DEFAULT_SEGMENT, Duration.ZERO, 0, null);
    }

    public RecorderConfig withCamera(String name) {
        return new RecorderConfig(listen, dir, name, segment, keep, maxBytes, store);
    }

    public RecorderConfig withSegment(Duration length) {
        return new RecorderConfig(listen, dir, camera, length, keep, maxBytes, store);
    }

    public RecorderConfig withKeep(Duration age) {
        return new RecorderConfig(listen, dir, camera, segment, age, maxBytes, store);
    }

    public RecorderConfig withMaxBytes(long bytes) {
        return new RecorderConfig(listen, dir, camera, segment, keep, bytes, store);
    }

    public RecorderConfig withStore(StoreConfig objectStore) {
        return new RecorderConfig(listen, dir, camera, segment, keep, maxBytes, objectStore);
    }

    /** The camera's directory: {@code dir/camera}. */
    public Path cameraDir() {
        return dir.resolve(camera);
    }
}
