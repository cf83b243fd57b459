package io.streamtee.relay;

import io.netty.channel.EventLoopGroup;
import io.streamtee.config.RelaySettings;
import io.streamtee.config.RouteSpec;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The relay: every route of a {@link RelaySettings}, running on one event loop group.
 *
 * <pre>{@code
 * try (Relay relay = new Relay(settings).start()) {
 *     InetSocketAddress in = relay.routes().get(0).localAddress();
 *     ...
 * }
 * }</pre>
 */
public final class Relay implements AutoCloseable {
    /** How long {@link #close()} lets queued copies leave before closing the outputs. */
    static final long DRAIN_MILLIS = 2_000;

    private final RelaySettings settings;
    private final NettyTransport transport;
    private final List<Route> routes = new ArrayList<>();
    private EventLoopGroup group;
    private boolean closed;

    public Relay(RelaySettings settings) {
        this.settings = settings;
        this.transport = NettyTransport.of(settings.transport());
    }

    /**
     * Opens every output and binds every input.
     *
     * @throws RelayException if a socket cannot be opened (port in use, no such address, ...); what was opened is
     *                        closed again
     */
    public synchronized Relay start() {
        if (group != null) {
            throw new IllegalStateException("already started");
        }
        int workers = settings.routes().stream().mapToInt(RouteSpec::workers).sum();
        int threads = Math.max(1, Math.min(workers, 2 * Runtime.getRuntime().availableProcessors()));
        group = transport.newGroup(threads, "relay");
        try {
            for (RouteSpec spec : settings.routes()) {
                Route route = new Route(spec);
                routes.add(route);
                route.start(group, transport);
            }
        } catch (RuntimeException e) {
            close();
            throw e;
        }
        return this;
    }

    public RelaySettings settings() {
        return settings;
    }

    public NettyTransport transport() {
        return transport;
    }

    public List<Route> routes() {
        return Collections.unmodifiableList(routes);
    }

    public Route route(String name) {
        for (Route r : routes) {
            if (r.name().equals(name)) {
                return r;
            }
        }
        throw new IllegalArgumentException("no route " + name);
    }

    /** Stops reading every input, lets what was read leave, closes every socket. Safe to call twice. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        for (Route r : routes) {
            r.close(DRAIN_MILLIS);
        }
        if (group != null) {
            group.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly();
        }
    }
}
