package io.streamtee.relay;

import static io.streamtee.relay.TcpOutputTest.PROBE;
import static io.streamtee.relay.TcpOutputTest.assertSame;
import static io.streamtee.relay.TcpOutputTest.concat;
import static io.streamtee.relay.TcpOutputTest.sendUntil;
import static io.streamtee.relay.TcpOutputTest.withoutLeadingProbes;
import static io.streamtee.relay.TestRelays.relay;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.sun.net.httpserver.HttpServer;
import io.streamtee.testing.Closeables;
import io.streamtee.testing.Datagrams;
import io.streamtee.testing.UdpReceiver;
import io.streamtee.testing.UdpSender;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/** {@code tcp://} and {@code http://} inputs on loopback, out to UDP. */
@Timeout(120)
class StreamInputTest {
    @RegisterExtension
    final Closeables closeables = new Closeables();

    private <T extends AutoCloseable> T use(T t) {
        return closeables.use(t);
    }

    private static void assertTsDatagrams(List<byte[]> got) {
        assertThat(got).allSatisfy(d -> assertThat(d.length % 188 == 0 && d.length > 0 && d.length <= 1316)
                .as("datagram of %d bytes", d.length).isTrue());
    }

    @Test
    void aTcpSourceOutsideTheAllowListIsRefusedAtConnect() throws Exception {
        UdpReceiver a = use(UdpReceiver.open("127.0.0.1"));
        Relay relay = use(new Relay(io.streamtee.relay.config.ConfigLoader.check(new io.streamtee.relay.config.RelayConfig(
                java.util.Map.of("cam", io.streamtee.relay.config.RouteConfig.of("tcp://127.0.0.1:0",
                        List.of("127.0.0.3/32"), List.of(a.url()))), "0", null))).start());
        Route route = relay.route("cam");
        try (Socket stranger = new Socket()) {
            stranger.bind(new java.net.InetSocketAddress("127.0.0.2", 0));
            stranger.connect(route.localAddress());
            // the relay closes the connection without reading: our read sees the end of the stream
            stranger.setSoTimeout(10_000);
            assertThat(stranger.getInputStream().read()).isEqualTo(-1);
        }
        assertThat(route.stats().snapshot().denied()).isEqualTo(1);
        assertThat(route.stats().lastDeniedSource().getHostAddress()).isEqualTo("127.0.0.2");
        assertThat(a.count()).isZero();
    }

    @Test
    void aCameraPushingTsOverTcpReachesTheUdpOutputsAsWholePackets() throws Exception {
        UdpReceiver a = use(UdpReceiver.open("127.0.0.1"));
        UdpReceiver b = use(UdpReceiver.open("127.0.0.1"));
        Relay relay = use(relay("tcp://127.0.0.1:0", a.url(), b.url()));
        Route route = relay.route("cam");
        byte[] ts = StreamFramerTest.tsPackets(3000, 11);
        try (Socket camera = new Socket(InetAddress.getLoopbackAddress(), route.localAddress().getPort())) {
            OutputStream out = camera.getOutputStream();
            out.write(new byte[] {0, 1, 0x47, 2, 3}); // garbage before the first packet
            Random r = new Random(12);
            for (int at = 0; at < ts.length; ) {
                int n = Math.min(ts.length - at, 1 + r.nextInt(3000));
                out.write(ts, at, n);
                out.flush();
                at += n;
                if (at - route.stats().snapshot().bytes() > 400_000) {
                    int sent = at;
                    // keep the UDP receive buffers from overflowing on a busy machine
                    await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(1)).until(() ->
                            route.stats().snapshot().bytes() >= sent - 100_000);
                }
            }
        }
        for (UdpReceiver rx : List.of(a, b)) {
            await().atMost(Duration.ofSeconds(10)).until(() -> concat(rx.datagrams()).length >= ts.length);
            assertTsDatagrams(rx.datagrams());
            assertThat(concat(rx.datagrams())).isEqualTo(ts);
        }
        assertThat(a.datagrams()).extracting(d -> d.length).contains(1316);
        assertThat(route.stats().snapshot().inputErrors()).isEqualTo(1);
    }

    @Test
    void lengthFramingBetweenTwoRelaysGivesBackTheOriginalDatagrams() throws Exception {
        UdpReceiver rx = use(UdpReceiver.open("127.0.0.1"));
        Relay b = use(relay("tcp://127.0.0.1:0?framing=length", rx.url()));
        int port = b.route("cam").localAddress().getPort();
        Relay a = use(relay("udp://127.0.0.1:0", "tcp://127.0.0.1:" + port + "?framing=length"));
        List<byte[]> sent = Datagrams.mixed(1500, 13);
        try (UdpSender sender = UdpSender.to(a.route("cam").localAddress())) {
            sendUntil(sender, PROBE, () -> rx.count() > 0);
            int before = rx.count();
            sender.sendPaced(sent, 50, () -> rx.count() - before);
        }
        await().atMost(Duration.ofSeconds(20)).until(() -> withoutLeadingProbes(rx.datagrams(), PROBE).size()
                >= sent.size());
        assertSame(withoutLeadingProbes(rx.datagrams(), PROBE), sent);
    }

    @Test
    void anHttpInputPullsTheStreamAndAsksAgainWhenTheServerEndsIt() throws Exception {
        List<byte[]> responses = List.of(StreamFramerTest.tsPackets(500, 21), StreamFramerTest.tsPackets(300, 22),
                StreamFramerTest.tsPackets(77, 23));
        AtomicInteger served = new AtomicInteger();
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/cam.ts", exchange -> {
            int n = served.getAndIncrement();
            if (n >= responses.size()) {
                exchange.sendResponseHeaders(404, -1);
                exchange.close();
                return;
            }
            exchange.sendResponseHeaders(200, 0); // chunked
            try (OutputStream body = exchange.getResponseBody()) {
                byte[] ts = responses.get(n);
                for (int at = 0; at < ts.length; at += 1000) {
                    body.write(ts, at, Math.min(1000, ts.length - at));
                    body.flush();
                }
            }
        });
        server.start();
        use(() -> server.stop(0));
        UdpReceiver rx = use(UdpReceiver.open("127.0.0.1"));
        Relay relay = use(relay("http://127.0.0.1:" + server.getAddress().getPort() + "/cam.ts", rx.url()));

        byte[] all = concat(responses);
        await().atMost(Duration.ofSeconds(20)).until(() -> concat(rx.datagrams()).length >= all.length);
        assertTsDatagrams(rx.datagrams());
        assertThat(concat(rx.datagrams())).isEqualTo(all);
        await().atMost(Duration.ofSeconds(10)).until(() -> served.get() > responses.size());
        assertThat(relay.route("cam").stats().snapshot().inputErrors()).isZero();
    }

    @Test
    void closingTheRelayClosesTcpSourcesAndStopsAnHttpPull() throws Exception {
        Relay tcp = use(relay("tcp://127.0.0.1:0", use(UdpReceiver.open("127.0.0.1")).url()));
        try (Socket camera = new Socket(InetAddress.getLoopbackAddress(), tcp.route("cam").localAddress().getPort())) {
            camera.getOutputStream().write(StreamFramerTest.tsPackets(10, 31));
            await().atMost(Duration.ofSeconds(10)).until(() -> tcp.route("cam").stats().snapshot().datagrams() > 0);
            tcp.close();
            camera.setSoTimeout(10_000);
            assertThat(camera.getInputStream().read()).as("end of stream").isEqualTo(-1);
        }

        AtomicInteger requests = new AtomicInteger();
        AtomicInteger ended = new AtomicInteger();
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/live.ts", exchange -> {
            requests.incrementAndGet();
            exchange.sendResponseHeaders(200, 0);
            byte[] ts = StreamFramerTest.tsPackets(7, 32);
            try (OutputStream body = exchange.getResponseBody()) {
                while (true) { // a live stream: until the client goes away
                    body.write(ts);
                    body.flush();
                    Thread.sleep(5);
                }
            } catch (Exception e) {
                ended.incrementAndGet();
            }
        });
        server.start();
        use(() -> server.stop(0));
        Relay http = use(relay("http://127.0.0.1:" + server.getAddress().getPort() + "/live.ts",
                use(UdpReceiver.open("127.0.0.1")).url()));
        await().atMost(Duration.ofSeconds(10)).until(() -> http.route("cam").stats().snapshot().datagrams() > 0);
        http.close();
        await().atMost(Duration.ofSeconds(10)).until(() -> ended.get() == 1);
        await().during(Duration.ofMillis(500)).atMost(Duration.ofSeconds(2)).until(() -> requests.get() == 1);
    }
}
