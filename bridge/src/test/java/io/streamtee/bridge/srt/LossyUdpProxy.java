package io.streamtee.bridge.srt;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.DatagramChannel;
import java.util.Random;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A UDP proxy on loopback that drops a share of the datagrams it forwards, both ways, with a seeded random: the
 * lossy path between a sender and the relay. Datagrams from a client to {@link #port()} go to the target; the
 * target's answers go back to the last client seen.
 */
final class LossyUdpProxy implements AutoCloseable {
    private final DatagramChannel front;
    private final DatagramChannel back;
    private volatile double loss;
    private final Random random;
    private final AtomicLong forwarded = new AtomicLong();
    private final AtomicLong dropped = new AtomicLong();
    private volatile SocketAddress client;

    LossyUdpProxy(int targetPort, double loss, long seed) throws IOException {
        this.loss = loss;
        this.random = new Random(seed);
        front = DatagramChannel.open().bind(new InetSocketAddress("127.0.0.1", 0));
        back = DatagramChannel.open().bind(new InetSocketAddress("127.0.0.1", 0))
                .connect(new InetSocketAddress("127.0.0.1", targetPort));
        Thread.ofPlatform().daemon().name("proxy-up").start(() -> pump(true));
        Thread.ofPlatform().daemon().name("proxy-down").start(() -> pump(false));
    }

    int port() throws IOException {
        return ((InetSocketAddress) front.getLocalAddress()).getPort();
    }

    /** Changes the share dropped from now on (a link that degrades once the call is up). */
    void loss(double share) {
        loss = share;
    }

    long forwarded() {
        return forwarded.get();
    }

    long dropped() {
        return dropped.get();
    }

    private boolean drop() {
        synchronized (random) {
            return random.nextDouble() < loss;
        }
    }

    private void pump(boolean up) {
        ByteBuffer buf = ByteBuffer.allocate(65_536);
        try {
            while (true) {
                buf.clear();
                if (up) {
                    client = front.receive(buf);
                } else {
                    back.receive(buf);
                }
                buf.flip();
                if (drop()) {
                    dropped.incrementAndGet();
                    continue;
                }
                forwarded.incrementAndGet();
                try {
                    if (up) {
                        back.write(buf);
                    } else if (client != null) {
                        front.send(buf, client);
                    }
                } catch (IOException e) {
                    // the target is not there (yet): a datagram lost like any other
                }
            }
        } catch (ClosedChannelException e) {
            // closed
        } catch (IOException e) {
            if (front.isOpen() && back.isOpen()) {
                throw new IllegalStateException(e);
            }
        }
    }

    @Override
    public void close() throws IOException {
        front.close();
        back.close();
    }
}
