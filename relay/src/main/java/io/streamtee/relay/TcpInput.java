package io.streamtee.relay;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.unix.UnixChannelOption;
import io.streamtee.config.Endpoint;
import java.net.InetSocketAddress;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code tcp://0.0.0.0:9100}: listens for sources (a camera pushing MPEG-TS over TCP, or another relay's
 * {@code tcp://} output) and takes datagrams from each connection, cut by the URL's framing. The listener and its
 * connections all run on the worker's event loop, each connection's pipeline ending in the worker's one
 * {@link FanOut}. Several sources may be connected at once; their datagrams interleave batch by batch. The allow
 * list applies to each connection's remote address.
 */
final class TcpInput {
    private static final Logger log = LoggerFactory.getLogger(TcpInput.class);

    private TcpInput() {
    }

    /**
     * Binds the listener; closing the returned channel closes the connections too.
     *
     * @param reusePort share the port with the route's other workers (SO_REUSEPORT, epoll only)
     */
    static Channel bind(String route, Endpoint in, InetSocketAddress bindTo, boolean reusePort, EventLoop loop,
            NettyTransport transport, FanOut fanOut, RouteStats stats) {
        ChannelGroup connections = new DefaultChannelGroup(loop);
        String framing = in.framing();
        ServerBootstrap b = new ServerBootstrap()
                .group(loop, loop)
                .channelFactory(transport.serverSocketChannel())
                .option(ChannelOption.SO_REUSEADDR, true)
                .childOption(ChannelOption.SO_KEEPALIVE, true)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        InetSocketAddress from = ch.remoteAddress();
                        if (!fanOut.permits(from.getAddress())) {
                            // refused before a byte is read; counted like a refused datagram
                            stats.denied(from.getAddress());
                            ch.close();
                            return;
                        }
                        connections.add(ch);
                        String where = "route " + route + " input " + in + " from "
                                + from.getAddress().getHostAddress() + ":" + from.getPort();
                        log.info("{}: connected", where);
                        ch.closeFuture().addListener(f -> log.info("{}: disconnected", where));
                        ch.pipeline().addLast(new StreamDecoder(StreamFramer.of(framing, stats, where)), fanOut);
                    }
                });
        if (reusePort) {
            b.option(UnixChannelOption.SO_REUSEPORT, true);
        }
        ChannelFuture bound = b.bind(bindTo).awaitUninterruptibly();
        if (!bound.isSuccess()) {
            throw new RelayException(in + ": " + SocketErrors.describe(bound.cause()), bound.cause());
        }
        Channel server = bound.channel();
        server.closeFuture().addListener(f -> connections.close());
        return server;
    }
}
