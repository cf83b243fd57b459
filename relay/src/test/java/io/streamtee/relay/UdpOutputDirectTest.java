package io.streamtee.relay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.streamtee.config.Endpoint;
import io.streamtee.relay.config.RelaySettings;
import io.streamtee.testing.UdpReceiver;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The epoll output's direct path (one write(2) from the fan-out's copy when nothing is queued) against a real
 * loopback receiver: what it sends, when, and that a copy queued in front of it keeps its place. Port 0.
 */
@Timeout(30)
class UdpOutputDirectTest {
    private static NettyTransport transport;
    private EventLoopGroup group;
    private UdpReceiver receiver;

    @BeforeAll
    static void epollOnly() {
        org.junit.jupiter.api.Assumptions.assumeTrue(io.netty.channel.epoll.Epoll.isAvailable(), "epoll only");
        transport = NettyTransport.of(RelaySettings.Transport.EPOLL);
    }

    @AfterEach
    void close() throws Exception {
        if (group != null) {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
        }
        if (receiver != null) {
            receiver.close();
        }
    }

    private static ByteBuf batch(byte[]... datagrams) {
        ByteBuf b = Unpooled.directBuffer();
        for (byte[] d : datagrams) {
            b.writeBytes(d);
        }
        return b;
    }

    private static byte[] datagram(int size, int value) {
        byte[] d = new byte[size];
        java.util.Arrays.fill(d, (byte) value);
        return d;
    }

    /** Runs {@code task} on the output's event loop, as the fan-out does, and waits for it. */
    private void onLoop(EventLoop loop, Runnable task) {
        loop.submit(task).syncUninterruptibly();
    }

    @Test
    void aCopyLeavesAtOnceFromTheSharedBufferAndOneQueuedBeforeItKeepsItsPlace() throws Exception {
        group = transport.newGroup(1, "direct-test");
        EventLoop loop = group.next();
        receiver = UdpReceiver.open("127.0.0.1");
        OutputStats stats = new OutputStats(receiver.url());
        UdpOutput out = new UdpOutput("cam", Endpoint.parse(receiver.url(), Endpoint.Role.OUTPUT), stats, false);
        assertThat(out.open(loop, transport, 1 << 20).awaitUninterruptibly().isSuccess()).isTrue();
        byte[] a = datagram(1316, 1);
        byte[] b = datagram(700, 2);
        byte[] c = datagram(1316, 3);
        ByteBuf shared = batch(a, b, c);

        // nothing queued: the copy is on the wire before the batch's flush
        onLoop(loop, () -> out.write(shared, 0, a.length));
        await().atMost(Duration.ofSeconds(10)).until(() -> receiver.count() == 1);
        assertThat(shared.refCnt()).as("the output kept no slice of it").isEqualTo(1);

        // a copy in the queue (not yet flushed): the next one goes behind it, not past it
        onLoop(loop, () -> {
            out.write(shared.retainedSlice(a.length, b.length));
            out.write(shared, a.length + b.length, c.length);
        });
        assertThat(receiver.count()).isEqualTo(1);
        onLoop(loop, () -> out.flush(System.currentTimeMillis()));
        await().atMost(Duration.ofSeconds(10)).until(() -> receiver.count() == 3);
        List<byte[]> got = receiver.datagrams();
        assertThat(got.get(0)).isEqualTo(a);
        assertThat(got.get(1)).isEqualTo(b);
        assertThat(got.get(2)).isEqualTo(c);
        await().atMost(Duration.ofSeconds(10)).until(() -> shared.refCnt() == 1);
        assertThat(stats.snapshot().datagrams()).as("three copies handed over").isEqualTo(3);
        assertThat(stats.snapshot().dropped()).isZero();
        onLoop(loop, out::close);
        shared.release();
    }
}
