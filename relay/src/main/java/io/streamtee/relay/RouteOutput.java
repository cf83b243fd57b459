package io.streamtee.relay;

import io.streamtee.config.Endpoint;

/**
 * One output of a route as the operator sees it: an id that stays the same for the output's life, the URL it was
 * given, and its counters. Behind it, each worker of the route has a leg of its own (for UDP, a socket per worker),
 * or, for an {@linkplain Route#attach attached} output, all workers share one {@link Output}.
 */
public final class RouteOutput {
    private final String id;
    private final String url;
    private final Endpoint endpoint;
    private final Output shared;
    private final OutputStats stats;
    private final boolean fromConfig;

    RouteOutput(String id, String url, Endpoint endpoint, Output shared, OutputStats stats, boolean fromConfig) {
        this.id = id;
        this.url = url;
        this.endpoint = endpoint;
        this.shared = shared;
        this.stats = stats;
        this.fromConfig = fromConfig;
    }

    /** A short id, unique within the route, such as {@code o3}. */
    public String id() {
        return id;
    }

    /** The URL as given, or a label such as {@code http 127.0.0.1:51234} for an attached output. */
    public String url() {
        return url;
    }

    public OutputStats stats() {
        return stats;
    }

    /** Whether the config file (rather than the API or an HTTP client) made this output; a reload manages these. */
    public boolean fromConfig() {
        return fromConfig;
    }

    Endpoint endpoint() {
        return endpoint;
    }

    Output shared() {
        return shared;
    }

    @Override
    public String toString() {
        return id + " " + url;
    }
}
