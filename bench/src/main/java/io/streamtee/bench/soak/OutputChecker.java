package io.streamtee.bench.soak;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.DatagramChannel;

/**
 * One of serve's UDP outputs, checked byte for byte and in order against what its camera sent ({@link SentLog}) by
 * a {@link SequenceMatch}; sent but never received when {@link #finish} is called: lost. One-way latency per
 * datagram: received minus sent.
 */
final class OutputChecker implements AutoCloseable {

    private final String name;
    private final SentLog sent;
    private final DatagramChannel channel;
    private final Thread thread;
    private final Object lock = new Object();
    private Latencies window = new Latencies();
    private final SequenceMatch match;
    private volatile boolean closed;

    OutputChecker(String name, SentLog sent) throws IOException {
        this.name = name;
        this.sent = sent;
        this.match = new SequenceMatch(sent);
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
        synchronized (lock) {
            int seq = match.received(digest);
            if (seq >= 0) {
                window.add(now - sent.sentNanos(seq));
            }
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
            return match.caughtUp();
        }
    }

    /** Counts the datagrams sent but never received as lost; call once the stream is over. */
    void finish() {
        synchronized (lock) {
            match.finish();
        }
    }

    long received() {
        synchronized (lock) {
            return match.receivedCount();
        }
    }

    long lost() {
        synchronized (lock) {
            return match.lost();
        }
    }

    long altered() {
        synchronized (lock) {
            return match.altered();
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
