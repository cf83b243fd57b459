package io.streamtee.camera;

import io.streamtee.ts.Pes;
import io.streamtee.ts.Timestamps;
import io.streamtee.ts.TsPacket;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;

/**
 * Reads a TS file in a loop, rewriting each pass so the output is one continuous stream.
 *
 * <p>Opening the file scans it once: it must be TS (a 0x47 sync byte every 188 bytes, from the start or from
 * within the first packet, for a file cut from a capture) and carry a PCR. The scan
 * measures the clip's duration from the decode timestamps of its main PES stream (the PCR PID's, else the first
 * with timestamps): the span from the first to the last, plus one average interval.
 *
 * <p>Pass {@code k} then adds {@code k} durations to every PCR, PTS and DTS, shifts each PID's continuity counter
 * so it continues from the previous pass, and sets discontinuity_indicator on the first packet of each PID that has
 * an adaptation field to set it in, so an analyzer can see the splice even though the timestamps run on.
 *
 * <p>With a stop time, the stream ends just before the first main-stream PES whose decode time is at or beyond
 * it, so a run of {@code s} seconds holds the frames of {@code s} seconds.
 */
final class ClipSource implements TsSource {

    private static final int BUFFER = TsPacket.SIZE * 512;

    private final Path file;
    private final FileChannel channel;
    private final ByteBuffer buffer = ByteBuffer.allocate(BUFFER);
    /** Offset of the first whole packet: a file cut from a capture may start inside one. */
    private final int start;
    private final long packetsPerPass;
    /** Clip duration in 90 kHz ticks: the offset added per pass. */
    private final long duration90k;
    private final int mainPid;
    private final long firstDecodeTime;
    private final long stopAfter90k;

    private long pass;
    private long packetInPass;
    private final int[] lastCc = new int[TsPacket.PID_COUNT];
    private final int[] ccShift = new int[TsPacket.PID_COUNT];
    private final long[] ccShiftPass = new long[TsPacket.PID_COUNT];
    private final long[] discontinuityPass = new long[TsPacket.PID_COUNT];
    private boolean ended;

    /**
     * @param stopAfter90k end the stream at this decode time from the start, in 90 kHz ticks; 0 for never
     * @throws IOException with a one-line message when the file is missing, unreadable, not TS, or has no PCR
     */
    ClipSource(Path file, long stopAfter90k) throws IOException {
        this.file = file;
        this.stopAfter90k = stopAfter90k;
        if (!Files.exists(file)) {
            throw new NoSuchFileException(file + ": no such file");
        }
        if (!Files.isRegularFile(file) || !Files.isReadable(file)) {
            throw new IOException(file + ": not a readable file");
        }
        Scan scan = Scan.of(file);
        this.start = scan.start;
        this.packetsPerPass = scan.packets;
        this.duration90k = scan.duration90k;
        this.mainPid = scan.mainPid;
        this.firstDecodeTime = scan.firstDecodeTime;
        this.channel = FileChannel.open(file, StandardOpenOption.READ);
        channel.position(start);
        buffer.limit(0);
        Arrays.fill(lastCc, -1);
    }

    /** The clip's duration (one pass) in 90 kHz ticks. */
    long duration90k() {
        return duration90k;
    }

    /** Completed passes: 0 during the first. */
    long loops() {
        return pass;
    }

    @Override
    public boolean next(byte[] buf, int off) throws IOException {
        if (ended) {
            return false;
        }
        if (packetInPass == packetsPerPass) {
            pass++;
            packetInPass = 0;
            channel.position(start);
            buffer.limit(0);
        }
        if (buffer.remaining() < TsPacket.SIZE) {
            buffer.compact();
            while (buffer.position() < TsPacket.SIZE) {
                if (channel.read(buffer) < 0) {
                    throw new IOException(file + ": file shrank while playing");
                }
            }
            buffer.flip();
        }
        buffer.get(buf, off, TsPacket.SIZE);
        packetInPass++;
        if (!TsPacket.hasSync(buf, off)) {
            throw new IOException(file + ": lost TS sync at packet " + (packetInPass - 1) + " (file changed?)");
        }
        rewrite(buf, off);
        if (stopAfter90k > 0 && reachedStop(buf, off)) {
            ended = true;
            return false;
        }
        return true;
    }

    private void rewrite(byte[] buf, int off) {
        int pid = TsPacket.pid(buf, off);
        if (pid == TsPacket.NULL_PID) {
            return;
        }
        int cc = TsPacket.continuityCounter(buf, off);
        if (pass > 0) {
            if (ccShiftPass[pid] != pass) {
                ccShiftPass[pid] = pass;
                int expected = lastCc[pid] < 0 ? cc
                        : (lastCc[pid] + (TsPacket.hasPayload(buf, off) ? 1 : 0)) & 0x0F;
                ccShift[pid] = (expected - cc) & 0x0F;
            }
            cc = (cc + ccShift[pid]) & 0x0F;
            TsPacket.setContinuityCounter(buf, off, cc);
            if (discontinuityPass[pid] != pass && TsPacket.setDiscontinuity(buf, off)) {
                discontinuityPass[pid] = pass;
            }
            long shift = pass * duration90k;
            if (TsPacket.hasPcr(buf, off)) {
                TsPacket.setPcr(buf, off, TsPacket.pcr(buf, off) + shift * 300);
            }
            Pes.shiftTimestamps(buf, off, shift);
        }
        lastCc[pid] = cc;
    }

    private boolean reachedStop(byte[] buf, int off) {
        if (TsPacket.pid(buf, off) != mainPid) {
            return false;
        }
        long dts = Pes.decodeTime(buf, off);
        if (dts < 0) {
            return false;
        }
        long elapsed = Math.floorMod(dts - firstDecodeTime - pass * duration90k, Timestamps.PTS_WRAP)
                + pass * duration90k;
        return elapsed >= stopAfter90k;
    }

    @Override
    public void close() throws IOException {
        ended = true;
        channel.close();
    }

    /** What one read of the file learns. */
    private record Scan(int start, long packets, long duration90k, int mainPid, long firstDecodeTime) {

        /**
         * The first offset where a 0x47 sync byte repeats every 188 bytes for as many packets as {@code head}
         * holds (at most four), or -1. A file cut from a live capture may start inside a packet.
         */
        static int syncOffset(byte[] head, int length) {
            for (int start = 0; start < TsPacket.SIZE && start < length; start++) {
                int found = 0;
                int at = start;
                while (at < length && head[at] == TsPacket.SYNC_BYTE) {
                    found++;
                    at += TsPacket.SIZE;
                }
                boolean wholeHead = start == 0 && found == (length + TsPacket.SIZE - 1) / TsPacket.SIZE;
                if (at >= length && (found >= 3 || wholeHead)) {
                    return start;
                }
            }
            return -1;
        }

        static boolean syncOffset192(byte[] head, int length) {
            return length >= 3 * 192 && head[4] == TsPacket.SYNC_BYTE && head[196] == TsPacket.SYNC_BYTE
                    && head[388] == TsPacket.SYNC_BYTE;
        }

        static Scan of(Path file) throws IOException {
            long size = Files.size(file);
            try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
                ByteBuffer head = ByteBuffer.allocate(TsPacket.SIZE * 4);
                while (head.hasRemaining() && ch.read(head) >= 0) {
                    // fill
                }
                byte[] h = head.array();
                int got = head.position();
                if (got < TsPacket.SIZE) {
                    throw new IOException(file + ": not an MPEG-TS file (" + size + " bytes, less than one packet)");
                }
                int start = syncOffset(h, got);
                if (start < 0) {
                    throw new IOException(file + ": not an MPEG-TS file (no 0x47 sync byte every 188 bytes"
                            + (syncOffset192(h, got) ? "; 192-byte M2TS packets? remux it to .ts" : "") + ")");
                }
                long packets = (size - start) / TsPacket.SIZE;
                ch.position(start);
                ByteBuffer buf = ByteBuffer.allocate(BUFFER);
                byte[] b = buf.array();
                int pcrPid = -1;
                long firstPcr = -1;
                long lastPcr = -1;
                long firstPcrIndex = -1;
                long lastPcrIndex = -1;
                long[] first = new long[TsPacket.PID_COUNT];
                long[] last = new long[TsPacket.PID_COUNT];
                long[] span = new long[TsPacket.PID_COUNT];
                int[] count = new int[TsPacket.PID_COUNT];
                int firstPesPid = -1;
                long index = 0;
                while (index < packets) {
                    buf.clear();
                    int n = 0;
                    while (n < BUFFER && ch.read(buf) > 0) {
                        n = buf.position();
                    }
                    n = buf.position();
                    for (int off = 0; off + TsPacket.SIZE <= n && index < packets; off += TsPacket.SIZE, index++) {
                        if (b[off] != TsPacket.SYNC_BYTE) {
                            throw new IOException(file + ": not an MPEG-TS file (lost sync at packet " + index + ")");
                        }
                        int pid = TsPacket.pid(b, off);
                        if (TsPacket.hasPcr(b, off) && (pcrPid < 0 || pid == pcrPid)) {
                            pcrPid = pid;
                            long pcr = TsPacket.pcr(b, off);
                            if (firstPcr < 0) {
                                firstPcr = pcr;
                                firstPcrIndex = index;
                            }
                            lastPcr = pcr;
                            lastPcrIndex = index;
                        }
                        long dts = Pes.decodeTime(b, off);
                        if (dts >= 0) {
                            if (count[pid] == 0) {
                                first[pid] = dts;
                                if (firstPesPid < 0) {
                                    firstPesPid = pid;
                                }
                            } else {
                                span[pid] += Math.max(0, Timestamps.ptsDiff(last[pid], dts));
                            }
                            last[pid] = dts;
                            count[pid]++;
                        }
                    }
                    if (n < TsPacket.SIZE) {
                        break;
                    }
                    // carry a partial packet over by re-reading it
                    ch.position(start + index * TsPacket.SIZE);
                }
                if (pcrPid < 0) {
                    throw new IOException(file + ": no PCR in the file, so it cannot be played at its own rate");
                }
                int mainPid = count[pcrPid] > 1 ? pcrPid : firstPesPid;
                long duration;
                if (mainPid >= 0 && count[mainPid] > 1) {
                    duration = Math.round(span[mainPid] * (double) count[mainPid] / (count[mainPid] - 1));
                } else if (lastPcrIndex > firstPcrIndex) {
                    duration = Math.round(Timestamps.pcrDiff(firstPcr, lastPcr) / 300.0 * packets
                            / (lastPcrIndex - firstPcrIndex));
                } else {
                    throw new IOException(file + ": only one PCR in the file, too short to play");
                }
                if (duration <= 0) {
                    throw new IOException(file + ": timestamps do not advance, cannot play it");
                }
                return new Scan(start, packets, duration, mainPid < 0 ? pcrPid : mainPid,
                        mainPid < 0 ? 0 : first[mainPid]);
            }
        }
    }
}
