package io.streamtee.bench.soak;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import org.junit.jupiter.api.Test;

/** The soak's byte-for-byte, in-order check of an output, without sockets. */
class SequenceMatchTest {

    private static ByteBuffer datagram(int i) {
        byte[] b = new byte[1316];
        for (int k = 0; k < b.length; k += 188) {
            b[k] = 0x47;
            b[k + 3] = (byte) i;
            b[k + 4] = (byte) (i >> 8);
        }
        return ByteBuffer.wrap(b);
    }

    private static SentLog sent(int n) {
        SentLog log = new SentLog(n + 10);
        for (int i = 0; i < n; i++) {
            log.add(SentLog.digest(datagram(i)), i);
        }
        return log;
    }

    @Test
    void everyDatagramInOrderIsNeitherLostNorAltered() {
        SequenceMatch m = new SequenceMatch(sent(100));
        for (int i = 0; i < 100; i++) {
            assertThat(m.received(SentLog.digest(datagram(i)))).isEqualTo(i);
        }
        m.finish();
        assertThat(m.lost()).isZero();
        assertThat(m.altered()).isZero();
        assertThat(m.caughtUp()).isTrue();
    }

    @Test
    void skippedDatagramsAndAMissingTailAreLost() {
        SequenceMatch m = new SequenceMatch(sent(100));
        for (int i = 0; i < 90; i++) {
            if (i % 10 != 3) {
                m.received(SentLog.digest(datagram(i)));
            }
        }
        assertThat(m.caughtUp()).isFalse();
        m.finish();
        assertThat(m.lost()).isEqualTo(9 + 10);
        assertThat(m.altered()).isZero();
    }

    @Test
    void oneChangedByteIsAlteredNotLost() {
        SequenceMatch m = new SequenceMatch(sent(10));
        for (int i = 0; i < 10; i++) {
            ByteBuffer d = datagram(i);
            if (i == 4) {
                d.put(700, (byte) 1);
            }
            m.received(SentLog.digest(d));
        }
        m.finish();
        assertThat(m.altered()).isEqualTo(1);
        assertThat(m.lost()).isZero();
    }

    @Test
    void aDatagramCutShortIsAltered() {
        SequenceMatch m = new SequenceMatch(sent(3));
        m.received(SentLog.digest(datagram(0)));
        m.received(SentLog.digest(datagram(1).limit(188 * 6)));
        m.received(SentLog.digest(datagram(2)));
        m.finish();
        assertThat(m.altered()).isEqualTo(1);
        assertThat(m.lost()).isZero();
    }
}
