package io.streamtee.camera;

import static org.assertj.core.api.Assertions.assertThat;

import io.streamtee.testing.UdpReceiver;
import io.streamtee.ts.TsPacket;
import java.util.List;

/** Checks shared by the loopback tests. */
final class TsAssertions {

    private TsAssertions() {
    }

    /** Every datagram is {@code header} bytes then exactly seven packets, each starting with 0x47. */
    static void assertDatagramsOfSevenPackets(List<UdpReceiver.Datagram> datagrams, int header) {
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

    /** Least-squares slope of cumulative payload bytes over receive time, in bytes per second. */
    static double slopeBytesPerSecond(List<UdpReceiver.Datagram> datagrams, int header) {
        int n = datagrams.size();
        double t0 = datagrams.getFirst().receivedNanos();
        double sumT = 0;
        double sumB = 0;
        double sumTT = 0;
        double sumTB = 0;
        double bytes = 0;
        for (UdpReceiver.Datagram d : datagrams) {
            double t = (d.receivedNanos() - t0) / 1e9;
            sumT += t;
            sumB += bytes;
            sumTT += t * t;
            sumTB += t * bytes;
            bytes += d.bytes().length - header;
        }
        return (n * sumTB - sumT * sumB) / (n * sumTT - sumT * sumT);
    }

    /** The stream's own rate: bytes from the first PCR packet to the last over their PCR distance. */
    static double pcrBytesPerSecond(byte[] ts) {
        long firstPcr = -1;
        long lastPcr = -1;
        long firstAt = -1;
        long lastAt = -1;
        for (int off = 0; off + TsPacket.SIZE <= ts.length; off += TsPacket.SIZE) {
            if (TsPacket.hasPcr(ts, off)) {
                if (firstPcr < 0) {
                    firstPcr = TsPacket.pcr(ts, off);
                    firstAt = off;
                }
                lastPcr = TsPacket.pcr(ts, off);
                lastAt = off;
            }
        }
        return (lastAt - firstAt) / (io.streamtee.ts.Timestamps.pcrDiff(firstPcr, lastPcr) / 27e6);
    }

    /** The largest amount of data between two consecutive PCRs: one frame, since the muxer puts a PCR on each. */
    static long largestFrameBytes(byte[] ts) {
        long largest = 0;
        long last = -1;
        for (int off = 0; off + TsPacket.SIZE <= ts.length; off += TsPacket.SIZE) {
            if (TsPacket.hasPcr(ts, off)) {
                if (last >= 0) {
                    largest = Math.max(largest, off - last);
                }
                last = off;
            }
        }
        return largest;
    }
}
