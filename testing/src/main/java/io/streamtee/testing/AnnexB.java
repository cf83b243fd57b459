package io.streamtee.testing;

import java.io.ByteArrayOutputStream;
import java.util.Random;

/**
 * H.264 access units as Annex B bytes for synthetic streams: start codes, NAL units and random slices. Pure bytes;
 * the transport stream around them is each test's own (built with the ts module's writer).
 */
public final class AnnexB {
    /** The access unit delimiter NAL ({@code 0x09}, any picture type). */
    private static final byte[] AUD = {0x09, (byte) 0xF0};

    private AnnexB() {
    }

    /**
     * An access unit: AUD, then for a keyframe the {@code keyframeNals} (SPS, PPS, SEI...), then a slice of
     * {@code sliceBytes} bytes, IDR ({@code 0x65}) or not ({@code 0x41}), whose other bytes are random and never zero
     * (so no false start codes). Draws exactly {@code sliceBytes} ints from {@code random}.
     */
    public static byte[] accessUnit(boolean key, int sliceBytes, Random random, byte[]... keyframeNals) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        nal(out, AUD);
        if (key) {
            for (byte[] nal : keyframeNals) {
                nal(out, nal);
            }
        }
        byte[] slice = new byte[sliceBytes];
        for (int i = 0; i < slice.length; i++) {
            slice[i] = (byte) (1 + random.nextInt(255));
        }
        slice[0] = (byte) (key ? 0x65 : 0x41);
        nal(out, slice);
        return out.toByteArray();
    }

    /** Writes a four-byte start code and {@code nal}. */
    public static void nal(ByteArrayOutputStream out, byte[] nal) {
        out.writeBytes(new byte[] {0, 0, 0, 1});
        out.writeBytes(nal);
    }
}
