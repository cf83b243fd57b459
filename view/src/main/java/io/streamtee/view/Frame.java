package io.streamtee.view;

import io.streamtee.ts.AccessUnit;
import io.streamtee.ts.Pmt;
import io.streamtee.ts.Timestamps;
import java.nio.ByteBuffer;

/**
 * One access unit as the viewer's WebSocket sends it: one binary message, a {@value #HEADER}-byte header then the
 * access unit's Annex B bytes unchanged. Big-endian:
 *
 * <pre>
 * offset size
 *  0     1    version, {@value #VERSION}
 *  1     1    flags: bit 0 keyframe (decoding can start here), bit 1 damaged (packets of it were lost)
 *  2     1    codec: 1 H.264, 2 H.265
 *  3     1    0 (reserved)
 *  4     8    PTS in 90 kHz ticks (signed; -1 when the PES had none)
 * 12     8    the viewer server's receive time: Unix epoch milliseconds when the access unit was complete
 * 20     ...  the access unit: Annex B (start codes, SPS/PPS/SEI, slices), as the camera sent it
 * </pre>
 *
 * The message is built once and shared by every viewer (read-only).
 *
 * @param message    the whole message
 * @param keyframe   whether decoding can start here
 * @param receivedMs the receive time in the header
 */
public record Frame(byte[] message, boolean keyframe, long receivedMs) {
    public static final int VERSION = 1;
    public static final int HEADER = 20;
    public static final int FLAG_KEYFRAME = 1;
    public static final int FLAG_DAMAGED = 2;
    public static final int CODEC_H264 = 1;
    public static final int CODEC_H265 = 2;

    /** The message for {@code au} (copied: the assembler reuses it), received at {@code receivedMs}. */
    public static Frame of(AccessUnit au, long receivedMs) {
        return of(au.streamType() == Pmt.STREAM_TYPE_H265 ? CODEC_H265 : CODEC_H264, au.keyframe(), au.damaged(),
                au.pts() == Timestamps.NONE ? -1 : au.pts(), receivedMs, au.data(), au.length());
    }

    /** A message from its parts; {@code data[0..length)} is copied. */
    public static Frame of(int codec, boolean keyframe, boolean damaged, long pts, long receivedMs, byte[] data,
            int length) {
        ByteBuffer b = ByteBuffer.allocate(HEADER + length);
        b.put((byte) VERSION).put((byte) ((keyframe ? FLAG_KEYFRAME : 0) | (damaged ? FLAG_DAMAGED : 0)))
                .put((byte) codec).put((byte) 0).putLong(pts).putLong(receivedMs).put(data, 0, length);
        return new Frame(b.array(), keyframe, receivedMs);
    }

    /** The PTS from the header (90 kHz, -1 for none). */
    public long pts() {
        return ByteBuffer.wrap(message).getLong(4);
    }

    /** The message's bytes after the header: the access unit. */
    public ByteBuffer payload() {
        return ByteBuffer.wrap(message, HEADER, message.length - HEADER).slice().asReadOnlyBuffer();
    }
}
