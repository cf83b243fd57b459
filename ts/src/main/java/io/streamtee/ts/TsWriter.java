package io.streamtee.ts;

import java.util.Arrays;

/**
 * Builds transport packets: PSI sections, PES packets with PTS/DTS and an optional PCR, PCR-only and null packets.
 * Keeps a continuity counter per PID. Meant for tests, simulators and PSI re-emission, not for a hot path: output
 * accumulates in a growing array read with {@link #toByteArray()}.
 */
public final class TsWriter {
    private final byte[] cc = new byte[TsPacket.PID_COUNT];
    private byte[] out = new byte[TsPacket.SIZE * 64];
    private int len;

    /** Writes one section, starting in a new packet (pointer_field 0), stuffed with 0xFF. */
    public TsWriter section(int pid, byte[] section) {
        int first = cc[pid];
        byte[] packets = packetizeSection(pid, section, (first + packetsFor(section.length) - 1) & 0x0F);
        cc[pid] = (byte) ((first + packets.length / TsPacket.SIZE) & 0x0F);
        write(packets, 0, packets.length);
        return this;
    }

    private static int packetsFor(int sectionLen) {
        return (sectionLen + 1 + 183) / 184;
    }

    /**
     * Packetizes a section into packets whose continuity counters end at {@code lastCc}.
     */
    static byte[] packetizeSection(int pid, byte[] section, int lastCc) {
        int n = packetsFor(section.length);
        byte[] result = new byte[n * TsPacket.SIZE];
        Arrays.fill(result, (byte) 0xFF);
        int src = 0;
        for (int k = 0; k < n; k++) {
            int off = k * TsPacket.SIZE;
            header(result, off, pid, k == 0, 1, (lastCc - n + 1 + k) & 0x0F);
            int at = off + 4;
            if (k == 0) {
                result[at++] = 0; // pointer_field
            }
            int m = Math.min(section.length - src, off + TsPacket.SIZE - at);
            System.arraycopy(section, src, result, at, m);
            src += m;
        }
        return result;
    }

    /** A PES packet with PTS only ({@code dts} = {@link Timestamps#NONE} or equal to pts) or PTS and DTS. */
    public TsWriter pes(int pid, int streamId, long pts, long dts, byte[] data) {
        return pes(pid, streamId, pts, dts, data, Timestamps.NONE, false);
    }

    /**
     * A PES packet; the first packet carries {@code pcr} (27 MHz, or {@link Timestamps#NONE}) and the
     * random_access_indicator when asked. Video PES (stream id 0xE0..0xEF) get PES_packet_length 0 when too long.
     */
    public TsWriter pes(int pid, int streamId, long pts, long dts, byte[] data, long pcr, boolean randomAccess) {
        int header = Pes.headerLength(pts, dts);
        byte[] pes = new byte[header + data.length];
        Pes.writeHeader(pes, 0, streamId, pts, dts, data.length);
        System.arraycopy(data, 0, pes, header, data.length);
        int src = 0;
        boolean first = true;
        while (src < pes.length || first) {
            src += dataPacket(pid, first, first ? pcr : Timestamps.NONE, first && randomAccess, pes, src);
            first = false;
        }
        return this;
    }

    /** Writes one packet carrying as much of {@code src[from..]} as fits; returns the bytes taken. */
    private int dataPacket(int pid, boolean unitStart, long pcr, boolean randomAccess, byte[] src, int from) {
        int afMin = pcr != Timestamps.NONE ? 8 : randomAccess ? 2 : 0;
        int n = Math.min(src.length - from, 184 - afMin);
        int afTotal = 184 - n;
        byte[] p = new byte[TsPacket.SIZE];
        header(p, 0, pid, unitStart, afTotal > 0 ? 3 : 1, cc[pid]);
        cc[pid] = (byte) ((cc[pid] + 1) & 0x0F);
        if (afTotal > 0) {
            adaptation(p, afTotal - 1, pcr, randomAccess);
        }
        System.arraycopy(src, from, p, 4 + afTotal, n);
        write(p, 0, p.length);
        return n;
    }

    private static void adaptation(byte[] p, int afLen, long pcr, boolean randomAccess) {
        p[4] = (byte) afLen;
        if (afLen > 0) {
            Arrays.fill(p, 5, 5 + afLen, (byte) 0xFF);
            p[5] = (byte) ((randomAccess ? 0x40 : 0) | (pcr != Timestamps.NONE ? 0x10 : 0));
            if (pcr != Timestamps.NONE) {
                TsPacket.writePcr(p, 6, pcr);
            }
        }
    }

    /** A packet with only an adaptation field carrying {@code pcr}; does not advance the continuity counter. */
    public TsWriter pcr(int pid, long pcr) {
        byte[] p = new byte[TsPacket.SIZE];
        header(p, 0, pid, false, 2, (cc[pid] - 1) & 0x0F);
        adaptation(p, 183, pcr, false);
        write(p, 0, p.length);
        return this;
    }

    /** {@code n} null packets. */
    public TsWriter nulls(int n) {
        for (int i = 0; i < n; i++) {
            byte[] p = new byte[TsPacket.SIZE];
            Arrays.fill(p, (byte) 0xFF);
            header(p, 0, TsPacket.NULL_PID, false, 1, 0);
            write(p, 0, p.length);
        }
        return this;
    }

    /** Appends raw bytes (e.g. a packet built by hand). */
    public TsWriter write(byte[] b, int off, int n) {
        if (len + n > out.length) {
            out = Arrays.copyOf(out, Math.max(out.length * 2, len + n));
        }
        System.arraycopy(b, off, out, len, n);
        len += n;
        return this;
    }

    private static void header(byte[] p, int off, int pid, boolean unitStart, int afc, int cc) {
        p[off] = TsPacket.SYNC_BYTE;
        p[off + 1] = (byte) ((unitStart ? 0x40 : 0) | (pid >> 8));
        p[off + 2] = (byte) pid;
        p[off + 3] = (byte) ((afc << 4) | (cc & 0x0F));
    }

    public int size() {
        return len;
    }

    public byte[] toByteArray() {
        return Arrays.copyOf(out, len);
    }

    /** Forgets the written bytes; continuity counters carry on. */
    public TsWriter clear() {
        len = 0;
        return this;
    }

    /** A PAT section: pairs of (program_number, PMT PID). */
    public static byte[] patSection(int transportStreamId, int version, int... programAndPid) {
        byte[] body = new byte[programAndPid.length * 2];
        for (int i = 0; i < programAndPid.length; i += 2) {
            body[i * 2] = (byte) (programAndPid[i] >> 8);
            body[i * 2 + 1] = (byte) programAndPid[i];
            body[i * 2 + 2] = (byte) (0xE0 | (programAndPid[i + 1] >> 8));
            body[i * 2 + 3] = (byte) programAndPid[i + 1];
        }
        return longSection(0x00, transportStreamId, version, body);
    }

    /** A PMT section without descriptors: pairs of (stream_type, elementary PID). */
    public static byte[] pmtSection(int programNumber, int version, int pcrPid, int... typeAndPid) {
        byte[] body = new byte[4 + typeAndPid.length / 2 * 5];
        body[0] = (byte) (0xE0 | (pcrPid >> 8));
        body[1] = (byte) pcrPid;
        body[2] = (byte) 0xF0;
        body[3] = 0;
        for (int i = 0, at = 4; i < typeAndPid.length; i += 2, at += 5) {
            body[at] = (byte) typeAndPid[i];
            body[at + 1] = (byte) (0xE0 | (typeAndPid[i + 1] >> 8));
            body[at + 2] = (byte) typeAndPid[i + 1];
            body[at + 3] = (byte) 0xF0;
            body[at + 4] = 0;
        }
        return longSection(0x02, programNumber, version, body);
    }

    /** A long-form section (syntax indicator set) with its CRC: table_id, id extension, version, body. */
    public static byte[] longSection(int tableId, int idExtension, int version, byte[] body) {
        int sectionLength = 5 + body.length + 4;
        byte[] s = new byte[3 + sectionLength];
        s[0] = (byte) tableId;
        s[1] = (byte) (0xB0 | (sectionLength >> 8));
        s[2] = (byte) sectionLength;
        s[3] = (byte) (idExtension >> 8);
        s[4] = (byte) idExtension;
        s[5] = (byte) (0xC1 | ((version & 0x1F) << 1));
        s[6] = 0;
        s[7] = 0;
        System.arraycopy(body, 0, s, 8, body.length);
        int crc = Crc32Mpeg2.compute(s, 0, s.length - 4);
        s[s.length - 4] = (byte) (crc >>> 24);
        s[s.length - 3] = (byte) (crc >>> 16);
        s[s.length - 2] = (byte) (crc >>> 8);
        s[s.length - 1] = (byte) crc;
        return s;
    }
}
