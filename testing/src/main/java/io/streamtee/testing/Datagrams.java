package io.streamtee.testing;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

/** Test payloads: reproducible random datagrams of every size a relay must carry. */
public final class Datagrams {
    /** The largest UDP payload over IPv4. */
    public static final int MAX_IPV4 = 65_507;

    private Datagrams() {
    }

    /**
     * {@code count} datagrams: the first is 1 byte, the second 65,507 bytes; the rest mix runs of 1,316-byte
     * datagrams (7 MPEG-TS packets, the camera case, which GSO sends in runs), random small sizes and random large
     * ones. Each starts with its sequence number when it is long enough, and is otherwise random.
     */
    public static List<byte[]> mixed(int count, long seed) {
        Random r = new Random(seed);
        List<byte[]> out = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            int size;
            if (i == 0) {
                size = 1;
            } else if (i == 1) {
                size = MAX_IPV4;
            } else {
                int kind = r.nextInt(10);
                size = kind < 6 ? 1316 : kind < 9 ? 1 + r.nextInt(1500) : 1 + r.nextInt(MAX_IPV4);
            }
            out.add(payload(i, size, r));
        }
        return out;
    }

    /** {@code count} datagrams of {@code size} bytes. */
    public static List<byte[]> fixed(int count, int size, long seed) {
        Random r = new Random(seed);
        List<byte[]> out = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            out.add(payload(i, size, r));
        }
        return out;
    }

    /**
     * A transport stream cut into datagrams of seven packets (1,316 bytes), as a camera sends it; the last may be
     * shorter.
     */
    public static List<byte[]> sevenPackets(byte[] ts) {
        List<byte[]> list = new ArrayList<>();
        for (int off = 0; off < ts.length; off += 1316) {
            list.add(Arrays.copyOfRange(ts, off, Math.min(ts.length, off + 1316)));
        }
        return list;
    }

    private static byte[] payload(int seq, int size, Random r) {
        byte[] b = new byte[size];
        r.nextBytes(b);
        if (size >= 4) {
            ByteBuffer.wrap(b).putInt(seq);
        }
        return b;
    }
}
