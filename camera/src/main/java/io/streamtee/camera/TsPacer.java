package io.streamtee.camera;

import io.streamtee.ts.Timestamps;
import io.streamtee.ts.TsPacket;
import java.io.IOException;
import java.util.Arrays;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends a TS stream in 7-packet datagrams, each at the moment its PCR implies.
 *
 * <p>The PCR says when the byte carrying it should arrive. Between two PCRs of the PCR PID, a packet's time is
 * interpolated by its byte position, so the stream leaves at its own rate, segment by segment: the data of one
 * frame is spread over that frame's interval instead of leaving in a burst. A datagram leaves at the time of its
 * first packet. Packets before the first PCR leave with it; packets after the last one are timed at the last
 * segment's rate. A PCR jump backwards or of more than a second, or one flagged with discontinuity_indicator, is a
 * new time base: the stream time keeps going at the previous rate.
 *
 * <p>Stream time (27 MHz ticks, unwrapped, 0 at the first PCR) maps to the monotonic clock at a fixed offset set at
 * the first PCR plus {@code latency}, the head start a live source needs to deliver the next PCR before the
 * current segment is due. When the sender falls more than a second behind (a stalled machine), the offset is
 * moved forward rather than sending the backlog in one burst.
 *
 * <p>The camera uses it for a clip: a recording replayed at its own rate. A live pattern goes through
 * {@link LivePacer}, which sends each frame as soon as it is encoded, as a live camera does.
 */
final class TsPacer {

    private static final Logger LOG = LoggerFactory.getLogger(TsPacer.class);
    static final int PACKETS_PER_DATAGRAM = 7;
    static final int DATAGRAM = PACKETS_PER_DATAGRAM * TsPacket.SIZE;
    private static final long MAX_PCR_STEP = Timestamps.PCR_HZ;
    private static final long REBASE_AFTER_NANOS = 1_000_000_000L;
    /** A stream with this many packets and no PCR is not something the pacer can time. */
    private static final int MAX_PACKETS_WITHOUT_PCR = 200_000;

    private final TsSource source;
    private final Emitter emitter;
    private final Clock clock;
    private final long latencyNanos;

    private byte[] pending = new byte[TsPacket.SIZE * 256];
    private int pendingCount;
    private final byte[] datagram = new byte[DATAGRAM];
    private int datagramPackets;
    private long datagramTime;

    private int pcrPid = -1;
    private long lastPcr = -1;
    private long streamTime;
    private double ticksPerPacket;
    private long wallBase;
    private long rebases;

    TsPacer(TsSource source, Emitter emitter, Clock clock, long latencyNanos) {
        this.source = source;
        this.emitter = emitter;
        this.clock = clock;
        this.latencyNanos = latencyNanos;
    }

    /** Times the base of the clock mapping was moved because the sender fell behind. */
    long rebases() {
        return rebases;
    }

    /** Stream time in 27 MHz ticks of the last PCR seen, 0 at the first. */
    long streamTime() {
        return streamTime;
    }

    /** Sends the whole source, returning at its end or when the emitter is stopped. */
    void run() throws IOException {
        while (!emitter.stopped()) {
            if (pendingCount * TsPacket.SIZE == pending.length) {
                if (pendingCount >= MAX_PACKETS_WITHOUT_PCR) {
                    throw new IOException("no PCR in " + pendingCount + " packets: cannot pace this stream");
                }
                pending = Arrays.copyOf(pending, pending.length * 2);
            }
            int off = pendingCount * TsPacket.SIZE;
            if (!source.next(pending, off)) {
                break;
            }
            pendingCount++;
            if (!TsPacket.hasPcr(pending, off)) {
                continue;
            }
            int pid = TsPacket.pid(pending, off);
            if (pcrPid < 0) {
                pcrPid = pid;
            } else if (pid != pcrPid) {
                continue;
            }
            onPcr(TsPacket.pcr(pending, off), TsPacket.discontinuity(pending, off));
        }
        flushTail();
        emitter.flush();
    }

    private void onPcr(long pcr, boolean discontinuity) {
        int n = pendingCount;
        if (lastPcr < 0) {
            wallBase = clock.nanoTime() + latencyNanos;
            for (int i = 0; i < n; i++) {
                queue(i, 0);
            }
        } else {
            long step = Timestamps.pcrDiff(lastPcr, pcr);
            if (discontinuity || step < 0 || step > MAX_PCR_STEP) {
                step = Math.round(ticksPerPacket * n);
            } else {
                ticksPerPacket = (double) step / n;
            }
            for (int i = 0; i < n; i++) {
                queue(i, streamTime + step * (i + 1) / n);
            }
            streamTime += step;
        }
        lastPcr = pcr;
        pendingCount = 0;
    }

    /** Times the packets after the last PCR at the last known rate and sends them, padding the last datagram. */
    private void flushTail() {
        for (int i = 0; i < pendingCount; i++) {
            queue(i, streamTime + Math.round(ticksPerPacket * (i + 1)));
        }
        pendingCount = 0;
        if (datagramPackets > 0) {
            while (datagramPackets < PACKETS_PER_DATAGRAM) {
                writeNullPacket(datagram, datagramPackets * TsPacket.SIZE);
                datagramPackets++;
            }
            send();
        }
    }

    private void queue(int index, long time) {
        if (datagramPackets == 0) {
            datagramTime = time;
        }
        System.arraycopy(pending, index * TsPacket.SIZE, datagram, datagramPackets * TsPacket.SIZE, TsPacket.SIZE);
        if (++datagramPackets == PACKETS_PER_DATAGRAM) {
            send();
        }
    }

    private void send() {
        long due = wallBase + Timestamps.pcrToNanos(datagramTime);
        long late = clock.nanoTime() - due;
        if (late > REBASE_AFTER_NANOS) {
            wallBase += late;
            due += late;
            if (rebases++ == 0) {
                LOG.warn("sender fell {} ms behind the stream; skipping ahead instead of bursting", late / 1_000_000);
            }
        }
        emitter.emit(due, datagram, DATAGRAM, datagramTime);
        datagramPackets = 0;
    }

    static void writeNullPacket(byte[] buf, int off) {
        Arrays.fill(buf, off, off + TsPacket.SIZE, (byte) 0xFF);
        buf[off] = TsPacket.SYNC_BYTE;
        buf[off + 1] = 0x1F;
        buf[off + 2] = (byte) 0xFF;
        buf[off + 3] = 0x10;
    }
}
