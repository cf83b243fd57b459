package io.streamtee.bench.soak;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.DatagramChannel;

/**
 * One of serve's UDP outputs, checked byte for byte and in order against what its camera sent ({@link SentLog}):
 * each datagram received must be the next one sent (same digest). One that matches a later sequence number within
 * {@value #LOOKAHEAD} counts the ones skipped as lost; one that matches none is altered (and takes the next number).
 * Sent but never received when {@link #finish} is called: lost. One-way latency per datagram: received minus sent.
 */
final class OutputChecker implements AutoCloseable {

    static final int LOOKAHEAD = 200_000;
    private final String name;
    private final SentLog sent;
    private final DatagramChannel channel;
    private final Thread thread;
    private final Object lock = new Object();
    private Latencies window = new Latencies();
    private long received;
    private long lost;
    private long altered;
    private int expected;
    private volatile boolean closed;

    OutputChecker(String name, SentLog sent) throws IOException {
        this.name = name;
        this.sent = sent;
        this.channel = DatagramChannel.open();
        channel.setOption(StandardSocketOptions.SO_RCVBUF, 8 << 20);
        channel.bind(new InetSocketAddress("127.0.0.1", 0));
        this.thread = Thread.ofPlatform().name("soak-out-" + name).daemon().unstarted(this::run);
    }

    void start() {
        thread.start();
    }

    String name() {
        return name;
    }

    int port() throws IOException {
        return ((InetSocketAddress) channel.getLocalAddress()).getPort();
    }

    private void run() {
        ByteBuffer buf = ByteBuffer.allocateDirect(65_536);
        try {
            while (!closed) {
                buf.clear();
                channel.receive(buf);
                long now = System.nanoTime();
                buf.flip();
                check(SentLog.digest(buf), now);
            }
        } catch (ClosedChannelException e) {
            // closed
        } catch (IOException e) {
            System.err.println("soak: output " + name + ": " + e);
        }
    }

    private void check(long digest, long now) {
        int n = sent.count();
        int limit = Math.min(n, expected + LOOKAHEAD);
        int match = -1;
        for (int j = expected; j < limit; j++) {
            if (sent.digest(j) == digest) {
                match = j;
                break;
            }
        }
        synchronized (lock) {
            received++;
            if (match < 0) {
                altered++;
                expected++;
                return;
            }
            lost += match - expected;
            expected = match + 1;
            window.add(now - sent.sentNanos(match));
        }
    }

    /** The latencies since the last call, and a fresh window. */
    Latencies takeWindow() {
        synchronized (lock) {
            Latencies w = window;
            window = new Latencies();
            return w;
        }
    }

    /** Whether every datagram sent so far has been accounted for. */
    boolean caughtUp() {
        synchronized (lock) {
            return expected >= sent.count();
        }
    }

    /** Counts the datagrams sent but never received as lost; call once the stream is over. */
    void finish() {
        synchronized (lock) {
            int n = sent.count();
            if (expected < n) {
                lost += n - expected;
                expected = n;
            }
        }
    }

    long received() {
        synchronized (lock) {
            return received;
        }
    }

    long lost() {
        synchronized (lock) {
            return lost;
        }
    }

    long altered() {
        synchronized (lock) {
            return altered;
        }
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            channel.close();
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
