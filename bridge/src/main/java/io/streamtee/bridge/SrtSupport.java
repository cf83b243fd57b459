package io.streamtee.bridge;

import io.streamtee.config.ConfigException;
import io.streamtee.config.Endpoint;

/** What SRT needs of the runtime: Java 22 or newer, for the FFM API through which streamtee calls libsrt. */
final class SrtSupport {
    private SrtSupport() {
    }

    /** Throws a one-line {@link ConfigException} naming the URL when this Java is older than {@code 22}. */
    static void check(Endpoint endpoint) {
        check(endpoint, Runtime.version().feature());
    }

    static void check(Endpoint endpoint, int javaFeature) {
        if (javaFeature < 22) {
            throw new ConfigException(endpoint.masked() + ": srt:// needs Java 22 or newer (this is Java "
                    + javaFeature + "): streamtee calls libsrt through the FFM API");
        }
    }
}
