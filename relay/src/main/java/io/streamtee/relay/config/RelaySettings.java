package io.streamtee.relay.config;

import io.streamtee.config.ApiSettings;
import java.time.Duration;
import java.util.List;

/**
 * The relay's checked configuration.
 *
 * @param routes        the routes in the order they were written
 * @param statsInterval how often to log a summary line; zero means never (a final line is still logged on exit)
 * @param transport     the Netty transport to use
 * @param api           the control API settings, or null for none
 */
public record RelaySettings(List<RouteSpec> routes, Duration statsInterval, Transport transport, ApiSettings api) {

    public RelaySettings(List<RouteSpec> routes, Duration statsInterval, Transport transport) {
        this(routes, statsInterval, transport, null);
    }

    /** The same settings with another API section. */
    public RelaySettings withApi(ApiSettings next) {
        return new RelaySettings(routes, statsInterval, transport, next);
    }


    /** Which Netty transport carries the sockets. */
    public enum Transport {
        /** Native epoll on Linux (recvmmsg, sendmmsg, UDP GSO); NIO elsewhere. */
        AUTO,
        EPOLL,
        NIO,
        /** Linux's io_uring (no UDP GSO): sends and the next receive go to the kernel in one system call. */
        IO_URING
    }

    public RelaySettings {
        routes = List.copyOf(routes);
    }
}
