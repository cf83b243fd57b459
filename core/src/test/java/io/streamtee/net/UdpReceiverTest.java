package io.streamtee.net;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.streamtee.config.Cidr;
import io.streamtee.config.Endpoint;
import io.streamtee.testing.Figures;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.StandardProtocolFamily;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/** The receiver on loopback, port 0: what it takes, what it drops and why, its signals, its errors. */
class UdpReceiverTest {

    /** What a listener heard, for the test to wait on. */
    static final class Heard implements UdpReceiver.Listener {
        final AtomicLong bytes = new AtomicLong();
        final List<String> events = new CopyOnWriteArrayList<>();
        final AtomicLong ticks = new AtomicLong();

        @Override
        public void onData(byte[] buf, int off, int len, long nanos) {
            bytes.addAndGet(len);
        }

        @Override
        public void onStopped(long silentNanos) {
            events.add("stopped");
        }

        @Override
        public void onBack(long silentNanos) {
            events.add("back");
        }

        @Override
        public void onTick(long nanos) {
            ticks.incrementAndGet();
        }

        @Override
        public void onEnd() {
            events.add("end");
        }
    }

    private static Endpoint input(String url) {
        return Endpoint.parse(url, Endpoint.Role.INPUT);
    }

    private static byte[] ts(int packets) {
        byte[] b = new byte[packets * 188];
        for (int i = 0; i < b.length; i += 188) {
            b[i] = 0x47;
        }
        return b;
    }

    private static DatagramChannel sender(String from) throws IOException {
        DatagramChannel ch = DatagramChannel.open(StandardProtocolFamily.INET);
        ch.bind(new InetSocketAddress(from, 0));
        return ch;
    }

    @Test
    void takesTsFromOneSourceAndCountsWhatItDropsByReason() throws Exception {
        Heard heard = new Heard();
        UdpReceiver.Options options = UdpReceiver.Options.of("test").withAllow(List.of(Cidr.parse("127.0.0.1/32")));
        try (UdpReceiver in = new UdpReceiver(input("udp://127.0.0.1:0"), options, heard).start();
                DatagramChannel camera = sender("127.0.0.1");
                DatagramChannel other = sender("127.0.0.1");
                DatagramChannel outside = sender("127.0.0.2")) {
            InetSocketAddress to = in.localAddress();
            assertThat(to.getPort()).isPositive();
            camera.send(ByteBuffer.wrap(ts(7)), to);
            await().atMost(Duration.ofSeconds(5)).until(() -> heard.bytes.get() == 7 * 188);
            other.send(ByteBuffer.wrap(ts(7)), to);
            other.send(ByteBuffer.wrap(new byte[100]), to);
            other.send(ByteBuffer.allocate(0), to);
            outside.send(ByteBuffer.wrap(ts(1)), to);
            camera.send(ByteBuffer.wrap(ts(1)), to);
            await().atMost(Duration.ofSeconds(5)).until(() -> in.stats().datagrams() == 6);
            UdpReceiver.Stats s = in.stats();
            assertThat(s.accepted()).isEqualTo(2);
            assertThat(s.acceptedBytes()).isEqualTo(8 * 188);
            assertThat(heard.bytes.get()).isEqualTo(8 * 188);
            assertThat(s.dropped(UdpReceiver.Drop.OTHER_SOURCE)).isEqualTo(1);
            assertThat(s.dropped(UdpReceiver.Drop.NOT_TS)).isEqualTo(2);
            assertThat(s.dropped(UdpReceiver.Drop.DENIED)).isEqualTo(1);
            assertThat(s.dropped()).isEqualTo(4);
            assertThat(s.source()).isEqualTo(camera.getLocalAddress());
        }
        assertThat(heard.events).containsExactly("end");
    }

    @Test
    void aSourceOutsideTheAllowListIsDeniedAndCountedAndTheAllowedOneLosesNothing() throws Exception {
        Heard heard = new Heard();
        UdpReceiver.Options options = UdpReceiver.Options.of("test").withAllow(List.of(Cidr.parse("127.0.0.1/32")));
        try (UdpReceiver in = new UdpReceiver(input("udp://127.0.0.1:0"), options, heard).start();
                DatagramChannel camera = sender("127.0.0.1");
                DatagramChannel stranger = sender("127.0.0.3")) {
            InetSocketAddress to = in.localAddress();
            for (int i = 0; i < 50; i++) { // the stranger first: it must not take the stream
                stranger.send(ByteBuffer.wrap(ts(7)), to);
            }
            await().atMost(Duration.ofSeconds(5)).until(() -> in.stats().dropped(UdpReceiver.Drop.DENIED) == 50);
            for (int batch = 0; batch < 10; batch++) {
                for (int i = 0; i < 20; i++) {
                    camera.send(ByteBuffer.wrap(ts(7)), to);
                    stranger.send(ByteBuffer.wrap(ts(7)), to);
                    stranger.send(ByteBuffer.allocate(0), to);
                }
                int sent = (batch + 1) * 20;
                await().atMost(Duration.ofSeconds(5)).until(() -> heard.bytes.get() == sent * 7L * 188);
            }
            await().atMost(Duration.ofSeconds(5)).until(() -> in.stats().datagrams() == 50 + 200 * 3);
            UdpReceiver.Stats s = in.stats();
            assertThat(s.accepted()).isEqualTo(200);
            assertThat(heard.bytes.get()).isEqualTo(200 * 7L * 188);
            assertThat(s.dropped(UdpReceiver.Drop.DENIED)).isEqualTo(450);
            assertThat(s.dropped()).isEqualTo(450);
            assertThat(s.source()).isEqualTo(camera.getLocalAddress());
            Figures.of("hostile.allow-list.services").put("sent_allowed", 200).put("sent_stranger", 450)
                    .put("accepted", s.accepted()).put("denied_counted", s.dropped(UdpReceiver.Drop.DENIED))
                    .record(getClass(), "aSourceOutsideTheAllowListIsDeniedAndCountedAndTheAllowedOneLosesNothing");
        }
    }

    @Test
    void saysWhenTheStreamStopsAndWhenItComesBackAndTicksMeanwhile() throws Exception {
        Heard heard = new Heard();
        UdpReceiver.Options options = UdpReceiver.Options.of("test").withStoppedAfter(Duration.ofMillis(300));
        try (UdpReceiver in = new UdpReceiver(input("udp://127.0.0.1:0"), options, heard).start();
                DatagramChannel camera = sender("127.0.0.1")) {
            camera.send(ByteBuffer.wrap(ts(1)), in.localAddress());
            await().atMost(Duration.ofSeconds(5)).until(() -> heard.events.contains("stopped"));
            long ticks = heard.ticks.get();
            await().atMost(Duration.ofSeconds(5)).until(() -> heard.ticks.get() > ticks + 2); // ticks with no data
            camera.send(ByteBuffer.wrap(ts(1)), in.localAddress());
            await().atMost(Duration.ofSeconds(5)).until(() -> heard.bytes.get() == 2 * 188);
            assertThat(heard.events).containsExactly("stopped", "back");
        }
    }

    @Test
    void anotherSourceTakingOverAfterTheSilenceIsAStopAndABackThoughNoCheckRanBetween() throws Exception {
        Heard heard = new Heard();
        UdpReceiver.Options options = UdpReceiver.Options.of("test").withStoppedAfter(Duration.ofMillis(200))
                .withSwitchAfter(Duration.ofMillis(200));
        try (UdpReceiver in = new UdpReceiver(input("udp://127.0.0.1:0"), options, heard).start();
                DatagramChannel camera = sender("127.0.0.1");
                DatagramChannel restarted = sender("127.0.0.1")) {
            camera.send(ByteBuffer.wrap(ts(1)), in.localAddress());
            await().atMost(Duration.ofSeconds(5)).until(() -> heard.bytes.get() == 188);
            // the restarted camera sends all the time, so the receiver wakes for each datagram: the one that takes
            // over (200 ms after the first camera's last) comes before any check could see the silence
            long end = System.nanoTime() + Duration.ofSeconds(3).toNanos();
            for (int i = 0; i < 600 && heard.bytes.get() == 188 && System.nanoTime() < end; i++) {
                restarted.send(ByteBuffer.wrap(ts(1)), in.localAddress());
                Thread.sleep(2); // pacing the sender, not waiting for a result
            }
            await().atMost(Duration.ofSeconds(5)).until(() -> heard.bytes.get() > 188);
            assertThat(in.stats().source()).isEqualTo(restarted.getLocalAddress());
            assertThat(heard.events).containsExactly("stopped", "back");
        }
    }

    @Test
    void aPortInUseIsOneLineNamingTheAddressAndStartAndCloseAreIdempotent() throws Exception {
        try (UdpReceiver first = new UdpReceiver(input("udp://127.0.0.1:0"), UdpReceiver.Options.of("recorder"),
                new Heard())) {
            assertThat(first.start()).isSameAs(first.start());
            int port = first.localAddress().getPort();
            String url = "udp://127.0.0.1:" + port;
            UdpReceiver second = new UdpReceiver(input(url), UdpReceiver.Options.of("recorder"), new Heard());
            assertThatThrownBy(second::start).isInstanceOf(ReceiveException.class)
                    .hasMessage(url + ": address already in use (is another recorder listening on this port?)");
            second.close();
            first.close();
            first.close();
        }
    }

    /** A real multicast group on loopback (iface=lo, TTL 1, sent through 127.0.0.1). */
    @Test
    void receivesAMulticastGroupJoinedOnLoopback() throws Exception {
        Heard heard = new Heard();
        UdpReceiver in = new UdpReceiver(input("udp://239.255.91.7:0?iface=lo"), UdpReceiver.Options.of("test"),
                heard);
        try (in) {
            try {
                in.start();
            } catch (ReceiveException e) {
                Assumptions.abort("this machine cannot join a multicast group on lo: " + e.getMessage());
            }
            assertThat(in.joinedInterface().getName()).isEqualTo("lo");
            assertThat(in.localAddress().getAddress().getHostAddress()).isEqualTo("239.255.91.7");
            try (DatagramChannel sender = sender("127.0.0.1")) {
                sender.setOption(StandardSocketOptions.IP_MULTICAST_IF, NetworkInterface.getByName("lo"));
                sender.setOption(StandardSocketOptions.IP_MULTICAST_TTL, 1);
                sender.setOption(StandardSocketOptions.IP_MULTICAST_LOOP, true);
                sender.send(ByteBuffer.wrap(ts(7)), in.localAddress());
                await().atMost(Duration.ofSeconds(5)).until(() -> heard.bytes.get() == 7 * 188);
            }
        }
    }
}
