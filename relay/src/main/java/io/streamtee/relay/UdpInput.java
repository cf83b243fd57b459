package io.streamtee.relay;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelException;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.FixedRecvByteBufAllocator;
import io.netty.channel.epoll.EpollChannelOption;
import io.netty.channel.socket.DatagramChannel;
import io.netty.channel.unix.IntegerUnixChannelOption;
import io.netty.channel.unix.UnixChannelOption;
import io.streamtee.config.Endpoint;
import io.streamtee.net.MulticastInterface;
import io.streamtee.relay.config.RouteSpec;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A route's UDP input socket, one per worker: bound (with SO_REUSEPORT when the route has several workers), joined to
 * its multicast group, with the receive buffer it asked for, reading in recvmmsg batches into the worker's
 * {@link FanOut}. The TCP and HTTP inputs are {@link StreamInput}.
 */
final class UdpInput {
    private static final Logger log = LoggerFactory.getLogger(UdpInput.class);
    private static final AtomicBoolean RCVBUF_WARNED = new AtomicBoolean();
    /** setsockopt(SOL_SOCKET, SO_RCVBUFFORCE) on Linux. */
    private static final IntegerUnixChannelOption SO_RCVBUFFORCE = new IntegerUnixChannelOption("SO_RCVBUFFORCE", 1, 33);

    /** Receive slot per datagram: the largest UDP payload (65,527 bytes over IPv6) fits, so nothing is truncated. */
    static final int RECEIVE_SLOT = 65_536;
    /** Datagrams per recvmmsg call. */
    static final int RECEIVE_SLOTS = 16;
    /** Datagrams read per wake-up before the batch is fanned out. */
    static final int MAX_MESSAGES_PER_READ = 256;
    /**
     * A wake-up that comes this soon after the previous batch was fanned out reads in recvmmsg batches (a datagram
     * was waiting); a later one reads one datagram with recvmsg (see {@link BatchReceiveAllocator}).
     */
    static final long BUSY_NANOS = 50_000;

    private UdpInput() {
    }

    /**
     * Binds one worker's input socket and starts reading into {@code fanOut}. Closing the returned channel stops it.
     *
     * @param bindTo where to bind: the configured address, or the port another worker of the route got for port 0
     * @param read   whether to start reading at once; if not, datagrams wait in the socket's buffer until the
     *               channel's auto-read is turned on
     * @throws RelayException when the socket cannot be bound or the group joined, as one line
     */
    static Channel bind(RouteSpec spec, InetSocketAddress bindTo, EventLoop loop, NettyTransport transport,
            FanOut fanOut, boolean read) {
        Endpoint in = spec.input();
        Bootstrap b = new Bootstrap()
                .group(loop)
                .channelFactory(transport.datagramChannel(in.isIpv6()))
                .option(ChannelOption.AUTO_READ, read)
                .option(ChannelOption.SO_RCVBUF, spec.receiveBuffer());
        if (transport.isEpoll()) {
            BatchReceiveAllocator reads = receiveAllocator();
            b.handler(new ChannelInitializer<Channel>() {
                @Override
                protected void initChannel(Channel ch) {
                    ch.pipeline().addLast(new BatchDone(reads), fanOut);
                }
            });
            b.option(EpollChannelOption.MAX_DATAGRAM_PAYLOAD_SIZE, RECEIVE_SLOT);
            b.option(ChannelOption.RCVBUF_ALLOCATOR, reads);
            if (spec.workers() > 1) {
                b.option(UnixChannelOption.SO_REUSEPORT, true);
            }
        } else {
            b.handler(fanOut);
            FixedRecvByteBufAllocator one = new FixedRecvByteBufAllocator(RECEIVE_SLOT);
            one.maxMessagesPerRead(MAX_MESSAGES_PER_READ);
            b.option(ChannelOption.RCVBUF_ALLOCATOR, one);
            if (transport.isLinux() && spec.workers() > 1) {
                b.option(UnixChannelOption.SO_REUSEPORT, true);
            }
        }
        if (in.isMulticast()) {
            b.option(ChannelOption.SO_REUSEADDR, true);
        }
        ChannelFuture bound = b.bind(bindTo).awaitUninterruptibly();
        if (!bound.isSuccess()) {
            throw new RelayException(in + ": " + SocketErrors.describe(bound.cause()), bound.cause());
        }
        DatagramChannel ch = (DatagramChannel) bound.channel();
        if (in.isMulticast()) {
            join(spec.name(), ch, in);
        }
        if (transport.isLinux()) {
            forceReceiveBuffer(spec, ch);
        }
        checkReceiveBuffer(spec, ch, transport.isLinux());
        return ch;
    }

    /**
     * How the epoll input sizes its reads: one datagram by recvmsg when quiet, recvmmsg batches when busy. One per
     * channel, with a {@link BatchDone} in front of the fan-out.
     */
    static BatchReceiveAllocator receiveAllocator() {
        return new BatchReceiveAllocator(RECEIVE_SLOT, RECEIVE_SLOTS, MAX_MESSAGES_PER_READ, BUSY_NANOS,
                System::nanoTime);
    }

    /** Tells the allocator when a batch has been fanned out (the fan-out, next in the pipeline, ends the event). */
    static final class BatchDone extends ChannelInboundHandlerAdapter {
        private final BatchReceiveAllocator reads;

        BatchDone(BatchReceiveAllocator reads) {
            this.reads = reads;
        }

        @Override
        public void channelReadComplete(ChannelHandlerContext ctx) {
            ctx.fireChannelReadComplete();
            reads.batchDone();
        }

        @Override
        public void handlerRemoved(ChannelHandlerContext ctx) {
            reads.release(); // the channel is closed (or the pipeline taken apart): its receive buffers go
        }
    }

    private static void join(String route, DatagramChannel ch, Endpoint in) {
        NetworkInterface iface = multicastInterface(in);
        InetAddress source = in.source();
        ChannelFuture joined = ch.joinGroup(in.address().getAddress(), iface, source).awaitUninterruptibly();
        if (!joined.isSuccess()) {
            ch.close();
            throw new RelayException(in + ": cannot join multicast group on " + iface.getName() + ": "
                    + SocketErrors.describe(joined.cause()), joined.cause());
        }
        log.info("route {}: joined {}{} on {}", route, in.address().getAddress().getHostAddress(),
                source == null ? "" : " from source " + source.getHostAddress(), iface.getName());
    }

    /** The interface a multicast input joins on: the same rule as the services' receiver, {@link MulticastInterface}. */
    static NetworkInterface multicastInterface(Endpoint in) {
        try {
            return MulticastInterface.of(in);
        } catch (SocketException e) {
            throw new RelayException(in + ": " + e.getMessage(), e);
        }
    }

    /**
     * With CAP_NET_ADMIN (root), SO_RCVBUFFORCE gets the asked-for size past net.core.rmem_max; without it the
     * kernel says no and the capped SO_RCVBUF stays (and is reported by checkReceiveBuffer).
     */
    private static void forceReceiveBuffer(RouteSpec spec, Channel ch) {
        try {
            ch.config().setOption(SO_RCVBUFFORCE, spec.receiveBuffer());
        } catch (ChannelException e) {
            log.debug("route {}: SO_RCVBUFFORCE not permitted: {}", spec.name(), e.getMessage());
        }
    }

    private static void checkReceiveBuffer(RouteSpec spec, DatagramChannel ch, boolean linux) {
        int asked = spec.receiveBuffer();
        // Linux doubles the value it is given (half is bookkeeping) and caps it at net.core.rmem_max.
        int got = linux ? ch.config().getReceiveBufferSize() / 2 : ch.config().getReceiveBufferSize();
        if (got < asked && RCVBUF_WARNED.compareAndSet(false, true)) {
            log.warn("route {}: the kernel capped the input's receive buffer at {} bytes (asked for {}); bursts"
                    + " may be dropped. To allow it, run: sudo sysctl -w net.core.rmem_max={}",
                    spec.name(), got, asked, asked);
        }
    }
}
