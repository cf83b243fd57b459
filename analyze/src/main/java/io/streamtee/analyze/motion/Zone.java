package io.streamtee.analyze.motion;

import io.streamtee.config.ConfigException;
import java.util.Objects;

/**
 * A named area of the picture that motion events report (e.g. {@code porch}, {@code driveway}). A box touches the zone
 * when at least one of its pixels is inside and at least {@code minShare} of the box's pixels are inside (0 = any
 * overlap).
 */
public record Zone(String name, Polygon polygon, double minShare) {
    public Zone {
        Objects.requireNonNull(polygon, "polygon");
        if (name == null || !name.matches("[A-Za-z0-9_-]+")) {
            throw ConfigException.at("analyze.zones", "a zone name is letters, digits, _ and -, not '" + name + "'");
        }
        if (!(minShare >= 0 && minShare <= 1)) {
            throw ConfigException.at("analyze.zones." + name + ".minShare", "must be between 0 and 1, not "
                    + minShare);
        }
    }

    /** A zone any overlap touches. */
    public static Zone of(String name, Polygon polygon) {
        return new Zone(name, polygon, 0);
    }

    /** Parses the polygon text; errors name {@code analyze.zones.<name>}. */
    public static Zone parse(String name, String polygon, double minShare) {
        return new Zone(name, Polygon.parse("analyze.zones." + name, polygon), minShare);
    }
}
