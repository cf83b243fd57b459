package io.streamtee.relay.http;

import io.netty.buffer.ByteBuf;
import io.streamtee.relay.DropReason;
import io.streamtee.relay.Output;
import io.streamtee.relay.OutputStats;
import java.io.IOException;
import java.io.OutputStream;
import java.util.ArrayDeque;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * One HTTP client of {@code GET /streams/{route}}: an {@link Output} whose {@link #write} copies each datagram into a
 * bounded queue, and whose {@link #pump} (run on the client's request thread) drains that queue into the response.
 *
 * <p>The event loop never waits for the client: when the queue is full the oldest datagrams are dropped to make room
 * for the fresh ones (counted as {@link DropReason#BUFFER_FULL}), so a client that falls behind skips ahead rather
 * than lagging ever further. A client whose connection has accepted nothing for {@code stallMillis} while data
 * waited is cut off through {@code disconnect}, which unblocks the request thread.
 */
final class StreamClient implements Output {
    private final long capacityBytes;
    private final long stallNanos;
    private final Runnable disconnect;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition ready = lock.newCondition();
    /** Guarded by lock. */
    private final ArrayDeque<byte[]> queue = new ArrayDeque<>();
    private long queuedBytes;
    private boolean closed;
    private boolean signalled;
    /** System.nanoTime() when the writer last got through a write, or started waiting for data. */
    private volatile long progressNanos = System.nanoTime();
    private volatile boolean writing;
    private volatile OutputStats stats;

    /**
     * @param capacityBytes the most bytes that may wait for this client
     * @param stallMillis   how long a write may make no progress before the client is disconnected
     * @param disconnect    closes the client's connection; called at most once, from an event loop: must not block
     */
    StreamClient(long capacityBytes, long stallMillis, Runnable disconnect) {
        this.capacityBytes = capacityBytes;
        this.stallNanos = TimeUnit.MILLISECONDS.toNanos(stallMillis);
        this.disconnect = disconnect;
    }

    /** Where to count what this client is sent and loses; set once attached to the route. */
    void stats(OutputStats stats) {
        this.stats = stats;
    }

    @Override
    public void write(ByteBuf datagram) {
        byte[] bytes;
        try {
            bytes = new byte[datagram.readableBytes()];
            datagram.getBytes(datagram.readerIndex(), bytes);
        } finally {
            datagram.release();
        }
        int dropped = 0;
        boolean stalled;
        lock.lock();
        try {
            if (closed) {
                return;
            }
            while (!queue.isEmpty() && queuedBytes + bytes.length > capacityBytes) {
                queuedBytes -= queue.removeFirst().length;
                dropped++;
            }
            queue.addLast(bytes);
            queuedBytes += bytes.length;
            stalled = writing && System.nanoTime() - progressNanos > stallNanos;
        } finally {
            lock.unlock();
        }
        if (dropped > 0) {
            count(DropReason.BUFFER_FULL, dropped);
        }
        if (stalled) {
            close();
            disconnect.run();
        }
    }

    @Override
    public void flush(long nowMillis) {
        lock.lock();
        try {
            if (!signalled && !queue.isEmpty()) {
                signalled = true;
                ready.signal();
            }
        } finally {
            lock.unlock();
        }
    }

    /** Drops what waits and wakes the request thread, which then ends the response. Safe to call twice. */
    @Override
    public void close() {
        lock.lock();
        try {
            if (closed) {
                return;
            }
            closed = true;
            if (!queue.isEmpty()) {
                count(DropReason.OTHER, queue.size());
            }
            queue.clear();
            queuedBytes = 0;
            ready.signalAll();
        } finally {
            lock.unlock();
        }
    }

    boolean isClosed() {
        lock.lock();
        try {
            return closed;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Copies queued datagrams to {@code out} until the client goes away or this output is closed. Runs on the
     * client's request thread, which is the only thread that ever waits on the client.
     *
     * @throws IOException when the client disconnects or is cut off
     */
    void pump(OutputStream out) throws IOException, InterruptedException {
        ArrayDeque<byte[]> batch = new ArrayDeque<>();
        while (true) {
            lock.lock();
            try {
                while (queue.isEmpty() && !closed) {
                    ready.await(1, TimeUnit.SECONDS);
                }
                if (closed) {
                    return;
                }
                batch.addAll(queue);
                queue.clear();
                queuedBytes = 0;
                signalled = false;
                progressNanos = System.nanoTime();
                writing = true;
            } finally {
                lock.unlock();
            }
            long bytes = 0;
            int count = batch.size();
            for (byte[] b : batch) {
                out.write(b);
                bytes += b.length;
                progressNanos = System.nanoTime();
            }
            batch.clear();
            out.flush();
            writing = false;
            OutputStats s = stats;
            if (s != null) {
                s.sent(count, bytes, System.currentTimeMillis());
            }
        }
    }

    private void count(DropReason reason, long n) {
        OutputStats s = stats;
        if (s != null) {
            s.dropped(reason, n);
        }
    }
}
