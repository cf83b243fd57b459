package io.streamtee.view;

import io.streamtee.media.FfmpegException;
import io.streamtee.media.Fmp4Writer;
import io.streamtee.ts.Timestamps;
import java.nio.ByteBuffer;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The MSE fallback's feed ({@code /cameras/NAME/mse}, and {@code /mse} with one camera): the camera's H.264 as fragmented MP4 for a page that plays it with
 * Media Source Extensions where WebCodecs is missing. Each binary message is one MSE message, built once and shared
 * by every viewer; big-endian, the first 20 bytes laid out as {@link Frame}'s:
 *
 * <pre>
 * offset size
 *  0     1    version, {@value #VERSION}
 *  1     1    flags: bit 0 keyframe (a fragment a viewer can start from; always set on an init segment)
 *  2     1    codec: 1 H.264
 *  3     1    kind: {@value #KIND_INIT} init segment (ftyp + moov), {@value #KIND_FRAGMENT} fragment (moof + mdat,
 *             one access unit)
 *  4     8    PTS in 90 kHz ticks: the fragment's presentation time (the media time the page plays is PTS / 90000 s);
 *             for an init segment, that of the keyframe it was made from
 * 12     8    the viewer server's receive time of that access unit: Unix epoch milliseconds
 * 20     4    generation: which init segment the fragment follows (1, 2, ...; a new one after a new SPS or a
 *             timestamp jump)
 * 24     ...  the fMP4 bytes, to append to a SourceBuffer as they are
 * </pre>
 *
 * A viewer gets the init segment first, then the fragments: the cached GOP at once (from its keyframe, so it need
 * not wait for the next one), then each live one; and a new init segment before the first fragment of each new
 * generation. Fragments carry absolute timestamps (see {@link Fmp4Writer}), so the page appends them in "segments"
 * mode whatever it joined at.
 *
 * <p><b>Where the muxing runs.</b> Once per access unit for all viewers, on the feed's own thread, which takes the
 * frames from the camera's {@link Hub} like a viewer ({@link Subscriber}) and publishes each fragment to a second
 * hub of MSE messages; MSE viewers join that hub, so they have the same bounded queue and skip-to-the-next-keyframe
 * rule as the WebCodecs viewers ({@link Subscriber}, {@link GopCache}). Not on the input thread: libavformat's cost
 * (small: no decoding) and any failure stay off the path every other viewer depends on. Started by the first MSE
 * viewer, so a viewer with only WebCodecs pages pays nothing; it then runs until {@link #close()}, starting from the
 * camera hub's cached GOP, so the first MSE viewer starts at once too. H.265 is not offered over MSE (not counted as
 * an error: its access units are passed over, and the page is told, {@link #noVideoMessage()}); damaged access units
 * are passed over up to the next keyframe.
 *
 * <p>The camera's {@link FrameSocket} serves it ({@code /cameras/NAME/mse}): the same viewer limit, send timeout and
 * handling of what viewers send as the WebCodecs socket; {@link #framer()} puts the init segments in.
 */
public final class MseFeed implements Feed, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(MseFeed.class);
    public static final int VERSION = 1;
    public static final int HEADER = 24;
    public static final int KIND_INIT = 1;
    public static final int KIND_FRAGMENT = 2;
    /** What the page says for an H.265 camera (one line). */
    static final String H265_ONLY = "the camera sends H.265 and the MSE mode plays H.264 only: open the page over"
            + " https or on localhost, where the browser has WebCodecs";
    /** Init segments kept for viewers still sending fragments of an older generation. */
    private static final int INITS_KEPT = 4;

    private final Hub source;
    private final Supplier<Fmp4Writer> writers;
    private final Hub fragments;
    private final Map<Integer, Frame> inits = new LinkedHashMap<>(); // under this
    private final AtomicLong errors = new AtomicLong();
    private final AtomicLong passedOver = new AtomicLong();
    private volatile boolean h265; // the last video access unit the muxer took was H.265
    private Thread muxer; // under this
    private int generations; // under this
    private volatile boolean closed;

    /**
     * @param source        the camera's hub
     * @param queueCapacity each MSE viewer's queue, in frames (the feed's own on {@code source} is that hub's)
     */
    public MseFeed(Hub source, int queueCapacity) {
        this(source, queueCapacity, Fmp4Writer::new);
    }

    /** @param writers a new fMP4 writer each time the muxing starts (again) */
    MseFeed(Hub source, int queueCapacity, Supplier<Fmp4Writer> writers) {
        this.source = source;
        this.fragments = Hub.withDefaults(queueCapacity);
        this.writers = writers;
    }

    /**
     * Starts the muxing thread if it is not running (idempotent): the first MSE viewer calls it. A failure of the
     * muxer on an access unit (libavformat's or any other exception) is counted in {@link #errors()} and the thread
     * goes on with a new writer from the next keyframe; should the thread end all the same (an Error), the next viewer
     * starts it again.
     */
    public synchronized void start() {
        if (muxer != null || closed) {
            return;
        }
        Subscriber input = source.join();
        muxer = Thread.ofPlatform().daemon().name("view-mse-mux").start(() -> mux(input));
    }

    /** A new MSE viewer: starts the muxing if needed, then joins the hub of MSE messages. */
    @Override
    public Subscriber join() {
        start();
        return fragments.join();
    }

    /** The viewer leaves (idempotent). */
    @Override
    public void leave(Subscriber s) {
        fragments.leave(s);
    }

    /** The init segment message of {@code generation}, or null when it is unknown (too old). */
    public synchronized Frame init(int generation) {
        return inits.get(generation);
    }

    private void mux(Subscriber in) {
        Fmp4Writer writer = writers.get();
        int writerGeneration = 0;
        int published = -1;
        boolean waitForKeyframe = false;
        try {
            while (!closed) {
                Frame f = in.take(200);
                if (f == null) {
                    continue;
                }
                byte[] m = f.message();
                h265 = m[2] == Frame.CODEC_H265 || (h265 && m[2] != Frame.CODEC_H264);
                boolean damaged = (m[1] & Frame.FLAG_DAMAGED) != 0;
                if (m[2] != Frame.CODEC_H264 || damaged) {
                    passedOver.incrementAndGet();
                    waitForKeyframe |= damaged;
                    continue;
                }
                if (waitForKeyframe && !f.keyframe()) {
                    passedOver.incrementAndGet();
                    continue;
                }
                waitForKeyframe = false;
                long pts = f.pts();
                Fmp4Writer.Fragment fragment;
                try {
                    fragment = writer.write(m, Frame.HEADER, m.length - Frame.HEADER,
                            pts < 0 ? Timestamps.NONE : pts, f.keyframe());
                } catch (RuntimeException e) { // libavformat refused it, or anything else: never end the thread
                    if (errors.incrementAndGet() == 1) {
                        LOG.warn("MSE: {}; starting again at the next keyframe",
                                e instanceof FfmpegException ? e.getMessage() : e.toString());
                    }
                    writer.close();
                    writer = writers.get();
                    writerGeneration = 0;
                    waitForKeyframe = true;
                    continue;
                }
                if (fragment == null) {
                    passedOver.incrementAndGet();
                    continue;
                }
                if (fragment.generation() != writerGeneration) { // numbered apart: a new writer starts again at 1
                    writerGeneration = fragment.generation();
                    published = nextGeneration(fragment, writer.init(), f.receivedMs());
                }
                fragments.publish(message(KIND_FRAGMENT, fragment.keyframe(), fragment.pts(), f.receivedMs(),
                        published, fragment.bytes()));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            errors.incrementAndGet();
            LOG.warn("MSE: the fMP4 muxer stopped: {}", e.toString());
        } finally {
            writer.close();
            source.leave(in);
            synchronized (this) {
                if (muxer == Thread.currentThread()) {
                    muxer = null; // the next viewer starts it again
                }
            }
        }
    }

    /**
     * Keeps the new init segment under a generation number that never repeats in this feed (a new writer, or a new
     * muxing thread, starts its own count again at 1).
     */
    private synchronized int nextGeneration(Fmp4Writer.Fragment fragment, byte[] init, long receivedMs) {
        int generation = ++generations;
        inits.put(generation, message(KIND_INIT, true, fragment.pts(), receivedMs, generation, init));
        while (inits.size() > INITS_KEPT) {
            inits.remove(inits.keySet().iterator().next());
        }
        return generation;
    }

    static Frame message(int kind, boolean keyframe, long pts, long receivedMs, int generation, byte[] mp4) {
        ByteBuffer b = ByteBuffer.allocate(HEADER + mp4.length);
        b.put((byte) VERSION).put((byte) (keyframe ? Frame.FLAG_KEYFRAME : 0)).put((byte) Frame.CODEC_H264)
                .put((byte) kind).putLong(pts).putLong(receivedMs).putInt(generation).put(mp4);
        return new Frame(b.array(), keyframe, receivedMs);
    }

    /** The kind of an MSE message. */
    static int kind(Frame f) {
        return f.message()[3];
    }

    /** The generation of an MSE message. */
    static int generation(Frame f) {
        return ByteBuffer.wrap(f.message()).getInt(20);
    }

    /**
     * For one viewer: each fragment, with the init segment of its generation before the first fragment of each new
     * generation (a fragment whose init segment is no longer kept is not sent: it could not be played).
     */
    @Override
    public Function<Frame, List<Frame>> framer() {
        int[] sent = {0};
        return f -> {
            int generation = generation(f);
            if (generation == sent[0]) {
                return List.of(f);
            }
            Frame init = f.keyframe() ? init(generation) : null;
            if (init == null) {
                return List.of();
            }
            sent[0] = generation;
            return List.of(init, f);
        };
    }

    /**
     * Why there is nothing to play over MSE: the camera's reason ({@link Hub#noVideoMessage()}), or that its video is
     * H.265, which this fallback does not offer; null while it sends H.264 (or nothing is known yet).
     */
    @Override
    public String noVideoMessage() {
        String camera = source.noVideoMessage();
        return camera != null ? camera : h265 ? H265_ONLY : null;
    }

    /** The hub of MSE messages (fragments; init segments are sent apart): its viewers, cached GOP, skips. */
    public Hub hub() {
        return fragments;
    }

    /** MSE viewers now. */
    public int viewers() {
        return fragments.viewers();
    }

    /** Times the muxer failed: libavformat refused the stream, or another exception (it then starts again at the next
     * keyframe). */
    public long errors() {
        return errors.get();
    }

    /** Access units not sent over MSE: before the first keyframe, damaged, or not H.264. */
    public long passedOver() {
        return passedOver.get();
    }

    /** Stops the muxing thread (the viewers' WebSockets close with the web server). Idempotent. */
    @Override
    public void close() {
        Thread t;
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            t = muxer;
        }
        if (t != null) {
            try {
                t.join(TimeUnit.SECONDS.toMillis(2));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
