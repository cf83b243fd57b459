package io.streamtee.relay;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelOption;
import io.netty.channel.ChannelException;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.FixedRecvByteBufAllocator;
import io.netty.channel.epoll.EpollChannelOption;
import io.netty.channel.socket.DatagramChannel;
import io.netty.channel.unix.IntegerUnixChannelOption;
import io.netty.channel.unix.UnixChannelOption;
import io.streamtee.config.Endpoint;
import io.streamtee.config.RouteSpec;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
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

    private final RouteSpec spec;
    private final RouteStats stats = new RouteStats();
    private final List<OutputStats> outputStats;
    private final List<Worker> workers = new ArrayList<>();
    private volatile InetSocketAddress localAddress;

    Route(RouteSpec spec) {
        this.spec = spec;
        List<OutputStats> out = new ArrayList<>();
        for (Endpoint e : spec.outputs()) {
            out.add(new OutputStats(e.url()));
        }
        this.outputStats = Collections.unmodifiableList(out);
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

    /** Counters of each output, in the order of {@link RouteSpec#outputs()}. */
    public List<OutputStats> outputStats() {
        return outputStats;
    }

    /** The address the input is bound to (with the real port when the config asked for port 0). */
    public InetSocketAddress localAddress() {
        return localAddress;
    }

    void start(EventLoopGroup group, NettyTransport transport) {
        int gsoMaxSegment = gsoMaxSegment(transport);
        for (int w = 0; w < spec.workers(); w++) {
            Worker worker = new Worker(group.next());
            workers.add(worker);
            worker.start(transport, gsoMaxSegment);
        }
        log.info("route {}: {} -> {} ({}{}{})", spec.name(), describeInput(), spec.outputs(), transport.name(),
                gsoMaxSegment > 0 ? ", UDP GSO" : "", spec.workers() > 1 ? ", " + spec.workers() + " workers" : "");
    }

    private String describeInput() {
        Endpoint in = spec.input();
        String bound = localAddress == null ? in.url() : in.url().replace(":" + in.address().getPort() + "",
                ":" + localAddress.getPort());
        return spec.allow().isEmpty() ? bound : bound + " allow " + spec.allow();
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
        for (Worker w : workers) {
            w.closeInput();
        }
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(drainMillis);
        for (Worker w : workers) {
            w.drainAndCloseOutputs(deadline);
        }
    }

    private final class Worker {
        private final EventLoop loop;
        private final List<UdpOutput> outputs = new ArrayList<>();
        private Channel input;

        Worker(EventLoop loop) {
            this.loop = loop;
        }

        void start(NettyTransport transport, int gsoMaxSegment) {
            for (int i = 0; i < spec.outputs().size(); i++) {
                Endpoint e = spec.outputs().get(i);
                UdpOutput out = new UdpOutput(spec.name(), e, outputStats.get(i), gsoMaxSegment > 0);
                ChannelFuture f = out.open(loop, transport, spec.sendBuffer()).awaitUninterruptibly();
                if (!f.isSuccess()) {
                    throw new RelayException("route " + spec.name() + ": output " + e + ": "
                            + SocketErrors.describe(f.cause()), f.cause());
                }
                outputs.add(out);
            }
            FanOut fanOut = new FanOut(spec.name(), spec.allow(), stats, outputs.toArray(new UdpOutput[0]),
                    gsoMaxSegment);
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
            NetworkInterface iface = in.networkInterface() != null ? in.networkInterface() : defaultMulticastInterface();
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
            for (UdpOutput out : outputs) {
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

        private boolean isIdle(UdpOutput out) {
            try {
                return loop.submit(out::idle).get(1, TimeUnit.SECONDS);
            } catch (Exception e) {
                return true;
            }
        }

        private void closeOutputs() {
            for (UdpOutput out : outputs) {
                out.close().awaitUninterruptibly();
            }
        }
    }

    /**
     * The interface to join a group on when the URL names none: the first one that is up, not loopback and takes
     * multicast; else loopback.
     */
    static NetworkInterface defaultMulticastInterface() {
        try {
            NetworkInterface loopback = null;
            for (NetworkInterface i : Collections.list(NetworkInterface.getNetworkInterfaces())) {
                if (!i.isUp()) {
                    continue;
                }
                if (i.isLoopback()) {
                    loopback = i;
                } else if (i.supportsMulticast()) {
                    return i;
                }
            }
            if (loopback != null) {
                return loopback;
            }
        } catch (SocketException e) {
            throw new RelayException("cannot list network interfaces: " + e.getMessage(), e);
        }
        throw new RelayException("no network interface to join a multicast group on; name one with ?iface=");
    }
}
