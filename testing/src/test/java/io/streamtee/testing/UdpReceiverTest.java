package io.streamtee.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The loopback receiver keeps datagrams in order with their receive times, and writes their payloads. */
class UdpReceiverTest {
    @TempDir
    Path dir;

    @Test
    void keepsDatagramsInOrderWithReceiveTimesAndWritesPayloadsWithoutHeaders() throws Exception {
        List<byte[]> sent = Datagrams.fixed(20, 100, 3);
        try (UdpReceiver rx = UdpReceiver.open("127.0.0.1"); UdpSender tx = UdpSender.to(rx.address())) {
            long before = System.nanoTime();
            for (byte[] d : sent) {
                tx.send(d);
            }
            await().atMost(Duration.ofSeconds(10)).until(() -> rx.count() == sent.size());
            List<UdpReceiver.Datagram> timed = rx.timed();
            for (int i = 0; i < sent.size(); i++) {
                assertThat(timed.get(i).bytes()).isEqualTo(sent.get(i)).isEqualTo(rx.datagrams().get(i));
                assertThat(timed.get(i).receivedNanos()).isGreaterThanOrEqualTo(i == 0 ? before
                        : timed.get(i - 1).receivedNanos());
            }
            byte[] written = Files.readAllBytes(rx.writeTo(dir.resolve("cap"), 12));
            assertThat(written).hasSize(20 * (100 - 12));
            assertThat(java.util.Arrays.copyOfRange(written, 0, 88))
                    .isEqualTo(java.util.Arrays.copyOfRange(sent.get(0), 12, 100));
        }
    }

    @Test
    void aSevenPacketCutKeepsEveryByte() {
        byte[] ts = new byte[188 * 15];
        for (int i = 0; i < ts.length; i++) {
            ts[i] = (byte) i;
        }
        List<byte[]> cut = Datagrams.sevenPackets(ts);
        assertThat(cut).extracting(d -> d.length).containsExactly(1316, 1316, 188);
        assertThat(cut.get(2)[0]).isEqualTo(ts[2632]);
    }
}
