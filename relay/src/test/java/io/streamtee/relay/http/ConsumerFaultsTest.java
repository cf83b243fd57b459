package io.streamtee.relay.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.abort;

import io.streamtee.relay.DropReason;
import io.streamtee.relay.OutputStats;
import io.streamtee.relay.Relay;
import io.streamtee.relay.Route;
import io.streamtee.relay.RouteOutput;
import io.streamtee.relay.TestRelays;
import io.streamtee.testing.Closeables;
import io.streamtee.testing.Datagrams;
import io.streamtee.testing.Figures;
import io.streamtee.testing.UdpReceiver;
import io.streamtee.testing.UdpSender;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.BindException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.StandardProtocolFamily;
import java.net.StandardSocketOptions;
import java.net.URI;
import java.nio.channels.DatagramChannel;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.function.IntSupplier;
import java.util.function.Supplier;
import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Consumers of a route that fail while the stream flows: a UDP consumer killed and started again on its port, a TCP
 * and an HTTP consumer that stop reading and read again, an HTTP consumer that goes away and comes back. The other
 * outputs lose nothing; the faulty one loses only its own copies, counted at its output, and gets the stream again.
 * Each records its recovery time and losses as figures ({@code fault.relay.*}).
 */
@Timeout(120)
class ConsumerFaultsTest {
    private static final int SIZE = 1316;
    /** Bytes of one fill value in a row that mark a datagram of the stream after the stall (never in random data). */
    private static final int RUN = 64;

    @RegisterExtension
    final Closeables closeables = new Closeables();

    private <T extends AutoCloseable> T use(T t) {
        return closeables.use(t);
    }

    /** How far a {@link #flow} may go before the test has seen the faulty consumer receive. */
    private static final int FIRST = 1200;

    /**
     * Sends {@code sent} on a thread of its own, one datagram at least every {@code gapNanos} apart (a camera-like
     * steady stream), never more than 64 ahead of {@code delivered} and only the first {@code allowed} of them: the
     * test moves that limit from phase to phase (consumer receiving, gone, back), so that each phase gets its share of
     * the stream however slowly the test's own thread is scheduled (a CI run on a loaded machine reached the end of
     * the stream before the test had noticed the consumer gone); gives up after 60 s.
     */
    private CompletableFuture<Void> flow(InetSocketAddress to, List<byte[]> sent, long gapNanos,
            IntSupplier delivered, AtomicInteger allowed) {
        // a thread of its own: the common pool has one thread on a 2-core machine, and anything else in this JVM
        // that holds it would hold the stream back
        return CompletableFuture.runAsync(() -> {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            try (UdpSender sender = UdpSender.to(to)) {
                for (int i = 0; i < sent.size(); i++) {
                    while (i - delivered.getAsInt() >= 64 || i >= allowed.get()) {
                        if (System.nanoTime() > deadline) {
                            throw new IllegalStateException("stalled at datagram " + i);
                        }
                        LockSupport.parkNanos(100_000);
                    }
                    sender.send(sent.get(i));
                    flowSent.set(i + 1);
                    LockSupport.parkNanos(gapNanos);
                }
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        }, task -> Thread.ofPlatform().daemon().name("flow").start(task));
    }

    /** Datagrams the current test's {@link #flow} has sent so far. */
    private final AtomicInteger flowSent = new AtomicInteger();

    /** Waits up to 20 s for {@code condition}; if it does not come, says how far the flow got and what arrived. */
    private void waitFor(String what, Callable<Boolean> condition, Supplier<String> arrived) {
        try {
            await().atMost(Duration.ofSeconds(20)).until(condition);
        } catch (ConditionTimeoutException e) {
            throw new AssertionError(what + " not within 20 s; the flow had sent " + flowSent.get() + "; "
                    + arrived.get(), e);
        }
    }

    private static void assertExact(List<byte[]> got, List<byte[]> sent, String where) {
        assertThat(got).as("datagrams at %s", where).hasSize(sent.size());
        for (int i = 0; i < sent.size(); i++) {
            if (!Arrays.equals(sent.get(i), got.get(i))) {
                throw new AssertionError("datagram #" + i + " differs at " + where);
            }
        }
    }

    private static int indexOf(List<byte[]> sent, byte[] d) {
        for (int i = 0; i < sent.size(); i++) {
            if (Arrays.equals(sent.get(i), d)) {
                return i;
            }
        }
        return -1;
    }

    @Test
    void aUdpConsumerKilledAndStartedAgainOnItsPortGetsTheStreamAgainAndTheOthersLoseNothing() throws Exception {
        UdpReceiver a = use(UdpReceiver.open("127.0.0.1"));
        UdpReceiver c = use(UdpReceiver.open("127.0.0.1"));
        UdpReceiver b = UdpReceiver.open("127.0.0.1");
        int port = b.port();
        Relay relay = use(TestRelays.relay("udp://127.0.0.1:0", a.url(), b.url(), c.url()));
        Route route = relay.route("cam");
        List<byte[]> sent = Datagrams.fixed(6000, SIZE, 31);
        AtomicInteger allowed = new AtomicInteger(FIRST);
        CompletableFuture<Void> flowing = flow(route.localAddress(), sent, 400_000,
                () -> Math.min(a.count(), c.count()), allowed);

        Supplier<String> counts = () -> "a " + a.count() + ", b " + b.count() + ", c " + c.count();
        waitFor("1,000 datagrams at b", () -> b.count() >= 1000, counts);
        b.close(); // killed: its port refuses
        int gotBefore = b.count();
        int atKill = a.count();
        allowed.set(FIRST + 1500); // while it is down
        waitFor("1,000 more datagrams at a", () -> a.count() >= atKill + 1000, counts);

        DatagramChannel ch = DatagramChannel.open(StandardProtocolFamily.INET);
        ch.setOption(StandardSocketOptions.SO_RCVBUF, 8 << 20);
        try {
            ch.bind(new InetSocketAddress("127.0.0.1", port));
        } catch (BindException e) {
            ch.close();
            allowed.set(sent.size()); // the flow ends
            // free while the consumer was down, as a killed program's port is: another program on this machine may
            // have been given it meanwhile, which this test cannot prevent
            abort("port " + port + " taken by another program while the consumer was down: " + e.getMessage());
        }
        long rebound = System.nanoTime();
        UdpReceiver again = use(UdpReceiver.on(ch));
        allowed.set(sent.size());
        await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(1)).until(() -> again.count() > 0);
        long recoveryMs = (again.timed().getFirst().receivedNanos() - rebound) / 1_000_000;

        flowing.get(60, TimeUnit.SECONDS);
        await().atMost(Duration.ofSeconds(20)).until(() -> Math.min(a.count(), c.count()) >= sent.size());
        assertExact(a.datagrams(), sent, a.url());
        assertExact(c.datagrams(), sent, c.url());
        // the restarted consumer: from its first datagram on, the rest of the stream in order
        await().atMost(Duration.ofSeconds(10)).until(() -> {
            List<byte[]> got = again.datagrams();
            return Arrays.equals(got.getLast(), sent.getLast());
        });
        List<byte[]> got = again.datagrams();
        int from = indexOf(sent, got.getFirst());
        assertThat(from).isGreaterThan(atKill);
        assertExact(got, sent.subList(from, sent.size()), "the restarted consumer");
        OutputStats.Snapshot bs = route.outputStats().get(1).snapshot();
        assertThat(route.outputStats().get(0).snapshot().dropped()).isZero();
        assertThat(route.outputStats().get(2).snapshot().dropped()).isZero();
        long lost = sent.size() - gotBefore - got.size();
        Figures.of("fault.relay.udp-consumer-restart").put("recovery_ms", recoveryMs).put("lost", lost)
                .put("lost_others", (2L * sent.size()) - a.count() - c.count())
                .put("dropped_counted", bs.dropped()).put("refused_counted", bs.dropped(DropReason.REFUSED))
                .put("datagrams", sent.size()).put("outputs", 3)
                .record(getClass(),
                        "aUdpConsumerKilledAndStartedAgainOnItsPortGetsTheStreamAgainAndTheOthersLoseNothing");
    }

    /**
     * Reads {@code in} on a thread of its own once {@link #resume} is called, and notes when it first saw a run of
     * {@link #RUN} bytes of the marker value (a datagram of the stream sent after the stall) and of the end value.
     */
    private static final class Drain implements AutoCloseable {
        private final InputStream in;
        private final Thread thread;
        private final byte marker;
        private final byte end;
        volatile long resumedNanos;
        volatile long markerNanos;
        volatile long endNanos;
        volatile long bytes;
        private volatile boolean reading;

        Drain(InputStream in, byte marker, byte end) {
            this.in = in;
            this.marker = marker;
            this.end = end;
            this.thread = Thread.ofPlatform().daemon().name("drain").start(this::run);
        }

        void resume() {
            resumedNanos = System.nanoTime();
            reading = true;
        }

        private void run() {
            byte[] buf = new byte[64 << 10];
            int runOf = 0;
            byte runValue = 0;
            try {
                while (!reading) {
                    LockSupport.parkNanos(1_000_000);
                    if (Thread.interrupted()) {
                        return;
                    }
                }
                for (int n; (n = in.read(buf)) > 0; ) {
                    bytes += n;
                    for (int i = 0; i < n; i++) {
                        byte v = buf[i];
                        runOf = v == runValue ? runOf + 1 : 1;
                        runValue = v;
                        if (runOf == RUN) {
                            long now = System.nanoTime();
                            if (v == marker && markerNanos == 0) {
                                markerNanos = now;
                            } else if (v == end && endNanos == 0) {
                                endNanos = now;
                            }
                        }
                    }
                }
            } catch (IOException e) {
                // the socket was closed: the test is over
            }
        }

        @Override
        public void close() {
            thread.interrupt();
        }
    }

    private static byte[] filled(byte value) {
        byte[] d = new byte[SIZE];
        Arrays.fill(d, value);
        return d;
    }

    /**
     * A stalled consumer: the stream flows (paced by the UDP output) until its output counts copies lost to a full
     * queue; then the consumer reads again and the stream goes on with marked datagrams, the last one marked apart.
     *
     * @return {recovery_ms, lost counted at its output, datagrams sent}
     */
    private long[] stallAndResume(Route route, UdpReceiver udp, OutputStats stalled, Drain drain) throws Exception {
        int sentCount = 0;
        try (UdpSender sender = UdpSender.to(route.localAddress())) {
            for (int round = 0; round < 40 && stalled.snapshot().dropped(DropReason.BUFFER_FULL) == 0; round++) {
                List<byte[]> chunk = Datagrams.fixed(1000, SIZE, 100 + round);
                int base = udp.count();
                sender.sendPaced(chunk, 64, () -> udp.count() - base);
                sentCount += chunk.size();
            }
            assertThat(stalled.snapshot().dropped(DropReason.BUFFER_FULL)).as("copies lost while stalled").isPositive();
            drain.resume();
            // the stream goes on, marked, until the consumer has it again, then 1,000 more; then the end mark until
            // it arrives (a copy that finds the queue still full is dropped: the consumer gets the stream, not every
            // copy)
            List<byte[]> marked = new ArrayList<>();
            for (int i = 0; i < 100; i++) {
                marked.add(filled((byte) 0x5A));
            }
            int markedAfterSeen = 0;
            for (int round = 0; round < 500 && markedAfterSeen < 1000; round++) {
                if (drain.markerNanos != 0) {
                    markedAfterSeen += marked.size();
                }
                int base = udp.count();
                sender.sendPaced(marked, 64, () -> udp.count() - base);
                sentCount += marked.size();
                LockSupport.parkNanos(2_000_000); // camera-like: about 50,000 datagrams/s at most
            }
            byte[] end = filled((byte) 0xA5);
            for (int i = 0; i < 1000 && drain.endNanos == 0; i++) {
                int base = udp.count();
                sender.sendPaced(List.of(end), 1, () -> udp.count() - base);
                sentCount++;
                LockSupport.parkNanos(10_000_000);
            }
        }
        int total = sentCount;
        await().atMost(Duration.ofSeconds(30)).until(() -> udp.count() >= total && drain.endNanos != 0);
        assertThat(drain.markerNanos).as("the stream after the stall reached the consumer").isPositive();
        // every copy is counted at the stalled consumer's own output: sent to it, or dropped
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(stalled.snapshot().datagrams()
                + stalled.snapshot().dropped()).isEqualTo(total));
        return new long[] {(drain.markerNanos - drain.resumedNanos) / 1_000_000, stalled.snapshot().dropped(), total};
    }

    @Test
    void aTcpConsumerThatStallsLosesOnlyItsOwnCopiesAndGetsTheStreamWhenItReadsAgain() throws Exception {
        UdpReceiver udp = use(UdpReceiver.open("127.0.0.1"));
        ServerSocket server = use(new ServerSocket());
        server.setReceiveBufferSize(4096);
        server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        Relay relay = use(TestRelays.relay("udp://127.0.0.1:0", udp.url(),
                "tcp://127.0.0.1:" + server.getLocalPort() + "?framing=ts"));
        Route route = relay.route("cam");
        server.setSoTimeout(20_000);
        Socket consumer = use(server.accept());
        Drain drain = use(new Drain(consumer.getInputStream(), (byte) 0x5A, (byte) 0xA5));

        long[] r = stallAndResume(route, udp, route.outputStats().get(1), drain);
        // what it was not sent is what its output counts as dropped: the TS bytes are the datagrams it was sent
        await().atMost(Duration.ofSeconds(10)).until(() -> drain.bytes == (r[2] - r[1]) * SIZE);
        assertThat(route.outputStats().get(0).snapshot().dropped()).isZero();
        assertThat(udp.count()).isEqualTo((int) r[2]);
        Figures.of("fault.relay.tcp-stall").put("recovery_ms", r[0]).put("lost", r[1])
                .put("lost_others", r[2] - udp.count()).put("datagrams", r[2])
                .record(getClass(), "aTcpConsumerThatStallsLosesOnlyItsOwnCopiesAndGetsTheStreamWhenItReadsAgain");
    }

    private ControlServer api(Relay relay, long stallMillis) {
        return use(new ControlServer(relay, "127.0.0.1", 0, null, 256 << 10, stallMillis).start());
    }

    private Socket httpClient(ControlServer api, int receiveBuffer) throws IOException {
        Socket s = use(new Socket());
        s.setReceiveBufferSize(receiveBuffer);
        s.connect(new InetSocketAddress("127.0.0.1", api.port()));
        OutputStream out = s.getOutputStream();
        out.write("GET /streams/cam HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
        out.flush();
        return s;
    }

    private static RouteOutput output(Route route, Socket client) {
        String url = "http 127.0.0.1:" + client.getLocalPort();
        return route.outputs().stream().filter(o -> o.url().equals(url)).findFirst().orElseThrow();
    }

    @Test
    void anHttpConsumerThatStallsLosesOnlyItsOwnCopiesAndGetsTheStreamWhenItReadsAgain() throws Exception {
        UdpReceiver udp = use(UdpReceiver.open("127.0.0.1"));
        Relay relay = use(TestRelays.relay("udp://127.0.0.1:0", udp.url()));
        Route route = relay.route("cam");
        ControlServer api = api(relay, 60_000);
        Socket client = httpClient(api, 2048);
        await().atMost(Duration.ofSeconds(10)).until(() -> route.outputs().size() == 2);
        Drain drain = use(new Drain(client.getInputStream(), (byte) 0x5A, (byte) 0xA5));

        long[] r = stallAndResume(route, udp, output(route, client).stats(), drain);
        assertThat(route.outputStats().get(0).snapshot().dropped()).isZero();
        assertThat(udp.count()).isEqualTo((int) r[2]);
        assertThat(route.outputs()).hasSize(2); // still attached: it stalled for less than the stall limit
        Figures.of("fault.relay.http-stall").put("recovery_ms", r[0]).put("lost", r[1])
                .put("lost_others", r[2] - udp.count()).put("datagrams", r[2])
                .record(getClass(), "anHttpConsumerThatStallsLosesOnlyItsOwnCopiesAndGetsTheStreamWhenItReadsAgain");
    }

    @Test
    void anHttpConsumerThatGoesAwayAndComesBackGetsTheStreamAgainAndTheOthersLoseNothing() throws Exception {
        UdpReceiver udp = use(UdpReceiver.open("127.0.0.1"));
        Relay relay = use(TestRelays.relay("udp://127.0.0.1:0", udp.url()));
        Route route = relay.route("cam");
        ControlServer api = api(relay, 10_000);
        StreamReader other = use(new StreamReader(uri("http://127.0.0.1:" + api.port() + "/streams/cam")));
        StreamReader first = new StreamReader(uri("http://127.0.0.1:" + api.port() + "/streams/cam"));
        await().atMost(Duration.ofSeconds(10)).until(() -> route.outputs().size() == 3);
        List<byte[]> sent = Datagrams.fixed(6000, SIZE, 33);
        AtomicInteger allowed = new AtomicInteger(FIRST);
        CompletableFuture<Void> flowing = flow(route.localAddress(), sent, 400_000,
                () -> Math.min(udp.count(), other.size() / SIZE), allowed);

        Supplier<String> counts = () -> "udp " + udp.count() + ", other " + other.size() / SIZE + ", first "
                + first.size() / SIZE;
        waitFor("1,000 datagrams at the first HTTP consumer", () -> first.size() >= 1000 * SIZE, counts);
        first.close(); // the consumer goes away
        // The relay finds a consumer gone when a write to it fails, so the stream must go on meanwhile: if the flow
        // had already sent its first share and waited, nothing would be written and the output would stay.
        allowed.set(FIRST + 3000);
        await().atMost(Duration.ofSeconds(20)).until(() -> route.outputs().size() == 2);
        int atGone = udp.count();
        allowed.set(Math.max(allowed.get(), atGone + 1000)); // while it is away
        waitFor("500 more datagrams at udp", () -> udp.count() >= atGone + 500, counts);
        long askedAt = System.nanoTime();
        StreamReader again = use(new StreamReader(uri("http://127.0.0.1:" + api.port() + "/streams/cam")));
        await().atMost(Duration.ofSeconds(10)).until(() -> route.outputs().size() == 3);
        allowed.set(sent.size()); // the rest of the stream once it is attached again
        await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(1)).until(() -> again.size() > 0);
        long recoveryMs = (System.nanoTime() - askedAt) / 1_000_000;

        flowing.get(60, TimeUnit.SECONDS);
        await().atMost(Duration.ofSeconds(20)).until(() -> udp.count() >= sent.size()
                && other.size() >= sent.size() * SIZE);
        assertExact(udp.datagrams(), sent, udp.url());
        assertThat(other.bytes()).isEqualTo(concat(sent));
        // the one that came back: the stream from where it asked, datagrams whole, to the end
        await().atMost(Duration.ofSeconds(10)).until(() -> again.size() % SIZE == 0 && again.size() > 0
                && Arrays.equals(Arrays.copyOfRange(again.bytes(), again.size() - SIZE, again.size()), sent.getLast()));
        byte[] got = again.bytes();
        int from = indexOf(sent, Arrays.copyOfRange(got, 0, SIZE));
        assertThat(from).isGreaterThan(atGone);
        assertThat(got).isEqualTo(concat(sent.subList(from, sent.size())));
        Figures.of("fault.relay.http-consumer-restart").put("recovery_ms", recoveryMs)
                .put("lost", sent.size() - (long) (first.size() / SIZE) - got.length / SIZE)
                .put("lost_others", 2L * sent.size() - udp.count() - other.size() / SIZE)
                .put("datagrams", sent.size())
                .record(getClass(), "anHttpConsumerThatGoesAwayAndComesBackGetsTheStreamAgainAndTheOthersLoseNothing");
    }

    private static URI uri(String s) {
        return URI.create(s);
    }

    private static byte[] concat(List<byte[]> datagrams) {
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        datagrams.forEach(all::writeBytes);
        return all.toByteArray();
    }
}
