package io.streamtee.analyze.sink.syslog;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.streamtee.analyze.event.Event;
import io.streamtee.analyze.event.EventSink;
import io.streamtee.analyze.event.SinkQueue;
import io.streamtee.config.ConfigException;
import io.streamtee.net.Backoff;
import io.streamtee.testing.Closeables;
import io.streamtee.testing.TcpReceiver;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

class SyslogSinkTest {
    private static final String PID = Long.toString(ProcessHandle.current().pid());

    @RegisterExtension
    final Closeables closeables = new Closeables();

    static Event event(int n, String camera) {
        return new Event("ev-" + n, camera, Event.Kind.MOTION, Event.Phase.START, "motion " + n, List.of("a", "b"),
                1_790_000_000_000L + n, -1, 0, -1, 0.3, List.of(), null, Map.of());
    }

    /** A UDP syslog collector on 127.0.0.1, port 0. */
    private DatagramSocket udpCollector() throws IOException {
        DatagramSocket socket = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        socket.setSoTimeout(5000);
        return closeables.use(socket);
    }

    private static byte[] receive(DatagramSocket socket) throws IOException {
        DatagramPacket p = new DatagramPacket(new byte[65_536], 65_536);
        socket.receive(p);
        return Arrays.copyOf(p.getData(), p.getLength());
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket()) {
            s.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            return s.getLocalPort();
        }
    }

    @Test
    void overUdpEachEventIsOneDatagramInRfc5424() throws Exception {
        DatagramSocket collector = udpCollector();
        SyslogSink sink = closeables.use(SyslogSink.parse("syslog+udp://127.0.0.1:" + collector.getLocalPort()
                + "?facility=local0&hostname=cam-host"));
        sink.deliver(event(1, "porch"));
        sink.deliver(event(2, "back\"yard]"));

        Rfc5424 first = Rfc5424.parse(receive(collector));
        assertThat(first.pri()).as("local0 (16) notice (5)").isEqualTo(16 * 8 + 5);
        assertThat(first.version()).isEqualTo(1);
        assertThat(Instant.parse(first.timestamp())).isEqualTo(Instant.ofEpochMilli(1_790_000_000_001L));
        assertThat(first.hostname()).isEqualTo("cam-host");
        assertThat(first.appName()).isEqualTo("streamtee");
        assertThat(first.procId()).isEqualTo(PID);
        assertThat(first.msgId()).isEqualTo("motion");
        assertThat(first.sdId()).isEqualTo("streamtee@32473");
        assertThat(first.params()).containsExactly(Map.entry("id", "ev-1"), Map.entry("camera", "porch"),
                Map.entry("phase", "start"), Map.entry("zones", "a,b"));
        assertThat(first.msg()).isEqualTo("motion 1");
        Rfc5424 second = Rfc5424.parse(receive(collector));
        assertThat(second.params()).containsEntry("id", "ev-2").containsEntry("camera", "back\"yard]");
        assertThat(second.msg()).isEqualTo("motion 2");
        assertThat(sink.name()).isEqualTo("syslog+udp://127.0.0.1:" + collector.getLocalPort());
    }

    @Test
    void theDefaultsAreDaemonAndThisMachinesName() throws Exception {
        DatagramSocket collector = udpCollector();
        SyslogSink sink = closeables.use(SyslogSink.parse("syslog://127.0.0.1:" + collector.getLocalPort()));
        sink.deliver(new Event("h-1", "porch", Event.Kind.HEALTH, Event.Phase.START, "stream lost", List.of(),
                1_790_000_000_000L, -1, -1, -1, 0, List.of(), null, Map.of()));

        Rfc5424 m = Rfc5424.parse(receive(collector));
        assertThat(m.pri()).as("daemon (3) warning (4)").isEqualTo(3 * 8 + 4);
        String host = SyslogSink.localHostname();
        assertThat(m.hostname()).isEqualTo(host == null || host.isEmpty() ? "-" : host.replace(' ', '_'));
        assertThat(m.msgId()).isEqualTo("health");
        assertThat(m.params()).containsEntry("zones", "");
    }

    @Test
    void overTcpTwoMessagesBackToBackAreOctetCounted() throws Exception {
        TcpReceiver collector = closeables.use(TcpReceiver.open(0, true));
        SyslogSink sink = closeables.use(SyslogSink.parse("syslog+tcp://127.0.0.1:" + collector.port()
                + "?facility=local3&hostname=h"));
        sink.deliver(event(1, "porch"));
        sink.deliver(event(2, "multi\nline ] \"camera\""));

        await().atMost(Duration.ofSeconds(5)).until(() -> count(collector.bytes()) == 2);
        List<byte[]> frames = Rfc5424.octetCounted(collector.bytes());
        Rfc5424 first = Rfc5424.parse(frames.get(0));
        Rfc5424 second = Rfc5424.parse(frames.get(1));
        assertThat(first.pri()).isEqualTo(19 * 8 + 5);
        assertThat(first.params()).containsEntry("id", "ev-1").containsEntry("camera", "porch");
        assertThat(first.msg()).isEqualTo("motion 1");
        assertThat(second.params()).containsEntry("id", "ev-2").containsEntry("camera", "multi line ] \"camera\"");
        assertThat(second.msg()).isEqualTo("motion 2");
        assertThat(collector.connections()).as("one connection for both").isEqualTo(1);
        String stream = new String(collector.bytes(), java.nio.charset.StandardCharsets.UTF_8);
        assertThat(stream).startsWith(frames.get(0).length + " <157>1 ");
    }

    /** Whole octet-counted frames in the bytes so far (0 while one is cut short). */
    private static int count(byte[] stream) {
        try {
            return Rfc5424.octetCounted(stream).size();
        } catch (IllegalArgumentException | ArrayIndexOutOfBoundsException e) {
            return 0;
        }
    }

    @Test
    @Timeout(30)
    void aTcpCollectorDownAtStartGetsTheEventOnceItIsUp() throws Exception {
        int port = freePort();
        SyslogSink sink = SyslogSink.parse("syslog+tcp://127.0.0.1:" + port);
        assertThatThrownBy(() -> sink.deliver(event(0, "porch"))).isInstanceOf(IOException.class)
                .hasMessageStartingWith("syslog+tcp://127.0.0.1:" + port + ": ");
        SinkQueue q = new SinkQueue(sink, 100, 1000, new Backoff(Duration.ofMillis(20), Duration.ofMillis(100)),
                Duration.ofSeconds(10)).start();
        closeables.use(() -> q.close(Duration.ofSeconds(2)));
        q.offer(event(1, "porch"));
        await().atMost(Duration.ofSeconds(10)).until(() -> q.retried() >= 2);
        assertThat(q.delivered()).isZero();

        TcpReceiver collector = closeables.use(TcpReceiver.open(port, true));
        await().atMost(Duration.ofSeconds(10)).until(() -> q.delivered() == 1 && count(collector.bytes()) == 1);
        assertThat(Rfc5424.parse(Rfc5424.octetCounted(collector.bytes()).get(0)).params()).containsEntry("id", "ev-1");
    }

    @Test
    @Timeout(30)
    void aTcpCollectorThatRestartedIsConnectedToAgain() throws Exception {
        TcpReceiver before = TcpReceiver.open(0, true);
        int port = before.port();
        SyslogSink sink = closeables.use(SyslogSink.parse("syslog+tcp://127.0.0.1:" + port));
        sink.deliver(event(1, "porch"));
        await().atMost(Duration.ofSeconds(5)).until(() -> count(before.bytes()) == 1);
        before.close();

        // The freed port may be busy for a moment on a loaded machine: wait for it instead of failing.
        TcpReceiver after = closeables.use(await().atMost(Duration.ofSeconds(10))
                .ignoreExceptionsInstanceOf(java.net.BindException.class)
                .until(() -> TcpReceiver.open(port, true), r -> true));
        sink.deliver(event(2, "porch"));
        await().atMost(Duration.ofSeconds(5)).until(() -> count(after.bytes()) == 1);
        assertThat(Rfc5424.parse(Rfc5424.octetCounted(after.bytes()).get(0)).params()).containsEntry("id", "ev-2");
    }

    @Test
    @Timeout(60)
    void aTcpCollectorThatStopsReadingFailsTheDeliveryAndNeverHoldsUpAnotherSink() throws Exception {
        TcpReceiver hanging = closeables.use(TcpReceiver.open(0, false));
        String url = "syslog+tcp://127.0.0.1:" + hanging.port() + "?timeout=300ms";
        SyslogSink direct = closeables.use(SyslogSink.parse(url));
        String big = "x".repeat(60_000);
        IOException failure = null;
        for (int n = 0; n < 2000 && failure == null; n++) { // ends when the socket buffers are full
            try {
                direct.deliver(new Event("big-" + n, "porch", Event.Kind.MOTION, Event.Phase.START, big, List.of(),
                        1, -1, -1, -1, 0, List.of(), null, Map.of()));
            } catch (IOException e) {
                failure = e;
            }
        }
        assertThat(failure).as("a collector that takes nothing fails the delivery")
                .hasMessage("syslog+tcp://127.0.0.1:" + hanging.port() + ": the collector took no data for 0.3s");

        List<String> got = new CopyOnWriteArrayList<>();
        EventSink recording = new EventSink() {
            @Override
            public String name() {
                return "recording";
            }

            @Override
            public void deliver(Event event) {
                got.add(event.id());
            }
        };
        Backoff fast = new Backoff(Duration.ofMillis(10), Duration.ofMillis(50));
        SinkQueue stuck = new SinkQueue(SyslogSink.parse(url), 1000, 2, fast, Duration.ofSeconds(10)).start();
        closeables.use(() -> stuck.close(Duration.ofMillis(100)));
        SinkQueue ok = new SinkQueue(recording, 1000, 2, fast, Duration.ofSeconds(10)).start();
        closeables.use(ok);
        for (int n = 1; n <= 200; n++) {
            Event e = new Event("big-" + n, "porch", Event.Kind.MOTION, Event.Phase.START, big, List.of(), 1, -1,
                    -1, -1, 0, List.of(), null, Map.of());
            stuck.offer(e);
            ok.offer(e);
        }
        await().atMost(Duration.ofSeconds(5)).until(() -> got.size() == 200);
        // each try that times out drops the connection; the retry gets a fresh one, so count tries, not losses
        await().atMost(Duration.ofSeconds(30)).until(() -> stuck.retried() >= 1);
        assertThat(stuck.delivered()).isLessThan(200);
    }

    @Test
    void badUrlsAreOneLineErrorsThatNameTheSink() {
        assertThatThrownBy(() -> SyslogSink.parse("syslog+tls://h:6514")).isInstanceOf(ConfigException.class)
                .hasMessage("sink 'syslog+tls://h:6514': syslog needs syslog+udp://host:port or "
                        + "syslog+tcp://host:port");
        assertThatThrownBy(() -> SyslogSink.parse("syslog+udp://h:514?facility=local9"))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("sink 'syslog+udp://h:514?facility=local9': ?facility= must be one of kern, ")
                .hasMessageEndingWith("local7, not 'local9'");
        assertThatThrownBy(() -> SyslogSink.parse("syslog+udp://h?severity=1")).isInstanceOf(ConfigException.class)
                .hasMessage("sink 'syslog+udp://h?severity=1': unknown option ?severity= "
                        + "(known: facility, hostname, timeout)");
        assertThatThrownBy(() -> SyslogSink.parse("syslog+tcp://h/x")).isInstanceOf(ConfigException.class)
                .hasMessage("sink 'syslog+tcp://h/x': a syslog URL has no path, only host:port and ?options");
        assertThatThrownBy(() -> SyslogSink.parse("syslog+tcp:///")).isInstanceOf(ConfigException.class)
                .hasMessage("sink 'syslog+tcp:///': the URL has no host (syslog+udp://host:port)");
        assertThat(SyslogSink.parse("syslog+tcp://collector.lan?facility=local0").name())
                .isEqualTo("syslog+tcp://collector.lan:514");
        assertThat(SyslogSink.parse("SYSLOG+UDP://[::1]:5514").name()).isEqualTo("syslog+udp://[::1]:5514");
    }
}
