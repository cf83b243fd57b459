package io.streamtee.net;

import static org.assertj.core.api.Assertions.assertThat;

import io.streamtee.net.TsSourceLock.Verdict;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** The TS gate without sockets: structure, the first stream, other sources, a switch after silence. */
class TsSourceLockTest {

    private static final long SECOND = 1_000_000_000L;
    private static final InetSocketAddress CAMERA = new InetSocketAddress("127.0.0.1", 5000);
    private static final InetSocketAddress OTHER = new InetSocketAddress("127.0.0.1", 5001);

    /** Packets whose fourth byte is 1 "start a stream" for these tests. */
    private final TsSourceLock lock = new TsSourceLock("udp://test", null, d -> d.get(d.position() + 3) == 1,
            2 * SECOND);

    private static ByteBuffer ts(int packets, boolean start) {
        byte[] b = new byte[packets * 188];
        for (int i = 0; i < b.length; i += 188) {
            b[i] = 0x47;
            b[i + 3] = (byte) (start ? 1 : 0);
        }
        return ByteBuffer.wrap(b);
    }

    @Test
    void onlyWholePacketsEachWithTheSyncByteAreTs() {
        assertThat(TsSourceLock.isTs(ts(7, false))).isTrue();
        assertThat(TsSourceLock.isTs(ByteBuffer.allocate(0))).isFalse();
        ByteBuffer odd = ByteBuffer.wrap(Arrays.copyOf(ts(2, false).array(), 376 - 1));
        assertThat(TsSourceLock.isTs(odd)).isFalse();
        ByteBuffer badSync = ts(3, false);
        badSync.put(188 * 2, (byte) 0x48);
        assertThat(TsSourceLock.isTs(badSync)).isFalse();
        assertThat(lock.offer(badSync, CAMERA, 0)).isEqualTo(Verdict.NOT_TS);
    }

    @Test
    void locksOntoTheFirstSourceThatStartsAStreamAndDropsEveryOtherOne() {
        assertThat(lock.offer(ts(7, false), OTHER, 1)).isEqualTo(Verdict.NO_STREAM_YET);
        assertThat(lock.source()).isNull();
        assertThat(lock.offer(ts(7, true), CAMERA, 2)).isEqualTo(Verdict.ACCEPT);
        assertThat(lock.source()).isEqualTo(CAMERA);
        assertThat(lock.offer(ts(7, false), CAMERA, 3)).isEqualTo(Verdict.ACCEPT);
        assertThat(lock.offer(ts(7, true), OTHER, 4)).isEqualTo(Verdict.OTHER_SOURCE);
        assertThat(lock.offer(ts(7, true), new InetSocketAddress("127.0.0.2", 5000), 5))
                .isEqualTo(Verdict.OTHER_SOURCE);
        assertThat(lock.switches()).isZero();
    }

    @Test
    void movesToAnotherSourceOnlyAfterTheLockedOneWasSilentAndWhenItStartsAStream() {
        lock.offer(ts(1, true), CAMERA, 0);
        assertThat(lock.offer(ts(1, true), OTHER, 2 * SECOND - 1)).isEqualTo(Verdict.OTHER_SOURCE);
        assertThat(lock.offer(ts(1, false), OTHER, 3 * SECOND)).isEqualTo(Verdict.OTHER_SOURCE); // no stream start
        assertThat(lock.offer(ts(1, true), OTHER, 3 * SECOND)).isEqualTo(Verdict.ACCEPT);
        assertThat(lock.source()).isEqualTo(OTHER);
        assertThat(lock.switches()).isEqualTo(1);
        assertThat(lock.offer(ts(1, true), CAMERA, 4 * SECOND)).isEqualTo(Verdict.OTHER_SOURCE);
    }

    @Test
    void aConfiguredSourceIsTakenAtOnceFromAnyPortAndNoOtherEver() throws Exception {
        TsSourceLock fixed = new TsSourceLock("udp://test", InetAddress.getByName("127.0.0.1"), d -> false, SECOND);
        assertThat(fixed.offer(ts(1, false), CAMERA, 0)).isEqualTo(Verdict.ACCEPT);
        assertThat(fixed.offer(ts(1, false), OTHER, 1)).isEqualTo(Verdict.ACCEPT);
        assertThat(fixed.offer(ts(1, true), new InetSocketAddress("127.0.0.2", 5000), 10 * SECOND))
                .isEqualTo(Verdict.OTHER_SOURCE);
        assertThat(fixed.offer(ByteBuffer.wrap(new byte[100]), CAMERA, 11 * SECOND)).isEqualTo(Verdict.NOT_TS);
    }

    @Test
    void withoutAStreamStartTestAnyTsStartsAStream() {
        TsSourceLock any = new TsSourceLock("udp://test", null, null, SECOND);
        assertThat(any.offer(ts(1, false), CAMERA, 0)).isEqualTo(Verdict.ACCEPT);
        assertThat(any.offer(ts(1, false), OTHER, 1)).isEqualTo(Verdict.OTHER_SOURCE);
    }
}
