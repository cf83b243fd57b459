package io.streamtee.analyze;

import io.streamtee.analyze.motion.Detections;
import io.streamtee.analyze.motion.MotionEvent;
import io.streamtee.media.Frame;
import io.streamtee.media.JpegEncoder;
import io.streamtee.media.Picture;
import io.streamtee.ts.Timestamps;
import java.util.ArrayList;
import java.util.List;

/**
 * The snapshots of motion events, on the decoding thread: keeps copies of the few frames a snapshot may be made of
 * and encodes them as JPEG (full size, the frame's boxes drawn) when a message needs one.
 *
 * <ul>
 *   <li>START carries its <b>first motion frame</b>: the first frame of the run of motion frames that started the
 *       event. It is copied when that run begins (a run that never becomes an event costs one copy).</li>
 *   <li>UPDATE carries the <b>best frame so far</b> (the highest score) when the update is for a new peak and the
 *       event's last snapshot is at least {@link #UPDATE_EVERY_MILLIS} of stream time old; otherwise none is made and
 *       the event's last one stands (a visitor walking in raises the peak nearly every frame: encoding each would
 *       cost a JPEG per frame).</li>
 *   <li>END carries the <b>peak frame</b>, encoded unless the last snapshot already was of that frame.</li>
 * </ul>
 *
 * <p><b>Cost.</b> A frame is copied ({@link Frame#copyTo}) only when it starts a run of motion or raises the peak;
 * two {@link Picture}s (the first frame and the peak) are reused for every event; the JPEG encoder too. Logic only:
 * the caller hands it the current frame ({@link #current}) before the tracker sees its detections, tells it what
 * the tracker did, and asks for JPEGs.
 */
final class Snapshotter implements AutoCloseable {
    /** Stream time between two UPDATE snapshots of one event, at least. */
    static final long UPDATE_EVERY_MILLIS = 1000;
    private static final long UPDATE_EVERY_TICKS = UPDATE_EVERY_MILLIS * 90;

    private final JpegEncoder encoder;
    private final Picture first = new Picture();
    private final Picture peakCopy = new Picture();
    private List<JpegEncoder.Outline> firstBoxes = List.of();
    private List<JpegEncoder.Outline> peakBoxes = List.of();
    private Picture peak; // first or peakCopy, null when no run is under way
    private long peakIndex = -1;
    private double runPeak;
    private long firstIndex = -1; // the frame `first` holds
    private boolean inRun; // a run of motion frames has begun and its first frame is in `first`
    private long encodedIndex = -1; // the frame of the event's last snapshot
    private long encodedPts;
    private boolean encodedAny;
    private volatile long encodedCount;
    private volatile long copies;

    // the frame being looked at, valid during one call of the decoder's callback
    private Frame frame;
    private Detections detections;
    private long index;

    Snapshotter(JpegEncoder encoder) {
        this.encoder = encoder;
    }

    /** The frame the tracker is about to see, with its detections and index (as the tracker numbers it). */
    void current(Frame f, Detections d, long frameIndex) {
        this.frame = f;
        this.detections = d;
        this.index = frameIndex;
    }

    /** The decoder's callback returns: the frame is no longer valid. */
    void done() {
        frame = null;
        detections = null;
    }

    /**
     * After the tracker took the current frame: follows the run of motion frames that may become an event (its first
     * frame and its best are copied) while no event is open.
     */
    void seen(boolean active, long runStartFrame) {
        if (active) {
            return;
        }
        if (!detections.motion()) {
            inRun = false;
            return;
        }
        if (!inRun || firstIndex != runStartFrame) { // a new run, or the tracker began it again elsewhere
            keepFirst();
        } else if (detections.score() > runPeak) {
            keepPeak();
        }
    }

    /** The tracker started an event: the JPEG of its first motion frame (copied now if it is this frame). */
    byte[] started(MotionEvent e) {
        if (!inRun) {
            keepFirst(); // it started on its first frame of motion
        }
        follow(e);
        inRun = false;
        byte[] jpeg = encoder.encode(first, firstBoxes);
        encodedCount++;
        encodedIndex = peak == first ? peakIndex : -2;
        encodedPts = first.pts();
        encodedAny = true;
        return jpeg;
    }

    /** The tracker updated an event: the JPEG of its best frame when that is new and time for one, else null. */
    byte[] updated(MotionEvent e) {
        follow(e);
        if (peak == null || peakIndex == encodedIndex) {
            return null;
        }
        if (encodedAny && (peak.pts() == Timestamps.NONE || encodedPts == Timestamps.NONE
                || Timestamps.ptsDiff(encodedPts, peak.pts()) < UPDATE_EVERY_TICKS)) {
            return null; // without a stream clock, no UPDATE snapshots: the END has the peak
        }
        return encodePeak();
    }

    /** The tracker ended an event: the JPEG of its peak frame, or null when the last snapshot was of it already. */
    byte[] ended(MotionEvent e) {
        byte[] jpeg = null;
        if (peak != null && peakIndex != encodedIndex) {
            jpeg = encodePeak();
        }
        peak = null;
        peakIndex = -1;
        inRun = false;
        encodedAny = false;
        encodedIndex = -1;
        return jpeg;
    }

    /** Whether a snapshot was made for the open event. */
    boolean hasSnapshot() {
        return encodedAny;
    }

    private byte[] encodePeak() {
        byte[] jpeg = encoder.encode(peak, peak == first ? firstBoxes : peakBoxes);
        encodedCount++;
        encodedIndex = peakIndex;
        encodedPts = peak.pts();
        encodedAny = true;
        return jpeg;
    }

    /**
     * Brings the peak copy in line with the tracker's peak; returns whether this frame is the new peak. Called for
     * every update of the tracker's, also those {@link io.streamtee.analyze.motion.UpdateThinning} holds back, so the
     * peak is the event's true peak.
     */
    boolean follow(MotionEvent e) {
        if (e.peakFrame() == peakIndex) {
            return false;
        }
        if (e.peakFrame() == index && frame != null) {
            keepPeak();
            return true;
        }
        return false; // a frame not kept (it cannot happen with the tracker's peak rule); the last copy stands
    }

    /** JPEGs encoded so far (any thread may read it). */
    long encoded() {
        return encodedCount;
    }

    /** Frames copied so far (any thread may read it). */
    long copies() {
        return copies;
    }

    private void keepFirst() {
        copies++;
        firstIndex = index;
        frame.copyTo(first);
        firstBoxes = boxes();
        inRun = true;
        peak = first;
        peakIndex = index;
        runPeak = detections.score();
    }

    private void keepPeak() {
        copies++;
        frame.copyTo(peakCopy);
        peakBoxes = boxes();
        peak = peakCopy;
        peakIndex = index;
        runPeak = detections.score();
    }

    /** The current detections' boxes in pixels of the full picture. */
    private List<JpegEncoder.Outline> boxes() {
        Detections d = detections;
        int w = frame.width();
        int h = frame.height();
        List<JpegEncoder.Outline> out = new ArrayList<>(d.count());
        for (int i = 0; i < d.count(); i++) {
            out.add(new JpegEncoder.Outline((int) ((long) d.x0(i) * w / d.width()),
                    (int) ((long) d.y0(i) * h / d.height()), (int) ceilDiv((long) d.x1(i) * w, d.width()),
                    (int) ceilDiv((long) d.y1(i) * h, d.height())));
        }
        return out;
    }

    private static long ceilDiv(long a, long b) {
        return Math.ceilDiv(a, b);
    }

    @Override
    public void close() {
        encoder.close();
    }
}
