package io.streamtee.relay;

import static org.assertj.core.api.Assertions.assertThat;
import static io.streamtee.relay.TestRelays.relay;
import static org.awaitility.Awaitility.await;

import io.streamtee.testing.Closeables;
import io.streamtee.testing.Datagrams;
import io.streamtee.testing.Figures;
import io.streamtee.testing.TcpReceiver;
import io.streamtee.testing.UdpReceiver;
import io.streamtee.testing.UdpSender;
import java.io.ByteArrayOutputStream;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/** UDP in, {@code tcp://} out, to a test TCP consumer on loopback. */
@Timeout(120)
class TcpOutputTest {
    /** Sent until the TCP output is seen to be connected; stripped from the front of what arrived. */
    static final byte[] PROBE = "probe".getBytes();

    @RegisterExtension
    final Closeables closeables = new Closeables();

    private <T extends AutoCloseable> T use(T t) {
        return closeables.use(t);
    }

    /** Sends {@code probe} until {@code arrived}: the output is connected and data flows end to end. */
    static void sendUntil(UdpSender sender, byte[] probe, BooleanSupplier arrived) {
        await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(20)).until(() -> {
            sender.send(probe);
            return arrived.getAsBoolean();
        });
    }

    /** {@code got} without the probes at its front. */
    static List<byte[]> withoutLeadingProbes(List<byte[]> got, byte[] probe) {
        int i = 0;
        while (i < got.size() && Arrays.equals(got.get(i), probe)) {
            i++;
        }
        return got.subList(i, got.size());
    }

    static void assertSame(List<byte[]> got, List<byte[]> sent) {
        assertThat(got).hasSize(sent.size());
        for (int i = 0; i < sent.size(); i++) {
            if (!Arrays.equals(sent.get(i), got.get(i))) {
                throw new AssertionError("datagram #" + i + " differs (" + got.get(i).length + " bytes, sent "
                        + sent.get(i).length + ")");
            }
        }
    }

    @Test
    void lengthFramingCarriesEveryDatagramWholeAndInOrder() throws Exception {
        TcpReceiver rx = use(TcpReceiver.open(0, true));
        Relay relay = use(relay("udp://127.0.0.1:0", rx.url("length")));
        Route route = relay.route("cam");
        OutputStats out = route.outputStats().get(0);
        List<byte[]> sent = Datagrams.mixed(3000, 41);
        try (UdpSender sender = UdpSender.to(route.localAddress())) {
            sendUntil(sender, PROBE, () -> !rx.lengthFramed().isEmpty());
            long before = out.snapshot().datagrams();
            sender.sendPaced(sent, 50, () -> (int) (out.snapshot().datagrams() - before));
        }
        await().atMost(Duration.ofSeconds(20)).until(() -> withoutLeadingProbes(rx.lengthFramed(), PROBE).size()
                >= sent.size());
        assertSame(withoutLeadingProbes(rx.lengthFramed(), PROBE), sent);
        assertThat(out.snapshot().dropped(DropReason.BUFFER_FULL)).isZero();
    }

    @Test
    void tsFramingWritesTheDatagramsAsOneByteStream() throws Exception {
        TcpReceiver rx = use(TcpReceiver.open(0, true));
        Relay relay = use(relay("udp://127.0.0.1:0", rx.url("ts")));
        Route route = relay.route("cam");
        OutputStats out = route.outputStats().get(0);
        byte[] ts = StreamFramerTest.tsPackets(7 * 2000, 5);
        List<byte[]> sent = Datagrams.sevenPackets(ts);
        byte[] probe = new byte[188];
        Arrays.fill(probe, (byte) 0xFF);
        probe[0] = 0x47;
        try (UdpSender sender = UdpSender.to(route.localAddress())) {
            sendUntil(sender, probe, () -> rx.bytes().length > 0);
            long before = out.snapshot().datagrams();
            sender.sendPaced(sent, 50, () -> (int) (out.snapshot().datagrams() - before));
        }
        await().atMost(Duration.ofSeconds(20)).until(() -> rx.bytes().length >= ts.length);
        byte[] got = rx.bytes();
        int from = 0;
        while (Arrays.equals(got, from, from + 188, probe, 0, 188)) {
            from += 188;
        }
        assertThat(Arrays.copyOfRange(got, from, got.length)).isEqualTo(ts);
    }

    @Test
    void reconnectsWhenTheConsumerComesBackAndCountsWhatWasLostMeanwhile() throws Exception {
        TcpReceiver first = TcpReceiver.open(0, true);
        int port = first.port();
        Relay relay = use(relay("udp://127.0.0.1:0", first.url("length")));
        Route route = relay.route("cam");
        OutputStats out = route.outputStats().get(0);
        try (UdpSender sender = use(UdpSender.to(route.localAddress()))) {
            sendUntil(sender, PROBE, () -> !first.lengthFramed().isEmpty());
            first.close();
            sendUntil(sender, PROBE, () -> out.snapshot().dropped(DropReason.REFUSED) > 0);

            long refusedAt = out.snapshot().dropped();
            long reopened = System.nanoTime();
            TcpReceiver again = use(TcpReceiver.open(port, true));
            sendUntil(sender, PROBE, () -> !again.lengthFramed().isEmpty());
            long recoveryMs = (System.nanoTime() - reopened) / 1_000_000;
            long lostMeanwhile = out.snapshot().dropped();
            List<byte[]> sent = Datagrams.mixed(300, 7);
            long before = out.snapshot().datagrams();
            sender.sendPaced(sent, 50, () -> (int) (out.snapshot().datagrams() - before));
            await().atMost(Duration.ofSeconds(20)).until(() ->
                    withoutLeadingProbes(again.lengthFramed(), PROBE).size() >= sent.size());
            assertSame(withoutLeadingProbes(again.lengthFramed(), PROBE), sent);
            Figures.of("fault.relay.tcp-consumer-restart").put("recovery_ms", recoveryMs)
                    .put("dropped_while_gone", refusedAt).put("dropped_until_recovered", lostMeanwhile)
                    .put("dropped_after_recovery", out.snapshot().dropped() - lostMeanwhile)
                    .record(getClass(), "reconnectsWhenTheConsumerComesBackAndCountsWhatWasLostMeanwhile");
        }
    }

    @Test
    void aStalledConsumerCostsOnlyItsOwnCopies() throws Exception {
        UdpReceiver udp = use(UdpReceiver.open("127.0.0.1"));
        TcpReceiver stalled = use(TcpReceiver.open(0, false));
        Relay relay = use(relay("udp://127.0.0.1:0", udp.url(), stalled.url("ts")));
        Route route = relay.route("cam");
        await().atMost(Duration.ofSeconds(10)).until(() -> stalled.connections() == 1);
        List<byte[]> sent = Datagrams.fixed(12_000, 1316, 9);
        try (UdpSender sender = UdpSender.to(route.localAddress())) {
            sender.sendPaced(sent, 50, udp::count);
        }
        await().atMost(Duration.ofSeconds(20)).until(() -> udp.count() >= sent.size());
        assertSame(udp.datagrams(), sent);
        OutputStats.Snapshot tcp = route.outputStats().get(1).snapshot();
        assertThat(tcp.dropped(DropReason.BUFFER_FULL)).isPositive();
        assertThat(tcp.datagrams() + tcp.dropped()).isEqualTo(sent.size());
        assertThat(route.outputStats().get(0).snapshot().dropped()).isZero();
        Figures.of("fault.relay.tcp-stall-neighbour").put("datagrams", sent.size())
                .put("lost", tcp.dropped()).put("lost_counted_full", tcp.dropped(DropReason.BUFFER_FULL))
                .put("lost_others", sent.size() - udp.count())
                .record(getClass(), "aStalledConsumerCostsOnlyItsOwnCopies");
    }

    static byte[] concat(List<byte[]> parts) {
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        parts.forEach(all::writeBytes);
        return all.toByteArray();
    }
}
