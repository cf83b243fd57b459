package io.streamtee.analyze;

import io.streamtee.analyze.event.Event;
import io.streamtee.analyze.event.EventSink;
import io.streamtee.analyze.event.EventStore;
import io.streamtee.analyze.event.SinkQueue;
import io.streamtee.analyze.health.HealthEvent;
import io.streamtee.analyze.health.HealthMonitor;
import io.streamtee.analyze.motion.MotionDetector;
import io.streamtee.analyze.motion.Zones;
import io.streamtee.net.Backoff;
import io.streamtee.net.ReceiveException;
import io.streamtee.net.UdpReceiver;
import io.streamtee.ts.PatCheck;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Watches one camera's live UDP MPEG-TS stream and raises events for its sinks: motion in the picture and the
 * stream's health.
 *
 * <pre>{@code
 * try (Analyzer analyzer = new Analyzer(AnalyzerConfig.of(Endpoint.parse("udp://127.0.0.1:0", INPUT), "porch",
 *         List.of(sink))).start()) {
 *     send(analyzer.localAddress());
 * }
 * }</pre>
 *
 * <p><b>Pipeline.</b> A {@link UdpReceiver} takes well-formed TS from one source (the first that sends a PAT whose
 * CRC checks, see {@link PatCheck}). On its thread every datagram goes to a {@link HealthMonitor} (health events),
 * whose demuxer hands its callbacks on to an {@link io.streamtee.ts.AccessUnitAssembler}; the access units go to a
 * {@link DecodeWorker} on its own thread (decoder, grey picture, {@link MotionDetector},
 * {@link io.streamtee.analyze.motion.MotionTracker}), which drops access units up to the next keyframe when it falls
 * behind. Every event goes to the {@link EventStore} (with its snapshot, which the decoding thread stored first),
 * then to one {@link SinkQueue} per sink, so a slow or failing sink delays nothing else.
 *
 * <p>{@link #close()} stops receiving, ends the open health episodes ({@link HealthMonitor#finish}: their END says
 * "analyzer stopped"), lets the decoder finish what waits (an open motion event ends), gives the sinks a few seconds to
 * deliver, logs a summary and is idempotent.
 */
public final class Analyzer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Analyzer.class);
    private static final int SINK_QUEUE = 1000;
    private static final int ATTEMPTS = 5;
    private static final Backoff BACKOFF = new Backoff(Duration.ofMillis(500), Duration.ofSeconds(30));
    private static final Duration DRAIN = Duration.ofSeconds(3);

    private final AnalyzerConfig config;
    private final EventMaker maker;
    private final List<SinkQueue> queues = new ArrayList<>();
    private final AtomicLong events = new AtomicLong();
    private final long wallOffsetMillis = System.currentTimeMillis() - System.nanoTime() / 1_000_000;
    private UdpReceiver receiver;
    private volatile HealthMonitor health;
    private io.streamtee.ts.AccessUnitAssembler assembler;
    private DecodeWorker worker;
    private long startNanos;
    private boolean started;
    private boolean closed;
    private volatile long datagrams;

    public Analyzer(AnalyzerConfig config) {
        this.config = config;
        this.maker = new EventMaker(config.camera(), config.clips());
    }

    /** A snapshot of the counters. */
    public record Stats(long datagrams, long accessUnits, long framesDecoded, long framesSkipped, long decodeErrors,
            long events, long framesSkippedDamaged) {
    }

    /**
     * Binds the socket and starts the sinks, the decoding thread and receiving.
     *
     * @return this analyzer
     * @throws AnalyzeException with a one-line message when the socket cannot be bound
     */
    public synchronized Analyzer start() {
        if (started) {
            throw new IllegalStateException("analyzer already started");
        }
        started = true;
        try {
            receiver = new UdpReceiver(config.listen(), UdpReceiver.Options.of("analyzer")
                    .withStartsStream(PatCheck::startsStream).withCamera(config.camera()), new Input());
            try {
                receiver.bind();
            } catch (ReceiveException e) {
                throw new AnalyzeException(e.getMessage(), e);
            }
            for (EventSink sink : config.sinks()) {
                queues.add(new SinkQueue(sink, SINK_QUEUE, ATTEMPTS, BACKOFF, Duration.ofMinutes(1),
                        config.cooldown(sink)).start());
            }
            worker = new DecodeWorker(config.camera(), config.motion(), config.tracker(),
                    new MotionDetector(config.motion(), config.masks()), new Zones(config.zones()), maker,
                    this::publish, config.store()).start();
            assembler = new io.streamtee.ts.AccessUnitAssembler(au -> worker.offer(au, System.currentTimeMillis()));
            health = new HealthMonitor(config.health(), wallOffsetMillis, this::health, assembler);
            startNanos = System.nanoTime();
            receiver.start();
            LOG.info("analyzing {} as camera '{}' ({}): motion at {} px high{}{}, {} sink(s){}",
                    config.listen(), config.camera(), receiver.where(), config.motion().frameHeight(),
                    config.zones().isEmpty() ? "" : ", " + config.zones().size() + " zone(s)",
                    config.masks().isEmpty() ? "" : ", " + config.masks().size() + " mask(s)",
                    queues.size(), queues.isEmpty() ? "" : " (" + String.join(", ",
                            queues.stream().map(q -> q.name() + (q.cooldown().isZero() ? "" : " (cooldown "
                                    + io.streamtee.config.Units.formatDuration(q.cooldown()) + ")")).toList()) + ")");
            return this;
        } catch (RuntimeException | Error e) { // an Error too: FFmpeg's native libraries that do not load
            close();
            throw e;
        }
    }

    /**
     * The bound address (the real port when asked for port 0), or null before {@link #start()} and for a plugged
     * input ({@code rtsp://}).
     */
    public synchronized InetSocketAddress localAddress() {
        return receiver == null ? null : receiver.localAddress();
    }

    public AnalyzerConfig config() {
        return config;
    }

    public Stats stats() {
        io.streamtee.ts.AccessUnitAssembler a = assembler;
        DecodeWorker w = worker;
        return new Stats(datagrams, a == null ? 0 : a.accessUnits(), w == null ? 0 : w.frames(),
                w == null ? 0 : w.skipped(), w == null ? 0 : w.errors(), events.get(),
                w == null ? 0 : w.skippedDamaged());
    }

    /**
     * The input's counters: every datagram received, what was taken, what was dropped and why, a plugged input's own
     * ({@link UdpReceiver.Stats#input()}); null before {@link #start()}.
     */
    public UdpReceiver.Stats inputStats() {
        UdpReceiver r = receiver;
        return r == null ? null : r.stats();
    }

    /**
     * The stream's health: its counters and facts ({@link HealthMonitor#facts()}, {@link HealthMonitor#errorCount},
     * {@link HealthMonitor#problemsStarted}, ...) may be read from any thread, for metrics; null before
     * {@link #start()}.
     */
    public HealthMonitor health() {
        return health;
    }

    /** The sinks' queues (delivered, retried, failed, dropped, suppressed), in configuration order. */
    public List<SinkQueue> sinks() {
        return List.copyOf(queues);
    }

    private void health(HealthEvent h) {
        if (h.kind() == HealthEvent.Kind.FORMAT || h.kind() == HealthEvent.Kind.FORMAT_CHANGED) {
            LOG.info("camera '{}': {}", config.camera(), h.text());
        }
        publish(maker.health(h));
    }

    /** The recent events and their snapshots. */
    public EventStore store() {
        return config.store();
    }

    /** Snapshot JPEGs encoded so far. */
    public long snapshotsEncoded() {
        DecodeWorker w = worker;
        return w == null ? 0 : w.snapshotsEncoded();
    }

    /** Decoded frames copied for snapshots so far (a copy when a run of motion starts or the peak rises). */
    public long snapshotCopies() {
        DecodeWorker w = worker;
        return w == null ? 0 : w.snapshotCopies();
    }

    /** Access units waiting for the decoder now. */
    public int decodeQueue() {
        DecodeWorker w = worker;
        return w == null ? 0 : w.waiting();
    }

    private void publish(Event e) {
        events.incrementAndGet();
        config.store().put(e); // before the sinks: a sink that asks the store finds the event
        LOG.debug("{} {} {}: {}", e.kind(), e.phase(), e.id(), e.title());
        for (SinkQueue q : queues) {
            q.offer(e);
        }
    }

    private final class Input implements UdpReceiver.Listener {
        @Override
        public void onData(byte[] buf, int off, int len, long nanos) {
            datagrams++;
            health.onDatagram(buf, off, len, nanos);
        }

        @Override
        public void onTick(long nanos) {
            health.tick(nanos);
        }

        @Override
        public void onEnd() {
            assembler.flush();
        }
    }

    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        if (receiver != null) {
            receiver.close();
        }
        if (health != null) {
            health.finish(System.nanoTime()); // the receive thread has ended: no START is left without its END
        }
        if (worker != null) {
            worker.close();
        }
        for (SinkQueue q : queues) {
            q.close(DRAIN);
        }
        if (receiver != null && startNanos != 0) {
            Stats s = stats();
            StringBuilder sinks = new StringBuilder();
            for (SinkQueue q : queues) {
                sinks.append(", ").append(q.name()).append(": ").append(q.delivered()).append(" delivered");
                if (q.failed() + q.dropped() > 0) {
                    sinks.append(" (").append(q.failed()).append(" failed, ").append(q.dropped()).append(" dropped)");
                }
                if (q.suppressed() > 0) {
                    sinks.append(", ").append(q.suppressed()).append(" suppressed (cooldown ")
                            .append(io.streamtee.config.Units.formatDuration(q.cooldown())).append(')');
                }
            }
            LOG.info("analyzer for '{}' stopped after {}: {} datagrams, {} access units, {} frames decoded, {} skipped"
                    + " (overload), {} skipped (damaged in transport), {} decode errors, {} events, {} snapshots ({}"
                    + " frames copied){}", config.camera(),
                    io.streamtee.config.Units.formatDuration(Duration.ofNanos(System.nanoTime() - startNanos)),
                    s.datagrams(), s.accessUnits(), s.framesDecoded(), s.framesSkipped(), s.framesSkippedDamaged(),
                    s.decodeErrors(), s.events(), snapshotsEncoded(), snapshotCopies(), sinks);
        }
    }
}
