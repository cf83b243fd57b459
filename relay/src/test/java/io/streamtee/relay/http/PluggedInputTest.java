package io.streamtee.relay.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.streamtee.config.Endpoint;
import io.streamtee.input.DatagramSink;
import io.streamtee.input.Input;
import io.streamtee.input.InputFactory;
import io.streamtee.relay.Relay;
import io.streamtee.relay.Route;
import io.streamtee.relay.TestRelays;
import io.streamtee.testing.UdpReceiver;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The input SPI: a route whose input URL has a scheme the relay does not serve itself gets its datagrams from the
 * {@link InputFactory} found for it (here {@link Camera}, registered in this module's test resources for
 * {@code rtsp}), through the route's fan-out to its outputs; the input's counters show in the API and the metrics, its
 * URL only masked; stopping the route closes the input.
 */
@Timeout(30)
class PluggedInputTest {
    static final AtomicReference<Camera.Running> LAST = new AtomicReference<>();

    /** A camera that sends 20 batches of two numbered datagrams from a thread of its own. */
    public static final class Camera implements InputFactory {
        @Override
        public Set<String> schemes() {
            return Set.of("rtsp", "rtsps");
        }

        @Override
        public Input start(String route, Endpoint endpoint, DatagramSink sink) {
            Running r = new Running(endpoint, sink);
            LAST.set(r);
            r.thread.start();
            return r;
        }

        static final class Running implements Input {
            final Endpoint endpoint;
            final AtomicInteger batches = new AtomicInteger();
            final AtomicBoolean closed = new AtomicBoolean();
            final Thread thread;

            Running(Endpoint endpoint, DatagramSink sink) {
                this.endpoint = endpoint;
                this.thread = Thread.ofVirtual().unstarted(() -> {
                    for (int i = 0; i < 20 && !closed.get(); i++) {
                        List<byte[]> batch = new ArrayList<>();
                        for (int j = 0; j < 2; j++) {
                            byte[] d = new byte[1316];
                            d[0] = 0x47;
                            d[1] = (byte) (2 * i + j);
                            batch.add(d);
                        }
                        sink.accept(batch);
                        batches.incrementAndGet();
                    }
                });
            }

            @Override
            public Map<String, Long> counters() {
                Map<String, Long> m = new LinkedHashMap<>();
                m.put("connects", 1L);
                m.put("batches", (long) batches.get());
                return m;
            }

            @Override
            public void close() {
                closed.set(true);
            }
        }
    }

    @Test
    void aPluggedInputFeedsTheRouteAndShowsItsCountersWithTheUrlMasked() throws Exception {
        try (UdpReceiver rx = UdpReceiver.open("127.0.0.1");
                Relay relay = TestRelays.relay("rtsp://admin:secret@127.0.0.1:8554/cam", rx.url())) {
            Route route = relay.route("cam");
            await().atMost(Duration.ofSeconds(10)).until(() -> rx.count() == 40);
            List<byte[]> got = rx.datagrams();
            for (int i = 0; i < 40; i++) {
                assertThat(got.get(i)).hasSize(1316);
                assertThat(got.get(i)[1]).as("datagram %d in order", i).isEqualTo((byte) i);
            }
            assertThat(LAST.get().endpoint.url()).contains("secret"); // the input itself gets the password
            assertThat(route.stats().inputCounters()).containsEntry("connects", 1L).containsEntry("batches", 20L);
            assertThat(route.stats().snapshot().datagrams()).isEqualTo(40);
            Map<String, Object> described = ControlServer.describe(route);
            assertThat(described.get("input")).isEqualTo("rtsp://admin:***@127.0.0.1:8554/cam");
            assertThat(described.get("inputCounters")).isEqualTo(Map.of("connects", 1L, "batches", 20L));
            String scraped = new RelayMetrics(relay, () -> 0).scrape();
            assertThat(scraped).contains("streamtee_route_input_events_total{event=\"batches\",route=\"cam\"} 20.0")
                    .doesNotContain("secret");
            Camera.Running running = LAST.get();
            relay.close();
            assertThat(running.closed).isTrue();
        }
    }

    /** The input's handle on the event loop is quiet: the loop sleeps between batches (it used to spin on EPOLLHUP). */
    @Test
    void theEventLoopIdlesWhileAPluggedInputIsQuiet() throws Exception {
        try (UdpReceiver rx = UdpReceiver.open("127.0.0.1");
                Relay relay = TestRelays.relay("rtsp://127.0.0.1:8554/cam", rx.url())) {
            await().atMost(Duration.ofSeconds(10)).until(() -> rx.count() == 40); // the camera has sent all it sends
            java.lang.management.ThreadMXBean threads = java.lang.management.ManagementFactory.getThreadMXBean();
            List<Long> loops = Thread.getAllStackTraces().keySet().stream()
                    .filter(t -> t.getName().startsWith("relay-")).map(Thread::threadId).toList();
            assertThat(loops).isNotEmpty();
            long before = loops.stream().mapToLong(threads::getThreadCpuTime).sum();
            long start = System.nanoTime();
            await().pollDelay(Duration.ofSeconds(1)).until(() -> true);
            long wall = System.nanoTime() - start;
            long cpu = loops.stream().mapToLong(threads::getThreadCpuTime).sum() - before;
            assertThat(cpu).as("event loop CPU over %d ms", wall / 1_000_000).isLessThan(wall / 5);
        }
    }
}
