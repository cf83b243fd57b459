package io.streamtee.serve;

import io.streamtee.config.Endpoint;
import io.streamtee.record.RecorderConfig;
import io.streamtee.record.StoreConfig;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;

/**
 * A camera's {@code record:} section, checked: everything a {@link RecorderConfig} holds except where the stream
 * comes from, which the wiring decides ({@link #recorderConfig}).
 *
 * @param dir      the recordings directory; the camera's segments go to {@code dir/NAME} (default: {@code data})
 * @param segment  target segment length (default 10s)
 * @param keep     delete segments older than this; {@link Duration#ZERO} keeps them forever (the default)
 * @param maxBytes delete the oldest segments while all of them take more than this; 0 for no limit (the default)
 * @param store    where finished segments and the index are uploaded, or null for local disk only
 */
public record RecordSettings(Path dir, Duration segment, Duration keep, long maxBytes, StoreConfig store) {
    public RecordSettings {
        Objects.requireNonNull(dir, "dir");
        Objects.requireNonNull(segment, "segment");
        Objects.requireNonNull(keep, "keep");
    }

    /** The recorder's config for camera {@code name} receiving on {@code listen} (a udp:// address). */
    public RecorderConfig recorderConfig(String name, Endpoint listen) {
        return new RecorderConfig(listen, dir, name, segment, keep, maxBytes, store);
    }
}
