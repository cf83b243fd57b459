package io.streamtee.playback;

import io.streamtee.ts.Timestamps;
import io.streamtee.ts.TsPacket;
import java.util.Arrays;

/**
 * Makes the pieces of a clip, copied one after the other, one MPEG-TS stream, rewriting each packet in place as it
 * is copied:
 *
 * <ul>
 *   <li>continuity counters run on across the cuts;</li>
 *   <li>every timestamp (PCR, PTS, DTS) is moved by the current piece's offset ({@link #startPiece}), so that a
 *       camera's clock that restarted between two pieces runs on, and a gap keeps its wall-clock length;</li>
 *   <li>after a piece that does not continue the one before, {@code discontinuity_indicator} is set on the first
 *       packet of each PID when it has an adaptation field to carry it, and always with the first PCR of each PID,
 *       where ISO/IEC 13818-1 says a new time base starts.</li>
 * </ul>
 *
 * With an offset of 0 and no discontinuity only the continuity counters change. A PES header split across two
 * packets (which cameras do not write) keeps its timestamps. Not thread-safe; no allocation per packet.
 */
final class ClipRewriter {
    private final byte[] lastCc = new byte[TsPacket.PID_COUNT];
    private final boolean[] flagFirst = new boolean[TsPacket.PID_COUNT];
    private final boolean[] flagPcr = new boolean[TsPacket.PID_COUNT];
    private long offsetTicks;

    ClipRewriter() {
        Arrays.fill(lastCc, (byte) -1);
    }

    /**
     * The packets that follow belong to a new piece.
     *
     * @param offsetTicks   90 kHz ticks added to its timestamps (modulo 2^33)
     * @param discontinuity whether it does not continue the piece before it
     */
    void startPiece(long offsetTicks, boolean discontinuity) {
        this.offsetTicks = Math.floorMod(offsetTicks, Timestamps.PTS_WRAP);
        if (discontinuity) {
            Arrays.fill(flagFirst, true);
            Arrays.fill(flagPcr, true);
        }
    }

    /** Rewrites the packet at {@code buf[off]} in place. */
    void rewrite(byte[] buf, int off) {
        int pid = TsPacket.pid(buf, off);
        if (pid == TsPacket.NULL_PID) {
            return;
        }
        int last = lastCc[pid];
        int cc = TsPacket.continuityCounter(buf, off);
        if (last >= 0) {
            cc = TsPacket.hasPayload(buf, off) ? (last + 1) & 0x0F : last;
            TsPacket.setContinuityCounter(buf, off, cc);
        }
        lastCc[pid] = (byte) cc;
        boolean pcr = TsPacket.hasPcr(buf, off);
        if (flagFirst[pid]) {
            flagFirst[pid] = false;
            if (TsPacket.setDiscontinuity(buf, off) && pcr) {
                flagPcr[pid] = false;
            }
        }
        if (pcr && flagPcr[pid]) {
            TsPacket.setDiscontinuity(buf, off);
            flagPcr[pid] = false;
        }
        if (offsetTicks != 0) {
            if (pcr) {
                TsPacket.setPcr(buf, off, TsPacket.pcr(buf, off) + offsetTicks * 300);
            }
            if (TsPacket.payloadUnitStart(buf, off)) {
                movePesTimestamps(buf, off);
            }
        }
    }

    /** PTS and DTS of a PES header that starts in this packet. */
    private void movePesTimestamps(byte[] buf, int off) {
        int p = TsPacket.payloadOffset(buf, off);
        if (p < 0 || p + 9 > off + TsPacket.SIZE || buf[p] != 0 || buf[p + 1] != 0 || buf[p + 2] != 1
                || !hasOptionalHeader(buf[p + 3] & 0xFF)) {
            return;
        }
        int flags = (buf[p + 7] >> 6) & 0x03;
        if (flags >= 2 && p + 14 <= off + TsPacket.SIZE) {
            movePts(buf, p + 9);
        }
        if (flags == 3 && p + 19 <= off + TsPacket.SIZE) {
            movePts(buf, p + 14);
        }
    }

    /** Stream ids whose PES packets have the header with PTS and DTS (ISO/IEC 13818-1, table 2-21). */
    private static boolean hasOptionalHeader(int streamId) {
        return switch (streamId) {
            case 0xBC, 0xBE, 0xBF, 0xF0, 0xF1, 0xF2, 0xF8, 0xFF -> false;
            default -> streamId >= 0xBC;
        };
    }

    /** The 33-bit timestamp at {@code buf[at]} (5 bytes with marker bits), plus the offset; prefix and markers kept. */
    private void movePts(byte[] buf, int at) {
        long pts = ((buf[at] & 0x0EL) << 29) | ((buf[at + 1] & 0xFFL) << 22) | ((buf[at + 2] & 0xFEL) << 14)
                | ((buf[at + 3] & 0xFFL) << 7) | ((buf[at + 4] & 0xFEL) >> 1);
        long v = (pts + offsetTicks) & (Timestamps.PTS_WRAP - 1);
        buf[at] = (byte) ((buf[at] & 0xF1) | ((v >> 29) & 0x0E));
        buf[at + 1] = (byte) (v >> 22);
        buf[at + 2] = (byte) ((buf[at + 2] & 0x01) | ((v >> 14) & 0xFE));
        buf[at + 3] = (byte) (v >> 7);
        buf[at + 4] = (byte) ((buf[at + 4] & 0x01) | ((v << 1) & 0xFE));
    }
}
