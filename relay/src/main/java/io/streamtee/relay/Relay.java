package io.streamtee.relay;

import io.netty.channel.EventLoopGroup;
import io.streamtee.relay.config.RelaySettings;
import io.streamtee.relay.config.RouteSpec;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

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
    private static final Logger log = LoggerFactory.getLogger(Relay.class);
    /** How long {@link #close()} lets queued copies leave before closing the outputs. */
    static final long DRAIN_MILLIS = 2_000;

    private volatile RelaySettings settings;
    private final NettyTransport transport;
    private final List<Route> routes = new CopyOnWriteArrayList<>();
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
        // A thread per core (or per worker of the route with the most), the routes spread over them: each loop
        // serves many routes' sockets, and one wake-up takes every socket that is ready. A thread per route, as
        // before, made 100 cameras 100 threads on 2 cores: 22.7 against 18.5 us of CPU per datagram and a p99
        // latency of 196 against 3.6 ms (bench/many-routes.py, one sitting). Nothing on a loop blocks: outputs
        // never wait, and a plugged input is closed off the loop (PluggedInput).
        int workers = settings.routes().stream().mapToInt(RouteSpec::workers).max().orElse(1);
        int threads = Math.max(workers, Runtime.getRuntime().availableProcessors());
        group = transport.newGroup(threads, "relay");
        try {
            // every UDP input first, then the outputs: an output socket's ephemeral port could otherwise take the
            // port of a route not yet bound (a config of many routes with ports in the ephemeral range)
            for (RouteSpec spec : settings.routes()) {
                Route route = new Route(spec);
                routes.add(route);
                route.bindInput(group, transport);
            }
            for (Route route : routes) {
                route.start();
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

    /**
     * Applies a new config to the running relay, changing only what differs: a new route starts, a route no longer
     * in the config stops, a route whose input socket settings changed (input URL, buffers, workers, GSO) restarts,
     * and for every other route the allow list and the outputs are updated in place. Outputs that did not change
     * lose nothing. The transport cannot change without a restart.
     *
     * @return a one-line summary of what changed, for the log
     */
    public synchronized String apply(RelaySettings next) {
        if (closed || group == null) {
            throw new IllegalStateException("not running");
        }
        List<String> changes = new ArrayList<>();
        if (next.transport() != settings.transport()) {
            changes.add("transport stays " + transport.name() + " until restart");
        }
        for (RouteSpec spec : next.routes()) {
            Route current = routes.stream().filter(r -> r.name().equals(spec.name())).findFirst().orElse(null);
            if (current == null) {
                Route route = new Route(spec);
                route.start(group, transport);
                routes.add(route);
                changes.add("route " + spec.name() + " started");
            } else if (current.canReconcile(spec)) {
                int[] addedRemoved = current.reconcile(spec);
                if (addedRemoved[0] + addedRemoved[1] > 0) {
                    changes.add("route " + spec.name() + ": " + addedRemoved[0] + " outputs added, "
                            + addedRemoved[1] + " removed");
                }
            } else {
                routes.remove(current);
                current.close(DRAIN_MILLIS);
                Route route = new Route(spec);
                try {
                    route.start(group, transport);
                } catch (RuntimeException e) {
                    Route again = new Route(current.spec()); // back to what ran before, if that still binds
                    again.start(group, transport);
                    keepApiOutputs(current, again);
                    routes.add(again);
                    throw e;
                }
                keepApiOutputs(current, route);
                routes.add(route);
                changes.add("route " + spec.name() + " restarted (input settings changed)");
            }
        }
        for (Route r : routes) {
            if (next.routes().stream().noneMatch(s -> s.name().equals(r.name()))) {
                routes.remove(r);
                r.close(DRAIN_MILLIS);
                changes.add("route " + r.name() + " stopped");
            }
        }
        this.settings = next;
        String summary = changes.isEmpty() ? "no change" : String.join("; ", changes);
        log.info("config applied: {}", summary);
        return summary;
    }

    /** Outputs added through the API live on when their route restarts; HTTP clients reconnect by themselves. */
    private static void keepApiOutputs(Route from, Route to) {
        for (RouteOutput o : from.outputs()) {
            if (!o.fromConfig() && o.endpoint() != null) {
                try {
                    to.addOutput(o.endpoint().url());
                } catch (RuntimeException e) {
                    log.warn("route {}: output {} (added through the API) could not be reopened: {}", to.name(),
                            o.url(), e.getMessage());
                }
            }
        }
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
