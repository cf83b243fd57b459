package io.streamtee.analyze.sink;

import io.streamtee.analyze.event.EventSink;
import io.streamtee.config.Units;
import java.time.Duration;
import java.util.Objects;

/**
 * A sink as the user configured it: the sink, and its notification cooldown (see
 * {@link io.streamtee.analyze.event.Cooldown}). Made by {@link Sinks#configure}.
 *
 * @param sink     the sink (it connects on its first delivery; its owner closes it)
 * @param cooldown 0 for none
 */
public record ConfiguredSink(EventSink sink, Duration cooldown) {
    public ConfiguredSink {
        Objects.requireNonNull(sink, "sink");
        if (cooldown == null || cooldown.isNegative()) {
            throw new IllegalArgumentException("cooldown must be 0 or more: " + cooldown);
        }
    }

    /** {@code name} and, when it has one, {@code (cooldown 5m)}: never a secret. */
    @Override
    public String toString() {
        return sink.name() + (cooldown.isZero() ? "" : " (cooldown " + Units.formatDuration(cooldown) + ")");
    }
}
