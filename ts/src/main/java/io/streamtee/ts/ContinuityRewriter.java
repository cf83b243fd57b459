package io.streamtee.ts;

import java.util.Arrays;

/**
 * Makes a looped file play as one stream: rewrites continuity counters so they run on across the loop point, and
 * after {@link #markDiscontinuity()} sets discontinuity_indicator on the next PCR-carrying packet of each PID, so
 * the PCR jump back is announced (no PCR discontinuity error). PTS go back too, which is legal after the flag.
 * Works in place, one packet at a time, no allocation.
 */
public final class ContinuityRewriter {
    private final byte[] lastOut = new byte[TsPacket.PID_COUNT];
    private final boolean[] pending = new boolean[TsPacket.PID_COUNT];

    public ContinuityRewriter() {
        Arrays.fill(lastOut, (byte) -1);
    }

    /** Call when the source jumps (before the first packet of the next loop). */
    public void markDiscontinuity() {
        Arrays.fill(pending, true);
    }

    /** Rewrites the packet at {@code buf[off]} in place. */
    public void rewrite(byte[] buf, int off) {
        int pid = TsPacket.pid(buf, off);
        if (pid == TsPacket.NULL_PID) {
            return;
        }
        int last = lastOut[pid];
        int cc = TsPacket.continuityCounter(buf, off);
        if (last >= 0) {
            cc = TsPacket.hasPayload(buf, off) ? (last + 1) & 0x0F : last;
            TsPacket.setContinuityCounter(buf, off, cc);
        }
        lastOut[pid] = (byte) cc;
        if (pending[pid] && TsPacket.hasPcr(buf, off)) {
            TsPacket.setDiscontinuity(buf, off);
            pending[pid] = false;
        }
    }
}
