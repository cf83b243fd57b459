package io.streamtee.camera;

import io.streamtee.cli.LogContext;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A simulated camera: sends a live synthetic H.264 test pattern or a looping TS clip as UDP (or RTP) datagrams of
 * seven 188-byte packets. The pattern leaves as a live camera's stream does: each frame as soon as it is encoded, its
 * datagrams back to back ({@link LivePacer}); the clip leaves at the times its PCR implies ({@link TsPacer}).
 *
 * <pre>{@code
 * try (Camera camera = new Camera(CameraConfig.pattern(Destination.parse("127.0.0.1:8100"))).start()) {
 *     camera.awaitDone(Duration.ofSeconds(10));
 * }
 * }</pre>
 *
 * <p>A pattern camera runs two threads: one paints and encodes frame {@code n} at {@code start + n / fps}, one
 * sends. A clip camera runs the sending thread only. {@link #close()} stops both, waits for them and releases the
 * socket and the encoder; it is idempotent. Counters can be read at any time.
 */
public final class Camera implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(Camera.class);
    /** Clip data is on disk; a small head start absorbs the first read. */
    private static final long CLIP_LATENCY_NANOS = 50_000_000L;

    private final CameraConfig config;
    private final Timeline timeline;
    private final Emitter.Counters counters = new Emitter.Counters();
    private final AtomicLong frames = new AtomicLong();
    private final CountDownLatch done = new CountDownLatch(1);
    private UdpSender sender;
    private Emitter emitter;
    private PatternEncoder encoder;
    private LiveSource live;
    private ClipSource clip;
    private Thread sendThread;
    private Thread encodeThread;
    private volatile boolean stopping;
    /** Set by {@link #finish}: make no new picture, send what is encoded, then end. */
    private volatile boolean finishing;
    private volatile Throwable failure;
    private boolean started;
    private boolean closed;

    public Camera(CameraConfig config) {
        this.config = config;
        this.timeline = new Timeline(config.source() instanceof CameraConfig.Pattern p ? new PatternScript(p) : null);
    }

    public CameraConfig config() {
        return config;
    }

    /**
     * Opens the source and the socket and starts sending.
     *
     * @return this camera
     * @throws IOException with a one-line message when the clip is missing or not TS, or the socket cannot open
     * @throws IllegalStateException when the H.264 encoder cannot be set up, or when already started
     */
    public synchronized Camera start() throws IOException {
        if (started) {
            throw new IllegalStateException("camera already started");
        }
        started = true;
        try {
            if (config.source() instanceof CameraConfig.Clip c) {
                clip = new ClipSource(c.file(), config.duration().toNanos() * 9 / 100_000);
            } else {
                live = new LiveSource(4096);
                encoder = new PatternEncoder((CameraConfig.Pattern) config.source(), live);
            }
            sender = new UdpSender(config.to(), config.rtp());
            emitter = new Emitter(sender, Clock.SYSTEM, config.faults(), counters);
            // A recording leaves at the times its PCR implies; a live camera sends each frame once it is encoded.
            Sending sending = clip != null ? new TsPacer(clip, emitter, Clock.SYSTEM, CLIP_LATENCY_NANOS)::run
                    : new LivePacer(live, emitter, Clock.SYSTEM,
                            1_000_000_000L / ((CameraConfig.Pattern) config.source()).fps())::run;
            sendThread = Thread.ofPlatform().name("camera-send").daemon().unstarted(LogContext.carry(() -> send(sending)));
            if (encoder != null) {
                CameraConfig.Pattern p = (CameraConfig.Pattern) config.source();
                long total = config.duration().isZero() ? Long.MAX_VALUE
                        : Math.max(1, Math.round(config.duration().toNanos() * p.fps() / 1e9));
                encodeThread = Thread.ofPlatform().name("camera-encode").daemon()
                        .unstarted(LogContext.carry(() -> encode(p.fps(), total)));
                encodeThread.start();
            }
            sendThread.start();
            LOG.info("camera sending {} to {}{}", describe(), config.to(), config.rtp() ? " (RTP)" : "");
            return this;
        } catch (IOException | RuntimeException e) {
            close();
            throw e;
        }
    }

    private String describe() {
        return switch (config.source()) {
            case CameraConfig.Pattern p -> "test pattern " + p.width() + "x" + p.height() + "@" + p.fps()
                    + " H.264 " + p.bitrate() / 1000 + " kbit/s";
            case CameraConfig.Clip c -> "clip " + c.file();
        };
    }

    private void encode(int fps, long total) {
        long start = System.nanoTime();
        long warnedAt = 0;
        try {
            for (long n = 0; n < total && !stopping && !finishing; n++) {
                long due = start + n * 1_000_000_000L / fps;
                long now;
                while (!stopping && !finishing && (now = System.nanoTime()) - due < 0) {
                    LockSupport.parkNanos(due - now);
                }
                if (stopping || finishing) {
                    break;
                }
                long behind = System.nanoTime() - due;
                if (behind > 1_000_000_000L && n - warnedAt > 10L * fps) {
                    warnedAt = n;
                    LOG.warn("encoder is {} ms behind real time (machine too slow for this size and rate?)",
                            behind / 1_000_000);
                }
                Instant wall = Instant.now();
                long frame = encoder.frames();
                encoder.encode(wall);
                frames.set(encoder.frames());
                timeline.painted(frame, wall);
            }
            if (!stopping) {
                encoder.finish(); // the frames the encoder still holds, so the stream ends on a whole frame
                frames.set(encoder.frames());
            }
        } catch (Throwable t) {
            fail(t);
        } finally {
            live.end();
        }
    }

    /** The sending thread's work: a pacer's run. */
    @FunctionalInterface
    private interface Sending {
        void run() throws IOException;
    }

    private void send(Sending sending) {
        try {
            sending.run();
        } catch (Throwable t) {
            fail(t);
        } finally {
            done.countDown();
        }
    }

    private void fail(Throwable t) {
        if (!stopping) {
            failure = t;
            LOG.error("camera stopped: {}", t.getMessage());
            LOG.debug("camera failure", t);
            stopping = true;
            if (emitter != null) {
                emitter.stop();
            }
            if (live != null) {
                live.end();
            }
        }
    }

    /** The local address of the sending socket. */
    public InetSocketAddress localAddress() throws IOException {
        return sender.localAddress();
    }

    /** True once the camera has sent everything it was asked to (or failed, or was closed). */
    public boolean done() {
        return done.getCount() == 0;
    }

    /** Waits until {@link #done()}; returns false on timeout. */
    public boolean awaitDone(Duration timeout) throws InterruptedException {
        return done.await(timeout.toNanos(), TimeUnit.NANOSECONDS);
    }

    /** Why the camera stopped on its own, or null. */
    public Throwable failure() {
        return failure;
    }

    /**
     * What a pattern camera has shown so far (visits of the visitor, lighting changes) and its script (where the
     * visitor is at any frame); empty for a clip camera. The camera also logs each event as it paints it.
     */
    public Timeline timeline() {
        return timeline;
    }

    public CameraStats stats() {
        return new CameraStats(counters.datagrams.get(), counters.bytes.get(), frames.get(), counters.dropped.get(),
                counters.errors.get(), clip == null ? 0 : clip.loops());
    }

    /**
     * Ends the stream cleanly, as a stop signal should: a pattern camera makes no new picture, sends every frame it
     * has encoded (the encoder's delayed ones too) in full, and then closes; a receiver gets
     * no cut frame. A clip camera closes at once. Waits at most {@code timeout}, then closes anyway. Idempotent.
     */
    public void finish(Duration timeout) throws InterruptedException {
        Thread encoding;
        synchronized (this) {
            encoding = closed ? null : encodeThread;
        }
        if (encoding != null) {
            finishing = true;
            LockSupport.unpark(encoding);
            awaitDone(timeout);
        }
        close();
    }

    /** Stops sending at once (mid-frame, perhaps; see {@link #finish}) and releases everything, in reverse order. Idempotent. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        stopping = true;
        if (emitter != null) {
            emitter.stop();
        }
        if (live != null) {
            live.end();
        }
        join(encodeThread);
        if (sendThread != null) {
            LockSupport.unpark(sendThread);
        }
        join(sendThread);
        closeQuietly(sender);
        if (encoder != null) {
            encoder.close();
        }
        closeQuietly(clip);
        done.countDown();
    }

    private static void join(Thread thread) {
        if (thread == null) {
            return;
        }
        boolean interrupted = false;
        while (thread.isAlive()) {
            LockSupport.unpark(thread);
            try {
                thread.join(100);
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    private static void closeQuietly(AutoCloseable c) {
        if (c == null) {
            return;
        }
        try {
            c.close();
        } catch (Exception e) {
            LOG.debug("close failed", e);
        }
    }
}
