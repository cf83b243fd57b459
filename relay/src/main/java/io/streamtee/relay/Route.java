package io.streamtee.relay;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelException;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.FixedRecvByteBufAllocator;
import io.netty.channel.epoll.EpollChannelOption;
import io.netty.channel.socket.DatagramChannel;
import io.netty.channel.unix.IntegerUnixChannelOption;
import io.netty.channel.unix.UnixChannelOption;
import io.streamtee.config.Cidr;
import io.streamtee.config.Endpoint;
import io.streamtee.net.MulticastInterface;
import io.streamtee.relay.config.RouteSpec;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One input and its outputs. A route has one or more workers; each worker owns an input socket (several share the
 * port with SO_REUSEPORT; the kernel keeps one source's flow on one of them, so order holds) and its own socket per
 * output, all on one event loop, so the hot path never crosses threads or takes a lock.
 */
public final class Route {
    private static final Logger log = LoggerFactory.getLogger(Route.class);
    private static final AtomicBoolean RCVBUF_WARNED = new AtomicBoolean();
    /** setsockopt(SOL_SOCKET, SO_RCVBUFFORCE) on Linux. */
    private static final IntegerUnixChannelOption SO_RCVBUFFORCE = new IntegerUnixChannelOption("SO_RCVBUFFORCE", 1, 33);

    /** Receive slot per datagram: the largest UDP payload (65,527 bytes over IPv6) fits, so nothing is truncated. */
    static final int RECEIVE_SLOT = 65_536;
    /** Datagrams per recvmmsg call. */
    static final int RECEIVE_SLOTS = 16;
    /** Datagrams read per wake-up before the batch is fanned out. */
    static final int MAX_MESSAGES_PER_READ = 256;

    private volatile RouteSpec spec;
    private final RouteStats stats = new RouteStats();
    private final List<RouteOutput> outputs = new CopyOnWriteArrayList<>();
    private final List<Worker> workers = new ArrayList<>();
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
            outputs.add(newOutput(e, null, e.url(), true));
        }
    }

    private RouteOutput newOutput(Endpoint endpoint, Output shared, String url, boolean fromConfig) {
        return new RouteOutput("o" + nextOutputId.incrementAndGet(), url, endpoint, shared, new OutputStats(url),
                fromConfig);
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
        return add(newOutput(Endpoint.parse(url, Endpoint.Role.OUTPUT), null, url, false));
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
        return add(newOutput(endpoint, null, endpoint.url(), true));
    }

    private synchronized RouteOutput add(RouteOutput out) {
        if (closed) {
            throw new RelayException("route " + spec.name() + " has stopped");
        }
        if (workers.isEmpty()) {
            outputs.add(out);
            return out;
        }
        List<Worker> done = new ArrayList<>();
        try {
            for (Worker w : workers) {
                w.open(out);
                done.add(w);
            }
        } catch (RuntimeException e) {
            for (Worker w : done) {
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
        for (Worker w : workers) {
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
            for (Worker w : workers) {
                w.onLoop(() -> w.fanOut.allow(nextAllow));
            }
            log.info("route {}: allow list now {}", spec.name(), nextAllow.isEmpty() ? "any source" : nextAllow);
        }
        List<RouteOutput> unmatched = new ArrayList<>(outputs.stream().filter(RouteOutput::fromConfig).toList());
        List<Endpoint> toAdd = new ArrayList<>();
        for (Endpoint e : next.outputs()) {
            RouteOutput same = unmatched.stream().filter(o -> o.url().equals(e.url())).findFirst().orElse(null);
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

    /** Opens every output and binds the input on each worker; on failure closes what it opened and rethrows. */
    void start(EventLoopGroup group, NettyTransport transport) {
        this.transport = transport;
        this.gsoMaxSegment = gsoMaxSegment(transport);
        try {
            for (int w = 0; w < spec.workers(); w++) {
                Worker worker = new Worker(group.next());
                workers.add(worker);
                worker.start();
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
        String bound = localAddress == null ? in.url() : in.url().replace(":" + in.address().getPort() + "",
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
        for (Worker w : workers) {
            w.closeInput();
        }
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(drainMillis);
        for (Worker w : workers) {
            w.drainAndCloseOutputs(deadline);
        }
        for (RouteOutput o : outputs) {
            if (o.shared() != null) {
                o.shared().close();
            }
        }
    }

    private final class Worker {
        private final EventLoop loop;
        /** This worker's leg of each output; touched on the loop only (and before the input is bound). */
        private final Map<RouteOutput, Output> legs = new LinkedHashMap<>();
        private FanOut fanOut;
        private Channel input;

        Worker(EventLoop loop) {
            this.loop = loop;
        }

        /** Runs {@code task} on this worker's loop and waits for it; rethrows what it threw. */
        void onLoop(Runnable task) {
            if (loop.inEventLoop()) {
                task.run();
                return;
            }
            try {
                loop.submit(task).get(10, TimeUnit.SECONDS);
            } catch (java.util.concurrent.ExecutionException e) {
                if (e.getCause() instanceof RuntimeException r) {
                    throw r;
                }
                throw new RelayException(e.getCause().getMessage(), e.getCause());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new RelayException("interrupted", e);
            } catch (java.util.concurrent.TimeoutException e) {
                throw new RelayException("route " + spec.name() + ": event loop did not answer in 10 s", e);
            }
        }

        /**
         * Opens this worker's leg of {@code out} and, once it is connected, hands it to the fan-out. Called from a
         * thread other than the loop (start-up, the API), which waits for the socket.
         */
        void open(RouteOutput out) {
            Output leg = out.shared();
            if (leg == null && !out.endpoint().isUdp()) {
                leg = TcpOutput.open(spec.name(), out.endpoint(), out.stats(), loop, transport);
            }
            if (leg == null) {
                UdpOutput udp = new UdpOutput(spec.name(), out.endpoint(), out.stats(), gsoMaxSegment > 0);
                ChannelFuture f = udp.open(loop, transport, spec.sendBuffer()).awaitUninterruptibly();
                if (!f.isSuccess()) {
                    udp.close();
                    throw new RelayException("route " + spec.name() + ": output " + out.url() + ": "
                            + SocketErrors.describe(f.cause()), f.cause());
                }
                leg = udp;
            }
            Output ready = leg;
            onLoop(() -> {
                legs.put(out, ready);
                publish();
            });
        }

        /** Takes {@code out} away from the fan-out, then closes this worker's leg of it. */
        void close(RouteOutput out) {
            Output leg = legs.remove(out);
            publish();
            if (leg != null && out.shared() == null) {
                leg.close();
            }
        }

        private void publish() {
            if (fanOut != null) {
                fanOut.outputs(legs.values().toArray(new Output[0]));
            }
        }

        void start() {
            try {
                for (RouteOutput out : outputs) {
                    open(out);
                }
            } catch (RuntimeException e) {
                closeOutputs();
                throw e;
            }
            fanOut = new FanOut(spec.name(), allow, stats, legsSnapshot().toArray(new Output[0]), gsoMaxSegment);
            if (!spec.input().isUdp()) {
                try {
                    input = StreamInput.start(spec, localAddress, loop, transport, fanOut, stats);
                } catch (RuntimeException e) {
                    closeOutputs();
                    throw e;
                }
                if (localAddress == null && input.localAddress() instanceof InetSocketAddress bound) {
                    localAddress = bound;
                }
                return;
            }
            Endpoint in = spec.input();
            Bootstrap b = new Bootstrap()
                    .group(loop)
                    .channelFactory(transport.datagramChannel(in.isIpv6()))
                    .option(ChannelOption.SO_RCVBUF, spec.receiveBuffer())
                    .handler(fanOut);
            if (transport.isEpoll()) {
                b.option(EpollChannelOption.MAX_DATAGRAM_PAYLOAD_SIZE, RECEIVE_SLOT);
                b.option(ChannelOption.RCVBUF_ALLOCATOR,
                        new BatchReceiveAllocator(RECEIVE_SLOT * RECEIVE_SLOTS, MAX_MESSAGES_PER_READ));
                if (spec.workers() > 1) {
                    b.option(UnixChannelOption.SO_REUSEPORT, true);
                }
            } else {
                FixedRecvByteBufAllocator one = new FixedRecvByteBufAllocator(RECEIVE_SLOT);
                one.maxMessagesPerRead(MAX_MESSAGES_PER_READ);
                b.option(ChannelOption.RCVBUF_ALLOCATOR, one);
            }
            if (in.isMulticast()) {
                b.option(ChannelOption.SO_REUSEADDR, true);
            }
            InetSocketAddress bindTo = localAddress != null ? localAddress : in.address();
            ChannelFuture bound = b.bind(bindTo).awaitUninterruptibly();
            if (!bound.isSuccess()) {
                closeOutputs();
                throw new RelayException(in + ": " + SocketErrors.describe(bound.cause()), bound.cause());
            }
            input = bound.channel();
            if (localAddress == null) {
                localAddress = (InetSocketAddress) input.localAddress();
            }
            if (in.isMulticast()) {
                join((DatagramChannel) input, in);
            }
            if (transport.isEpoll()) {
                forceReceiveBuffer(input);
            }
            checkReceiveBuffer((DatagramChannel) input, transport.isEpoll());
        }

        private void join(DatagramChannel ch, Endpoint in) {
            NetworkInterface iface = multicastInterface(in);
            InetAddress source = in.source();
            ChannelFuture joined = ch.joinGroup(in.address().getAddress(), iface, source).awaitUninterruptibly();
            if (!joined.isSuccess()) {
                ch.close();
                closeOutputs();
                throw new RelayException(in + ": cannot join multicast group on " + iface.getName() + ": "
                        + SocketErrors.describe(joined.cause()), joined.cause());
            }
            log.info("route {}: joined {}{} on {}", spec.name(), in.address().getAddress().getHostAddress(),
                    source == null ? "" : " from source " + source.getHostAddress(), iface.getName());
        }

        /**
         * With CAP_NET_ADMIN (root), SO_RCVBUFFORCE gets the asked-for size past net.core.rmem_max; without it the
         * kernel says no and the capped SO_RCVBUF stays (and is reported by checkReceiveBuffer).
         */
        private void forceReceiveBuffer(Channel ch) {
            try {
                ch.config().setOption(SO_RCVBUFFORCE, spec.receiveBuffer());
            } catch (ChannelException e) {
                log.debug("route {}: SO_RCVBUFFORCE not permitted: {}", spec.name(), e.getMessage());
            }
        }

        private void checkReceiveBuffer(DatagramChannel ch, boolean linux) {
            int asked = spec.receiveBuffer();
            // Linux doubles the value it is given (half is bookkeeping) and caps it at net.core.rmem_max.
            int got = linux ? ch.config().getReceiveBufferSize() / 2 : ch.config().getReceiveBufferSize();
            if (got < asked && RCVBUF_WARNED.compareAndSet(false, true)) {
                log.warn("route {}: the kernel capped the input's receive buffer at {} bytes (asked for {}); bursts"
                        + " may be dropped. To allow it, run: sudo sysctl -w net.core.rmem_max={}",
                        spec.name(), got, asked, asked);
            }
        }

        void closeInput() {
            if (input != null) {
                input.close().awaitUninterruptibly();
            }
        }

        void drainAndCloseOutputs(long deadlineNanos) {
            for (Output out : legsSnapshot()) {
                while (System.nanoTime() < deadlineNanos && !isIdle(out)) {
                    try {
                        Thread.sleep(1);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        break;
                    }
                }
            }
            closeOutputs();
        }

        private List<Output> legsSnapshot() {
            try {
                return loop.submit(() -> List.copyOf(legs.values())).get(1, TimeUnit.SECONDS);
            } catch (Exception e) {
                return List.of(); // the loop is gone, and with it every socket it had
            }
        }

        private boolean isIdle(Output out) {
            try {
                return loop.submit(out::idle).get(1, TimeUnit.SECONDS);
            } catch (Exception e) {
                return true;
            }
        }

        /** Closes this worker's legs; shared (attached) outputs are closed once, by the route. */
        private void closeOutputs() {
            for (Map.Entry<RouteOutput, Output> leg : legsEntries()) {
                if (leg.getKey().shared() == null) {
                    leg.getValue().close();
                }
            }
        }

        private List<Map.Entry<RouteOutput, Output>> legsEntries() {
            try {
                return loop.submit(() -> List.copyOf(legs.entrySet())).get(1, TimeUnit.SECONDS);
            } catch (Exception e) {
                return List.of();
            }
        }
    }

    /** The interface a multicast input joins on: the services' rule, {@link MulticastInterface}. */
    static NetworkInterface multicastInterface(Endpoint in) {
        try {
            return MulticastInterface.of(in);
        } catch (SocketException e) {
            throw new RelayException(in + ": " + e.getMessage(), e);
        }
    }
}
