package io.streamtee.relay.config;

import io.streamtee.config.ApiConfig;
import java.util.Map;

/**
 * The relay's config file as written: {@code routes} by name, plus process-wide settings. See
 * {@code streamtee.example.yml} for every key with its unit and default.
 *
 * @param routes        the routes, by name
 * @param statsInterval how often a summary line is logged, e.g. {@code 60s}; {@code 0} turns it off
 * @param transport     {@code auto} (epoll on Linux, else NIO), {@code epoll} or {@code nio}
 * @param api           the control API, metrics and status page; absent means none
 */
public record RelayConfig(Map<String, RouteConfig> routes, String statsInterval, String transport, ApiConfig api) {

    public RelayConfig(Map<String, RouteConfig> routes, String statsInterval, String transport) {
        this(routes, statsInterval, transport, null);
    }
}
