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
import io.netty.util.concurrent.DefaultThreadFactory;
import io.streamtee.relay.config.RelaySettings;

/**
 * The Netty transport the relay runs on: native epoll on Linux (recvmmsg, sendmmsg, UDP GSO, SO_REUSEPORT), NIO
 * elsewhere.
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

    private final boolean epoll;

    private NettyTransport(boolean epoll) {
        this.epoll = epoll;
    }

    /**
     * Picks the transport.
     *
     * @throws RelayException if epoll is asked for and is not available here, with the reason
     */
    public static NettyTransport of(RelaySettings.Transport wanted) {
        return switch (wanted) {
            case NIO -> new NettyTransport(false);
            case EPOLL -> {
                if (!Epoll.isAvailable()) {
                    throw new RelayException("transport epoll is not available here: "
                            + Epoll.unavailabilityCause().getMessage(), Epoll.unavailabilityCause());
                }
                yield new NettyTransport(true);
            }
            case AUTO -> new NettyTransport(Epoll.isAvailable());
        };
    }

    public boolean isEpoll() {
        return epoll;
    }

    /** Whether the kernel and transport can send a run of datagrams as one UDP GSO buffer. */
    public boolean supportsGso() {
        return epoll && SegmentedDatagramPacket.isSupported();
    }

    public String name() {
        return epoll ? "epoll" : "nio";
    }

    public EventLoopGroup newGroup(int threads, String name) {
        IoHandlerFactory handler = epoll ? EpollIoHandler.newFactory() : NioIoHandler.newFactory();
        return new MultiThreadIoEventLoopGroup(threads, new DefaultThreadFactory(name, true), handler);
    }

    public ChannelFactory<DatagramChannel> datagramChannel(boolean ipv6) {
        SocketProtocolFamily family = ipv6 ? SocketProtocolFamily.INET6 : SocketProtocolFamily.INET;
        return epoll ? () -> new EpollDatagramChannel(family) : () -> new NioDatagramChannel(family);
    }

    /** TCP client sockets (TCP outputs, HTTP inputs). */
    public ChannelFactory<SocketChannel> socketChannel() {
        return epoll ? EpollSocketChannel::new : NioSocketChannel::new;
    }

    /** TCP listening sockets (TCP inputs). */
    public ChannelFactory<ServerSocketChannel> serverSocketChannel() {
        return epoll ? EpollServerSocketChannel::new : NioServerSocketChannel::new;
    }
}
