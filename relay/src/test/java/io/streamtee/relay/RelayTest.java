package io.streamtee.relay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.netty.channel.uring.IoUring;
import io.streamtee.relay.config.ConfigLoader;
import io.streamtee.relay.config.RelayConfig;
import io.streamtee.relay.config.RelaySettings;
import io.streamtee.relay.config.RouteConfig;
import io.streamtee.testing.Closeables;
import io.streamtee.testing.Datagrams;
import io.streamtee.testing.Figures;
import io.streamtee.testing.UdpReceiver;
import io.streamtee.testing.UdpSender;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.nio.channels.DatagramChannel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The real relay on loopback: port 0 everywhere, waits on conditions, never on the clock. */
@Timeout(60)
class RelayTest {
    @RegisterExtension
    final Closeables closeables = new Closeables();

    private <T extends AutoCloseable> T use(T t) {
        return closeables.use(t);
    }

    private Relay relay(String input, List<String> outputs, List<String> allow, String transport, String gso) {
        RelaySettings s = ConfigLoader.check(new RelayConfig(
                Map.of("test", new RouteConfig(input, allow, outputs, null, null, null, gso)), "0", transport));
        return use(new Relay(s).start());
    }

    private List<UdpReceiver> receivers(int n, String host) throws IOException {
        List<UdpReceiver> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add(use(UdpReceiver.open(host)));
        }
        return out;
    }

    private static int minCount(List<UdpReceiver> rs) {
        return rs.stream().mapToInt(UdpReceiver::count).min().orElse(0);
    }

    private static void assertExact(UdpReceiver r, List<byte[]> sent) {
        List<byte[]> got = r.datagrams();
        assertThat(got).as("datagrams at %s", r.url()).hasSize(sent.size());
        for (int i = 0; i < sent.size(); i++) {
            byte[] want = sent.get(i);
            byte[] have = got.get(i);
            if (!java.util.Arrays.equals(want, have)) {
                throw new AssertionError(String.format("datagram #%d at %s: sent %d bytes, got %d bytes, first"
                        + " difference at byte %d", i, r.url(), want.length, have.length,
                        java.util.Arrays.mismatch(want, have)));
            }
        }
    }

    @ParameterizedTest(name = "transport {0}, gso {1}")
    @CsvSource({"epoll, auto", "epoll, on", "epoll, off", "nio, off", "io_uring, auto"})
    void everyDatagramReachesEveryOutputWholeOnceAndInOrder(String transport, String gso) throws Exception {
        Assumptions.assumeTrue(!transport.equals("io_uring") || IoUring.isAvailable(), "io_uring not available");
        List<UdpReceiver> outs = receivers(3, "127.0.0.1");
        Relay relay = relay("udp://127.0.0.1:0", outs.stream().map(UdpReceiver::url).toList(), List.of(),
                transport, gso);
        List<byte[]> sent = Datagrams.mixed(3000, 42);

        try (UdpSender sender = UdpSender.to(relay.routes().get(0).localAddress())) {
            sender.sendPaced(sent, 200, () -> minCount(outs));
        }

        await().atMost(Duration.ofSeconds(10)).until(() -> minCount(outs) >= sent.size());
        for (UdpReceiver r : outs) {
            assertExact(r, sent);
        }
        Route route = relay.routes().get(0);
        assertThat(route.stats().snapshot().datagrams()).isEqualTo(sent.size());
        long bytes = sent.stream().mapToLong(b -> b.length).sum();
        long dropped = 0;
        for (OutputStats o : route.outputStats()) {
            assertThat(o.snapshot().datagrams()).isEqualTo(sent.size());
            assertThat(o.snapshot().bytes()).isEqualTo(bytes);
            assertThat(o.snapshot().dropped()).isZero();
            dropped += o.snapshot().dropped();
        }
        // an id is lower-case words with '.' and '-': io_uring is named io-uring there
        Figures.of("relay.identity." + transport.replace('_', '-') + "-gso-" + gso).put("datagrams", sent.size())
                .put("outputs", outs.size()).put("compared_min", minCount(outs))
                .put("bytes_compared", bytes * outs.size()).put("dropped", dropped)
                .record(RelayTest.class, "everyDatagramReachesEveryOutputWholeOnceAndInOrder");
    }

    @Test
    void ipv6InputAndOutputs() throws Exception {
        List<UdpReceiver> outs = receivers(2, "::1");
        Relay relay = relay("udp://[::1]:0", outs.stream().map(UdpReceiver::url).toList(), List.of(), "auto", null);
        List<byte[]> sent = Datagrams.mixed(500, 6);
        try (UdpSender sender = UdpSender.to(relay.routes().get(0).localAddress())) {
            sender.sendPaced(sent, 100, () -> minCount(outs));
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> minCount(outs) >= sent.size());
        outs.forEach(r -> assertExact(r, sent));
    }

    @Test
    void ipv4OutputsFromAnIpv6InputAndBack() throws Exception {
        UdpReceiver v4 = use(UdpReceiver.open("127.0.0.1"));
        UdpReceiver v6 = use(UdpReceiver.open("::1"));
        Relay relay = relay("udp://[::1]:0", List.of(v4.url(), v6.url()), List.of(), "auto", null);
        List<byte[]> sent = Datagrams.fixed(300, 1316, 7);
        try (UdpSender sender = UdpSender.to(relay.routes().get(0).localAddress())) {
            sender.sendPaced(sent, 100, () -> Math.min(v4.count(), v6.count()));
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> Math.min(v4.count(), v6.count()) >= sent.size());
        assertExact(v4, sent);
        assertExact(v6, sent);
    }

    @ParameterizedTest(name = "transport {0}")
    @CsvSource({"epoll", "nio"})
    void multicastInAndOutOnLoopback(String transport) throws Exception {
        NetworkInterface lo = NetworkInterface.getByName("lo");
        UdpReceiver groupOut = use(UdpReceiver.multicast("239.255.77.2", lo));
        UdpReceiver unicastOut = use(UdpReceiver.open("127.0.0.1"));
        Relay relay = relay("udp://239.255.77.1:0?iface=lo",
                List.of("udp://239.255.77.2:" + groupOut.port() + "?iface=lo&ttl=1", unicastOut.url()),
                List.of(), transport, null);
        InetSocketAddress group = new InetSocketAddress("239.255.77.1", relay.routes().get(0).localAddress().getPort());
        List<byte[]> sent = Datagrams.fixed(500, 1316, 8);
        try (UdpSender sender = UdpSender.to(group)) {
            sender.sendPaced(sent, 100, () -> Math.min(groupOut.count(), unicastOut.count()));
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> Math.min(groupOut.count(), unicastOut.count()) >= 500);
        assertExact(groupOut, sent);
        assertExact(unicastOut, sent);
    }

    @Test
    void sourceSpecificMulticastTakesOnlyTheNamedSource() throws Exception {
        UdpReceiver out = use(UdpReceiver.open("127.0.0.1"));
        Relay relay = relay("udp://232.1.2.3:0?iface=lo&source=127.0.0.1", List.of(out.url()), List.of(), "auto", null);
        InetSocketAddress group = new InetSocketAddress("232.1.2.3", relay.routes().get(0).localAddress().getPort());
        List<byte[]> wanted = Datagrams.fixed(50, 188, 1);
        try (UdpSender other = UdpSender.from("127.0.0.2", group); UdpSender source = UdpSender.from("127.0.0.1", group)) {
            for (byte[] d : Datagrams.fixed(50, 100, 2)) {
                other.send(d); // not from the source: the kernel filters these out
            }
            source.sendPaced(wanted, 25, out::count);
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> out.count() >= 50);
        assertExact(out, wanted);
    }

    @Test
    void allowListDropsAndCountsOtherSources() throws Exception {
        UdpReceiver out = use(UdpReceiver.open("127.0.0.1"));
        Relay relay = relay("udp://127.0.0.1:0", List.of(out.url()), List.of("127.0.0.2/32"), "auto", null);
        InetSocketAddress in = relay.routes().get(0).localAddress();
        List<byte[]> allowed = Datagrams.fixed(100, 1316, 3);
        try (UdpSender stranger = UdpSender.from("127.0.0.3", in); UdpSender camera = UdpSender.from("127.0.0.2", in)) {
            for (byte[] d : Datagrams.fixed(40, 500, 4)) {
                stranger.send(d);
            }
            camera.sendPaced(allowed, 50, out::count);
        }
        RouteStats stats = relay.routes().get(0).stats();
        await().atMost(Duration.ofSeconds(10)).until(() -> out.count() >= 100 && stats.snapshot().denied() >= 40);
        assertExact(out, allowed);
        assertThat(stats.snapshot().denied()).isEqualTo(40);
        assertThat(stats.snapshot().datagrams()).isEqualTo(100);
        assertThat(stats.lastDeniedSource().getHostAddress()).isEqualTo("127.0.0.3");
        Figures.of("hostile.allow-list.relay").put("sent_allowed", allowed.size()).put("sent_stranger", 40)
                .put("delivered_allowed", out.count()).put("denied_counted", stats.snapshot().denied())
                .record(getClass(), "allowListDropsAndCountsOtherSources");
    }

    /**
     * Empty datagrams are counted as received and not sent on (they carry nothing); 65,507-byte ones arrive whole.
     * Before the fix, on epoll once the input read in batches, an empty datagram left as a second copy of the one
     * before it (sendmmsg).
     */
    @ParameterizedTest(name = "transport {0}, gso {1}")
    @CsvSource({"epoll, auto", "epoll, off", "nio, off", "io_uring, off"})
    void emptyAndMaximalDatagramsAreForwardedWholeOrCounted(String transport, String gso) throws Exception {
        Assumptions.assumeTrue(!transport.equals("io_uring") || IoUring.isAvailable(), "io_uring not available");
        emptyAndMaximal(transport, gso, true);
    }

    private void emptyAndMaximal(String transport, String gso, boolean empties) throws Exception {
        Assumptions.assumeTrue(!transport.equals("io_uring") || IoUring.isAvailable(), "io_uring not available");
        List<UdpReceiver> outs = receivers(2, "127.0.0.1");
        Relay relay = relay("udp://127.0.0.1:0", outs.stream().map(UdpReceiver::url).toList(), List.of(),
                transport, gso);
        InetSocketAddress in = relay.routes().get(0).localAddress();
        List<byte[]> sent = new ArrayList<>();
        List<byte[]> big = Datagrams.fixed(20, Datagrams.MAX_IPV4, 8);
        List<byte[]> camera = Datagrams.fixed(20, 1316, 9);
        for (int i = 0; i < 20; i++) {
            sent.add(empties ? new byte[0] : camera.get((i + 1) % 20));
            sent.add(big.get(i));
            sent.add(camera.get(i));
        }
        try (UdpSender source = UdpSender.to(in)) {
            for (int i = 0; i < sent.size(); i += 3) { // paced: a 65,507-byte datagram fills a receive buffer fast
                int batch = i;
                source.send(sent.get(i));
                source.send(sent.get(i + 1));
                source.send(sent.get(i + 2));
                await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(1)).until(() -> outs.stream()
                        .allMatch(o -> o.datagrams().stream().filter(d -> d.length > 0).count() >= batch / 3 * 2 + 2));
            }
        }
        RouteStats stats = relay.routes().get(0).stats();
        await().atMost(Duration.ofSeconds(10)).until(() -> minCount(outs) >= 40);
        List<byte[]> nonEmpty = sent.stream().filter(d -> d.length > 0).toList();
        for (UdpReceiver out : outs) {
            // an empty datagram is counted, not sent on; everything else arrives whole, once, in order
            List<byte[]> got = out.datagrams();
            assertThat(got.stream().map(d -> d.length).toList()).as("sizes at %s", out.url())
                    .isEqualTo(nonEmpty.stream().map(d -> d.length).toList());
            for (int i = 0; i < got.size(); i++) {
                assertThat(got.get(i)).as("datagram %d at %s", i, out.url()).isEqualTo(nonEmpty.get(i));
            }
        }
        long emptiesOut = outs.getFirst().datagrams().stream().filter(d -> d.length == 0).count();
        long maxOut = outs.getFirst().datagrams().stream().filter(d -> d.length == Datagrams.MAX_IPV4).count();
        assertThat(relay.routes().isEmpty()).isFalse(); // the relay lives on
        Figures.of("hostile.datagram-size.relay." + transport.replace('_', '-')).put("gso", gso)
                .put("sent_empty", empties ? 20 : 0)
                .put("sent_65507", 20).put("forwarded_65507_whole", maxOut).put("empty_forwarded", emptiesOut)
                .put("datagrams_counted", stats.snapshot().datagrams())
                .record(getClass(), "emptyAndMaximalDatagramsAreForwardedWholeOrCounted");
    }

    @Test
    void closedOutputIsCountedAndNeverHurtsTheLiveOnes() throws Exception {
        int closedPort;
        try (DatagramChannel gone = DatagramChannel.open()) {
            gone.bind(new InetSocketAddress("127.0.0.1", 0));
            closedPort = ((InetSocketAddress) gone.getLocalAddress()).getPort();
        }
        UdpReceiver a = use(UdpReceiver.open("127.0.0.1"));
        UdpReceiver b = use(UdpReceiver.open("127.0.0.1"));
        Relay relay = relay("udp://127.0.0.1:0", List.of(a.url(), "127.0.0.1:" + closedPort, b.url()), List.of(),
                "auto", null);
        List<byte[]> sent = Datagrams.mixed(2000, 5);
        try (UdpSender sender = UdpSender.to(relay.routes().get(0).localAddress())) {
            sender.sendPaced(sent, 100, () -> Math.min(a.count(), b.count()));
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> Math.min(a.count(), b.count()) >= sent.size());
        assertExact(a, sent);
        assertExact(b, sent);
        OutputStats.Snapshot closed = relay.routes().get(0).outputStats().get(1).snapshot();
        assertThat(closed.dropped(DropReason.REFUSED)).isPositive();
        assertThat(relay.routes().get(0).outputStats().get(0).snapshot().dropped()).isZero();
        assertThat(relay.routes().get(0).outputStats().get(2).snapshot().dropped()).isZero();
    }

    @Test
    void consumerThatNeverReadsDoesNotSlowTheOthers() throws Exception {
        UdpReceiver stuck = use(UdpReceiver.open("127.0.0.1", false));
        UdpReceiver live = use(UdpReceiver.open("127.0.0.1"));
        Relay relay = relay("udp://127.0.0.1:0", List.of(stuck.url(), live.url()), List.of(), "auto", null);
        List<byte[]> sent = Datagrams.fixed(3000, 1316, 9);
        try (UdpSender sender = UdpSender.to(relay.routes().get(0).localAddress())) {
            sender.sendPaced(sent, 200, live::count);
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> live.count() >= sent.size());
        assertExact(live, sent);
        assertThat(stuck.count()).isZero();
    }

    @Test
    void portInUseIsOneClearLine() throws Exception {
        try (DatagramChannel taken = DatagramChannel.open()) {
            taken.bind(new InetSocketAddress("127.0.0.1", 0));
            int port = ((InetSocketAddress) taken.getLocalAddress()).getPort();
            RelaySettings s = ConfigLoader.check(new RelayConfig(Map.of("t",
                    RouteConfig.of("udp://127.0.0.1:" + port, List.of(), List.of("127.0.0.1:9"))), "0", null));
            assertThatThrownBy(() -> new Relay(s).start())
                    .isInstanceOf(RelayException.class)
                    .hasMessage("udp://127.0.0.1:" + port + ": address already in use"
                            + " (is another relay or program listening on this port?)");
        }
    }

    @Test
    void workersShareThePortAndKeepEachSourceInOrder() throws Exception {
        List<UdpReceiver> outs = receivers(2, "127.0.0.1");
        RelaySettings s = ConfigLoader.check(new RelayConfig(Map.of("w", new RouteConfig("udp://127.0.0.1:0", null,
                outs.stream().map(UdpReceiver::url).toList(), null, null, 2, null)), "0", "epoll"));
        Relay relay = use(new Relay(s).start());
        List<byte[]> sent = Datagrams.mixed(1000, 11);
        try (UdpSender sender = UdpSender.to(relay.routes().get(0).localAddress())) {
            sender.sendPaced(sent, 100, () -> minCount(outs));
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> minCount(outs) >= sent.size());
        outs.forEach(r -> assertExact(r, sent));
    }

    @Test
    void closeIsIdempotentAndLeavesNothingBound() throws Exception {
        UdpReceiver out = use(UdpReceiver.open("127.0.0.1"));
        RelaySettings s = ConfigLoader.check(new RelayConfig(Map.of("t",
                RouteConfig.of("udp://127.0.0.1:0", List.of(), List.of(out.url()))), "0", null));
        Relay relay = new Relay(s).start();
        InetSocketAddress in = relay.routes().get(0).localAddress();
        relay.close();
        relay.close();
        try (DatagramChannel again = DatagramChannel.open()) {
            again.bind(in); // the port is free again
        }
    }
}
