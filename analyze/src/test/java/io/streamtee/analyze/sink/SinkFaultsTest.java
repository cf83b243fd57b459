package io.streamtee.analyze.sink;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetup;
import com.sun.net.httpserver.HttpServer;
import io.streamtee.analyze.event.Event;
import io.streamtee.analyze.event.EventSink;
import io.streamtee.analyze.event.SinkQueue;
import io.streamtee.analyze.sink.db.PostgresServer;
import io.streamtee.analyze.sink.mqtt.Mosquitto;
import io.streamtee.net.Backoff;
import io.streamtee.testing.Figures;
import jakarta.mail.internet.MimeMessage;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Each kind of event sink with its server DOWN (connections reset, connecting refused) and HANGING (the connection is taken, nothing is
 * ever answered), mid-run, with the sink's {@link SinkQueue} as the analyzer drives it: the failure is retried and
 * counted, a healthy sink beside it gets every event on time, and once the server is back the waiting events arrive.
 *
 * <p>What the queue guarantees (read from {@link SinkQueue}): events are delivered one at a time, in order; a failed
 * delivery is retried after a backoff, up to its attempts (the analyzer: 5 tries, waits of 0.5, 1, 2 and 4 s, each
 * cut by up to half by jitter: a window of 3.75 to 7.5 s plus the tries' own time), then counted as failed and
 * dropped; while the head event is retried the others wait in the bounded queue (the analyzer:
 * 1000), whose oldest is dropped and counted when it is full. So an outage shorter than the retry window loses
 * nothing (shown here, with a shorter backoff); a longer one costs the counted failures and drops, never another
 * sink's events. A delivery whose answer was lost may arrive twice (at least once: counted here as duplicates).
 *
 * <p>The servers are real (an HTTP server, a TCP syslog collector, GreenMail SMTP, Mosquitto, PostgreSQL) behind a
 * {@link FaultProxy}; Mosquitto and PostgreSQL are skipped with a message where they are not installed. The file sink
 * fails on a file that is {@code /dev/full} (DOWN: every write fails with ENOSPC) and on a FIFO nobody reads (HANG:
 * opening it blocks; no timeout applies to a local file).
 */
@Timeout(120)
class SinkFaultsTest {
    /**
     * Short for a test: 5 tries over 3 to 6 s of waits (0.4, 0.8, 1.6 and 3.2 s, each cut by up to half by jitter;
     * the analyzer's own: 0.5 s to 30 s), 2 s more than the shortest fault even with the jitter at its lowest: room
     * for a loaded machine to end the fault late.
     */
    private static final Backoff BACKOFF = new Backoff(Duration.ofMillis(400), Duration.ofSeconds(4));
    private static final int ATTEMPTS = 5;
    private static final int EVENTS = 5;
    private static final Pattern CAMERA = Pattern.compile("cam-\\d+");
    private static PostgresServer postgres;

    @TempDir
    Path dir;

    enum Mode { DOWN, HANG }

    static Stream<Arguments> cases() {
        List<Arguments> all = new ArrayList<>();
        for (String kind : List.of("webhook", "smtp", "mqtt", "syslog-tcp", "postgresql", "file")) {
            for (Mode mode : Mode.values()) {
                all.add(Arguments.of(kind, mode));
            }
        }
        return all.stream();
    }

    @AfterAll
    static void stopPostgres() throws Exception {
        if (postgres != null) {
            postgres.close();
        }
    }

    private static Event event(int n) {
        return new Event("fault-" + n, "cam-" + n, Event.Kind.MOTION, Event.Phase.START, "motion in porch",
                List.of("porch"), 1_796_040_010_123L + n * 1000L, -1, 900_000, -1, 0.12, List.of(), null,
                Map.of("frames", 1));
    }

    /** A server of one kind, its faults, and what it received (the camera names, one per event, duplicates kept). */
    interface Backend extends AutoCloseable {
        /** The sink, with timeouts of 1 s where the kind has them. */
        EventSink sink() throws Exception;

        void fault(Mode mode) throws Exception;

        void heal() throws Exception;

        /** Camera names received, once per message (a duplicate delivery shows twice). */
        List<String> received() throws Exception;

        /** Whether the sink may be warmed up (one event delivered before the fault). */
        default boolean warmUp() {
            return true;
        }
    }

    /** A TCP server behind a {@link FaultProxy}. */
    abstract static class Proxied implements Backend {
        FaultProxy proxy;

        void proxyTo(int port) throws IOException {
            proxy = FaultProxy.to(port);
        }

        @Override
        public void fault(Mode mode) {
            if (mode == Mode.DOWN) {
                proxy.down();
            } else {
                proxy.hang();
            }
        }

        @Override
        public void heal() throws IOException {
            proxy.up();
        }

        @Override
        public void close() throws Exception {
            proxy.close();
        }
    }

    private static List<String> cameras(String text) {
        List<String> found = new ArrayList<>();
        Matcher m = CAMERA.matcher(text);
        while (m.find()) {
            found.add(m.group());
        }
        return found;
    }

    static final class Webhook extends Proxied {
        final HttpServer server;
        final List<String> bodies = new CopyOnWriteArrayList<>();

        Webhook() throws IOException {
            server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 50);
            server.createContext("/hook", exchange -> {
                try (InputStream in = exchange.getRequestBody()) {
                    String body = new String(in.readAllBytes(), StandardCharsets.UTF_8);
                    Matcher m = Pattern.compile("\"camera\"\\s*:\\s*\"(cam-\\d+)\"").matcher(body);
                    bodies.add(m.find() ? m.group(1) : "?");
                }
                exchange.sendResponseHeaders(204, -1);
                exchange.close();
            });
            server.start();
            proxyTo(server.getAddress().getPort());
        }

        @Override
        public EventSink sink() {
            return Sinks.parse("http://127.0.0.1:" + proxy.port() + "/hook?timeout=1s");
        }

        @Override
        public List<String> received() {
            return List.copyOf(bodies);
        }

        @Override
        public void close() throws Exception {
            super.close();
            server.stop(0);
        }
    }

    static final class SyslogTcp extends Proxied {
        final ServerSocket server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        final StringBuffer text = new StringBuffer();

        SyslogTcp() throws IOException {
            Thread.ofPlatform().daemon().name("syslog collector").start(() -> {
                while (!server.isClosed()) {
                    try {
                        Socket s = server.accept();
                        Thread.ofVirtual().start(() -> {
                            byte[] b = new byte[8192];
                            try (InputStream in = s.getInputStream()) {
                                for (int n; (n = in.read(b)) >= 0; ) {
                                    text.append(new String(b, 0, n, StandardCharsets.UTF_8));
                                }
                            } catch (IOException e) {
                                // reset
                            }
                        });
                    } catch (IOException e) {
                        return;
                    }
                }
            });
            proxyTo(server.getLocalPort());
        }

        @Override
        public EventSink sink() {
            return Sinks.parse("syslog+tcp://127.0.0.1:" + proxy.port() + "?timeout=1s");
        }

        @Override
        public List<String> received() {
            // each message names its camera in the text and in the structured data: count messages by their title
            List<String> found = new ArrayList<>();
            for (String message : text.toString().split("motion in porch")) {
                List<String> c = cameras(message);
                if (!c.isEmpty()) {
                    found.add(c.getLast());
                }
            }
            return found;
        }

        @Override
        public void close() throws Exception {
            super.close();
            server.close();
        }
    }

    static final class Smtp extends Proxied {
        final GreenMail server = new GreenMail(new ServerSetup(0, "127.0.0.1", ServerSetup.PROTOCOL_SMTP));

        Smtp() throws IOException {
            server.start();
            proxyTo(server.getSmtp().getPort());
        }

        @Override
        public EventSink sink() {
            return Sinks.parse("smtp://127.0.0.1:" + proxy.port()
                    + "?to=me@example.org&from=cam@example.org&timeout=1s");
        }

        @Override
        public List<String> received() throws Exception {
            List<String> found = new ArrayList<>();
            for (MimeMessage m : server.getReceivedMessages()) {
                found.addAll(cameras(m.getSubject()).stream().limit(1).toList());
            }
            return found;
        }

        @Override
        public void close() throws Exception {
            super.close();
            server.stop();
        }
    }

    static final class Mqtt extends Proxied {
        final Mosquitto broker;
        final MqttClient subscriber;
        final List<String> events = new CopyOnWriteArrayList<>();

        Mqtt(Path dir) throws Exception {
            Mosquitto.binary(); // or skipped
            broker = new Mosquitto(dir, Mosquitto.freePort(), null).start();
            subscriber = new MqttClient("tcp://127.0.0.1:" + broker.port(), MqttClient.generateClientId(),
                    new MemoryPersistence());
            subscriber.setTimeToWait(10_000);
            MqttConnectOptions o = new MqttConnectOptions();
            o.setCleanSession(true);
            o.setConnectionTimeout(10);
            subscriber.connect(o);
            subscriber.subscribe("streamtee/events", 1, (topic, message) -> events.addAll(cameras(
                    new String(message.getPayload(), StandardCharsets.UTF_8)).stream().limit(1).toList()));
            proxyTo(broker.port());
        }

        @Override
        public EventSink sink() {
            return Sinks.parse("mqtt://127.0.0.1:" + proxy.port() + "?timeout=1s&client=fault-test");
        }

        @Override
        public List<String> received() {
            return List.copyOf(events);
        }

        @Override
        public void close() throws Exception {
            super.close();
            try {
                subscriber.disconnect(2000);
                subscriber.close(true);
            } finally {
                broker.close();
            }
        }
    }

    static final class Postgres extends Proxied {
        Postgres() throws Exception {
            if (postgres == null) {
                postgres = PostgresServer.create(); // or skipped
                postgres.start();
            }
            try (Connection c = connect(); Statement s = c.createStatement()) {
                s.execute("DROP TABLE IF EXISTS streamtee_events");
            }
            proxyTo(postgres.port());
        }

        private static Connection connect() throws Exception {
            return DriverManager.getConnection(postgres.url() + "&password=" + PostgresServer.PASSWORD);
        }

        @Override
        public EventSink sink() {
            return Sinks.parse(postgres.url().replace(":" + postgres.port() + "/", ":" + proxy.port() + "/")
                    + "&password=" + PostgresServer.PASSWORD + "&connectTimeout=1&loginTimeout=1&socketTimeout=1");
        }

        @Override
        public List<String> received() throws Exception {
            List<String> found = new ArrayList<>();
            try (Connection c = connect(); Statement s = c.createStatement()) {
                if (!c.getMetaData().getTables(null, null, "streamtee_events", null).next()) {
                    return found;
                }
                try (ResultSet r = s.executeQuery("SELECT camera FROM streamtee_events")) {
                    while (r.next()) {
                        found.add(r.getString(1));
                    }
                }
            }
            return found; // one row per event id: a repeated delivery is an upsert, never a duplicate
        }
    }

    /** JSON lines to a file that fails: {@code /dev/full} (DOWN) or a FIFO nobody reads (HANG). */
    static final class JsonFile implements Backend {
        final Path file;
        final StringBuffer fifoRead = new StringBuffer();
        Thread reader;
        Mode mode;

        JsonFile(Path dir) {
            file = dir.resolve("events.jsonl");
        }

        @Override
        public boolean warmUp() {
            return false; // the open file would stay open: the fault is there from the start
        }

        @Override
        public EventSink sink() {
            return Sinks.parse("file:" + file);
        }

        @Override
        public void fault(Mode m) throws Exception {
            mode = m;
            if (m == Mode.DOWN) {
                Files.createSymbolicLink(file, Path.of("/dev/full"));
            } else {
                Process mkfifo = new ProcessBuilder("mkfifo", file.toString()).redirectErrorStream(true).start();
                String out = new String(mkfifo.getInputStream().readAllBytes());
                Assumptions.assumeTrue(mkfifo.waitFor() == 0, "mkfifo failed: " + out);
            }
        }

        @Override
        public void heal() {
            if (mode == Mode.DOWN) {
                try {
                    Files.delete(file); // the next try opens a plain file of that name
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            } else {
                reader = Thread.ofVirtual().start(() -> {
                    byte[] b = new byte[8192];
                    try (InputStream in = Files.newInputStream(file)) {
                        for (int n; (n = in.read(b)) >= 0; ) {
                            fifoRead.append(new String(b, 0, n, StandardCharsets.UTF_8));
                        }
                    } catch (IOException e) {
                        // closed
                    }
                });
            }
        }

        @Override
        public List<String> received() throws IOException {
            if (mode == Mode.HANG) {
                return cameraPerLine(fifoRead.toString());
            }
            return Files.isRegularFile(file, java.nio.file.LinkOption.NOFOLLOW_LINKS)
                    ? cameraPerLine(Files.readString(file)) : List.of();
        }

        private static List<String> cameraPerLine(String text) {
            return text.lines().flatMap(l -> cameras(l).stream().limit(1)).toList();
        }

        @Override
        public void close() {
            if (mode == Mode.HANG && reader == null) { // a writer blocked in open(): let it through
                heal();
            }
        }
    }

    private Backend backend(String kind) throws Exception {
        return switch (kind) {
            case "webhook" -> new Webhook();
            case "smtp" -> new Smtp();
            case "mqtt" -> new Mqtt(dir);
            case "syslog-tcp" -> new SyslogTcp();
            case "postgresql" -> new Postgres();
            case "file" -> new JsonFile(dir);
            default -> throw new IllegalArgumentException(kind);
        };
    }

    /** Records the events it was given and when. */
    static final class Healthy implements EventSink {
        final Map<String, Long> at = new ConcurrentHashMap<>();

        @Override
        public String name() {
            return "healthy";
        }

        @Override
        public void deliver(Event event) {
            at.putIfAbsent(event.camera(), System.nanoTime());
        }
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("cases")
    void aSinkDownOrHangingRetriesCountsHoldsUpNoOtherSinkAndCatchesUp(String kind, Mode mode) throws Exception {
        Healthy healthy = new Healthy();
        try (Backend backend = backend(kind)) {
            SinkQueue faulty = new SinkQueue(backend.sink(), 100, ATTEMPTS, BACKOFF, Duration.ofSeconds(10)).start();
            SinkQueue ok = new SinkQueue(healthy, 100, ATTEMPTS, BACKOFF, Duration.ofSeconds(10)).start();
            int offered = 0;
            List<String> expected = new ArrayList<>();
            try {
                if (backend.warmUp()) { // connected and delivering before the fault
                    faulty.offer(event(0));
                    offered++;
                    expected.add("cam-0");
                    await().atMost(Duration.ofSeconds(20)).until(() -> backend.received().contains("cam-0")
                            && faulty.delivered() == 1);
                }
                backend.fault(mode);
                long faultStart = System.nanoTime();
                Map<String, Long> offeredAt = new LinkedHashMap<>();
                for (int n = 1; n <= EVENTS; n++) {
                    offeredAt.put("cam-" + n, System.nanoTime());
                    assertThat(faulty.offer(event(n))).isTrue();
                    assertThat(ok.offer(event(n))).isTrue();
                    offered++;
                    expected.add("cam-" + n);
                }
                // the healthy sink is not held up: all its events at once
                await().atMost(Duration.ofSeconds(5)).until(() -> healthy.at.size() == EVENTS);
                long healthyMaxMs = offeredAt.entrySet().stream()
                        .mapToLong(e -> (healthy.at.get(e.getKey()) - e.getValue()) / 1_000_000).max().orElseThrow();
                // the fault lasts until a try failed and was counted (a hanging one: after its 1 s timeout), at
                // least 1 s (less than the shortest retry window: 0.2 + 0.4 + 0.8 + 1.6 s of waits with the
                // jitter at its lowest, after that first failure); a sink that cannot see the fault (a hanging file,
                // syslog into the socket buffer) gets 3 s, one that can up to 8 s for its first failure
                boolean blind = mode == Mode.HANG && (kind.equals("syslog-tcp") || kind.equals("file"));
                long minimum = faultStart + Duration.ofMillis(1000).toNanos();
                long most = faultStart + Duration.ofSeconds(blind ? 3 : 8).toNanos();
                while (System.nanoTime() < most && (faulty.retried() == 0 || System.nanoTime() < minimum)) {
                    Thread.sleep(20); // a fault's duration, not waiting for a result
                }
                long retriedDuringFault = faulty.retried();
                long deliveredDuringFault = faulty.delivered();
                long faultMs = (System.nanoTime() - faultStart) / 1_000_000;
                long back = System.nanoTime();
                backend.heal();
                int total = offered;
                // syslog over TCP has no acknowledgement: what was written into the connection the collector reset
                // when it went down counts as delivered and is gone (a CI run lost one that way)
                boolean unacknowledged = kind.equals("syslog-tcp");
                await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(20))
                        .until(() -> faulty.waiting() == 0
                                && faulty.delivered() + faulty.failed() + faulty.dropped() == total
                                && (unacknowledged || backend.received().containsAll(expected)));
                long recoveryMs = (System.nanoTime() - back) / 1_000_000;
                List<String> received = backend.received();
                long distinct = received.stream().distinct().count();

                assertThat(healthyMaxMs).as("the healthy sink got its events while the other failed")
                        .isLessThan(5000);
                assertThat(faulty.failed()).as("an outage shorter than the retry window costs nothing").isZero();
                assertThat(faulty.dropped()).isZero();
                assertThat(faulty.delivered()).isEqualTo(offered);
                if (unacknowledged) {
                    assertThat(expected.size() - distinct).as("only what was in flight when it went down is lost")
                            .isLessThan(EVENTS);
                } else {
                    assertThat(received).containsAll(expected);
                }
                // syslog over TCP writes into the socket buffer of a collector that stopped reading (nothing to
                // answer, so nothing fails: the bytes wait there); a file has no timeout (open blocks)
                if (!blind) {
                    assertThat(deliveredDuringFault).as("nothing was delivered to a server that was down or hung")
                            .isEqualTo(expected.size() - EVENTS);
                    assertThat(retriedDuringFault).as("the failure was seen, retried and counted").isPositive();
                }
                Figures.of("fault.sink." + kind + "." + mode.name().toLowerCase(java.util.Locale.ROOT))
                        .put("fault_ms", faultMs).put("recovery_ms", recoveryMs)
                        .put("events", EVENTS).put("retried", faulty.retried())
                        .put("retried_during_fault", retriedDuringFault)
                        .put("failed", faulty.failed()).put("dropped", faulty.dropped())
                        .put("lost", expected.size() - distinct)
                        .put("duplicates", received.size() - distinct)
                        .put("healthy_sink_max_ms", healthyMaxMs)
                        .record(getClass(), "aSinkDownOrHangingRetriesCountsHoldsUpNoOtherSinkAndCatchesUp["
                                + kind + " " + mode + "]");
            } finally {
                ok.close(Duration.ofSeconds(1));
                faulty.close(Duration.ofSeconds(2));
            }
        }
    }
}
