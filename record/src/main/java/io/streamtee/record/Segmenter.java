package io.streamtee.record;

import io.streamtee.ts.Pmt;
import io.streamtee.ts.Timestamps;
import io.streamtee.ts.Tr101290;
import io.streamtee.ts.TsDemux;
import io.streamtee.ts.TsListener;
import io.streamtee.ts.TsPacket;
import java.time.Duration;
import java.util.Arrays;

/**
 * Cuts a live transport stream into segments, with no I/O of its own: each segment starts with the current PAT and
 * PMT ({@link TsDemux#psiPackets()}) and then the packets from a keyframe's PES start, and is cut at the first
 * keyframe whose PTS is at least the target duration after the segment's first. Packets are passed on unchanged
 * and in order; only the PSI at the head of a segment is added.
 *
 * <p>Whether a video PES starts a keyframe is known only once its first slice has been parsed, a few packets after
 * the PES start at most, so the packets since the video PID's last PES start are held until the demuxer says. Data
 * before the first keyframe is skipped (it could not be decoded). Not thread-safe: one thread feeds.
 */
final class Segmenter {

    /** Where segments go. Called on the feeding thread; must not keep the arrays it is given. */
    interface Output {
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
    private final long targetTicks;
    private final Output out;

    private int videoPid = -1;
    private Segment segment;
    private byte[] pending = new byte[64 * TsPacket.SIZE];
    private int pendingLen;
    private long pendingPosition = -1;
    private byte[] pendingPsi;
    private long wallMillis;
    private volatile long skippedBytes; // read by stats() on any thread
    private long segments;
    private boolean cutRequested;

    Segmenter(Duration target, Output out) {
        this.targetTicks = Math.max(1, target.toNanos() * Timestamps.PTS_HZ / 1_000_000_000L);
        this.out = out;
        this.demux = new TsDemux(new Listener());
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
        releasePending();
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

    private void hold(byte[] buf, int off) {
        if (pendingLen + TsPacket.SIZE > pending.length) {
            pending = Arrays.copyOf(pending, pending.length * 2);
        }
        System.arraycopy(buf, off, pending, pendingLen, TsPacket.SIZE);
        pendingLen += TsPacket.SIZE;
    }

    /** Passes the held packets on to the current segment (or skips them) without a keyframe decision. */
    private void releasePending() {
        if (pendingLen > 0) {
            write(pending, 0, pendingLen);
        }
        clearPending();
    }

    private void clearPending() {
        pendingLen = 0;
        pendingPosition = -1;
        pendingPsi = null;
        if (pending.length > 1024 * TsPacket.SIZE) {
            pending = new byte[64 * TsPacket.SIZE]; // do not keep a keyframe-sized buffer after an odd PES
        }
    }

    private void accessUnit(long position, long pts, long dts, boolean keyframe) {
        if (position != pendingPosition) {
            if (segment != null) {
                segment.frame(pts, dts); // its PES start was not held (stream joined mid-PES): already written
            }
            return;
        }
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
            byte[] psi = pendingPsi;
            write(psi, 0, psi.length);
        }
        if (segment != null) {
            if (keyframe) {
                segment.addKeyframe(segment.bytes, pts);
            }
            segment.frame(pts, dts);
        }
        releasePending();
    }

    /** True when a keyframe at {@code pts} should start a new segment: the target reached, or time went back. */
    private boolean due(long pts) {
        long d = Timestamps.ptsDiff(segment.startPts, pts);
        return cutRequested || d < 0 || d >= targetTicks;
    }

    private final class Listener implements TsListener {
        @Override
        public void onPacket(byte[] buf, int off, long position) {
            int pid = ((buf[off + 1] & 0x1F) << 8) | (buf[off + 2] & 0xFF);
            if (pid == videoPid && (buf[off + 1] & 0x40) != 0) {
                releasePending(); // the previous access unit was never decided (no slice found): keep it as is
                pendingPosition = position;
                pendingPsi = demux.psiPackets(); // as of before this packet: continuous with what follows
                hold(buf, off);
            } else if (pendingPosition >= 0) {
                hold(buf, off);
            } else {
                write(buf, off, TsPacket.SIZE);
            }
        }

        @Override
        public void onPmt(Pmt pmt) {
            int video = -1;
            for (Pmt.Stream s : pmt.streams()) {
                if (s.streamType() == Pmt.STREAM_TYPE_H264 || s.streamType() == Pmt.STREAM_TYPE_H265) {
                    video = s.pid();
                    break;
                }
            }
            if (video != videoPid && (video >= 0 || videoPid < 0)) {
                releasePending();
                videoPid = video;
            }
        }

        @Override
        public void onAccessUnit(int pid, long position, long pts, long dts, boolean keyframe) {
            if (pid == videoPid) {
                accessUnit(position, pts, dts, keyframe);
            }
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
