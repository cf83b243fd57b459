package io.streamtee.view;

import io.streamtee.media.JpegEncoder;
import io.streamtee.media.Picture;
import io.streamtee.media.VideoCodec;
import io.streamtee.media.VideoDecoder;
import io.streamtee.ts.Pmt;
import io.streamtee.ts.Timestamps;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * One camera's latest picture as a JPEG ({@code /snapshot.jpg}), made on request: the {@link Hub}'s cached GOP (the
 * keyframe and every frame since) is decoded with the media module's {@link VideoDecoder} up to the newest frame, and
 * that picture (the newest in presentation order) is encoded at full size ({@link JpegEncoder}).
 *
 * <p><b>On request, not a decoder kept warm.</b> A warm decoder would decode every frame of every camera all the
 * time, whether anyone asks for a snapshot or not, while the viewer otherwise never decodes (pass-through). Measured
 * ({@code SnapshotCost}: the camera simulator at 1280x720, 30 fps, a keyframe every 4 s, 4 Mbit/s, on the shared
 * 2-core build machine, not quiet): decoding costs about 1 ms of CPU a frame, so a warm decoder costs about 3% of a
 * core per camera for ever; on request, the worst case (the end of a 4 s GOP, 114 frames) takes 120 to 680 ms
 * (the spread is the machine's load), paid only when asked. Two things keep requests cheap: the JPEG is kept with
 * the newest frame it shows, so a request before the next frame is answered from memory; and the decoder stays
 * where the last request left it, so the next request in the same GOP decodes only the frames since (12 to 80 ms
 * measured), unless the stream has B-frames (then the last picture comes out only by flushing the decoder, and the
 * next request starts again at the keyframe).
 *
 * <p><b>The live path is not slowed.</b> The GOP is copied from the hub under its lock (references only); decoding
 * and encoding run on this camera's own platform thread ({@code view-snapshot-NAME}, started on the first request),
 * one request at a time, never on the input's thread or a viewer's sender (native code would hold a virtual
 * thread's carrier). A request waits for its turn at most {@link #TIMEOUT_SECONDS} s. Thread-safe;
 * {@link #close()} is idempotent.
 */
public final class Snapshots implements AutoCloseable {
    /** The longest a request waits for its JPEG. */
    static final int TIMEOUT_SECONDS = 10;

    private static final VideoCodec H264 = VideoCodec.ofStreamType(Pmt.STREAM_TYPE_H264);
    private static final VideoCodec H265 = VideoCodec.ofStreamType(Pmt.STREAM_TYPE_H265);

    /** A JPEG and the newest frame it was made from. */
    private record Made(Frame newest, byte[] jpeg) {
    }

    private final String camera;
    private final Hub hub;
    private final AtomicLong made = new AtomicLong();
    private final AtomicLong decodedFrames = new AtomicLong();
    private ExecutorService worker; // under this
    private boolean closed;
    // on the worker thread only
    private VideoDecoder decoder;
    private JpegEncoder encoder;
    private final Picture picture = new Picture();
    private Frame fedKeyframe; // the GOP the decoder is in, null after a flush
    private int fed; // frames of it given to the decoder
    private Frame fedLast; // the last of them
    private volatile Made last;

    public Snapshots(String camera, Hub hub) {
        this.camera = camera;
        this.hub = hub;
    }

    /**
     * The JPEG of the newest frame, or null when there is no picture yet (no keyframe since the input started or the
     * camera restarted, or the GOP does not decode).
     *
     * @throws TimeoutException when it takes longer than {@link #TIMEOUT_SECONDS} s
     * @throws IllegalStateException when closed
     */
    public byte[] latest() throws InterruptedException, TimeoutException {
        List<Frame> gop = hub.cached();
        if (gop.isEmpty()) {
            return null;
        }
        Made m = last;
        if (m != null && m.newest() == gop.getLast()) {
            return m.jpeg();
        }
        Future<byte[]> job = job(gop);
        try {
            return job.get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            throw e.getCause() instanceof RuntimeException r ? r : new IllegalStateException(e.getCause());
        }
    }

    /**
     * The JPEG being made, if one is (a request while it runs takes that one, a frame or so older than the newest,
     * rather than queue another: many pollers cost one decoder, not a queue of jobs), else a new job for {@code gop}.
     */
    private synchronized Future<byte[]> job(List<Frame> gop) {
        if (inFlight == null || inFlight.isDone()) {
            inFlight = worker().submit(() -> make(gop));
        }
        return inFlight;
    }

    private Future<byte[]> inFlight; // under this

    private synchronized ExecutorService worker() {
        if (closed) {
            throw new IllegalStateException("snapshots of camera " + camera + " are closed");
        }
        if (worker == null) {
            worker = Executors.newSingleThreadExecutor(Thread.ofPlatform().daemon()
                    .name("view-snapshot-" + camera).factory());
        }
        return worker;
    }

    /**
     * On the worker: decodes {@code gop} and encodes its newest picture. When the decoder stopped at a frame of this
     * same GOP last time (and was not flushed), only the frames after it are decoded: a camera asked for snapshots
     * now and then costs a whole GOP's decode once, then only what came since.
     */
    private byte[] make(List<Frame> gop) {
        Made m = last;
        if (m != null && m.newest() == gop.getLast()) {
            return m.jpeg(); // made by the request before this one
        }
        if (decoder == null) {
            decoder = new VideoDecoder();
            encoder = new JpegEncoder();
        }
        long want = newestPts(gop);
        boolean[] got = {false};
        Consumer<io.streamtee.media.Frame> keep = frame -> {
            if (want == Timestamps.NONE || frame.pts() == want) {
                frame.copyTo(picture);
                got[0] = true;
            }
        };
        int from = 0;
        if (fedKeyframe == gop.getFirst() && fed > 0 && fed < gop.size() && gop.get(fed - 1) == fedLast) {
            from = fed; // the same GOP, the decoder where it stopped
        }
        for (int i = from; i < gop.size(); i++) {
            Frame f = gop.get(i);
            byte[] b = f.message();
            long pts = f.pts();
            decoder.decode(b[2] == Frame.CODEC_H265 ? H265 : H264, b, Frame.HEADER, b.length - Frame.HEADER,
                    pts < 0 ? Timestamps.NONE : pts, Timestamps.NONE, f.keyframe(), keep);
            decodedFrames.incrementAndGet();
        }
        fedKeyframe = gop.getFirst();
        fed = gop.size();
        fedLast = gop.getLast();
        if (!got[0]) {
            // held back for reordering (B-frames): flushing hands it out, and the next request starts at a keyframe
            decoder.flush(keep);
            fedKeyframe = null;
        }
        if (!got[0]) {
            return null;
        }
        byte[] jpeg = encoder.encode(picture, List.of());
        made.incrementAndGet();
        last = new Made(gop.getLast(), jpeg);
        return jpeg;
    }

    /** The newest PTS of the GOP (presentation order), or {@link Timestamps#NONE} when a frame has none. */
    private static long newestPts(List<Frame> gop) {
        long newest = Timestamps.NONE;
        for (Frame f : gop) {
            long pts = f.pts();
            if (pts < 0) {
                return Timestamps.NONE;
            }
            if (newest == Timestamps.NONE || Timestamps.ptsDiff(newest, pts) > 0) {
                newest = pts;
            }
        }
        return newest;
    }

    /** JPEGs made (requests answered from memory not counted). */
    public long made() {
        return made.get();
    }

    /** Frames decoded for snapshots. */
    public long decodedFrames() {
        return decodedFrames.get();
    }

    /** Stops the worker and frees the decoder and encoder. Idempotent. */
    @Override
    public void close() {
        ExecutorService w;
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            w = worker;
        }
        if (w == null) {
            return;
        }
        w.execute(() -> {
            if (decoder != null) {
                decoder.close();
                encoder.close();
            }
        });
        w.shutdown();
    }
}
