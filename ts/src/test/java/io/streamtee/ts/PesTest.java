package io.streamtee.ts;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class PesTest {

    @Test
    void timestampsRoundTripAcrossTheWholeRangeAndWrap() {
        byte[] b = new byte[5];
        for (long v : new long[] {0, 1, 90_000, (1L << 32) + 12345, Timestamps.PTS_WRAP - 1}) {
            Pes.writeTimestamp(b, 0, 2, v);
            assertThat(Pes.readTimestamp(b, 0)).isEqualTo(v);
            assertThat(b[0] & 0xF0).isEqualTo(0x20);
            assertThat(b[0] & 1).as("marker bits").isEqualTo(1);
            assertThat(b[2] & 1).isEqualTo(1);
            assertThat(b[4] & 1).isEqualTo(1);
        }
        Pes.writeTimestamp(b, 0, 1, Timestamps.PTS_WRAP + 7);
        assertThat(Pes.readTimestamp(b, 0)).as("modulo 2^33").isEqualTo(7);
        Pes.writeTimestamp(b, 0, 1, -3);
        assertThat(Pes.readTimestamp(b, 0)).isEqualTo(Timestamps.PTS_WRAP - 3);
    }

    @Test
    void rewritingKeepsThePrefix() {
        byte[] b = new byte[5];
        Pes.writeTimestamp(b, 0, 3, 1000);
        Pes.rewriteTimestamp(b, 0, 123_456_789);
        assertThat(b[0] >> 4).isEqualTo(3);
        assertThat(Pes.readTimestamp(b, 0)).isEqualTo(123_456_789);
    }

    @Test
    void theHeaderCarriesPtsAloneOrPtsAndDtsAndItsLength() {
        byte[] b = new byte[64];
        assertThat(Pes.writeHeader(b, 0, 0xE0, 900, 900, 10)).isEqualTo(14).isEqualTo(Pes.headerLength(900, 900));
        assertThat(b[7] & 0xC0).as("PTS only when DTS = PTS").isEqualTo(0x80);
        assertThat(((b[4] & 0xFF) << 8) | (b[5] & 0xFF)).isEqualTo(14 - 6 + 10);
        assertThat(Pes.readTimestamp(b, 9)).isEqualTo(900);

        assertThat(Pes.writeHeader(b, 0, 0xE0, 1800, 900, 70_000)).isEqualTo(19);
        assertThat(b[7] & 0xC0).isEqualTo(0xC0);
        assertThat(b[8]).isEqualTo((byte) 10);
        assertThat(((b[4] & 0xFF) << 8) | (b[5] & 0xFF)).as("too long: unbounded").isZero();
        assertThat(Pes.readTimestamp(b, 9)).isEqualTo(1800);
        assertThat(Pes.readTimestamp(b, 14)).isEqualTo(900);
        assertThat(b[9] >> 4).isEqualTo(3);
        assertThat(b[14] >> 4).isEqualTo(1);

        assertThat(Pes.writeHeader(b, 0, 0xC0, Timestamps.NONE, Timestamps.NONE, 5)).isEqualTo(9);
        assertThat(b[7] & 0xC0).isZero();
    }

    @Test
    void decodeTimeAndShiftWorkOnTheTransportPacketThatStartsThePes() {
        byte[] withDts = new TsWriter().pes(0x100, 0xE0, 5000, 2000, new byte[300]).toByteArray();
        assertThat(Pes.decodeTime(withDts, 0)).isEqualTo(2000);
        assertThat(Pes.decodeTime(withDts, TsPacket.SIZE)).as("not a PES start").isEqualTo(-1);
        Pes.shiftTimestamps(withDts, 0, -2500);
        assertThat(Pes.decodeTime(withDts, 0)).isEqualTo(Timestamps.PTS_WRAP - 500);

        byte[] ptsOnly = new TsWriter().pes(0x100, 0xE0, 7000, Timestamps.NONE, new byte[10]).toByteArray();
        assertThat(Pes.decodeTime(ptsOnly, 0)).isEqualTo(7000);
        Pes.shiftTimestamps(ptsOnly, 0, 1000);
        assertThat(Pes.decodeTime(ptsOnly, 0)).isEqualTo(8000);

        byte[] section = new TsWriter().section(0, TsWriter.patSection(1, 0, 1, 0x1000)).toByteArray();
        assertThat(Pes.decodeTime(section, 0)).as("PSI is no PES").isEqualTo(-1);
        byte[] padding = new TsWriter().pes(0x100, 0xBE, 7000, Timestamps.NONE, new byte[10]).toByteArray();
        assertThat(Pes.decodeTime(padding, 0)).as("padding has no optional header").isEqualTo(-1);
    }

    @Test
    void streamsWithoutOptionalHeaderAreTheEightListed() {
        for (int id : new int[] {0xBC, 0xBE, 0xBF, 0xF0, 0xF1, 0xF2, 0xF8, 0xFF}) {
            assertThat(Pes.hasOptionalHeader(id)).as("0x%02X", id).isFalse();
        }
        for (int id : new int[] {0xBD, 0xC0, 0xE0, 0xEF, 0xFD}) {
            assertThat(Pes.hasOptionalHeader(id)).as("0x%02X", id).isTrue();
        }
    }
}
