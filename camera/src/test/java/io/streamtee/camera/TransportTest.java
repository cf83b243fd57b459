package io.streamtee.camera;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;
import static org.awaitility.Awaitility.await;

import io.streamtee.testing.UdpReceiver;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.StandardProtocolFamily;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** RTP, IPv6 and multicast on loopback, with short clip runs. */
class TransportTest {

    private static final int FPS = 25;

    @TempDir
    Path dir;

    private Path clip() throws IOException {
        return Clips.write(dir.resolve("clip.ts"), Clips.small(FPS), FPS);
    }

    @Test
    void rtpFollowsRfc2250() throws Exception {
        Path clip = clip();
        try (UdpReceiver capture = UdpReceiver.open("127.0.0.1")) {
            CameraRuns.runToEnd(CameraConfig.clip(clip, Destination.parse("rtp://127.0.0.1:" + capture.port()))
                    .withDuration(Duration.ofSeconds(1)), capture);
            List<UdpReceiver.Datagram> datagrams = capture.timed();
            TsAssertions.assertDatagramsOfSevenPackets(datagrams, UdpSender.RTP_HEADER);
            ByteBuffer first = ByteBuffer.wrap(datagrams.getFirst().bytes());
            int ssrc = first.getInt(8);
            int seq = first.getShort(2) & 0xFFFF;
            long firstTimestamp = first.getInt(4) & 0xFFFFFFFFL;
            long previous = firstTimestamp;
            for (UdpReceiver.Datagram d : datagrams) {
                ByteBuffer b = ByteBuffer.wrap(d.bytes());
                assertThat(b.get(0) & 0xFF).as("V=2, P=0, X=0, CC=0").isEqualTo(0x80);
                assertThat(b.get(1) & 0xFF).as("M=0, PT=33 (MP2T)").isEqualTo(33);
                assertThat(b.getShort(2) & 0xFFFF).isEqualTo(seq);
                assertThat(b.getInt(8)).isEqualTo(ssrc);
                long timestamp = b.getInt(4) & 0xFFFFFFFFL;
                assertThat((timestamp - previous) & 0xFFFFFFFFL).as("90 kHz timestamps never go back")
                        .isLessThan(90_000L);
                previous = timestamp;
                seq = (seq + 1) & 0xFFFF;
            }
            long span = (previous - firstTimestamp) & 0xFFFFFFFFL;
            assertThat(span).as("timestamp span of a 1 s run, 90 kHz").isBetween(80_000L, 92_000L);

            Path ts = capture.writeTo(dir.resolve("cap.ts"), UdpSender.RTP_HEADER);
            assertThat(StreamCheck.of(Files.readAllBytes(ts)).videoPts).hasSize(FPS);
        }
    }

    @Test
    void sendsToIpv6Loopback() throws Exception {
        boolean ipv6;
        try (DatagramChannel probe = DatagramChannel.open(StandardProtocolFamily.INET6)) {
            probe.bind(new InetSocketAddress(InetAddress.getByName("::1"), 0));
            ipv6 = true;
        } catch (IOException | UnsupportedOperationException e) {
            ipv6 = false;
        }
        assumeThat(ipv6).as("IPv6 loopback available").isTrue();
        Path clip = clip();
        try (UdpReceiver capture = UdpReceiver.open("::1")) {
            CameraStats stats = CameraRuns.runToEnd(CameraConfig.clip(clip,
                    Destination.parse("[::1]:" + capture.port())).withDuration(Duration.ofMillis(500)), capture);
            assertThat(stats.datagramsSent()).isPositive();
            TsAssertions.assertDatagramsOfSevenPackets(capture.timed(), 0);
        }
    }

    @Test
    void sendsToAMulticastGroupOnLoopback() throws Exception {
        NetworkInterface lo = NetworkInterface.getByInetAddress(InetAddress.getLoopbackAddress());
        InetAddress group = InetAddress.getByName("239.255.42.99");
        DatagramChannel channel = DatagramChannel.open(StandardProtocolFamily.INET)
                .setOption(StandardSocketOptions.SO_REUSEADDR, true);
        try {
            channel.bind(new InetSocketAddress(0));
            channel.join(group, lo);
        } catch (IOException e) {
            channel.close();
            assumeThat(e).as("multicast on the loopback interface").isNull();
        }
        Path clip = clip();
        try (UdpReceiver capture = UdpReceiver.on(channel)) {
            Destination to = Destination.parse("udp://239.255.42.99:" + capture.port() + "?ttl=0&iface=127.0.0.1");
            assertThat(to.multicast()).isTrue();
            assertThat(to.ttl()).isZero();
            assertThat(to.iface()).isEqualTo(lo);
            CameraStats stats;
            try (Camera camera = new Camera(CameraConfig.clip(clip, to).withDuration(Duration.ofMillis(500)))
                    .start()) {
                assertThat(camera.awaitDone(Duration.ofSeconds(30))).isTrue();
                stats = camera.stats();
            }
            assertThat(stats.sendErrors()).isZero();
            // Some kernels do not loop multicast back on lo; then there is nothing to check on this machine.
            try {
                await().atMost(Duration.ofSeconds(5)).until(() -> capture.count() == stats.datagramsSent());
            } catch (org.awaitility.core.ConditionTimeoutException e) {
                assumeThat(capture.count()).as("multicast looped back on lo").isPositive();
                throw e;
            }
            TsAssertions.assertDatagramsOfSevenPackets(capture.timed(), 0);
        }
    }
}
