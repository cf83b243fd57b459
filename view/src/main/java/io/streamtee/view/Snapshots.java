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
 * <p><b>Why on request, not a decoder kept warm.</b> A warm decoder would decode every frame of every camera all the
 * time, whether anyone asks for a snapshot or not, while the viewer otherwise never decodes (pass-through). On
 * request the cost is one GOP's decode, at most once per new frame: the JPEG is kept with the newest frame it shows
 * and a request before the next frame arrives is answered from memory. Measured figures are in
 * {@code SnapshotsTest} and the view package docs.
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
        Future<byte[]> job = worker().submit(() -> make(gop));
        try {
            return job.get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            throw e.getCause() instanceof RuntimeException r ? r : new IllegalStateException(e.getCause());
        } catch (TimeoutException e) {
            job.cancel(false);
            throw e;
        }
    }

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

    /** On the worker: decodes {@code gop} and encodes its newest picture. */
    private byte[] make(List<Frame> gop) {
        Made m = last;
        if (m != null && m.newest() == gop.getLast()) {
            return m.jpeg(); // made by the request before this one
        }
        if (decoder == null) {
            decoder = new VideoDecoder();
            encoder = new JpegEncoder();
        }
        long newestPts = Timestamps.NONE;
        boolean allPts = true;
        for (Frame f : gop) {
            long pts = f.pts();
            if (pts < 0) {
                allPts = false;
            } else if (newestPts == Timestamps.NONE || Timestamps.ptsDiff(newestPts, pts) > 0) {
                newestPts = pts;
            }
        }
        long want = allPts ? newestPts : Timestamps.NONE;
        boolean[] got = {false};
        Consumer<io.streamtee.media.Frame> keep = frame -> {
            if (want == Timestamps.NONE || frame.pts() == want) {
                frame.copyTo(picture);
                got[0] = true;
            }
            decodedFrames.incrementAndGet();
        };
        for (Frame f : gop) {
            byte[] b = f.message();
            VideoCodec codec = b[2] == Frame.CODEC_H265 ? VideoCodec.ofStreamType(Pmt.STREAM_TYPE_H265)
                    : VideoCodec.ofStreamType(Pmt.STREAM_TYPE_H264);
            long pts = f.pts();
            decoder.decode(codec, b, Frame.HEADER, b.length - Frame.HEADER, pts < 0 ? Timestamps.NONE : pts,
                    Timestamps.NONE, f.keyframe(), keep);
        }
        decoder.flush(keep); // the frames held back for reordering; the decoder then waits for a keyframe again
        if (!got[0]) {
            return null;
        }
        byte[] jpeg = encoder.encode(picture, List.of());
        made.incrementAndGet();
        last = new Made(gop.getLast(), jpeg);
        return jpeg;
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
