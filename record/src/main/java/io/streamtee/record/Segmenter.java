package io.streamtee.record;

import io.streamtee.ts.KeyframeGate;
import io.streamtee.ts.Pmt;
import io.streamtee.ts.Timestamps;
import io.streamtee.ts.Tr101290;
import io.streamtee.ts.TsDemux;
import io.streamtee.ts.TsListener;
import java.time.Duration;

/**
 * Cuts a live transport stream into segments, with no I/O of its own: each segment starts with the current PAT and
 * PMT ({@link TsDemux#psiPackets()}) and then the packets from a keyframe's PES start, and is cut at the first
 * keyframe whose PTS is at least the target duration after the segment's first. Packets are passed on unchanged
 * and in order; only the PSI at the head of a segment is added.
 *
 * <p>Whether a video PES starts a keyframe is known only once its first slice has been parsed, a few packets after
 * the PES start at most, so the packets since the video PID's last PES start are held until the demuxer says
 * ({@link KeyframeGate}). Data before the first keyframe is skipped (it could not be decoded). Not thread-safe: one
 * thread feeds.
 */
final class Segmenter {

    /** Where segments go. Called on the feeding thread; must not keep the arrays it is given. */
    interface SegmentSink {
        /** A segment begins: the bytes written until {@link #close} belong to it. */
        void open(Segment segment);

        void write(byte[] buf, int off, int len);

        /** The segment is complete: PTS and wall-clock range, bytes, frames and keyframe offsets are final. */
        void close(Segment segment);

        /** A continuity counter error: packets were lost (or duplicated) on {@code pid}. */
        default void continuityError(int pid, long wallMillis) {
        }
    }

    private final TsDemux demux;
    private final KeyframeGate gate;
    private final long targetTicks;
    private final SegmentSink out;

    private Segment segment;
    private long wallMillis;
    private volatile long skippedBytes; // read by stats() on any thread
    private long segments;
    private boolean cutRequested;

    Segmenter(Duration target, SegmentSink out) {
        this.targetTicks = Math.max(1, target.toNanos() * Timestamps.PTS_HZ / 1_000_000_000L);
        this.out = out;
        this.demux = new TsDemux(new Listener());
        this.gate = new KeyframeGate(demux::psiPackets, new Gated());
    }

    /** Feeds bytes that arrived at {@code nanos} (monotonic) and {@code wallMillis} (UTC, for the index). */
    void feed(byte[] buf, int off, int len, long nanos, long wallMillis) {
        this.wallMillis = wallMillis;
        demux.feed(buf, off, len, nanos);
    }

    /** Feeds bytes timed by the stream's own clock (tests, files). */
    void feed(byte[] buf, int off, int len, long wallMillis) {
        this.wallMillis = wallMillis;
        demux.feed(buf, off, len);
    }

    /**
     * Ends the current segment where its data ends (the recorder stops, or the stream stopped); the next segment
     * starts at the next keyframe. Packets held for an undecided access unit go into the ending segment.
     */
    void finish(long wallMillis) {
        gate.release();
        if (segment != null) {
            Segment s = segment;
            segment = null;
            s.endWallMillis = wallMillis;
            s.endAtLastFrame();
            out.close(s);
        }
    }

    /** Starts a new segment at the next keyframe whatever the current one's length (after a write failure). */
    void cutAtNextKeyframe() {
        cutRequested = true;
    }

    TsDemux demux() {
        return demux;
    }

    /** The segment being written, or null between segments. */
    Segment current() {
        return segment;
    }

    /** Bytes received but not recorded because no keyframe had started a segment yet. */
    long skippedBytes() {
        return skippedBytes;
    }

    /** Segments opened so far. */
    long segments() {
        return segments;
    }

    private void write(byte[] buf, int off, int len) {
        if (segment == null) {
            skippedBytes += len;
            return;
        }
        segment.bytes += len;
        out.write(buf, off, len);
    }

    private void accessUnit(long pts, long dts, boolean keyframe, byte[] psi) {
        if (keyframe && pts != Timestamps.NONE && (segment == null || due(pts))) {
            if (segment != null) {
                Segment s = segment;
                segment = null;
                if (s.continuesAt(pts)) {
                    s.endPts = pts;
                } else {
                    s.endAtLastFrame(); // the clock jumped: the new PTS says nothing about where this one ends
                }
                s.endWallMillis = wallMillis;
                out.close(s);
            }
            segment = new Segment(wallMillis, pts);
            segments++;
            cutRequested = false;
            out.open(segment);
            write(psi, 0, psi.length);
        }
        if (segment != null) {
            if (keyframe) {
                segment.addKeyframe(segment.bytes, pts);
            }
            segment.frame(pts, dts);
        }
    }

    /** True when a keyframe at {@code pts} should start a new segment: the target reached, or time went back. */
    private boolean due(long pts) {
        long d = Timestamps.ptsDiff(segment.startPts, pts);
        return cutRequested || d < 0 || d >= targetTicks;
    }

    /** The gate's decisions: a held access unit may start a segment; one joined mid-PES only counts. */
    private final class Gated implements KeyframeGate.Sink {
        @Override
        public void write(byte[] buf, int off, int len) {
            Segmenter.this.write(buf, off, len);
        }

        @Override
        public void accessUnit(long pts, long dts, boolean keyframe, byte[] psi) {
            Segmenter.this.accessUnit(pts, dts, keyframe, psi);
        }

        @Override
        public void lateAccessUnit(long pts, long dts, boolean keyframe) {
            if (segment != null) {
                segment.frame(pts, dts); // its PES start was not held (stream joined mid-PES): already written
            }
        }
    }

    private final class Listener implements TsListener {
        @Override
        public void onPacket(byte[] buf, int off, long position) {
            gate.onPacket(buf, off, position);
        }

        @Override
        public void onPmt(Pmt pmt) {
            gate.onPmt(pmt);
        }

        @Override
        public void onAccessUnit(int pid, long position, long pts, long dts, boolean keyframe) {
            gate.onAccessUnit(pid, position, pts, dts, keyframe);
        }

        @Override
        public void onError(Tr101290.Kind kind, int pid, long position) {
            if (kind == Tr101290.Kind.CONTINUITY_COUNT_ERROR) {
                if (segment != null) {
                    segment.continuityErrors++;
                }
                out.continuityError(pid, wallMillis);
            }
        }
    }
}
