package io.streamtee.ts;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.UUID;

/**
 * The capture wall clock a camera writes into each H.264 access unit, so that a viewer can show glass-to-glass
 * latency: an SEI NAL unit (type 6) holding a {@code user_data_unregistered} message (payloadType 5) whose payload is
 *
 * <pre>
 * offset  size  field
 *  0      16    UUID d97094fe-76cb-4bb5-aae7-5abe37fddf10 ({@link #UUID}), its 16 bytes in the usual (big-endian) order
 * 16       8    capture time: microseconds since 1970-01-01T00:00:00Z (UTC, no leap seconds), signed, big-endian
 * </pre>
 *
 * <p>The payload is 24 bytes ({@link #PAYLOAD_BYTES}); a reader accepts a longer one with the same UUID and ignores
 * the bytes after the 24th (room for later fields). The SEI NAL unit goes before the first slice of the access unit;
 * emulation prevention (00 00 03) is applied to the whole NAL unit as usual. Any encoder can write it: see
 * {@link #seiNal(long)} for the exact bytes.
 *
 * <p>Stateless and thread-safe.
 */
public final class CaptureTime {
    /** The UUID that marks our payload. */
    public static final UUID UUID = java.util.UUID.fromString("d97094fe-76cb-4bb5-aae7-5abe37fddf10");
    /** The user_data_unregistered payloadType. */
    public static final int USER_DATA_UNREGISTERED = 5;
    /** The payload written: the UUID and the 8-byte time. */
    public static final int PAYLOAD_BYTES = 24;
    /** What {@link #find} returns when the access unit carries no capture time. */
    public static final long NONE = Long.MIN_VALUE;

    private static final byte[] UUID_BYTES = uuidBytes();

    private CaptureTime() {
    }

    /** Microseconds since the epoch of {@code instant}, truncated (not rounded) to the microsecond. */
    public static long micros(Instant instant) {
        return Math.addExact(Math.multiplyExact(instant.getEpochSecond(), 1_000_000L), instant.getNano() / 1_000);
    }

    /** The instant of {@code micros} microseconds since the epoch. */
    public static Instant instant(long micros) {
        return Instant.EPOCH.plus(micros, ChronoUnit.MICROS);
    }

    /**
     * The SEI NAL unit carrying {@code epochMicros}, emulation prevention applied, without a start code: header byte
     * {@code 06} (nal_ref_idc 0), payloadType {@code 05}, payloadSize {@code 18} (24), the UUID, the time, and the
     * RBSP trailing bits {@code 80}.
     */
    public static byte[] seiNal(long epochMicros) {
        byte[] rbsp = new byte[1 + 1 + 1 + PAYLOAD_BYTES + 1];
        rbsp[0] = H264.NAL_SEI;
        rbsp[1] = USER_DATA_UNREGISTERED;
        rbsp[2] = PAYLOAD_BYTES;
        System.arraycopy(UUID_BYTES, 0, rbsp, 3, 16);
        for (int i = 0; i < 8; i++) {
            rbsp[19 + i] = (byte) (epochMicros >>> (56 - 8 * i));
        }
        rbsp[rbsp.length - 1] = (byte) 0x80;
        return Nal.escape(rbsp, 0, rbsp.length);
    }

    /** {@link #find(byte[], int, int)} on an access unit's bytes; {@link #NONE} for an H.265 one. */
    public static long find(AccessUnit unit) {
        if (unit.streamType() != Pmt.STREAM_TYPE_H264) {
            return NONE;
        }
        return find(unit.data(), 0, unit.length());
    }

    /**
     * The capture time (microseconds since the epoch) of an H.264 access unit given as Annex B bytes: the first
     * user_data_unregistered SEI message with our {@link #UUID} found in the SEI NAL units before the first slice.
     * Returns {@link #NONE} when there is none, or when the SEI holding it is truncated or malformed. Other SEI
     * messages, other UUIDs and other NAL units are skipped.
     */
    public static long find(byte[] data, int offset, int length) {
        int end = offset + length;
        int start = Nal.nextStartCode(data, offset, end);
        while (start >= 0 && start < end) {
            int next = Nal.nextStartCode(data, start, end);
            int nalEnd = next < 0 ? end : next - 3;
            while (nalEnd > start && data[nalEnd - 1] == 0) {
                nalEnd--; // the first zero of a four-byte start code, or trailing zero bytes
            }
            int type = H264.nalType(data[start]);
            if (H264.isVcl(type)) {
                return NONE; // SEI comes before the first slice of its access unit
            }
            if (type == H264.NAL_SEI && nalEnd > start + 1) {
                long micros = inSei(data, start, nalEnd - start);
                if (micros != NONE) {
                    return micros;
                }
            }
            start = next;
        }
        return NONE;
    }

    /** Our time in one SEI NAL unit (header byte included, still escaped), or {@link #NONE}. */
    private static long inSei(byte[] data, int off, int len) {
        byte[] rbsp = new byte[len];
        int n = Nal.unescape(data, off, len, rbsp);
        int pos = 1;
        while (pos < n) {
            if (pos == n - 1 && rbsp[pos] == (byte) 0x80) {
                return NONE; // rbsp_trailing_bits
            }
            int type = 0;
            while (pos < n && rbsp[pos] == (byte) 0xFF) {
                type += 255;
                pos++;
            }
            if (pos >= n) {
                return NONE;
            }
            type += rbsp[pos++] & 0xFF;
            int size = 0;
            while (pos < n && rbsp[pos] == (byte) 0xFF) {
                size += 255;
                pos++;
            }
            if (pos >= n) {
                return NONE;
            }
            size += rbsp[pos++] & 0xFF;
            if (size > n - pos) {
                return NONE; // truncated
            }
            if (type == USER_DATA_UNREGISTERED && size >= PAYLOAD_BYTES && isOurs(rbsp, pos)) {
                long micros = 0;
                for (int i = 0; i < 8; i++) {
                    micros = micros << 8 | (rbsp[pos + 16 + i] & 0xFF);
                }
                return micros;
            }
            pos += size;
        }
        return NONE;
    }

    private static boolean isOurs(byte[] rbsp, int pos) {
        for (int i = 0; i < 16; i++) {
            if (rbsp[pos + i] != UUID_BYTES[i]) {
                return false;
            }
        }
        return true;
    }

    private static byte[] uuidBytes() {
        byte[] bytes = new byte[16];
        for (int i = 0; i < 8; i++) {
            bytes[i] = (byte) (UUID.getMostSignificantBits() >>> (56 - 8 * i));
            bytes[8 + i] = (byte) (UUID.getLeastSignificantBits() >>> (56 - 8 * i));
        }
        return bytes;
    }
}
