package io.streamtee.ts;

import java.util.Arrays;
import java.util.function.Supplier;

/**
 * Holds the packets of a video PES until the demuxer says whether it starts a keyframe, so that whatever begins at a
 * keyframe (a recorder's segment, a live viewer joining) begins at the PES start and not a few packets after it.
 *
 * <p>Whether a PES starts a keyframe is known only when its first slice NAL unit has been parsed, which for a
 * keyframe comes after the SPS, PPS and SEI, a few packets after the PES start. So from the packet that starts a PES
 * on the video PID (the first H.264 or H.265 stream of the PMT) every packet, of any PID, is held in arrival order,
 * until {@link TsListener#onAccessUnit} reports that PES. The gate then tells its {@link Sink} about the access unit,
 * with the PAT and PMT as they were when the PES began, and only then writes the held packets. Packets that arrive
 * while nothing is held are written at once. A PES that is never decided (no slice in it) is written as it is when
 * the next video PES starts, the video PID changes, or {@link #release()} is called.
 *
 * <p>It is a {@link TsListener}: give it to a {@link TsDemux}, or call its {@code onPacket}, {@code onPmt} and
 * {@code onAccessUnit} from your own listener. Packets are passed on unchanged and in order. Not thread-safe.
 */
public final class KeyframeGate implements TsListener {

    /** Where the packets go. Called on the feeding thread; must not keep the arrays it is given. */
    public interface Sink {
        /** Packets in stream order: at once when nothing is held, or held ones when they are released. */
        void write(byte[] buf, int off, int len);

        /**
         * The held PES starts this access unit. Called before its held packets are written, so the output can begin
         * something here at a keyframe by first writing {@code psi}: the PAT and PMT packets as they were when the
         * PES began, continuous with the packets that follow.
         */
        void accessUnit(long pts, long dts, boolean keyframe, byte[] psi);

        /**
         * An access unit whose PES start was not held (the stream was joined in the middle of it): its packets have
         * been written already.
         */
        default void lateAccessUnit(long pts, long dts, boolean keyframe) {
        }
    }

    private static final int INITIAL = 64 * TsPacket.SIZE;
    private static final int KEEP = 1024 * TsPacket.SIZE;

    private final Supplier<byte[]> psi;
    private final Sink out;
    private int videoPid = -1;
    private byte[] held = new byte[INITIAL];
    private int heldLen;
    private long heldPosition = -1;
    private byte[] heldPsi;

    /**
     * @param psi the current PAT and PMT as packets ({@link TsDemux#psiPackets()}), asked for at each video PES start
     * @param out where the packets and decisions go
     */
    public KeyframeGate(Supplier<byte[]> psi, Sink out) {
        this.psi = psi;
        this.out = out;
    }

    @Override
    public void onPacket(byte[] buf, int off, long position) {
        int pid = ((buf[off + 1] & 0x1F) << 8) | (buf[off + 2] & 0xFF);
        if (pid == videoPid && (buf[off + 1] & 0x40) != 0) {
            release(); // the previous access unit was never decided (no slice found): keep it as is
            heldPosition = position;
            heldPsi = psi.get(); // as of before this packet: continuous with what follows
            hold(buf, off);
        } else if (heldPosition >= 0) {
            hold(buf, off);
        } else {
            out.write(buf, off, TsPacket.SIZE);
        }
    }

    /** Follows the first H.264/H.265 stream of the PMT; a PMT without video keeps the PID followed so far. */
    @Override
    public void onPmt(Pmt pmt) {
        Pmt.Stream video = pmt.video();
        int pid = video == null ? -1 : video.pid();
        if (pid != videoPid && (pid >= 0 || videoPid < 0)) {
            release();
            videoPid = pid;
        }
    }

    @Override
    public void onAccessUnit(int pid, long position, long pts, long dts, boolean keyframe) {
        if (pid != videoPid) {
            return;
        }
        if (position != heldPosition) {
            out.lateAccessUnit(pts, dts, keyframe);
            return;
        }
        out.accessUnit(pts, dts, keyframe, heldPsi);
        release();
    }

    /** Writes the held packets, if any, without a decision (the stream ends, or the output stops). */
    public void release() {
        if (heldLen > 0) {
            out.write(held, 0, heldLen);
        }
        heldLen = 0;
        heldPosition = -1;
        heldPsi = null;
        if (held.length > KEEP) {
            held = new byte[INITIAL]; // do not keep a keyframe-sized buffer after an odd PES
        }
    }

    private void hold(byte[] buf, int off) {
        if (heldLen + TsPacket.SIZE > held.length) {
            held = Arrays.copyOf(held, held.length * 2);
        }
        System.arraycopy(buf, off, held, heldLen, TsPacket.SIZE);
        heldLen += TsPacket.SIZE;
    }

    /** The video PID followed, or -1 before a PMT named one. */
    public int videoPid() {
        return videoPid;
    }

    /** Bytes held now, waiting for a decision. */
    public int heldBytes() {
        return heldLen;
    }
}
