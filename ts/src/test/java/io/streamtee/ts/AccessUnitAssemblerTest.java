package io.streamtee.ts;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Whole access units out of a demuxed stream, byte for byte, with no sockets. */
class AccessUnitAssemblerTest {
    static final int PMT_PID = 0x1000;
    static final int VIDEO = 0x100;
    static final int AUDIO = 0x101;

    private final TsWriter w = new TsWriter();
    private final List<AccessUnit> units = new ArrayList<>();
    private final AccessUnitAssembler assembler = new AccessUnitAssembler(au -> units.add(copy(au)));

    /** A keeper's copy, as the contract asks: the assembler reuses its instance and array. */
    private static AccessUnit copy(AccessUnit au) {
        AccessUnit c = AccessUnit.of(au.streamType(), au.toByteArray(), au.pts(), au.dts(), au.keyframe());
        c.pid = au.pid();
        c.damaged = au.damaged();
        c.position = au.position();
        return c;
    }

    private byte[] demux(byte[] ts) {
        TsDemux demux = new TsDemux(assembler);
        demux.feed(ts, 0, ts.length);
        demux.flush();
        assembler.flush();
        return ts;
    }

    private byte[] psi(int version, int streamType) {
        w.section(0, TsWriter.patSection(1, 0, 1, PMT_PID))
                .section(PMT_PID, TsWriter.pmtSection(1, version, VIDEO, streamType, VIDEO, 0x0F, AUDIO));
        return take();
    }

    private byte[] take() {
        return take(w);
    }

    private static byte[] take(TsWriter writer) {
        byte[] b = writer.toByteArray();
        writer.clear();
        return b;
    }

    /** An access unit: AUD, SPS and PPS for a keyframe, a slice of {@code sliceBytes} without zero bytes. */
    static byte[] accessUnit(boolean key, int sliceBytes, Random random) {
        byte[] slice = new byte[sliceBytes];
        for (int i = 0; i < slice.length; i++) {
            slice[i] = (byte) (1 + random.nextInt(255));
        }
        slice[0] = (byte) (key ? 0x65 : 0x41);
        java.io.ByteArrayOutputStream b = new java.io.ByteArrayOutputStream();
        b.writeBytes(new byte[] {0, 0, 0, 1, 0x09, (byte) 0xF0});
        if (key) {
            b.writeBytes(new byte[] {0, 0, 0, 1, 0x67, 0x42, 0, 0x1E, 0, 0, 0, 1, 0x68, (byte) 0xCE, 0x3C, (byte) 0x80});
        }
        b.writeBytes(new byte[] {0, 0, 0, 1});
        b.writeBytes(slice);
        return b.toByteArray();
    }

    @Test
    void anAccessUnitShorterThanItsPesDeclaredIsHandedOverDamaged() {
        Random random = new Random(12);
        byte[] au = accessUnit(true, 5000, random);
        byte[] pes = take(w.pes(VIDEO, 0xE0, 90_000, Timestamps.NONE, au));
        pes[2 * 188 + 1] |= (byte) 0x80; // transport_error_indicator: the demuxer drops the packet, its CC still counts
        java.io.ByteArrayOutputStream ts = new java.io.ByteArrayOutputStream();
        ts.writeBytes(psi(0, Pmt.STREAM_TYPE_H264));
        ts.writeBytes(pes);
        ts.writeBytes(take(w.pes(VIDEO, 0xE0, 93_000, Timestamps.NONE, accessUnit(false, 10, random))));
        demux(ts.toByteArray());
        assertThat(units).hasSize(2);
        assertThat(units.get(0).length()).isLessThan(au.length);
        assertThat(units.get(0).damaged()).as("a packet of it is missing").isTrue();
        assertThat(units.get(1).damaged()).isFalse();
    }

    @Test
    void anAccessUnitWhosePesDeclaresItsLengthIsHandedOverWithItsLastByteNotAtTheNextPes() {
        Random random = new Random(11);
        TsDemux demux = new TsDemux(assembler);
        byte[] head = psi(0, Pmt.STREAM_TYPE_H264);
        demux.feed(head, 0, head.length);

        byte[] small = accessUnit(true, 5000, random); // PES_packet_length set: it fits in 65,535 bytes
        byte[] ts = take(w.pes(VIDEO, 0xE0, 90_000, Timestamps.NONE, small));
        demux.feed(ts, 0, ts.length);
        assertThat(units).as("complete with its last byte, before any next PES").hasSize(1);
        assertThat(units.get(0).toByteArray()).isEqualTo(small);
        assertThat(units.get(0).keyframe()).isTrue();

        byte[] big = accessUnit(false, 70_000, random); // too long for PES_packet_length: written as 0 (unbounded)
        ts = take(w.pes(VIDEO, 0xE0, 93_000, Timestamps.NONE, big));
        demux.feed(ts, 0, ts.length);
        assertThat(units).as("an unbounded PES waits for the next one").hasSize(1);

        byte[] next = accessUnit(false, 10, random);
        ts = take(w.pes(VIDEO, 0xE0, 96_000, Timestamps.NONE, next));
        demux.feed(ts, 0, ts.length);
        assertThat(units).hasSize(3);
        assertThat(units.get(1).toByteArray()).isEqualTo(big);
        assertThat(units.get(2).toByteArray()).isEqualTo(next);
        demux.flush();
        assembler.flush();
        assertThat(units).as("nothing handed over twice").hasSize(3);
    }

    @Test
    void handsOverEachAccessUnitWholeWithItsTimestampsAndKeyframeFlag() {
        Random random = new Random(7);
        java.io.ByteArrayOutputStream ts = new java.io.ByteArrayOutputStream();
        ts.writeBytes(psi(0, Pmt.STREAM_TYPE_H264));
        List<byte[]> sent = new ArrayList<>();
        int[] sizes = {5000, 10, 183, 70_000, 1, 20_000, 400};
        for (int i = 0; i < sizes.length; i++) {
            byte[] au = accessUnit(i % 3 == 0, sizes[i], random);
            sent.add(au);
            ts.writeBytes(take(w.pes(VIDEO, 0xE0, 3600 + i * 3000L, 1800 + i * 3000L, au)));
            ts.writeBytes(take(w.pes(AUDIO, 0xC0, 1800 + i * 3000L, Timestamps.NONE, new byte[300])));
        }
        demux(ts.toByteArray());

        assertThat(units).hasSize(sizes.length);
        for (int i = 0; i < sizes.length; i++) {
            AccessUnit au = units.get(i);
            assertThat(au.toByteArray()).as("access unit %d", i).isEqualTo(sent.get(i));
            assertThat(au.pts()).isEqualTo(3600 + i * 3000L);
            assertThat(au.dts()).isEqualTo(1800 + i * 3000L);
            assertThat(au.keyframe()).isEqualTo(i % 3 == 0);
            assertThat(au.damaged()).isFalse();
            assertThat(au.pid()).isEqualTo(VIDEO);
            assertThat(au.streamType()).isEqualTo(Pmt.STREAM_TYPE_H264);
        }
        assertThat(assembler.accessUnits()).isEqualTo(sizes.length);
        assertThat(assembler.dropped()).isZero();
    }

    @Test
    void aLostPacketMarksItsAccessUnitDamagedAndAPesJoinedMidwayIsNotHandedOver() {
        Random random = new Random(3);
        List<byte[]> packets = new ArrayList<>();
        split(w.section(0, TsWriter.patSection(1, 0, 1, PMT_PID))
                .section(PMT_PID, TsWriter.pmtSection(1, 0, VIDEO, Pmt.STREAM_TYPE_H264, VIDEO)), packets);
        int psi = packets.size();
        split(w.pes(VIDEO, 0xE0, 9000, 9000, accessUnit(true, 1000, random)), packets);
        packets.subList(psi, psi + 3).clear(); // joined in the middle of this PES: its start never seen
        byte[][] third = new byte[1][];
        for (int i = 0; i < 4; i++) {
            int before = packets.size();
            byte[] au = accessUnit(i == 0, 1000, random);
            split(w.pes(VIDEO, 0xE0, 12000 + i * 3000L, 12000 + i * 3000L, au), packets);
            if (i == 2) {
                third[0] = au;
                packets.remove(before + 3); // the fourth packet of the third access unit lost
            }
        }
        demux(concat(packets));

        assertThat(units).extracting(AccessUnit::pts).containsExactly(12000L, 15000L, 18000L, 21000L);
        assertThat(units).extracting(AccessUnit::damaged).containsExactly(false, false, true, false);
        // what came before the loss: the first packet's payload after the 14-byte PES header, two whole packets
        assertThat(units.get(2).length()).isEqualTo(184 - 14 + 2 * 184);
        assertThat(units.get(2).toByteArray()).isEqualTo(Arrays.copyOf(third[0], units.get(2).length()));
        assertThat(assembler.damaged()).isEqualTo(1);
    }

    @Test
    void aPesWithoutSliceIsDroppedAndCounted() {
        java.io.ByteArrayOutputStream ts = new java.io.ByteArrayOutputStream();
        ts.writeBytes(psi(0, Pmt.STREAM_TYPE_H264));
        ts.writeBytes(take(w.pes(VIDEO, 0xE0, 9000, 9000, new byte[] {0, 0, 0, 1, 0x09, (byte) 0xF0})));
        ts.writeBytes(take(w.pes(VIDEO, 0xE0, 12000, 12000, accessUnit(true, 300, new Random(1)))));
        demux(ts.toByteArray());
        assertThat(units).extracting(AccessUnit::pts).containsExactly(12000L);
        assertThat(assembler.dropped()).isEqualTo(1);
    }

    @Test
    void followsTheVideoStreamTypeOfThePmt() {
        java.io.ByteArrayOutputStream ts = new java.io.ByteArrayOutputStream();
        ts.writeBytes(psi(0, Pmt.STREAM_TYPE_H265));
        byte[] hevcIdr = {0, 0, 0, 1, 0x26, 0x01, (byte) 0xAF, 0x11, 0x22};
        ts.writeBytes(take(w.pes(VIDEO, 0xE0, 9000, 9000, hevcIdr)));
        demux(ts.toByteArray());
        assertThat(units).hasSize(1);
        assertThat(units.get(0).streamType()).isEqualTo(Pmt.STREAM_TYPE_H265);
        assertThat(units.get(0).keyframe()).isTrue();
        assertThat(units.get(0).toByteArray()).isEqualTo(hevcIdr);
    }

    private static void split(TsWriter w, List<byte[]> into) {
        byte[] all = w.toByteArray();
        w.clear();
        for (int off = 0; off < all.length; off += TsPacket.SIZE) {
            into.add(Arrays.copyOfRange(all, off, off + TsPacket.SIZE));
        }
    }

    private static byte[] concat(List<byte[]> packets) {
        byte[] out = new byte[packets.size() * TsPacket.SIZE];
        for (int i = 0; i < packets.size(); i++) {
            System.arraycopy(packets.get(i), 0, out, i * TsPacket.SIZE, TsPacket.SIZE);
        }
        return out;
    }
}
