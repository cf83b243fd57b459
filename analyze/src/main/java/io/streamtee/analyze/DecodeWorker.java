package io.streamtee.analyze;

import io.streamtee.analyze.event.Event;
import io.streamtee.analyze.event.EventStore;
import io.streamtee.analyze.motion.Detections;
import io.streamtee.analyze.motion.GreyFrame;
import io.streamtee.analyze.motion.MotionDetector;
import io.streamtee.analyze.motion.MotionEvent;
import io.streamtee.analyze.motion.MotionSettings;
import io.streamtee.analyze.motion.MotionTracker;
import io.streamtee.analyze.motion.TrackerSettings;
import io.streamtee.analyze.motion.UpdateThinning;
import io.streamtee.cli.LogContext;
import io.streamtee.media.Ffmpeg;
import io.streamtee.media.Frame;
import io.streamtee.media.JpegEncoder;
import io.streamtee.media.VideoDecoder;
import io.streamtee.ts.AccessUnit;
import io.streamtee.ts.Timestamps;
import java.time.Duration;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The analyzer's picture side, on its own thread: access units from a small bounded queue are decoded
 * ({@link VideoDecoder}), shrunk to grey pictures {@link MotionSettings#frameHeight()} high, fed to the
 * {@link MotionDetector} and its detections to the {@link MotionTracker}, whose events go out as {@link Event}s
 * (with fewer UPDATEs, {@link UpdateThinning}). With an {@link EventStore}, a motion event's messages carry snapshots
 * ({@link Snapshotter}: START the first motion frame, END the peak), each encoded and stored in the store
 * <em>before</em> its message is handed on.
 *
 * <p><b>Overload.</b> {@link #offer} never blocks the receive thread: when the queue is full, the access unit is
 * dropped and so is every one after it up to the next keyframe (all counted in {@link #skipped()}), so the pictures
 * are never more than one group of pictures behind live, and the decoder always restarts at a keyframe. An access
 * unit damaged in transport starts such a skip too.
 *
 * <p><b>Clocks.</b> An event's wall clock comes from its PTS, by a {@link StreamClock}: the earliest arrival the PTS
 * allow, so that late pictures (the first ones, a stall) do not shift it.
 *
 * <p>{@link #close()} lets the thread decode what waits, flushes the decoder, ends an open motion event and returns
 * once the thread has ended; idempotent.
 */
final class DecodeWorker implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(DecodeWorker.class);
    private static final Logger FFMPEG_LOG = LoggerFactory.getLogger(Ffmpeg.LOGGER + ".decode");
    /** Access units that may wait for the decoder (well under a GOP at any usual frame rate). */
    static final int QUEUE = 12;

    private record Unit(AccessUnit au, long millis) {
    }

    private static final Unit END = new Unit(null, 0);

    private final BlockingQueue<Unit> queue = new ArrayBlockingQueue<>(QUEUE);
    private final MotionSettings settings;
    private final MotionDetector detector;
    private final MotionTracker tracker;
    private final EventMaker events;
    private final Consumer<Event> out;
    private final Thread thread;
    private final VideoDecoder decoder = new VideoDecoder();
    private final EventStore store;
    private final Snapshotter snapshots;
    private boolean snapshotFailed;

    // receive thread
    private boolean skipping;
    private boolean skippingForDamage; // the skip began at an access unit damaged in transport, not at a full queue
    private volatile boolean closed;

    // decoding thread
    private long currentMillis;
    private final StreamClock clock = new StreamClock();
    private long frameIndex;
    private byte[] grey = new byte[0];

    private volatile long skipped;
    private volatile long skippedDamaged;
    private volatile long frames;
    private volatile long errors;
    private volatile long decodeSkipped;

    /** With the default {@link TrackerSettings}. */
    DecodeWorker(String camera, MotionSettings settings, MotionDetector detector,
            io.streamtee.analyze.motion.Zones zones, EventMaker events, Consumer<Event> out) {
        this(camera, settings, TrackerSettings.DEFAULTS, detector, zones, events, out, null);
    }

    /**
     * @param tracking how motion becomes events (frames to start, the gap that ends, UPDATE thinning)
     * @param store    where motion events' snapshots go before their messages go {@code out}, or null for no
     *                 snapshots
     */
    DecodeWorker(String camera, MotionSettings settings, TrackerSettings tracking, MotionDetector detector,
            io.streamtee.analyze.motion.Zones zones, EventMaker events, Consumer<Event> out, EventStore store) {
        this.settings = settings;
        this.store = store;
        this.snapshots = store == null ? null : new Snapshotter(new JpegEncoder());
        this.detector = detector;
        this.events = events;
        this.out = out;
        MotionTracker.Listener thinned = new UpdateThinning(tracking.updateEvery(), new MotionTracker.Listener() {
            @Override
            public void started(MotionEvent e) {
                byte[] jpeg = snapshot(() -> snapshots.started(e));
                send(events.motion(e, Event.Phase.START, wall(e.startPts()), -1, wall(e.lastMotionPts()),
                        jpeg != null), jpeg);
            }

            @Override
            public void updated(MotionEvent e) {
                byte[] jpeg = snapshot(() -> snapshots.updated(e));
                send(events.motion(e, Event.Phase.UPDATE, wall(e.startPts()), -1, wall(e.lastMotionPts()),
                        jpeg != null || snapshots != null && snapshots.hasSnapshot()), jpeg);
            }

            @Override
            public void ended(MotionEvent e) {
                boolean had = snapshots != null && snapshots.hasSnapshot();
                byte[] jpeg = snapshot(() -> snapshots.ended(e));
                send(events.motion(e, Event.Phase.END, wall(e.startPts()), wall(e.endPts()),
                        wall(e.lastMotionPts()), jpeg != null || had), jpeg);
            }
        });
        // the snapshotter sees every update, also those the thinning holds back, so that it keeps the true peak
        this.tracker = new MotionTracker(tracking.startFrames(), tracking.endGap(), zones,
                new MotionTracker.Listener() {
                    @Override
                    public void started(MotionEvent e) {
                        thinned.started(e);
                    }

                    @Override
                    public void updated(MotionEvent e) {
                        if (snapshots != null) {
                            snapshot(() -> {
                                snapshots.follow(e);
                                return null;
                            });
                        }
                        thinned.updated(e);
                    }

                    @Override
                    public void ended(MotionEvent e) {
                        thinned.ended(e);
                    }
                });
        this.thread = Thread.ofPlatform().daemon().name("analyze " + camera).unstarted(LogContext.carry(this::run));
    }

    /** Makes a snapshot (null for none); a failure is logged once and the event goes on without one. */
    private byte[] snapshot(Supplier<byte[]> make) {
        if (snapshots == null) {
            return null;
        }
        try {
            return make.get();
        } catch (RuntimeException e) {
            if (!snapshotFailed) {
                snapshotFailed = true;
                LOG.warn("cannot make a snapshot, events go on without one: {}", e.toString());
            }
            return null;
        }
    }

    /** Stores the snapshot, then hands the event on: the JPEG exists before any sink sees the message. */
    private void send(Event e, byte[] jpeg) {
        if (jpeg != null) {
            store.putSnapshot(e.id(), jpeg);
        }
        out.accept(e);
    }

    DecodeWorker start() {
        thread.start();
        return this;
    }

    /**
     * An access unit from the assembler, arrived at wall clock {@code millis}; copied when queued. Receive thread
     * only; never blocks.
     */
    void offer(AccessUnit au, long millis) {
        if (closed) {
            return;
        }
        if (au.damaged()) {
            skipping = true;
            skippingForDamage = true;
        }
        if (skipping && !au.keyframe()) {
            if (skippingForDamage) {
                skippedDamaged++;
            } else {
                skipped++;
            }
            return;
        }
        byte[] copy = java.util.Arrays.copyOf(au.data(), au.length());
        if (queue.offer(new Unit(AccessUnit.of(au.streamType(), copy, au.pts(), au.dts(), au.keyframe()), millis))) {
            skipping = false;
            skippingForDamage = false;
        } else {
            skipping = true;
            skippingForDamage = false;
            skipped++;
        }
    }

    /** Snapshot JPEGs encoded. */
    long snapshotsEncoded() {
        return snapshots == null ? 0 : snapshots.encoded();
    }

    /** Frames copied for snapshots. */
    long snapshotCopies() {
        return snapshots == null ? 0 : snapshots.copies();
    }

    /**
     * Queues an access unit (copied), waiting while the queue is full instead of skipping: for feeding a recorded
     * stream faster than real time (tests), where every frame must be analysed. Not for a live input.
     */
    void put(AccessUnit au, long millis) throws InterruptedException {
        byte[] copy = java.util.Arrays.copyOf(au.data(), au.length());
        queue.put(new Unit(AccessUnit.of(au.streamType(), copy, au.pts(), au.dts(), au.keyframe()), millis));
    }

    /** Access units waiting for the decoder. */
    int waiting() {
        return queue.size();
    }

    /** Frames decoded. */
    long frames() {
        return frames;
    }

    /** Access units not decoded for overload: the queue was full (dropped until the next keyframe). */
    long skipped() {
        return skipped;
    }

    /** Access units not decoded for transport damage: one was damaged (dropped until the next keyframe). */
    long skippedDamaged() {
        return skippedDamaged;
    }

    /** Access units or pictures the decoder rejected. */
    long errors() {
        return errors;
    }

    /** Access units the decoder itself skipped to its next keyframe (after an error, before the first keyframe). */
    long decoderSkipped() {
        return decodeSkipped;
    }

    private void run() {
        // the decoder's complaints about a damaged frame: counted (decodeErrors), so FFmpeg's own lines at DEBUG
        Ffmpeg.logAs(FFMPEG_LOG);
        try {
            while (true) {
                Unit u = queue.take();
                if (u == END) {
                    break;
                }
                currentMillis = u.millis();
                try {
                    decoder.decode(u.au(), this::picture);
                } catch (RuntimeException e) {
                    LOG.warn("decoding failed, going on: {}", e.toString());
                }
                errors = decoder.errors();
                decodeSkipped = decoder.skipped();
            }
            decoder.flush(this::picture);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            LOG.error("the analyzer's decoding thread failed: {}", e.toString(), e);
        } finally {
            tracker.finish();
            errors = decoder.errors();
            decodeSkipped = decoder.skipped();
            decoder.close();
            detector.close();
            if (snapshots != null) {
                snapshots.close();
            }
        }
    }

    private void picture(Frame frame) {
        frames++;
        long pts = frame.pts();
        if (clock.jumps(pts)) {
            // a camera that restarted (or a PTS that leapt): the open event ends by the old clock and PTS, else it
            // would wait for the new PTS to pass its last motion, and its END be timed by the new clock
            tracker.finish();
        }
        clock.picture(pts, currentMillis);
        int h = settings.frameHeight();
        int w = settings.width(frame.width(), frame.height());
        if (grey.length < w * h) {
            grey = new byte[w * h];
        }
        frame.grey(w, h, grey);
        Detections d = detector.detect(new GreyFrame(w, h, grey, pts));
        if (snapshots == null) {
            tracker.accept(d, frameIndex++);
            return;
        }
        snapshots.current(frame, d, frameIndex);
        try {
            tracker.accept(d, frameIndex++);
            snapshots.seen(tracker.active(), tracker.runStartFrame());
        } finally {
            snapshots.done();
        }
    }

    /** The wall clock of {@code pts}. */
    private long wall(long pts) {
        return clock.wall(pts);
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        if (thread.isAlive() || thread.getState() != Thread.State.NEW) {
            try {
                if (!queue.offer(END, 5, TimeUnit.SECONDS)) {
                    thread.interrupt();
                }
                if (!thread.join(Duration.ofSeconds(10))) {
                    LOG.warn("the decoding thread did not end within 10 s; an open motion event may get no END");
                }
            } catch (InterruptedException e) {
                thread.interrupt();
                Thread.currentThread().interrupt();
            }
        } else {
            decoder.close();
            detector.close();
            if (snapshots != null) {
                snapshots.close();
            }
        }
    }
}
