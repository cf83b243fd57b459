package io.streamtee.bench.soak;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.DatagramChannel;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The soak's sender as far as serve sees it: receives one simulated camera's datagrams on a loopback port and passes
 * each on to serve's input, noting its digest and the time it left in a {@link SentLog} first. So the checker knows
 * every datagram serve was sent, whatever the camera did. One thread; {@link #close()} stops it (idempotent).
 */
final class Tap implements AutoCloseable {

    private final DatagramChannel in;
    private final DatagramChannel out;
    private final SentLog log;
    private final AtomicLong overflow = new AtomicLong();
    private final AtomicLong sendErrors = new AtomicLong();
    private final AtomicLong lastNanos = new AtomicLong(System.nanoTime());
    private final Thread thread;
    private volatile boolean closed;

    Tap(String name, InetSocketAddress target, SentLog log) throws IOException {
        this.log = log;
        this.in = DatagramChannel.open();
        in.setOption(StandardSocketOptions.SO_RCVBUF, 8 << 20);
        in.bind(new InetSocketAddress("127.0.0.1", 0));
        this.out = DatagramChannel.open();
        out.setOption(StandardSocketOptions.SO_SNDBUF, 4 << 20);
        out.connect(target);
        this.thread = Thread.ofPlatform().name("soak-tap-" + name).daemon().start(this::run);
    }

    /** The port the camera sends to. */
    int port() throws IOException {
        return ((InetSocketAddress) in.getLocalAddress()).getPort();
    }

    private void run() {
        ByteBuffer buf = ByteBuffer.allocateDirect(65_536);
        try {
            while (!closed) {
                buf.clear();
                in.receive(buf);
                buf.flip();
                long now = System.nanoTime();
                if (log.add(SentLog.digest(buf), now) < 0) {
                    overflow.incrementAndGet();
                    continue;
                }
                lastNanos.set(now);
                try {
                    out.write(buf);
                } catch (IOException e) {
                    if (closed) {
                        return;
                    }
                    sendErrors.incrementAndGet(); // counted: serve not listening would show as lost at its outputs
                }
            }
        } catch (ClosedChannelException e) {
            // closed
        } catch (IOException e) {
            if (!closed) {
                sendErrors.incrementAndGet();
            }
        }
    }

    /** Datagrams that did not fit the log (not sent on). */
    long overflow() {
        return overflow.get();
    }

    long sendErrors() {
        return sendErrors.get();
    }

    /** When the last datagram left. */
    long lastNanos() {
        return lastNanos.get();
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            in.close();
        } catch (IOException ignored) {
            // closing
        }
        try {
            out.close();
        } catch (IOException ignored) {
            // closing
        }
        try {
            thread.join(2_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
