package io.streamtee.camera;

import java.io.IOException;
import java.util.PriorityQueue;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends each datagram at its due time, after applying the configured faults: a random drop with probability
 * {@code loss}, and a uniform random delay of 0..{@code jitter}. Without {@code reorder}, a delayed datagram holds
 * back the ones after it, so order is kept; with it, datagrams leave in order of their jittered times.
 */
final class Emitter {

    private static final Logger LOG = LoggerFactory.getLogger(Emitter.class);

    private record Pending(long due, long order, byte[] bytes, long streamTime) {
    }

    private final DatagramSink sink;
    private final Clock clock;
    private final CameraConfig.Faults faults;
    private final long jitterNanos;
    private final SplittableRandom random;
    private final PriorityQueue<Pending> reorderQueue;
    private final Counters counters;
    private long lastDue = Long.MIN_VALUE;
    private long order;
    private volatile boolean stopped;

    /** Counters the camera reports; written by the one sending thread, read by anyone. */
    static final class Counters {
        final AtomicLong datagrams = new AtomicLong();
        final AtomicLong bytes = new AtomicLong();
        final AtomicLong dropped = new AtomicLong();
        final AtomicLong errors = new AtomicLong();
    }

    Emitter(DatagramSink sink, Clock clock, CameraConfig.Faults faults, Counters counters) {
        this.sink = sink;
        this.clock = clock;
        this.faults = faults;
        this.jitterNanos = faults.jitter().toNanos();
        this.random = new SplittableRandom(faults.seed());
        this.reorderQueue = faults.reorder() ? new PriorityQueue<>(
                (a, b) -> a.due != b.due ? Long.compare(a.due, b.due) : Long.compare(a.order, b.order)) : null;
        this.counters = counters;
    }

    /** Makes every wait return at once and every later send a no-op. */
    void stop() {
        stopped = true;
    }

    boolean stopped() {
        return stopped;
    }

    /** Sends (or drops) one datagram at {@code due} plus jitter; {@code bytes} may be reused after the call. */
    void emit(long due, byte[] bytes, int length, long streamTime) {
        if (faults.loss() > 0 && random.nextDouble() < faults.loss()) {
            counters.dropped.incrementAndGet();
            return;
        }
        long delayed = jitterNanos > 0 ? due + random.nextLong(jitterNanos + 1) : due;
        if (reorderQueue == null) {
            delayed = Math.max(delayed, lastDue);
            lastDue = delayed;
            waitUntil(delayed);
            send(bytes, length, streamTime);
            return;
        }
        reorderQueue.add(new Pending(delayed, order++, java.util.Arrays.copyOf(bytes, length), streamTime));
        while (!reorderQueue.isEmpty() && reorderQueue.peek().due <= due) {
            Pending next = reorderQueue.poll();
            waitUntil(next.due);
            send(next.bytes, next.bytes.length, next.streamTime);
        }
    }

    /** Sends what the reorder queue still holds, each at its time. */
    void flush() {
        while (reorderQueue != null && !reorderQueue.isEmpty()) {
            Pending next = reorderQueue.poll();
            waitUntil(next.due);
            send(next.bytes, next.bytes.length, next.streamTime);
        }
    }

    private void waitUntil(long deadline) {
        while (!stopped && clock.nanoTime() - deadline < 0) {
            clock.parkUntil(deadline);
        }
    }

    private void send(byte[] bytes, int length, long streamTime) {
        if (stopped) {
            return;
        }
        try {
            sink.send(bytes, length, streamTime);
            counters.datagrams.incrementAndGet();
            counters.bytes.addAndGet(length);
        } catch (IOException e) {
            // A UDP send error (no route, buffer full) is counted; the camera keeps sending.
            if (counters.errors.getAndIncrement() == 0) {
                LOG.warn("send failed: {} (counting further errors silently)", e.toString());
            } else {
                LOG.debug("send failed", e);
            }
        }
    }
}
