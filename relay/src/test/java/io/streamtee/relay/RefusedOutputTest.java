package io.streamtee.relay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.streamtee.testing.Datagrams;
import io.streamtee.testing.Figures;
import io.streamtee.testing.UdpReceiver;
import io.streamtee.testing.UdpSender;
import java.net.InetSocketAddress;
import java.nio.channels.DatagramChannel;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.slf4j.LoggerFactory;

/** An output where nobody listens: what its counters and its log lines say. Loopback, port 0. */
@Timeout(60)
class RefusedOutputTest {
    private final ListAppender<ILoggingEvent> logs = new ListAppender<>();
    private Relay relay;
    private UdpReceiver live;

    @AfterEach
    void close() throws Exception {
        ((Logger) LoggerFactory.getLogger(UdpOutput.class)).detachAppender(logs);
        ((Logger) LoggerFactory.getLogger("io.streamtee.stats")).detachAppender(logs);
        if (relay != null) {
            relay.close();
        }
        if (live != null) {
            live.close();
        }
    }

    private static int closedPort() throws Exception {
        try (DatagramChannel gone = DatagramChannel.open()) {
            gone.bind(new InetSocketAddress("127.0.0.1", 0));
            return ((InetSocketAddress) gone.getLocalAddress()).getPort();
        }
    }

    private Route start(int deadPort) throws Exception {
        live = UdpReceiver.open("127.0.0.1");
        relay = TestRelays.relay("udp://127.0.0.1:0", live.url(), "127.0.0.1:" + deadPort);
        return relay.routes().get(0);
    }

    private List<String> lines(String containing) {
        return logs.list.stream().map(ILoggingEvent::getFormattedMessage).filter(m -> m.contains(containing)).toList();
    }

    @Test
    void aCopyIsSentOrDroppedNeverBoth() throws Exception {
        Route route = start(closedPort());
        List<byte[]> sent = Datagrams.mixed(500, 3);
        try (UdpSender sender = UdpSender.to(route.localAddress())) {
            sender.sendPaced(sent, 50, live::count);
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> live.count() >= sent.size());
        OutputStats dead = route.outputStats().get(1);
        // every copy handed to the kernel is sent or, once ICMP says nobody listens, dropped: they add up
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> {
            OutputStats.Snapshot s = dead.snapshot();
            assertThat(s.datagrams() + s.dropped()).as("sent %d + dropped %d", s.datagrams(), s.dropped())
                    .isEqualTo(sent.size());
        });
        OutputStats.Snapshot s = dead.snapshot();
        assertThat(s.dropped(DropReason.REFUSED)).isPositive();
        assertThat(s.datagrams()).isLessThan(sent.size());
        assertThat(route.outputStats().get(0).snapshot().datagrams()).isEqualTo(sent.size());
        Figures.of("fault.relay.refused-output").put("datagrams", sent.size())
                .put("sent_to_dead", s.datagrams()).put("refused_counted", s.dropped(DropReason.REFUSED))
                .put("unaccounted", sent.size() - s.datagrams() - s.dropped())
                .put("lost_others", sent.size() - live.count())
                .record(getClass(), "aCopyIsSentOrDroppedNeverBoth");
    }

    @Test
    void nobodyListeningIsSaidOnceWhenItStartsAndOnceWhenItEnds() throws Exception {
        logs.start();
        ((Logger) LoggerFactory.getLogger(UdpOutput.class)).addAppender(logs);
        ((Logger) LoggerFactory.getLogger("io.streamtee.stats")).addAppender(logs);
        int port = closedPort();
        Route route = start(port);
        OutputStats dead = route.outputStats().get(1);
        try (UdpSender sender = UdpSender.to(route.localAddress());
                StatsReporter reporter = new StatsReporter(List.of(route), Duration.ZERO)) {
            byte[] datagram = new byte[1316];
            for (int i = 0; i < 2000 && dead.snapshot().dropped(DropReason.REFUSED) < 20; i++) {
                sender.send(datagram);
                Thread.sleep(5); // pacing the load, not waiting for a result
            }
            assertThat(dead.snapshot().dropped(DropReason.REFUSED)).isGreaterThanOrEqualTo(20);
            reporter.logDrops(); // the periodic drop line: nothing about refused copies
            assertThat(lines("copies dropped in the last")).isEmpty();
            assertThat(lines("nobody is listening")).hasSize(1);

            // someone listens now: said once, with how many copies were refused meanwhile
            try (DatagramChannel listener = DatagramChannel.open()) {
                listener.bind(new InetSocketAddress("127.0.0.1", port));
                long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
                while (lines("now receiving").isEmpty() && System.nanoTime() < deadline) {
                    sender.send(datagram);
                    Thread.sleep(20);
                }
                assertThat(lines("now receiving")).hasSize(1);
                assertThat(lines("now receiving").get(0)).containsPattern("now receiving \\(\\d+ copies refused");
            }
            assertThat(lines("nobody is listening")).hasSize(1);
            assertThat(reporter.summary(route)).contains("refused");
        }
    }
}
