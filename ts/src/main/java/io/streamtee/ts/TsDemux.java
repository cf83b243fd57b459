package io.streamtee.ts;

import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Demultiplexes a transport stream fed in chunks of any size: framing and resync ({@link TsReader}), PAT/PMT with
 * CRC check, PCR, PES headers, H.264/H.265 access units with keyframe flag, SPS picture size and frame rate, and
 * the TR 101 290 priority 1 and 2 checks ({@link Tr101290}). Results arrive as {@link TsListener} callbacks and
 * can be read at any time with {@link #errors()} and {@link #streams()}.
 *
 * <p><b>Time.</b> The timeout checks (PAT/PMT every 0.5 s, PID present, PTS every 0.7 s) need a clock. Call
 * {@link #feed(byte[], int, int, long)} with the arrival time ({@code System.nanoTime()} of the datagram) for a live
 * stream, or {@link #feed(byte[], int, int)} to use the stream's own clock: the PCR of the PCR PID, which starts at 0
 * and advances by PCR steps of at most one second (larger jumps are discontinuities, not elapsed time). Use one
 * or the other for a whole stream. Either way nothing depends on the wall clock, so tests are deterministic.
 *
 * <p><b>Cost.</b> No allocation per packet: per-PID state lives in arrays; objects are made only when a PAT or PMT
 * changes, an SPS changes, or a PID's first error is counted. Not thread-safe.
 */
public final class TsDemux {
    private static final int PIDS = TsPacket.PID_COUNT;
    private static final byte KIND_NONE = 0;
    private static final byte KIND_PAT = 1;
    private static final byte KIND_PMT = 2;
    private static final byte KIND_ES = 3;
    private static final long MAX_CLOCK_STEP = Timestamps.PCR_HZ; // one second of PCR ticks

    private final TsListener listener;
    private final Tr101290 tr;
    private final TsReader reader;

    private final long[] packets = new long[PIDS];
    private final byte[] lastCc = new byte[PIDS];
    private final boolean[] duplicateSeen = new boolean[PIDS];
    private final byte[] kind = new byte[PIDS];
    private final SectionAssembler[] sections = new SectionAssembler[PIDS];
    private final EsParser[] es = new EsParser[PIDS];
    private final long[] tableCrc = new long[PIDS];

    private Pat pat;
    private byte[] patSection;
    private final Map<Integer, Pmt> pmts = new TreeMap<>();
    private final Map<Integer, byte[]> pmtSections = new TreeMap<>();
    private int[] esPids = new int[0];

    private boolean arrivalClock;
    private long now;
    private boolean started;
    private long firstNow;
    private int clockPid = -1;
    private long clockPcr = -1;
    private long clockTicks;
    private long malformed;

    public TsDemux(TsListener listener) {
        this(listener, Tr101290.Limits.DEFAULTS);
    }

    public TsDemux(TsListener listener, Tr101290.Limits limits) {
        this.listener = listener;
        this.tr = new Tr101290(limits, listener);
        this.reader = new TsReader(new Framing());
        Arrays.fill(lastCc, (byte) -1);
        Arrays.fill(tableCrc, -1);
        kind[TsPacket.PAT_PID] = KIND_PAT;
        sections[TsPacket.PAT_PID] = new SectionAssembler(TsPacket.PAT_PID, this::onSection);
    }

    /** Feeds bytes that arrived at {@code nowNanos} (any monotonic clock, e.g. {@code System.nanoTime()}). */
    public void feed(byte[] buf, int off, int len, long nowNanos) {
        arrivalClock = true;
        now = nowNanos;
        if (started) {
            tr.tick(now, reader.position()); // before the new bytes: a gap that ends now is still a gap
        }
        reader.feed(buf, off, len);
    }

    /** Feeds bytes timed by the stream's own PCR (files, tests). */
    public void feed(byte[] buf, int off, int len) {
        reader.feed(buf, off, len);
    }

    /** End of input (a file, a test): hands over the packets the framing still holds; see {@link TsReader#flush()}. */
    public void flush() {
        reader.flush();
    }

    /** Runs the timeout checks with no new data (a live stream that went quiet). */
    public void tick(long nowNanos) {
        arrivalClock = true;
        now = nowNanos;
        if (started) {
            tr.tick(now, reader.position());
        }
    }

    private final class Framing implements TsReader.Handler {
        @Override
        public void onPacket(byte[] buf, int off, long position) {
            packet(buf, off, position);
        }

        @Override
        public void onSyncByteError(long position) {
            tr.count(Tr101290.Kind.SYNC_BYTE_ERROR, Tr101290.NO_PID, position);
        }

        @Override
        public void onSyncLoss(long position) {
            tr.count(Tr101290.Kind.TS_SYNC_LOSS, Tr101290.NO_PID, position);
        }
    }

    private void packet(byte[] buf, int off, long position) {
        if (!started) {
            started = true;
            firstNow = now;
            tr.start(now);
        }
        int b1 = buf[off + 1];
        int b3 = buf[off + 3];
        int pid = ((b1 & 0x1F) << 8) | (buf[off + 2] & 0xFF);
        packets[pid]++;
        listener.onPacket(buf, off, position);
        tr.packet(pid, now);
        boolean tei = (b1 & 0x80) != 0;
        if (tei) {
            tr.count(Tr101290.Kind.TRANSPORT_ERROR, pid, position);
        }
        int afc = (b3 >> 4) & 3;
        boolean payload = (afc & 1) != 0;
        int payloadStart = off + 4;
        boolean discontinuity = false;
        if ((afc & 2) != 0) {
            int afLen = buf[off + 4] & 0xFF;
            payloadStart = off + 5 + afLen;
            if (afLen > (payload ? 182 : 183)) {
                malformed++;
                payload = false;
            } else if (afLen > 0) {
                int flags = buf[off + 5];
                discontinuity = (flags & 0x80) != 0;
                if ((flags & 0x10) != 0 && afLen >= 7 && !tei) {
                    pcr(pid, TsPacket.pcr(buf, off), discontinuity, position);
                } else if (discontinuity) {
                    tr.discontinuity(pid);
                }
            }
        }
        if (pid == TsPacket.NULL_PID) {
            return;
        }
        boolean duplicate = false;
        int cc = b3 & 0x0F;
        int last = lastCc[pid];
        lastCc[pid] = (byte) cc;
        if (last < 0 || discontinuity) {
            duplicateSeen[pid] = false;
        } else if ((afc & 1) != 0) {
            if (cc == last) {
                duplicate = !duplicateSeen[pid];
                if (duplicate) {
                    duplicateSeen[pid] = true;
                } else {
                    continuityError(pid, position);
                }
            } else if (cc != ((last + 1) & 0x0F)) {
                continuityError(pid, position);
            } else {
                duplicateSeen[pid] = false;
            }
        } else if (cc != last) {
            continuityError(pid, position);
        }
        if (tei || duplicate || !payload) {
            return;
        }
        boolean unitStart = (b1 & 0x40) != 0;
        boolean scrambled = (b3 & 0xC0) != 0;
        switch (kind[pid]) {
            case KIND_PAT, KIND_PMT -> {
                if (scrambled) {
                    tr.count(pid == TsPacket.PAT_PID ? Tr101290.Kind.PAT_ERROR : Tr101290.Kind.PMT_ERROR, pid,
                            position);
                } else {
                    sections[pid].payload(buf, payloadStart, off + TsPacket.SIZE, unitStart, position);
                }
            }
            case KIND_ES -> {
                if (!scrambled) {
                    es[pid].payload(buf, payloadStart, off + TsPacket.SIZE, unitStart, position, now);
                }
            }
            default -> {
            }
        }
    }

    private void continuityError(int pid, long position) {
        duplicateSeen[pid] = false;
        tr.count(Tr101290.Kind.CONTINUITY_COUNT_ERROR, pid, position);
        if (sections[pid] != null) {
            sections[pid].reset();
        }
        if (es[pid] != null) {
            es[pid].reset();
        }
    }

    private void pcr(int pid, long pcr, boolean discontinuity, long position) {
        tr.pcr(pid, pcr, discontinuity, position);
        if (arrivalClock) {
            return;
        }
        if (clockPid < 0) {
            clockPid = pid;
        }
        if (pid != clockPid) {
            return;
        }
        if (clockPcr >= 0) {
            long d = Timestamps.pcrDiff(clockPcr, pcr);
            if (d > 0 && d <= MAX_CLOCK_STEP) {
                clockTicks += d;
                now = firstNow + clockTicks * 1000 / 27;
            }
        }
        clockPcr = pcr;
        tr.tick(now, position);
    }

    private void onSection(int pid, byte[] buf, int len, long position) {
        int tableId = buf[0] & 0xFF;
        boolean longForm = (buf[1] & 0x80) != 0;
        if (longForm) {
            if (len < 12) {
                malformed++;
                return;
            }
            if (Crc32Mpeg2.compute(buf, 0, len) != 0) {
                tr.count(Tr101290.Kind.CRC_ERROR, pid, position);
                return;
            }
        }
        if (pid == TsPacket.PAT_PID) {
            if (tableId != 0x00) {
                tr.count(Tr101290.Kind.PAT_ERROR, pid, position);
                return;
            }
            if (!longForm) {
                malformed++;
                return;
            }
            tr.pat(now);
            if (changed(pid, buf, len)) {
                parsePat(buf, len);
            }
        } else if (tableId == 0x02 && longForm) {
            tr.pmt(pid, now);
            if (changed(pid, buf, len)) {
                parsePmt(pid, buf, len);
            }
        }
    }

    /** True when the section differs from the last one accepted on the PID and is current (not "next"). */
    private boolean changed(int pid, byte[] buf, int len) {
        if ((buf[5] & 0x01) == 0) {
            return false;
        }
        long crc = ((buf[len - 4] & 0xFFL) << 24) | ((buf[len - 3] & 0xFF) << 16) | ((buf[len - 2] & 0xFF) << 8)
                | (buf[len - 1] & 0xFF);
        if (crc == tableCrc[pid]) {
            return false;
        }
        tableCrc[pid] = crc;
        return true;
    }

    private static int u16(byte[] b, int i) {
        return ((b[i] & 0xFF) << 8) | (b[i + 1] & 0xFF);
    }

    private void parsePat(byte[] buf, int len) {
        List<Pat.Program> programs = new ArrayList<>();
        int[] pmtPids = new int[0];
        for (int i = 8; i + 4 <= len - 4; i += 4) {
            int number = u16(buf, i);
            int pid = u16(buf, i + 2) & 0x1FFF;
            programs.add(new Pat.Program(number, pid));
            if (number != 0 && pid != TsPacket.PAT_PID && pid != TsPacket.NULL_PID && indexOf(pmtPids, pid) < 0) {
                pmtPids = Arrays.copyOf(pmtPids, pmtPids.length + 1);
                pmtPids[pmtPids.length - 1] = pid;
            }
        }
        for (int pid : pmts.keySet().toArray(new Integer[0])) {
            if (indexOf(pmtPids, pid) < 0) {
                pmts.remove(pid);
                pmtSections.remove(pid);
                kind[pid] = KIND_NONE;
                sections[pid] = null;
                tableCrc[pid] = -1;
            }
        }
        for (int pid : pmtPids) {
            if (kind[pid] != KIND_PMT) {
                kind[pid] = KIND_PMT;
                es[pid] = null;
                sections[pid] = new SectionAssembler(pid, this::onSection);
            }
        }
        pat = new Pat(u16(buf, 3), (buf[5] >> 1) & 0x1F, programs);
        patSection = Arrays.copyOf(buf, len);
        tr.watchPmtPids(pmtPids, now);
        updateEs();
        listener.onPat(pat);
    }

    private void parsePmt(int pid, byte[] buf, int len) {
        int pcrPid = u16(buf, 8) & 0x1FFF;
        List<Pmt.Stream> streams = new ArrayList<>();
        int i = 12 + (u16(buf, 10) & 0x0FFF);
        while (i + 5 <= len - 4) {
            streams.add(new Pmt.Stream(u16(buf, i + 1) & 0x1FFF, buf[i] & 0xFF));
            i += 5 + (u16(buf, i + 3) & 0x0FFF);
        }
        Pmt pmt = new Pmt(pid, u16(buf, 3), (buf[5] >> 1) & 0x1F, pcrPid, streams);
        pmts.put(pid, pmt);
        pmtSections.put(pid, Arrays.copyOf(buf, len));
        if (pcrPid != TsPacket.NULL_PID && pcrPid != clockPid && !arrivalClock) {
            clockPid = pcrPid;
            clockPcr = -1;
        }
        updateEs();
        listener.onPmt(pmt);
    }

    /** Re-derives the elementary stream PIDs from all current PMTs. */
    private void updateEs() {
        int[] pids = new int[0];
        for (Pmt pmt : pmts.values()) {
            for (Pmt.Stream s : pmt.streams()) {
                int pid = s.pid();
                if (kind[pid] == KIND_PAT || kind[pid] == KIND_PMT || pid == TsPacket.NULL_PID
                        || indexOf(pids, pid) >= 0) {
                    continue;
                }
                pids = Arrays.copyOf(pids, pids.length + 1);
                pids[pids.length - 1] = pid;
                if (es[pid] == null || es[pid].streamType != s.streamType()) {
                    es[pid] = new EsParser(pid, s.streamType(), listener, tr);
                }
                kind[pid] = KIND_ES;
            }
        }
        for (int pid : esPids) {
            if (indexOf(pids, pid) < 0 && kind[pid] == KIND_ES) {
                kind[pid] = KIND_NONE;
                es[pid] = null;
            }
        }
        esPids = pids;
        tr.watchEsPids(pids, now);
    }

    private static int indexOf(int[] a, int v) {
        for (int i = 0; i < a.length; i++) {
            if (a[i] == v) {
                return i;
            }
        }
        return -1;
    }

    /** The TR 101 290 counters so far. */
    public Tr101290.Snapshot errors() {
        return tr.snapshot();
    }

    /** See {@link Tr101290#timedOut}: true while a PAT, PMT, PID or PTS timeout on {@code pid} lasts. */
    public boolean timedOut(Tr101290.Kind kind, int pid) {
        return tr.timedOut(kind, pid);
    }

    /** The current PAT, or null before the first valid one. */
    public Pat pat() {
        return pat;
    }

    /** The current PMTs by PID. */
    public Map<Integer, Pmt> pmts() {
        return Map.copyOf(pmts);
    }

    /**
     * The current PAT and PMTs as ready-to-write packets, for a recorder to put at the start of a segment. Each
     * PID's packets end with the continuity counter last seen on that PID, so the stream that follows stays
     * continuous. Empty before the first PAT.
     */
    public byte[] psiPackets() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        if (patSection != null) {
            out.writeBytes(TsWriter.packetizeSection(TsPacket.PAT_PID, patSection, lastCc[TsPacket.PAT_PID]));
            for (Map.Entry<Integer, byte[]> e : pmtSections.entrySet()) {
                out.writeBytes(TsWriter.packetizeSection(e.getKey(), e.getValue(), lastCc[e.getKey()]));
            }
        }
        return out.toByteArray();
    }

    /** What is known about every PID seen so far, in PID order. */
    public List<StreamInfo> streams() {
        List<StreamInfo> list = new ArrayList<>();
        for (int pid = 0; pid < PIDS; pid++) {
            if (packets[pid] > 0) {
                list.add(stream(pid));
            }
        }
        return list;
    }

    /** What is known about one PID. */
    public StreamInfo stream(int pid) {
        long elapsed = now - firstNow;
        long bitrate = elapsed > 0 ? (long) (packets[pid] * TsPacket.SIZE * 8 * 1e9 / elapsed) : 0;
        EsParser e = kind[pid] == KIND_ES ? es[pid] : null;
        if (e != null) {
            return new StreamInfo(pid, e.streamType, Pmt.codecName(e.streamType), e.width, e.height, e.fps(),
                    e.gopLength, e.frames, e.keyframes, e.sawParameterSets(), packets[pid], bitrate);
        }
        String codec = pid == TsPacket.PAT_PID ? "pat"
                : pid == TsPacket.NULL_PID ? "null"
                : kind[pid] == KIND_PMT ? "pmt" : "unknown";
        return new StreamInfo(pid, -1, codec, 0, 0, 0, 0, 0, 0, false, packets[pid], bitrate);
    }

    /** The first H.264/H.265 stream of the current PMTs, or null. */
    public StreamInfo video() {
        for (int pid : esPids) {
            if (es[pid] != null && es[pid].codec != EsParser.OTHER) {
                return stream(pid);
            }
        }
        return null;
    }

    /** Stream time elapsed since the first packet, in nanoseconds, by the clock in use. */
    public long elapsedNanos() {
        return now - firstNow;
    }

    /** Total bytes fed. */
    public long position() {
        return reader.position();
    }

    /** Packets handed over by the framing (all PIDs). */
    public long packets() {
        return reader.packets();
    }

    /** Bytes skipped while out of sync (garbage, truncated or dropped packets). */
    public long garbageBytes() {
        return reader.garbageBytes();
    }

    /** Malformed structures skipped: bad adaptation field lengths, PES headers, section lengths. */
    public long malformed() {
        long n = malformed;
        for (int pid = 0; pid < PIDS; pid++) {
            if (sections[pid] != null) {
                n += sections[pid].malformed();
            }
            if (es[pid] != null) {
                n += es[pid].pesErrors;
            }
        }
        return n;
    }
}
