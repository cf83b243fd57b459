package io.streamtee.relay;

import io.netty.channel.ChannelFactory;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollDatagramChannel;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.epoll.SegmentedDatagramPacket;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.DatagramChannel;
import io.netty.channel.socket.ServerSocketChannel;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.SocketProtocolFamily;
import io.netty.channel.socket.nio.NioDatagramChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.channel.uring.IoUring;
import io.netty.channel.uring.IoUringDatagramChannel;
import io.netty.channel.uring.IoUringIoHandler;
import io.netty.channel.uring.IoUringServerSocketChannel;
import io.netty.channel.uring.IoUringSocketChannel;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.streamtee.relay.config.RelaySettings;

/**
 * The Netty transport the relay runs on: native epoll on Linux (recvmmsg, sendmmsg, UDP GSO, SO_REUSEPORT), NIO
 * elsewhere; io_uring on Linux when asked for.
 */
public final class NettyTransport {
    /** Netty's switch for its JDK Flight Recorder events, read once when Netty starts. */
    static final String NETTY_JFR = "io.netty.jfr.enabled";

    static {
        // Netty 4.2's buffer allocators emit Flight Recorder events; with them on, the first buffer the input
        // allocates loads and initializes the JDK's whole Flight Recorder on the event loop (150-170 ms measured,
        // no recording running), and a burst that arrives then overflows the receive buffer. Off unless asked for.
        if (System.getProperty(NETTY_JFR) == null) {
            System.setProperty(NETTY_JFR, "false");
        }
    }

    /** The kinds of transport. */
    private enum Kind {
        NIO, EPOLL, IO_URING
    }

    private final Kind kind;
    private final boolean epoll;

    private NettyTransport(Kind kind) {
        this.kind = kind;
        this.epoll = kind == Kind.EPOLL;
    }

    /**
     * Picks the transport.
     *
     * @throws RelayException if epoll is asked for and is not available here, with the reason
     */
    public static NettyTransport of(RelaySettings.Transport wanted) {
        return switch (wanted) {
            case NIO -> new NettyTransport(Kind.NIO);
            case EPOLL -> {
                if (!Epoll.isAvailable()) {
                    throw new RelayException("transport epoll is not available here: "
                            + Epoll.unavailabilityCause().getMessage(), Epoll.unavailabilityCause());
                }
                yield new NettyTransport(Kind.EPOLL);
            }
            case IO_URING -> {
                if (!IoUring.isAvailable()) {
                    throw new RelayException("transport io_uring is not available here: "
                            + IoUring.unavailabilityCause().getMessage(), IoUring.unavailabilityCause());
                }
                yield new NettyTransport(Kind.IO_URING);
            }
            case AUTO -> new NettyTransport(Epoll.isAvailable() ? Kind.EPOLL : Kind.NIO);
        };
    }

    public boolean isEpoll() {
        return epoll;
    }

    /** Whether the sockets are Linux's own (epoll or io_uring): SO_RCVBUFFORCE, SO_REUSEPORT, doubled buffers. */
    public boolean isLinux() {
        return kind != Kind.NIO;
    }

    /** Whether the kernel and transport can send a run of datagrams as one UDP GSO buffer. */
    public boolean supportsGso() {
        return epoll && SegmentedDatagramPacket.isSupported();
    }

    public String name() {
        return switch (kind) {
            case NIO -> "nio";
            case EPOLL -> "epoll";
            case IO_URING -> "io_uring";
        };
    }

    public EventLoopGroup newGroup(int threads, String name) {
        IoHandlerFactory handler = switch (kind) {
            case NIO -> NioIoHandler.newFactory();
            case EPOLL -> EpollIoHandler.newFactory();
            case IO_URING -> IoUringIoHandler.newFactory();
        };
        return new MultiThreadIoEventLoopGroup(threads, new DefaultThreadFactory(name, true), handler);
    }

    public ChannelFactory<DatagramChannel> datagramChannel(boolean ipv6) {
        SocketProtocolFamily family = ipv6 ? SocketProtocolFamily.INET6 : SocketProtocolFamily.INET;
        return switch (kind) {
            case NIO -> () -> new NioDatagramChannel(family);
            case EPOLL -> () -> new EpollDatagramChannel(family);
            case IO_URING -> () -> new IoUringDatagramChannel(family);
        };
    }

    /** TCP client sockets (TCP outputs, HTTP inputs). */
    public ChannelFactory<SocketChannel> socketChannel() {
        return switch (kind) {
            case NIO -> NioSocketChannel::new;
            case EPOLL -> EpollSocketChannel::new;
            case IO_URING -> IoUringSocketChannel::new;
        };
    }

    /** TCP listening sockets (TCP inputs). */
    public ChannelFactory<ServerSocketChannel> serverSocketChannel() {
        return switch (kind) {
            case NIO -> NioServerSocketChannel::new;
            case EPOLL -> EpollServerSocketChannel::new;
            case IO_URING -> IoUringServerSocketChannel::new;
        };
    }
}
