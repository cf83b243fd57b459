package io.streamtee.relay;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The framers fed bytes, no sockets. */
class StreamFramerTest {
    private final RouteStats stats = new RouteStats();
    private final List<byte[]> out = new ArrayList<>();

    /** {@code count} TS-like packets: 0x47, then a sequence number and random bytes that are never 0x47. */
    static byte[] tsPackets(int count, long seed) {
        Random r = new Random(seed);
        byte[] b = new byte[count * 188];
        r.nextBytes(b);
        for (int i = 0; i < b.length; i++) {
            if (b[i] == 0x47) {
                b[i] = 0x48;
            }
        }
        for (int p = 0; p < count; p++) {
            b[p * 188] = 0x47;
            b[p * 188 + 1] = (byte) (p >> 8);
            b[p * 188 + 2] = (byte) p;
        }
        return b;
    }

    private void feed(StreamFramer f, byte[] bytes, int from, int to) {
        f.feed(Unpooled.copiedBuffer(bytes, from, to - from), ByteBufAllocator.DEFAULT, this::collect);
    }

    private void collect(ByteBuf d) {
        out.add(ByteBufUtil.getBytes(d));
        d.release();
    }

    private static byte[] concat(List<byte[]> parts) {
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        parts.forEach(all::writeBytes);
        return all.toByteArray();
    }

    @Test
    void tsCutsSevenPacketDatagramsAndSendsTheRestAtTheEndOfABatch() {
        StreamFramer f = StreamFramer.of("ts", stats, "test");
        byte[] ts = tsPackets(30, 1);
        feed(f, ts, 0, 20 * 188 + 100);
        assertThat(out).extracting(d -> d.length).containsExactly(1316, 1316);
        f.endOfBatch(this::collect);
        assertThat(out).extracting(d -> d.length).containsExactly(1316, 1316, 6 * 188);
        feed(f, ts, 20 * 188 + 100, ts.length);
        f.endOfBatch(this::collect);
        assertThat(concat(out)).isEqualTo(ts);
        assertThat(stats.snapshot().inputErrors()).isZero();
        f.release();
    }

    @Test
    void tsSkipsGarbageEvenWithASyncByteInItAndCountsOneErrorPerResync() {
        StreamFramer f = StreamFramer.of("ts", stats, "test");
        byte[] ts = tsPackets(40, 2);
        ByteArrayOutputStream stream = new ByteArrayOutputStream();
        stream.writeBytes(new byte[] {1, 2, 0x47, 3, 4, 5, 0x47});
        stream.write(ts, 0, 20 * 188);
        stream.writeBytes(new byte[] {9, 9, 9}); // garbage mid-stream
        stream.write(ts, 20 * 188, 20 * 188);
        byte[] all = stream.toByteArray();
        Random r = new Random(3);
        for (int at = 0; at < all.length; ) {
            int n = Math.min(all.length - at, 1 + r.nextInt(700));
            feed(f, all, at, at + n);
            f.endOfBatch(this::collect);
            at += n;
        }
        assertThat(concat(out)).isEqualTo(ts);
        assertThat(out).allSatisfy(d -> assertThat(d.length % 188 == 0 && d.length <= 1316).isTrue());
        assertThat(stats.snapshot().inputErrors()).isEqualTo(2);
        f.release();
    }

    @Test
    void lengthGivesBackTheDatagramsWhateverTheChunks() {
        StreamFramer f = StreamFramer.of("length", stats, "test");
        List<byte[]> sent = List.of(new byte[0], new byte[] {7}, tsPackets(7, 4), new byte[65_535]);
        ByteArrayOutputStream stream = new ByteArrayOutputStream();
        for (byte[] d : sent) {
            stream.write(d.length >> 8);
            stream.write(d.length);
            stream.writeBytes(d);
        }
        byte[] all = stream.toByteArray();
        for (int at = 0; at < all.length; at += 333) {
            feed(f, all, at, Math.min(all.length, at + 333));
            f.endOfBatch(this::collect);
        }
        assertThat(out).hasSize(sent.size());
        for (int i = 0; i < sent.size(); i++) {
            assertThat(out.get(i)).isEqualTo(sent.get(i));
        }
        f.release();
    }
}
