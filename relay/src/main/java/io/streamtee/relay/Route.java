package io.streamtee.relay;

import io.netty.channel.EventLoopGroup;
import io.streamtee.config.Cidr;
import io.streamtee.config.Endpoint;
import io.streamtee.relay.config.RouteSpec;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One input and its outputs: the outputs a route has now (added and removed at run time), its counters, and one or
 * more {@link RouteWorker}s that do the work, each on its own event loop.
 */
public final class Route {
    private static final Logger log = LoggerFactory.getLogger(Route.class);

    private volatile RouteSpec spec;
    private final RouteStats stats = new RouteStats();
    private final List<RouteOutput> outputs = new CopyOnWriteArrayList<>();
    private final List<RouteWorker> workers = new ArrayList<>();
    private final AtomicInteger nextOutputId = new AtomicInteger();
    private volatile List<Cidr> allow;
    private volatile InetSocketAddress localAddress;
    private NettyTransport transport;
    private int gsoMaxSegment;
    /** Set once by {@link #close}; after it, outputs can no longer be added. Guarded by {@code this}. */
    private boolean closed;

    Route(RouteSpec spec) {
        this.spec = spec;
        this.allow = spec.allow();
        for (Endpoint e : spec.outputs()) {
            outputs.add(newOutput(e, null, e.masked(), true));
        }
    }

    /** A new output; one of a scheme the relay does not send to itself (SRT) is started here, shared by the workers. */
    private RouteOutput newOutput(Endpoint endpoint, Output shared, String url, boolean fromConfig) {
        OutputStats stats = new OutputStats(url);
        if (shared == null && endpoint != null && !PluggedOutput.builtIn(endpoint.scheme())) {
            shared = PluggedOutput.open(spec.name(), endpoint, stats);
        }
        return new RouteOutput("o" + nextOutputId.incrementAndGet(), url, endpoint, shared, stats, fromConfig);
    }

    public String name() {
        return spec.name();
    }

    public RouteSpec spec() {
        return spec;
    }

    public RouteStats stats() {
        return stats;
    }

    /** The outputs now, in the order they were added. */
    public List<RouteOutput> outputs() {
        return List.copyOf(outputs);
    }

    /** Counters of each output now, in the order they were added. */
    public List<OutputStats> outputStats() {
        return outputs.stream().map(RouteOutput::stats).toList();
    }

    /** The source blocks accepted now; empty means any source. */
    public List<Cidr> allow() {
        return allow;
    }

    /**
     * Adds an output while the route runs. The other outputs lose nothing: each worker switches to the new set of
     * outputs between two read batches.
     *
     * @param url as in the config, e.g. {@code udp://127.0.0.1:9000}
     * @throws io.streamtee.config.ConfigException for a bad URL (one line, for a person)
     * @throws RelayException if its socket cannot be opened
     */
    public RouteOutput addOutput(String url) {
        Endpoint endpoint = Endpoint.parse(url, Endpoint.Role.OUTPUT);
        return add(newOutput(endpoint, null, endpoint.masked(), false));
    }

    /**
     * Adds an output made elsewhere, such as an HTTP client of the route's stream. With several workers it is called
     * from each worker's thread (see {@link Output}).
     *
     * @param label how the output shows in logs and the API, e.g. {@code http 10.0.0.9:51234}
     */
    public RouteOutput attach(String label, Output sink) {
        return add(newOutput(null, sink, label, false));
    }

    RouteOutput addFromConfig(Endpoint endpoint) {
        return add(newOutput(endpoint, null, endpoint.masked(), true));
    }

    private synchronized RouteOutput add(RouteOutput out) {
        if (closed) {
            if (out.endpoint() != null && out.shared() != null) {
                out.shared().close(); // a plugged output started for this route
            }
            throw new RelayException("route " + spec.name() + " has stopped");
        }
        if (workers.isEmpty()) {
            outputs.add(out);
            return out;
        }
        List<RouteWorker> done = new ArrayList<>();
        try {
            for (RouteWorker w : workers) {
                w.open(out);
                done.add(w);
            }
        } catch (RuntimeException e) {
            for (RouteWorker w : done) {
                w.onLoop(() -> w.close(out));
            }
            throw e;
        }
        outputs.add(out);
        log.info("route {}: output {} added ({})", spec.name(), out.url(), out.id());
        return out;
    }

    /**
     * Removes an output while the route runs; the others lose nothing.
     *
     * @return false if the route has no output with that id
     */
    public boolean removeOutput(String id) {
        RouteOutput out = outputs.stream().filter(o -> o.id().equals(id)).findFirst().orElse(null);
        if (out == null || !outputs.remove(out)) {
            return false;
        }
        for (RouteWorker w : workers) {
            w.onLoop(() -> w.close(out));
        }
        if (out.shared() != null) {
            out.shared().close();
        }
        log.info("route {}: output {} removed ({})", spec.name(), out.url(), out.id());
        return true;
    }

    /** Whether {@code next} can be applied to this route while it runs (same input socket settings). */
    boolean canReconcile(RouteSpec next) {
        Endpoint in = spec.input();
        boolean sameInput = in.url().equals(next.input().url())
                // a route started on port 0 keeps the port it got; a config naming that port means the same input
                || in.address().getPort() == 0 && next.input().address().equals(localAddress)
                        && in.params().equals(next.input().params());
        return sameInput && spec.receiveBuffer() == next.receiveBuffer()
                && spec.sendBuffer() == next.sendBuffer() && spec.workers() == next.workers()
                && spec.gso() == next.gso();
    }

    /**
     * Applies a changed config to the running route: the allow list, and the outputs the config adds or removes.
     * Outputs that stay, and those added through the API, are not touched and lose nothing.
     *
     * @return how many outputs were added and removed
     */
    int[] reconcile(RouteSpec next) {
        if (!next.allow().equals(allow)) {
            List<Cidr> nextAllow = next.allow();
            this.allow = nextAllow;
            for (RouteWorker w : workers) {
                w.allow(nextAllow);
            }
            log.info("route {}: allow list now {}", spec.name(), nextAllow.isEmpty() ? "any source" : nextAllow);
        }
        List<RouteOutput> unmatched = new ArrayList<>(outputs.stream().filter(RouteOutput::fromConfig).toList());
        List<Endpoint> toAdd = new ArrayList<>();
        for (Endpoint e : next.outputs()) {
            // by the URL as written: url() is the masked one, which a URL with a secret never equals
            RouteOutput same = unmatched.stream().filter(o -> o.endpoint() != null && o.endpoint().url().equals(e.url()))
                    .findFirst().orElse(null);
            if (same != null) {
                unmatched.remove(same);
            } else {
                toAdd.add(e);
            }
        }
        for (RouteOutput gone : unmatched) {
            removeOutput(gone.id());
        }
        for (Endpoint e : toAdd) {
            addFromConfig(e);
        }
        this.spec = next;
        return new int[] {toAdd.size(), unmatched.size()};
    }

    /** The address the input is bound to (with the real port when the config asked for port 0). */
    public InetSocketAddress localAddress() {
        return localAddress;
    }

    /** {@link #bindInput}, then {@link #start()}: a route on its own (one a reload adds). */
    void start(EventLoopGroup group, NettyTransport transport) {
        bindInput(group, transport);
        start();
    }

    /**
     * Makes the workers and binds a UDP input on each, not reading yet (see {@link RouteWorker#bindInput}); other
     * inputs start in {@link #start()}. On failure closes what it opened and rethrows.
     */
    void bindInput(EventLoopGroup group, NettyTransport transport) {
        this.transport = transport;
        this.gsoMaxSegment = gsoMaxSegment(transport);
        try {
            for (int w = 0; w < spec.workers(); w++) {
                RouteWorker worker = new RouteWorker(spec, group.next(), transport, gsoMaxSegment, stats);
                workers.add(worker);
                InetSocketAddress bound = worker.bindInput(allow, localAddress);
                if (localAddress == null) {
                    localAddress = bound;
                }
            }
        } catch (RuntimeException e) {
            close(0);
            throw e;
        }
    }

    /** Opens every output on each worker and starts its input; on failure closes what it opened and rethrows. */
    void start() {
        try {
            for (RouteWorker worker : workers) {
                InetSocketAddress bound = worker.start(outputs, allow, localAddress);
                if (localAddress == null) {
                    localAddress = bound;
                }
            }
        } catch (RuntimeException e) {
            close(0);
            throw e;
        }
        log.info("route {}: {} -> {} ({}{}{})", spec.name(), describeInput(), spec.outputs(), transport.name(),
                gsoMaxSegment > 0 ? ", UDP GSO" : "", spec.workers() > 1 ? ", " + spec.workers() + " workers" : "");
    }

    private String describeInput() {
        Endpoint in = spec.input();
        String bound = localAddress == null ? in.masked() : in.masked().replace(":" + in.address().getPort() + "",
                ":" + localAddress.getPort());
        return allow.isEmpty() ? bound : bound + " allow " + allow;
    }

    private int gsoMaxSegment(NettyTransport transport) {
        return switch (spec.gso()) {
            case OFF -> 0;
            case AUTO -> transport.supportsGso() ? GsoRuns.AUTO_MAX_SEGMENT : 0;
            case ON -> {
                if (!transport.supportsGso()) {
                    log.warn("route {}: gso: on, but UDP GSO is not available with the {} transport on this kernel;"
                            + " sending datagrams one by one", spec.name(), transport.name());
                    yield 0;
                }
                yield GsoRuns.MAX_BYTES;
            }
        };
    }

    /** Stops reading, lets queued copies leave (up to {@code drainMillis}), closes every socket. */
    void close(long drainMillis) {
        synchronized (this) {
            closed = true;
        }
        for (RouteWorker w : workers) {
            w.closeInput();
        }
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(drainMillis);
        for (RouteWorker w : workers) {
            w.drainAndCloseOutputs(deadline);
        }
        for (RouteOutput o : outputs) {
            if (o.shared() != null) {
                o.shared().close();
            }
        }
    }
}
