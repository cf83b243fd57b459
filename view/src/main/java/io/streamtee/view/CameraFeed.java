package io.streamtee.view;

import io.streamtee.config.CameraName;
import io.streamtee.net.UdpReceiver;
import java.util.Objects;

/**
 * One camera the viewer serves: its name (a {@link CameraName}, in URLs {@code /cameras/NAME/}), its {@link Hub}
 * and the {@link LiveInput} that feeds the hub (null when the hub is fed some other way, as in tests). The owner
 * closes the input.
 *
 * @param name  the camera's name
 * @param hub   its hub
 * @param input its input, or null
 */
public record CameraFeed(String name, Hub hub, LiveInput input) {

    public CameraFeed {
        if (!CameraName.isValid(name)) {
            throw new IllegalArgumentException("not a camera name: " + name);
        }
        Objects.requireNonNull(hub, "hub");
    }

    /** The input's receiver counters (all 0 without an input). */
    public UdpReceiver.Stats receiver() {
        return input == null ? UdpReceiver.Stats.NONE : input.stats();
    }
}
