package io.streamtee.analyze.sink.syslog;

import io.streamtee.config.Units;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * Syslog over TCP with octet counting (RFC 6587 3.4.1): each message is sent as {@code LEN SP MSG}, LEN being the
 * byte length of MSG in decimal, so messages may hold anything and follow each other back to back.
 *
 * <p>Connects on the first send, and again on the send after a failure (lazily: a collector that is down costs a
 * failed delivery, which the queue retries). Before each send it looks whether the collector closed the
 * connection (a collector never writes, so end of stream means it went away, e.g. restarted) and connects again
 * rather than write into a dead connection. Connecting and writing each message are bounded by {@code timeout}:
 * a collector that accepts and never reads fails the delivery instead of holding the sink forever. Writes are
 * non-blocking under a selector, so an interrupt (the queue closing) ends a wait at once.
 */
final class TcpTransport implements SyslogTransport {
    private final String host;
    private final int port;
    private final String shown;
    private final Duration timeout;
    private final ByteBuffer probe = ByteBuffer.allocate(512);
    private SocketChannel channel;
    private Selector selector;
    private SelectionKey key;

    TcpTransport(String host, int port, String shown, Duration timeout) {
        this.host = host;
        this.port = port;
        this.shown = shown;
        this.timeout = timeout;
    }

    @Override
    public void send(byte[] message) throws IOException, InterruptedException {
        try {
            if (channel != null && peerClosed()) {
                close();
            }
            if (channel == null) {
                connect();
            }
            ByteBuffer[] frame = {
                ByteBuffer.wrap((message.length + " ").getBytes(StandardCharsets.US_ASCII)),
                ByteBuffer.wrap(message)};
            key.interestOps(SelectionKey.OP_WRITE);
            long deadline = System.nanoTime() + timeout.toNanos();
            while (frame[1].hasRemaining()) {
                if (channel.write(frame) == 0) {
                    await(deadline, "the collector took no data for " + Units.formatDuration(timeout));
                }
            }
        } catch (IOException | InterruptedException e) {
            close(); // a message half written spoils the stream: start over on a new connection
            if (e instanceof InterruptedException) {
                throw e;
            }
            throw new IOException(shown + ": " + (e.getMessage() == null ? e.getClass().getSimpleName()
                    : e.getMessage()), e);
        }
    }

    /** Whether the collector closed its end (or reset it). Reads and drops anything it sent. */
    private boolean peerClosed() {
        try {
            probe.clear();
            return channel.read(probe) < 0;
        } catch (IOException e) {
            return true;
        }
    }

    private void connect() throws IOException, InterruptedException {
        InetSocketAddress collector = new InetSocketAddress(host, port);
        if (collector.isUnresolved()) {
            throw new IOException("unknown host " + host);
        }
        channel = SocketChannel.open();
        selector = Selector.open();
        channel.configureBlocking(false);
        key = channel.register(selector, SelectionKey.OP_CONNECT);
        if (!channel.connect(collector)) {
            long deadline = System.nanoTime() + timeout.toNanos();
            while (!channel.finishConnect()) {
                await(deadline, "could not connect within " + Units.formatDuration(timeout));
            }
        }
    }

    /** Waits until the channel is ready for what {@link #key} asks, or the deadline. */
    private void await(long deadlineNanos, String timedOut) throws IOException, InterruptedException {
        long left = deadlineNanos - System.nanoTime();
        if (left <= 0) {
            throw new IOException(timedOut);
        }
        selector.select(Math.max(1, TimeUnit.NANOSECONDS.toMillis(left)));
        selector.selectedKeys().clear();
        if (Thread.interrupted()) {
            throw new InterruptedException();
        }
    }

    @Override
    public void close() {
        if (channel != null) {
            try {
                channel.close();
            } catch (IOException e) {
                // nothing to keep
            }
            channel = null;
            key = null;
        }
        if (selector != null) {
            try {
                selector.close();
            } catch (IOException e) {
                // nothing to keep
            }
            selector = null;
        }
    }
}
