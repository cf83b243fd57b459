package io.streamtee.analyze.event;

import io.streamtee.cli.LogContext;
import io.streamtee.net.Backoff;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One sink's bounded queue and the thread that empties it. {@link #offer} never blocks: when the queue is full the
 * oldest waiting event is dropped (and counted), so a sink that is down, slow or hanging costs its own backlog and
 * nothing else. A delivery that fails is retried after a {@link Backoff} (with jitter) up to {@code attempts} times,
 * then counted as failed; the queue goes on with the next event. Failures are logged when a sink starts failing and
 * when it recovers, and otherwise summed up at most once per {@code logEvery}, never once per event.
 *
 * <p>With a {@link Cooldown}, the motion events it suppresses are not queued at all (they are counted in
 * {@link #suppressed()}); health events always are.
 *
 * <p>{@link #close} stops taking events, lets the queue drain for up to {@code drainFor}, then interrupts the sink
 * and closes it. Safe to call twice.
 */
public final class SinkQueue implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(SinkQueue.class);

    private final EventSink sink;
    private final int capacity;
    private final int attempts;
    private final Backoff backoff;
    private final long logEveryNanos;
    private final Cooldown cooldown;
    private final LongSupplier nanos;
    private final ArrayDeque<Event> queue = new ArrayDeque<>();
    private final Thread thread;
    private final AtomicLong delivered = new AtomicLong();
    private final AtomicLong retried = new AtomicLong();
    private final AtomicLong failed = new AtomicLong();
    private final AtomicLong dropped = new AtomicLong();
    private final AtomicLong suppressed = new AtomicLong();
    private boolean closing;
    private boolean failing;
    private long lastSummaryNanos;
    private long failedAtSummary;
    private long droppedAtSummary;

    /**
     * @param capacity events that may wait, at least 1
     * @param attempts tries per event, at least 1
     * @param backoff  the waits between tries
     * @param logEvery how often, at most, a failing sink's losses are summed up in the log
     */
    public SinkQueue(EventSink sink, int capacity, int attempts, Backoff backoff, Duration logEvery) {
        this(sink, capacity, attempts, backoff, logEvery, Duration.ZERO);
    }

    /**
     * As {@link #SinkQueue(EventSink, int, int, Backoff, Duration)}, with a notification cooldown.
     *
     * @param cooldown see {@link Cooldown}; 0 for none
     */
    public SinkQueue(EventSink sink, int capacity, int attempts, Backoff backoff, Duration logEvery,
            Duration cooldown) {
        this(sink, capacity, attempts, backoff, logEvery, cooldown, System::nanoTime);
    }

    SinkQueue(EventSink sink, int capacity, int attempts, Backoff backoff, Duration logEvery, LongSupplier nanos) {
        this(sink, capacity, attempts, backoff, logEvery, Duration.ZERO, nanos);
    }

    SinkQueue(EventSink sink, int capacity, int attempts, Backoff backoff, Duration logEvery, Duration cooldown,
            LongSupplier nanos) {
        if (capacity < 1 || attempts < 1) {
            throw new IllegalArgumentException("capacity and attempts must be at least 1");
        }
        this.sink = sink;
        this.capacity = capacity;
        this.attempts = attempts;
        this.backoff = backoff;
        this.logEveryNanos = logEvery.toNanos();
        this.nanos = nanos;
        this.cooldown = new Cooldown(cooldown);
        this.thread = Thread.ofPlatform().daemon().name("sink " + sink.name()).unstarted(LogContext.carry(this::run));
    }

    /** Starts the sink's thread. */
    public SinkQueue start() {
        thread.start();
        return this;
    }

    public String name() {
        return sink.name();
    }

    /**
     * Queues an event for the sink. Never blocks; when the queue is full, the oldest waiting event is dropped. A
     * motion event the cooldown suppresses is counted and not queued.
     *
     * @return false if the queue is closed (the event is not taken)
     */
    public boolean offer(Event event) {
        synchronized (queue) {
            if (closing) {
                return false;
            }
            if (!cooldown.admits(event)) {
                suppressed.incrementAndGet();
                return true;
            }
            if (queue.size() >= capacity) {
                queue.pollFirst();
                dropped.incrementAndGet();
            }
            queue.addLast(event);
            queue.notifyAll();
        }
        return true;
    }

    /** Events delivered. */
    public long delivered() {
        return delivered.get();
    }

    /** Tries that failed and were tried again. */
    public long retried() {
        return retried.get();
    }

    /** Events given up on after every try failed. */
    public long failed() {
        return failed.get();
    }

    /** Events dropped unsent because the queue was full. */
    public long dropped() {
        return dropped.get();
    }

    /**
     * Messages (phases of motion events) not sent because the sink's cooldown suppressed their event; they are still
     * in every sink without a cooldown.
     */
    public long suppressed() {
        return suppressed.get();
    }

    /** The sink's cooldown, {@link Duration#ZERO} for none. */
    public Duration cooldown() {
        return cooldown.duration();
    }

    /** Events waiting now. */
    public int waiting() {
        synchronized (queue) {
            return queue.size();
        }
    }

    private void run() {
        try {
            while (true) {
                Event next;
                synchronized (queue) {
                    while (queue.isEmpty() && !closing) {
                        queue.wait(1000);
                    }
                    if (queue.isEmpty()) {
                        return; // closing, and drained
                    }
                    next = queue.pollFirst();
                }
                deliver(next);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt(); // close() gave up waiting for the drain
        } finally {
            try {
                sink.close();
            } catch (Exception e) {
                LOG.warn("sink {}: close failed: {}", sink.name(), e.toString());
            }
        }
    }

    private void deliver(Event event) throws InterruptedException {
        for (int attempt = 1; ; attempt++) {
            try {
                sink.deliver(event);
                delivered.incrementAndGet();
                if (failing) {
                    failing = false;
                    long lost = failed.get() + dropped.get() - failedAtSummary - droppedAtSummary;
                    LOG.info("sink {}: delivering again{}", sink.name(),
                            lost == 0 ? "" : " (" + lost + " events lost while it failed or lagged)");
                    remember();
                }
                return;
            } catch (InterruptedException e) {
                throw e;
            } catch (Exception e) {
                if (!failing) {
                    failing = true;
                    LOG.warn("sink {}: {} (retrying up to {} times, then dropping; summed up every {} s)",
                            sink.name(), oneLine(e), attempts, TimeUnit.NANOSECONDS.toSeconds(logEveryNanos));
                    remember();
                } else {
                    summarize(e);
                }
                if (attempt >= attempts) {
                    failed.incrementAndGet();
                    return;
                }
                retried.incrementAndGet();
                Thread.sleep(backoff.delayMillis(attempt, ThreadLocalRandom.current()));
            }
        }
    }

    private void summarize(Exception e) {
        long now = nanos.getAsLong();
        if (now - lastSummaryNanos >= logEveryNanos) {
            LOG.warn("sink {}: still failing ({}): {} failed, {} dropped (queue full) since the last line",
                    sink.name(), oneLine(e), failed.get() - failedAtSummary, dropped.get() - droppedAtSummary);
            remember();
        }
    }

    private void remember() {
        lastSummaryNanos = nanos.getAsLong();
        failedAtSummary = failed.get();
        droppedAtSummary = dropped.get();
    }

    private static String oneLine(Exception e) {
        String m = e.getMessage();
        return m == null ? e.getClass().getSimpleName() : m.lines().findFirst().orElse("");
    }

    /**
     * Stops taking events, waits up to {@code drainFor} for the waiting ones to be delivered, then stops the sink's
     * thread and closes the sink. Safe to call twice.
     */
    public void close(Duration drainFor) {
        synchronized (queue) {
            closing = true;
            queue.notifyAll();
        }
        try {
            if (thread.getState() == Thread.State.NEW) {
                sink.close();
                return;
            }
            if (!thread.join(drainFor)) {
                LOG.warn("sink {}: {} events not delivered at close", sink.name(), waiting());
                thread.interrupt();
                thread.join(Duration.ofSeconds(1));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception e) {
            LOG.warn("sink {}: close failed: {}", sink.name(), e.toString());
        }
    }

    @Override
    public void close() {
        close(Duration.ofSeconds(5));
    }
}
