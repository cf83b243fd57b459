package io.streamtee.ts;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.time.Instant;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Random;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** The capture-time SEI: written by hand here, byte by byte, and found (or not) by {@link CaptureTime#find}. */
class CaptureTimeTest {
    private static final byte[] AUD = {0x09, (byte) 0xF0};
    private static final byte[] SPS = SyntheticStream.sps(320, 240, 30);
    private static final byte[] PPS = {0x68, (byte) 0xCE, 0x38, (byte) 0x80};
    private static final byte[] SLICE = {0x65, (byte) 0x88, (byte) 0x84, 0x21, 0x7F};
    private static final long MICROS = 1_796_054_400_123_456L; // 2026-11-30T16:00:00.123456Z

    private static byte[] au(byte[]... nals) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] nal : nals) {
            out.writeBytes(new byte[] {0, 0, 0, 1});
            out.writeBytes(nal);
        }
        return out.toByteArray();
    }

    private static long find(byte[] au) {
        return CaptureTime.find(au, 0, au.length);
    }

    private static byte[] uuid(UUID uuid) {
        byte[] b = new byte[16];
        for (int i = 0; i < 8; i++) {
            b[i] = (byte) (uuid.getMostSignificantBits() >>> (56 - 8 * i));
            b[8 + i] = (byte) (uuid.getLeastSignificantBits() >>> (56 - 8 * i));
        }
        return b;
    }

    /** A payload coded as H.264 7.3.2.3.1: 0xFF bytes while the value is 255 or more, then the rest. */
    private static void codeValue(ByteArrayOutputStream out, int value) {
        while (value >= 255) {
            out.write(0xFF);
            value -= 255;
        }
        out.write(value);
    }

    private static void message(ByteArrayOutputStream rbsp, int type, byte[] payload) {
        codeValue(rbsp, type);
        codeValue(rbsp, payload.length);
        rbsp.writeBytes(payload);
    }

    private static byte[] ourPayload(UUID uuid, long micros) {
        byte[] p = new byte[24];
        System.arraycopy(uuid(uuid), 0, p, 0, 16);
        for (int i = 0; i < 8; i++) {
            p[16 + i] = (byte) (micros >>> (56 - 8 * i));
        }
        return p;
    }

    /** An SEI NAL unit of the given messages, escaped. */
    private static byte[] sei(byte[]... messages) {
        ByteArrayOutputStream rbsp = new ByteArrayOutputStream();
        rbsp.write(0x06);
        for (byte[] m : messages) {
            rbsp.writeBytes(m);
        }
        rbsp.write(0x80);
        byte[] b = rbsp.toByteArray();
        return Nal.escape(b, 0, b.length);
    }

    private static byte[] msg(int type, byte[] payload) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        message(out, type, payload);
        return out.toByteArray();
    }

    @Test
    void theDocumentedBytes() {
        byte[] nal = CaptureTime.seiNal(MICROS);
        // header 06, type 05, size 0x18, UUID, the time big-endian, trailing bits 80 (no 00 00 in it: nothing escaped)
        assertThat(HexFormat.of().formatHex(nal)).isEqualTo("060518" + "d97094fe76cb4bb5aae75abe37fddf10"
                + String.format("%016x", MICROS) + "80");
        assertThat(CaptureTime.UUID).hasToString("d97094fe-76cb-4bb5-aae7-5abe37fddf10");
    }

    @Test
    void foundInAKeyframeAndADeltaFrame() {
        assertThat(find(au(AUD, SPS, PPS, CaptureTime.seiNal(MICROS), SLICE))).isEqualTo(MICROS);
        byte[] delta = SLICE.clone();
        delta[0] = 0x41;
        assertThat(find(au(CaptureTime.seiNal(MICROS + 33_333), delta))).isEqualTo(MICROS + 33_333);
        AccessUnit unit = AccessUnit.of(Pmt.STREAM_TYPE_H264, au(AUD, CaptureTime.seiNal(MICROS), SLICE), 0, 0, false);
        assertThat(CaptureTime.find(unit)).isEqualTo(MICROS);
    }

    @Test
    void aPayloadThatNeedsEmulationPrevention() {
        long micros = 0x0000_0001_0000_0300L; // 00 00 00 01 00 00 03 00 after the UUID: two places need an 03
        byte[] nal = CaptureTime.seiNal(micros);
        byte[] rbsp = new byte[nal.length];
        int n = Nal.unescape(nal, 0, nal.length, rbsp);
        assertThat(n).isEqualTo(28);
        assertThat(nal.length).isEqualTo(30);
        // UUID's last byte 10, then 00 00 [03] 00 01 00 00 [03] 03 00, trailing bits 80
        assertThat(HexFormat.of().formatHex(nal)).endsWith("10" + "000003" + "0001" + "000003" + "030080");
        byte[] au = au(AUD, nal, SLICE);
        // no start code may appear inside the NAL unit: the scan finds AUD, SEI and slice only
        int units = 0;
        for (int s = Nal.nextStartCode(au, 0, au.length); s >= 0; s = Nal.nextStartCode(au, s, au.length)) {
            units++;
        }
        assertThat(units).isEqualTo(3);
        assertThat(find(au)).isEqualTo(micros);
        assertThat(find(au(CaptureTime.seiNal(0), SLICE))).isZero();
        assertThat(find(au(CaptureTime.seiNal(-1), SLICE))).isEqualTo(-1);
    }

    @Test
    void otherSeiMessagesAndNalUnitsBeforeOurs() {
        Random random = new Random(11);
        byte[] big = new byte[300]; // size coded FF 2D
        random.nextBytes(big);
        byte[] other = ourPayload(UUID.fromString("dc45e9bd-e6d9-48b7-962c-d820d923eeef"), 42); // x264's UUID
        byte[] sei = sei(msg(1, new byte[] {0x10, 0x00, 0x00}), msg(300, big), msg(5, other),
                msg(5, ourPayload(CaptureTime.UUID, MICROS)));
        assertThat(find(au(AUD, SPS, PPS, sei(msg(0, new byte[] {(byte) 0x80})), sei, SLICE))).isEqualTo(MICROS);
        // a longer payload with our UUID: the first 24 bytes count, the rest is ignored
        byte[] longer = Arrays.copyOf(ourPayload(CaptureTime.UUID, MICROS), 40);
        assertThat(find(au(sei(msg(5, longer)), SLICE))).isEqualTo(MICROS);
    }

    @Test
    void noneWithoutOurs() {
        assertThat(find(au(AUD, SPS, PPS, SLICE))).isEqualTo(CaptureTime.NONE);
        byte[] wrongUuid = ourPayload(UUID.fromString("d97094fe-76cb-4bb5-aae7-5abe37fddf11"), MICROS);
        assertThat(find(au(AUD, sei(msg(5, wrongUuid)), SLICE))).isEqualTo(CaptureTime.NONE);
        // our UUID under another payload type
        assertThat(find(au(AUD, sei(msg(4, ourPayload(CaptureTime.UUID, MICROS))), SLICE)))
                .isEqualTo(CaptureTime.NONE);
        // too short to hold the time
        byte[] shortPayload = Arrays.copyOf(ourPayload(CaptureTime.UUID, MICROS), 20);
        assertThat(find(au(AUD, sei(msg(5, shortPayload)), SLICE))).isEqualTo(CaptureTime.NONE);
        // after the first slice: not this access unit's
        assertThat(find(au(AUD, SLICE, CaptureTime.seiNal(MICROS)))).isEqualTo(CaptureTime.NONE);
        // an H.265 access unit is not looked into
        AccessUnit h265 = AccessUnit.of(Pmt.STREAM_TYPE_H265, au(CaptureTime.seiNal(MICROS), SLICE), 0, 0, false);
        assertThat(CaptureTime.find(h265)).isEqualTo(CaptureTime.NONE);
        assertThat(find(new byte[0])).isEqualTo(CaptureTime.NONE);
    }

    @Test
    void truncatedSeiIsNone() {
        byte[] whole = au(AUD, CaptureTime.seiNal(MICROS));
        int payloadEnd = whole.length - 1; // everything but the trailing bits
        for (int cut = 0; cut < payloadEnd; cut++) {
            assertThat(CaptureTime.find(whole, 0, cut)).as("cut at %d", cut).isEqualTo(CaptureTime.NONE);
        }
        assertThat(CaptureTime.find(whole, 0, payloadEnd)).isEqualTo(MICROS);
        // a size that runs past the NAL unit: the slice after it is not read as payload
        byte[] lying = {0x06, 0x05, 0x30};
        byte[] rest = Arrays.copyOf(uuid(CaptureTime.UUID), 20);
        byte[] nal = Arrays.copyOf(lying, lying.length + rest.length);
        System.arraycopy(rest, 0, nal, lying.length, rest.length);
        assertThat(find(au(nal, SLICE))).isEqualTo(CaptureTime.NONE);
        // a type or size of only FF bytes
        assertThat(find(au(new byte[] {0x06, (byte) 0xFF, (byte) 0xFF}, SLICE))).isEqualTo(CaptureTime.NONE);
        assertThat(find(au(new byte[] {0x06, 0x05, (byte) 0xFF}, SLICE))).isEqualTo(CaptureTime.NONE);
    }

    @Test
    void anOffsetIntoALargerArray() {
        byte[] au = au(AUD, CaptureTime.seiNal(MICROS), SLICE);
        byte[] padded = new byte[au.length + 20];
        Arrays.fill(padded, (byte) 0x55);
        System.arraycopy(au, 0, padded, 10, au.length);
        assertThat(CaptureTime.find(padded, 10, au.length)).isEqualTo(MICROS);
    }

    @Test
    void escapeUndoneByUnescape() {
        Random random = new Random(5);
        for (int round = 0; round < 2000; round++) {
            byte[] rbsp = new byte[1 + random.nextInt(40)];
            for (int i = 0; i < rbsp.length; i++) {
                rbsp[i] = (byte) (random.nextInt(3) == 0 ? random.nextInt(4) : 0); // mostly zeros and 01..03
            }
            byte[] escaped = Nal.escape(rbsp, 0, rbsp.length);
            for (int i = 2; i < escaped.length; i++) {
                assertThat(escaped[i - 2] == 0 && escaped[i - 1] == 0 && (escaped[i] & 0xFF) <= 2)
                        .as("no 00 00 0x with x <= 2 in %s", HexFormat.of().formatHex(escaped)).isFalse();
            }
            byte[] back = new byte[escaped.length];
            int n = Nal.unescape(escaped, 0, escaped.length, back);
            assertThat(Arrays.copyOf(back, n)).as(HexFormat.of().formatHex(rbsp)).isEqualTo(rbsp);
        }
    }

    @Test
    void microsTruncateAnInstant() {
        Instant t = Instant.parse("2026-11-30T16:00:00.123456789Z");
        long micros = CaptureTime.micros(t);
        assertThat(micros).isEqualTo(1_796_054_400_123_456L);
        assertThat(CaptureTime.instant(micros)).isEqualTo(Instant.parse("2026-11-30T16:00:00.123456Z"));
        assertThat(CaptureTime.micros(Instant.parse("1969-12-31T23:59:59.999999Z"))).isEqualTo(-1);
    }
}
