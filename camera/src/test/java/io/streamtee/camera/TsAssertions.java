package io.streamtee.camera;

import static org.assertj.core.api.Assertions.assertThat;

import io.streamtee.ts.TsPacket;
import java.util.List;

/** Checks shared by the loopback tests. */
final class TsAssertions {

    private TsAssertions() {
    }

    /** Every datagram is {@code header} bytes then exactly seven packets, each starting with 0x47. */
    static void assertDatagramsOfSevenPackets(List<UdpCapture.Datagram> datagrams, int header) {
        assertThat(datagrams).isNotEmpty();
        for (int i = 0; i < datagrams.size(); i++) {
            byte[] d = datagrams.get(i).bytes();
            assertThat(d.length).as("datagram %d length", i).isEqualTo(header + 1316);
            for (int p = 0; p < 7; p++) {
                assertThat(d[header + p * TsPacket.SIZE]).as("datagram %d packet %d sync", i, p)
                        .isEqualTo((byte) TsPacket.SYNC_BYTE);
            }
        }
    }
}
