package io.streamtee.camera;

import io.streamtee.ts.TsPacket;
import java.util.Arrays;

/**
 * Sends a live stream as a live camera does: each frame as soon as it is encoded, in 7-packet datagrams that leave
 * back to back, at most {@link #PEAK_GAP_NANOS} apart (about 100 Mbit/s, a Fast Ethernet camera), closer when that is
 * needed to send the frame within a quarter of its interval. The frame's last datagram is padded with null packets,
 * so a receiver has the whole frame at once instead of with the next frame's first datagram.
 *
 * <p>A frame that is ready while the one before is still leaving waits for it: order is kept and a backlog (a
 * stalled machine) leaves at the peak rate, not all at once. The PCR is not used to time anything: the encoder writes
 * each frame's PCR from its frame number, so the PCRs follow the capture clock, and the datagrams follow each capture
 * by the encoding time. Between two frames' PCRs the stream carries PCR values of instants still to come (the
 * {@link PcrFiller}'s, below 30 fps): a receiver that recovers a clock from PCR arrival times sees the burst as
 * jitter, as it does from a real camera. The RTP timestamp of a datagram ({@code streamTime}) is its sending time
 * since the first datagram, as RFC 2250 asks.
 */
final class LivePacer {

    /** The gap between two datagrams of a frame: 1316 bytes at about 105 Mbit/s. */
    static final long PEAK_GAP_NANOS = 100_000L;
    private static final int SIZE = TsPacket.SIZE;
    /** A frame larger than this (far above any picture) is sent in pieces of this size. */
    private static final int MAX_FRAME_PACKETS = (16 << 20) / SIZE;

    private final LiveSource source;
    private final Emitter emitter;
    private final Clock clock;
    private final long budgetNanos;
    private final byte[] datagram = new byte[TsPacer.DATAGRAM];
    private byte[] frame = new byte[TsPacer.DATAGRAM * 64];
    private long nextFree = Long.MIN_VALUE;
    private long firstDue = Long.MIN_VALUE;
    private long frames;

    /**
     * @param frameNanos the frame interval: each frame's datagrams leave within a quarter of it
     */
    LivePacer(LiveSource source, Emitter emitter, Clock clock, long frameNanos) {
        if (frameNanos <= 0) {
            throw new IllegalArgumentException("frameNanos must be positive");
        }
        this.source = source;
        this.emitter = emitter;
        this.clock = clock;
        this.budgetNanos = frameNanos / 4;
    }

    /** Frames sent so far (a frame end with no packet before it is not one). */
    long frames() {
        return frames;
    }

    /** Sends the whole source, frame by frame, returning at its end or when the emitter is stopped. */
    void run() {
        int packets = 0;
        while (!emitter.stopped()) {
            if ((packets + 1) * SIZE > frame.length) {
                frame = Arrays.copyOf(frame, frame.length * 2);
            }
            LiveSource.Read read = source.read(frame, packets * SIZE);
            if (read == LiveSource.Read.PACKET && ++packets < MAX_FRAME_PACKETS) {
                continue;
            }
            send(frame, packets);
            packets = 0;
            if (read == LiveSource.Read.END) {
                break;
            }
        }
        emitter.flush();
    }

    /**
     * Sends {@code packets} packets of {@code buf} as one frame, starting now (or when the frame before has left),
     * in whole datagrams, the last one padded with null packets.
     */
    void send(byte[] buf, int packets) {
        if (packets == 0) {
            return;
        }
        int datagrams = (packets + TsPacer.PACKETS_PER_DATAGRAM - 1) / TsPacer.PACKETS_PER_DATAGRAM;
        long gap = Math.min(PEAK_GAP_NANOS, budgetNanos / datagrams);
        long start = Math.max(clock.nanoTime(), nextFree);
        if (firstDue == Long.MIN_VALUE) {
            firstDue = start;
        }
        for (int d = 0; d < datagrams && !emitter.stopped(); d++) {
            int first = d * TsPacer.PACKETS_PER_DATAGRAM;
            int n = Math.min(TsPacer.PACKETS_PER_DATAGRAM, packets - first);
            System.arraycopy(buf, first * SIZE, datagram, 0, n * SIZE);
            for (int p = n; p < TsPacer.PACKETS_PER_DATAGRAM; p++) {
                TsPacer.writeNullPacket(datagram, p * SIZE);
            }
            long due = start + d * gap;
            emitter.emit(due, datagram, TsPacer.DATAGRAM, (due - firstDue) * 27 / 1000);
        }
        nextFree = start + datagrams * gap;
        frames++;
    }
}
