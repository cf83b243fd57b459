package io.streamtee.ts;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class TsPacketTest {
    @Test
    void crc32Mpeg2CheckValue() {
        byte[] check = "123456789".getBytes(StandardCharsets.US_ASCII);
        assertThat(Crc32Mpeg2.compute(check, 0, check.length)).isEqualTo(0x0376E6E7);
    }

    @Test
    void readsHeaderFields() {
        // PUSI, PID 0x0100, adaptation field + payload, CC 7; AF: 7 bytes, PCR flag and random access
        byte[] p = new byte[188];
        p[0] = 0x47;
        p[1] = 0x41;
        p[2] = 0x00;
        p[3] = 0x37;
        p[4] = 7;
        p[5] = 0x50;
        TsPacket.setPcr(p, 0, 0); // no-op: PCR flag set but value written below
        TsPacket.writePcr(p, 6, 123_456_789_012L);
        assertThat(TsPacket.hasSync(p, 0)).isTrue();
        assertThat(TsPacket.pid(p, 0)).isEqualTo(0x100);
        assertThat(TsPacket.payloadUnitStart(p, 0)).isTrue();
        assertThat(TsPacket.transportError(p, 0)).isFalse();
        assertThat(TsPacket.continuityCounter(p, 0)).isEqualTo(7);
        assertThat(TsPacket.adaptationFieldControl(p, 0)).isEqualTo(3);
        assertThat(TsPacket.adaptationFieldLength(p, 0)).isEqualTo(7);
        assertThat(TsPacket.payloadOffset(p, 0)).isEqualTo(12);
        assertThat(TsPacket.randomAccess(p, 0)).isTrue();
        assertThat(TsPacket.discontinuity(p, 0)).isFalse();
        assertThat(TsPacket.hasPcr(p, 0)).isTrue();
        assertThat(TsPacket.pcr(p, 0)).isEqualTo(123_456_789_012L);
    }

    @Test
    void settersForLoopingFiles() {
        byte[] ts = new TsWriter().pcr(0x100, 42).toByteArray();
        assertThat(TsPacket.setPcr(ts, 0, Timestamps.PCR_WRAP + 5)).isTrue();
        assertThat(TsPacket.pcr(ts, 0)).isEqualTo(5);
        assertThat(TsPacket.setDiscontinuity(ts, 0)).isTrue();
        assertThat(TsPacket.discontinuity(ts, 0)).isTrue();
        TsPacket.setContinuityCounter(ts, 0, 9);
        assertThat(TsPacket.continuityCounter(ts, 0)).isEqualTo(9);
        assertThat(TsPacket.pid(ts, 0)).isEqualTo(0x100);

        byte[] plain = new TsWriter().nulls(1).toByteArray();
        assertThat(TsPacket.setDiscontinuity(plain, 0)).isFalse();
        assertThat(TsPacket.hasPcr(plain, 0)).isFalse();
    }

    @Test
    void timestampArithmeticWraps() {
        assertThat(Timestamps.pcrDiff(Timestamps.PCR_WRAP - 10, 5)).isEqualTo(15);
        assertThat(Timestamps.pcrDiff(5, Timestamps.PCR_WRAP - 10)).isEqualTo(-15);
        assertThat(Timestamps.ptsDiff(Timestamps.PTS_WRAP - 1, 1)).isEqualTo(2);
        assertThat(Timestamps.pcrToNanos(27_000_000)).isEqualTo(1_000_000_000L);
        assertThat(Timestamps.ptsToNanos(90_000)).isEqualTo(1_000_000_000L);
    }
}
