package io.streamtee.relay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollChannelOption;
import io.netty.channel.epoll.EpollDatagramChannel;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.socket.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/** The epoll input's read path on loopback: how the buffers it reads into are sized. */
class UdpInputReadTest {
    private EventLoopGroup group;

    @AfterEach
    void stop() {
        if (group != null) {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
        }
    }

    @Test
    void aLoneDatagramIsReadIntoOneSlotSoNettyUsesRecvmsgNotRecvmmsg() throws Exception {
        Assumptions.assumeTrue(Epoll.isAvailable(), "epoll only");
        group = new MultiThreadIoEventLoopGroup(1, EpollIoHandler.newFactory());
        List<Integer> capacities = new CopyOnWriteArrayList<>();
        List<Integer> sizes = new CopyOnWriteArrayList<>();
        Channel ch = new Bootstrap().group(group).channel(EpollDatagramChannel.class)
                .option(EpollChannelOption.MAX_DATAGRAM_PAYLOAD_SIZE, UdpInput.RECEIVE_SLOT)
                .option(ChannelOption.RCVBUF_ALLOCATOR, UdpInput.receiveAllocator())
                .handler(new SimpleChannelInboundHandler<DatagramPacket>() {
                    @Override
                    protected void channelRead0(ChannelHandlerContext ctx, DatagramPacket p) {
                        // recvmmsg's buffer holds RECEIVE_SLOTS slots; recvmsg's one
                        capacities.add(p.content().unwrap() == null ? p.content().capacity()
                                : p.content().unwrap().capacity());
                        sizes.add(p.content().readableBytes());
                    }
                })
                .bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0)).sync().channel();
        int port = ((InetSocketAddress) ch.localAddress()).getPort();
        try (DatagramSocket sender = new DatagramSocket()) {
            sender.send(new java.net.DatagramPacket(new byte[1316], 1316,
                    new InetSocketAddress(InetAddress.getLoopbackAddress(), port)));
            await().atMost(Duration.ofSeconds(5)).until(() -> sizes.size() == 1);
        } finally {
            ch.close().sync();
        }
        assertThat(sizes).containsExactly(1316);
        assertThat(capacities).containsExactly(UdpInput.RECEIVE_SLOT);
    }
}
