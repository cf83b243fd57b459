package io.streamtee.camera;

import io.streamtee.ts.Timestamps;
import io.streamtee.ts.TsPacket;
import java.util.Arrays;

/**
 * Keeps the PCRs of a transport stream at most {@code maxInterval} apart by inserting PCR-only packets (an adaptation
 * field with the PCR and no payload, so the continuity counter does not advance) on the PCR PID.
 *
 * <p>Why: FFmpeg's mpegts muxer, without a fixed mux rate, writes one PCR per frame, at the frame's first packet. At
 * 20 fps that is 50 ms apart, above the 40 ms of TR 101 290 2.3 (PCR_repetition_error), so an analyzer (ours too)
 * reported errors on our own camera.
 *
 * <p>How: the packets from one PCR to the next are held until the step to the next PCR is known, then written with
 * {@code k} PCR-only packets spread evenly among them, the {@code i}-th carrying {@code last + step * i / (k + 1)};
 * the byte rate between PCRs stays as the muxer made it. A step backwards, of more than a second, or flagged with
 * discontinuity_indicator is left alone. The step is known when the next PCR arrives, or, for a live source of
 * constant frame rate (one PCR per frame, {@code frameStep} apart), at {@link #frameEnd()}: the run is then written
 * at once with the fill {@code frameStep} needs, so a frame is not held until the next one is encoded, and the
 * packets between the frame's end and the next PCR (PAT, PMT) pass with no fill. Bytes may come in any chunking;
 * whole packets go out, one {@link PatternEncoder.TsOutput#write} per call that completes some. {@link #flush()}
 * writes what is held (end of stream). Not thread-safe.
 */
final class PcrFiller implements PatternEncoder.TsOutput {
    private static final int SIZE = TsPacket.SIZE;

    private final PatternEncoder.TsOutput out;
    private final long maxTicks;
    private final long frameStep;
    /** The run of the last PCR was written at {@link #frameEnd()} with its fill: the next PCR adds none. */
    private boolean filledEarly;
    private final byte[] partial = new byte[SIZE];
    private int partialLength;
    /** Packets since the last PCR of the PCR PID (that packet first), not yet written. */
    private byte[] held = new byte[SIZE * 64];
    private int heldPackets;
    private byte[] ready = new byte[SIZE * 64];
    private int readyLength;
    private int pcrPid = -1;
    private long lastPcr = -1;
    private int lastCc = -1;
    private long inserted;

    /**
     * @param out         gets the packets
     * @param maxInterval the longest PCR interval to let through, in 27 MHz ticks
     */
    PcrFiller(PatternEncoder.TsOutput out, long maxInterval) {
        this(out, maxInterval, 0);
    }

    /**
     * @param out         gets the packets
     * @param maxInterval the longest PCR interval to let through, in 27 MHz ticks
     * @param frameStep   the PCR step from one frame to the next, in 27 MHz ticks, of a constant-rate live source
     *                    that calls {@link #frameEnd()}; 0 holds each run until the next PCR
     */
    PcrFiller(PatternEncoder.TsOutput out, long maxInterval, long frameStep) {
        if (maxInterval <= 0) {
            throw new IllegalArgumentException("maxInterval must be positive");
        }
        if (frameStep < 0) {
            throw new IllegalArgumentException("frameStep must not be negative");
        }
        this.out = out;
        this.maxTicks = maxInterval;
        this.frameStep = frameStep;
    }

    /** PCR-only packets inserted so far. */
    long inserted() {
        return inserted;
    }

    @Override
    public void write(byte[] bytes, int offset, int length) {
        int i = offset;
        int end = offset + length;
        if (partialLength > 0) {
            int n = Math.min(SIZE - partialLength, end - i);
            System.arraycopy(bytes, i, partial, partialLength, n);
            partialLength += n;
            i += n;
            if (partialLength == SIZE) {
                packet(partial, 0);
                partialLength = 0;
            }
        }
        for (; i + SIZE <= end; i += SIZE) {
            packet(bytes, i);
        }
        if (i < end) {
            System.arraycopy(bytes, i, partial, 0, end - i);
            partialLength = end - i;
        }
        drain();
    }

    /**
     * The packets written so far complete a frame: with a {@code frameStep}, the run since the last PCR is written
     * now, with the fill a step of {@code frameStep} needs; then {@code out} is told. Without one, the run stays held
     * until the next PCR, and {@code out} is still told.
     */
    @Override
    public void frameEnd() {
        if (frameStep > 0 && lastPcr >= 0 && heldPackets > 0) {
            // a frame without a PCR of its own (above 50 fps the muxer skips some) leaves too, with no more fill
            release(filledEarly ? 0 : fillFor(frameStep), frameStep);
            filledEarly = true;
        }
        drain();
        out.frameEnd();
    }

    /** Writes every packet held (the end of the stream: no later PCR will come); a partial packet is dropped. */
    void flush() {
        release(0, 0);
        partialLength = 0;
        drain();
    }

    private void packet(byte[] buf, int off) {
        int pid = TsPacket.pid(buf, off);
        if (TsPacket.hasPcr(buf, off) && (pcrPid < 0 || pid == pcrPid)) {
            pcrPid = pid;
            long pcr = TsPacket.pcr(buf, off);
            long step = lastPcr < 0 ? -1 : Timestamps.pcrDiff(lastPcr, pcr);
            int fill = filledEarly || TsPacket.discontinuity(buf, off) ? 0 : fillFor(step);
            release(fill, step);
            filledEarly = false;
            lastPcr = pcr;
        }
        if (lastPcr < 0) {
            emit(buf, off); // before the first PCR there is nothing to time against
            return;
        }
        if ((heldPackets + 1) * SIZE > held.length) {
            held = Arrays.copyOf(held, held.length * 2);
        }
        System.arraycopy(buf, off, held, heldPackets * SIZE, SIZE);
        heldPackets++;
    }

    /** How many PCR-only packets a step of {@code step} ticks needs: none for a step backwards or over a second. */
    private int fillFor(long step) {
        return step > maxTicks && step <= Timestamps.PCR_HZ ? (int) ((step + maxTicks - 1) / maxTicks) - 1 : 0;
    }

    /** Writes the held packets with {@code fill} PCR-only packets spread among them, {@code step} ticks in all. */
    private void release(int fill, long step) {
        int n = heldPackets;
        int next = 1;
        for (int i = 0; i < n; i++) {
            emit(held, i * SIZE);
            // filler j goes after packet round(j * n / (fill + 1)), never before the PCR packet the run starts with
            while (next <= fill && Math.max(1, Math.round((double) next * n / (fill + 1))) <= i + 1) {
                emitPcr(lastPcr + step * next / (fill + 1));
                next++;
            }
        }
        for (; next <= fill && n > 0; next++) {
            emitPcr(lastPcr + step * next / (fill + 1));
        }
        heldPackets = 0;
    }

    private void emitPcr(long pcr) {
        byte[] p = new byte[SIZE];
        Arrays.fill(p, (byte) 0xFF);
        p[0] = TsPacket.SYNC_BYTE;
        p[1] = (byte) (pcrPid >> 8);
        p[2] = (byte) pcrPid;
        p[3] = (byte) (0x20 | (lastCc & 0x0F)); // adaptation field only: the counter stays
        p[4] = (byte) (SIZE - 5);
        p[5] = 0x10; // PCR_flag
        TsPacket.setPcr(p, 0, Math.floorMod(pcr, Timestamps.PCR_WRAP));
        emit(p, 0);
        inserted++;
    }

    private void emit(byte[] buf, int off) {
        if (TsPacket.pid(buf, off) == pcrPid) {
            lastCc = TsPacket.continuityCounter(buf, off);
        }
        if (readyLength + SIZE > ready.length) {
            ready = Arrays.copyOf(ready, ready.length * 2);
        }
        System.arraycopy(buf, off, ready, readyLength, SIZE);
        readyLength += SIZE;
    }

    private void drain() {
        if (readyLength > 0) {
            out.write(ready, 0, readyLength);
            readyLength = 0;
        }
    }
}
