package io.streamtee.testing;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.StandardProtocolFamily;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.time.Duration;
import java.util.function.IntSupplier;
import org.awaitility.Awaitility;

/** A UDP source for tests, bound to a chosen loopback address so that allow lists can be tested. */
public final class UdpSender implements AutoCloseable {
    private final DatagramChannel channel;
    private final InetSocketAddress target;

    private UdpSender(DatagramChannel channel, InetSocketAddress target) {
        this.channel = channel;
        this.target = target;
    }

    public static UdpSender to(InetSocketAddress target) throws IOException {
        String from = target.getAddress() instanceof java.net.Inet6Address ? "::1" : "127.0.0.1";
        return from(from, target);
    }

    /** A sender whose datagrams come from {@code source} (any 127.x.y.z works on Linux loopback). */
    public static UdpSender from(String source, InetSocketAddress target) throws IOException {
        return from(new InetSocketAddress(InetAddress.getByName(source), 0), target);
    }

    /** A sender bound to {@code source}: a given port sends as the same source as an earlier sender on it. */
    public static UdpSender from(InetSocketAddress source, InetSocketAddress target) throws IOException {
        InetAddress src = source.getAddress();
        DatagramChannel ch = DatagramChannel.open(src instanceof java.net.Inet6Address
                ? StandardProtocolFamily.INET6 : StandardProtocolFamily.INET);
        ch.setOption(StandardSocketOptions.SO_SNDBUF, 4 << 20);
        ch.bind(source);
        if (target.getAddress().isMulticastAddress()) {
            ch.setOption(StandardSocketOptions.IP_MULTICAST_IF, NetworkInterface.getByName("lo"));
            ch.setOption(StandardSocketOptions.IP_MULTICAST_TTL, 1);
            ch.setOption(StandardSocketOptions.IP_MULTICAST_LOOP, true);
        }
        return new UdpSender(ch, target);
    }

    /** The address datagrams come from. */
    public InetSocketAddress localAddress() throws IOException {
        return (InetSocketAddress) channel.getLocalAddress();
    }

    public void send(byte[] datagram) throws IOException {
        int n = channel.send(ByteBuffer.wrap(datagram), target);
        if (n != datagram.length) {
            throw new IOException("short send: " + n + " of " + datagram.length);
        }
    }

    /**
     * Sends every datagram, never more than {@code window} ahead of what {@code delivered} reports, so that a test
     * never overruns a receive buffer on a busy machine: loss in a test is then a bug, not load.
     */
    public void sendPaced(java.util.List<byte[]> datagrams, int window, IntSupplier delivered) throws IOException {
        long inFlightBytes = 0;
        int sent = 0;
        for (byte[] d : datagrams) {
            final int target = sent;
            if (sent - delivered.getAsInt() >= window || inFlightBytes > 1 << 20) {
                Awaitility.await().atMost(Duration.ofSeconds(10)).pollDelay(Duration.ZERO)
                        .pollInterval(Duration.ofMillis(1)).until(() -> delivered.getAsInt() >= target);
                inFlightBytes = 0;
            }
            send(d);
            sent++;
            inFlightBytes += d.length;
        }
    }

    @Override
    public void close() throws IOException {
        channel.close();
    }
}
