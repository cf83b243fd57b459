package io.streamtee.ts;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;

class PsiTest {
    /** The PAT and PMT that ffmpeg's mpegts muxer writes for one H.264 stream. */
    static final String FFMPEG_PAT = "474000100000b00d0001c100000001f0002ab104b2";
    static final String FFMPEG_PMT = "475000100002b0120001c10000e100f0001be100f00015bd4d56";

    static byte[] packet(String hexPrefix) {
        byte[] p = new byte[TsPacket.SIZE];
        Arrays.fill(p, (byte) 0xFF);
        byte[] head = HexFormat.of().parseHex(hexPrefix);
        System.arraycopy(head, 0, p, 0, head.length);
        return p;
    }

    static byte[] join(byte[]... parts) {
        int n = 0;
        for (byte[] p : parts) {
            n += p.length;
        }
        byte[] out = new byte[n];
        int at = 0;
        for (byte[] p : parts) {
            System.arraycopy(p, 0, out, at, p.length);
            at += p.length;
        }
        return out;
    }

    @Test
    void parsesFfmpegPatAndPmt() {
        byte[] ts = join(packet(FFMPEG_PAT), packet(FFMPEG_PMT), packet(FFMPEG_PAT.replaceFirst("4740001", "4740001")));
        Events events = Events.feed(ts);

        assertThat(events.pats).containsExactly(new Pat(1, 0, List.of(new Pat.Program(1, 0x1000))));
        assertThat(events.pmts).containsExactly(
                new Pmt(0x1000, 1, 0, 0x100, List.of(new Pmt.Stream(0x100, Pmt.STREAM_TYPE_H264))));
        assertThat(events.pmts.get(0).streams().get(0).codec()).isEqualTo("h264");
    }

    @Test
    void writerProducesTheSameBytesAsFfmpeg() {
        byte[] pat = TsWriter.patSection(1, 0, 1, 0x1000);
        byte[] pmt = TsWriter.pmtSection(1, 0, 0x100, Pmt.STREAM_TYPE_H264, 0x100);
        byte[] ts = new TsWriter().section(0, pat).section(0x1000, pmt).toByteArray();
        assertThat(Arrays.copyOfRange(ts, 0, 188)).isEqualTo(packet(FFMPEG_PAT));
        byte[] expectedPmt = packet(FFMPEG_PMT);
        expectedPmt[3] = 0x10; // our writer starts every PID at CC 0 as well
        assertThat(Arrays.copyOfRange(ts, 188, 376)).isEqualTo(expectedPmt);
    }

    @Test
    void repeatedTablesAreReportedOnceAndVersionChangesAgain() {
        TsWriter w = new TsWriter();
        for (int i = 0; i < 5; i++) {
            w.section(0, TsWriter.patSection(1, 0, 1, 0x1000));
        }
        w.section(0, TsWriter.patSection(1, 1, 1, 0x1000, 2, 0x1001));
        Events events = Events.feed(w.toByteArray());
        assertThat(events.pats).hasSize(2);
        assertThat(events.pats.get(1).programs()).hasSize(2);
        assertThat(events.pats.get(1).version()).isEqualTo(1);
    }

    @Test
    void sectionSpanningPacketsIsReassembled() {
        int[] streams = new int[2 * 60];
        for (int i = 0; i < 60; i++) {
            streams[2 * i] = 0x0F;
            streams[2 * i + 1] = 0x200 + i;
        }
        byte[] pmt = TsWriter.pmtSection(7, 3, 0x200, streams);
        assertThat(pmt.length).isGreaterThan(184);
        byte[] ts = new TsWriter()
                .section(0, TsWriter.patSection(1, 0, 7, 0x1000))
                .section(0x1000, pmt)
                .toByteArray();

        TsDemux demux = new TsDemux(TsListener.NONE);
        for (int i = 0; i < ts.length; i += 50) { // chunked, on top
            demux.feed(ts, i, Math.min(50, ts.length - i));
        }
        assertThat(demux.pmts().get(0x1000).streams()).hasSize(60);
        assertThat(demux.pmts().get(0x1000).version()).isEqualTo(3);
        assertThat(demux.errors().total()).isZero();
    }

    @Test
    void severalSectionsInOnePacketAndASectionEndingInTheNextPacketsPointer() {
        byte[] a = TsWriter.patSection(1, 0, 1, 0x1000);
        byte[] b = TsWriter.pmtSection(1, 0, 0x100, 0x1B, 0x100);
        // packet 1: pointer 0, PAT version 0, then the start of a long PAT version 1 that fills the packet
        int[] programs = new int[2 * 45];
        for (int i = 0; i < 45; i++) {
            programs[2 * i] = i + 1;
            programs[2 * i + 1] = 0x1000;
        }
        byte[] a1 = TsWriter.patSection(1, 1, programs);
        int head = 188 - 5 - a.length;
        byte[] p1 = packet("47400010");
        p1[4] = 0;
        System.arraycopy(a, 0, p1, 5, a.length);
        System.arraycopy(a1, 0, p1, 5 + a.length, head);
        // packet 2: PUSI, pointer = the rest of version 1, then version 0 again, then stuffing
        byte[] p2 = packet("47400011");
        p2[4] = (byte) (a1.length - head);
        System.arraycopy(a1, head, p2, 5, a1.length - head);
        System.arraycopy(a, 0, p2, 5 + a1.length - head, a.length);
        Events events = Events.feed(join(p1, p2, new TsWriter().section(0x1000, b).toByteArray()));
        assertThat(events.pats).extracting(Pat::version).containsExactly(0, 1, 0);
        assertThat(events.pmts).hasSize(1);
    }

    @Test
    void wrongCrcIsCountedAndTheTableIgnored() {
        byte[] bad = packet(FFMPEG_PAT);
        bad[20] ^= 0x01; // last CRC byte
        TsDemux demux = new TsDemux(TsListener.NONE);
        demux.feed(bad, 0, bad.length);
        demux.flush();
        assertThat(demux.pat()).isNull();
        assertThat(demux.errors().count(Tr101290.Kind.CRC_ERROR, 0)).isEqualTo(1);
        assertThat(demux.errors().total()).isEqualTo(1);
    }

    @Test
    void psiPacketsReEmitTablesWithTheLastContinuityCounters() {
        byte[] ts = new SyntheticStream().seconds(0.5).bytes();
        TsDemux demux = new TsDemux(TsListener.NONE);
        demux.feed(ts, 0, ts.length);
        demux.flush();
        byte[] psi = demux.psiPackets();
        assertThat(psi).hasSize(2 * 188);
        assertThat(TsPacket.pid(psi, 0)).isEqualTo(0);
        assertThat(TsPacket.pid(psi, 188)).isEqualTo(SyntheticStream.PMT_PID);
        // the writer used CC 0..4 for five PATs: the re-emitted one repeats the last
        assertThat(TsPacket.continuityCounter(psi, 0)).isEqualTo(4);
        Events events = Events.feed(psi);
        assertThat(events.pats).hasSize(1);
        assertThat(events.pmts).hasSize(1);
    }
}
