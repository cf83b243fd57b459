package io.streamtee.relay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.streamtee.config.ConfigException;
import io.streamtee.relay.config.ConfigLoader;
import io.streamtee.relay.config.RelayConfig;
import io.streamtee.relay.config.RelaySettings;
import io.streamtee.relay.config.RouteConfig;
import io.streamtee.testing.Closeables;
import io.streamtee.testing.Datagrams;
import io.streamtee.testing.Figures;
import io.streamtee.testing.JvmCounts;
import io.streamtee.testing.UdpReceiver;
import io.streamtee.testing.UdpSender;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.function.IntFunction;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Outputs and config change while a steady stream flows; the outputs that stay lose nothing. */
@Timeout(120)
class RuntimeChangesTest {
    @RegisterExtension
    final Closeables closeables = new Closeables();

    private <T extends AutoCloseable> T use(T t) {
        return closeables.use(t);
    }

    private static RelaySettings settings(Map<String, RouteConfig> routes) {
        return ConfigLoader.check(new RelayConfig(routes, "0", null));
    }

    private static void assertExact(UdpReceiver r, List<byte[]> sent) {
        List<byte[]> got = r.datagrams();
        assertThat(got).as("datagrams at %s", r.url()).hasSize(sent.size());
        for (int i = 0; i < sent.size(); i++) {
            if (!java.util.Arrays.equals(sent.get(i), got.get(i))) {
                throw new AssertionError("datagram #" + i + " differs at " + r.url());
            }
        }
    }

    /** Sends {@code sent} paced by {@code stable} on another thread. */
    private static CompletableFuture<Void> stream(InetSocketAddress to, List<byte[]> sent, List<UdpReceiver> stable) {
        return CompletableFuture.runAsync(() -> {
            try (UdpSender sender = UdpSender.to(to)) {
                sender.sendPaced(sent, 50, () -> stable.stream().mapToInt(UdpReceiver::count).min().orElse(0));
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
    }

    @Test
    void addingAndRemovingOutputsCostsTheOthersNothing() throws Exception {
        UdpReceiver a = use(UdpReceiver.open("127.0.0.1"));
        UdpReceiver b = use(UdpReceiver.open("127.0.0.1"));
        Relay relay = use(new Relay(settings(Map.of("cam", RouteConfig.of("udp://127.0.0.1:0", List.of(),
                List.of(a.url(), b.url()))))).start());
        Route route = relay.route("cam");
        List<byte[]> sent = Datagrams.fixed(4000, 1316, 21);
        CompletableFuture<Void> flowing = stream(route.localAddress(), sent, List.of(a, b));

        UdpReceiver late = use(UdpReceiver.open("127.0.0.1"));
        int changes = 0;
        while (!flowing.isDone() && changes < 40) {
            RouteOutput added = route.addOutput(late.url());
            assertThat(route.outputs()).extracting(RouteOutput::url).contains(added.url());
            assertThat(route.removeOutput(added.id())).isTrue();
            changes++;
        }
        flowing.get(60, TimeUnit.SECONDS);
        await().atMost(Duration.ofSeconds(10)).until(() -> Math.min(a.count(), b.count()) >= sent.size());
        assertExact(a, sent);
        assertExact(b, sent);
        assertThat(changes).isPositive();
        assertThat(route.outputs()).extracting(RouteOutput::url).containsExactly(a.url(), b.url());
    }

    @Test
    void anAddedOutputGetsTheStreamFromThenOn() throws Exception {
        UdpReceiver a = use(UdpReceiver.open("127.0.0.1"));
        UdpReceiver late = use(UdpReceiver.open("::1"));
        Relay relay = use(new Relay(settings(Map.of("cam", RouteConfig.of("udp://127.0.0.1:0", List.of(),
                List.of(a.url()))))).start());
        Route route = relay.route("cam");
        RouteOutput added = route.addOutput(late.url());
        assertThat(added.id()).isEqualTo("o2");
        List<byte[]> sent = Datagrams.mixed(500, 3);
        try (UdpSender sender = UdpSender.to(route.localAddress())) {
            sender.sendPaced(sent, 50, () -> Math.min(a.count(), late.count()));
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> Math.min(a.count(), late.count()) >= sent.size());
        assertExact(late, sent);
        assertThat(added.stats().snapshot().datagrams()).isEqualTo(500);
        assertThatThrownBy(() -> route.addOutput("udp://127.0.0.1:0"))
                .isInstanceOf(ConfigException.class)
                .hasMessage("bad URL 'udp://127.0.0.1:0': port 0 is out of range 1-65535");
        assertThat(route.removeOutput("o99")).isFalse();
    }

    @Test
    void fiftyReloadsLoseNothingOnUnchangedOutputs() throws Exception {
        UdpReceiver a = use(UdpReceiver.open("127.0.0.1"));
        UdpReceiver b = use(UdpReceiver.open("127.0.0.1"));
        UdpReceiver extra = use(UdpReceiver.open("127.0.0.1"));
        UdpReceiver other = use(UdpReceiver.open("127.0.0.1"));
        Relay relay = use(new Relay(settings(Map.of("cam", RouteConfig.of("udp://127.0.0.1:0", List.of(),
                List.of(a.url(), b.url()))))).start());
        String input = "udp://127.0.0.1:" + relay.route("cam").localAddress().getPort();
        List<byte[]> sent = Datagrams.fixed(5000, 1316, 22);
        CompletableFuture<Void> flowing = stream(relay.route("cam").localAddress(), sent, List.of(a, b));

        int reloads = 0;
        while (reloads < 50) {
            Map<String, RouteConfig> next = new LinkedHashMap<>();
            boolean odd = reloads % 2 == 0; // the first reload adds, the last (50th) takes away
            next.put("cam", new RouteConfig(input, odd ? List.of("127.0.0.0/8") : List.of(),
                    odd ? List.of(a.url(), extra.url(), b.url()) : List.of(a.url(), b.url()), null, null, null, null));
            if (odd) {
                next.put("side", RouteConfig.of("udp://127.0.0.1:0", List.of(), List.of(other.url())));
            }
            relay.apply(settings(next));
            reloads++;
        }
        flowing.get(60, TimeUnit.SECONDS);
        await().atMost(Duration.ofSeconds(10)).until(() -> Math.min(a.count(), b.count()) >= sent.size());
        assertExact(a, sent);
        assertExact(b, sent);
        assertThat(relay.routes()).extracting(Route::name).containsExactly("cam");
        assertThat(relay.route("cam").outputs()).extracting(RouteOutput::url).containsExactly(a.url(), b.url());
    }

    @Test
    void aStormOfAHundredReloadsInTenSecondsLosesNothingOnKeptOutputsAndLeaksNoThreadsOrFiles() throws Exception {
        assumeTrue(JvmCounts.canCountFds(),
                "no /proc/self/fd to count open files in");
        UdpReceiver a = use(UdpReceiver.open("127.0.0.1"));
        UdpReceiver b = use(UdpReceiver.open("127.0.0.1"));
        UdpReceiver extra = use(UdpReceiver.open("127.0.0.1"));
        UdpReceiver other = use(UdpReceiver.open("127.0.0.1"));
        Relay relay = use(new Relay(settings(Map.of("cam", RouteConfig.of("udp://127.0.0.1:0", List.of(),
                List.of(a.url(), b.url()))))).start());
        String input = "udp://127.0.0.1:" + relay.route("cam").localAddress().getPort();
        IntFunction<RelaySettings> config = n -> {
            Map<String, RouteConfig> next = new LinkedHashMap<>();
            boolean add = n % 2 == 0; // even: an output and a route added, odd: both removed again
            next.put("cam", new RouteConfig(input, add ? List.of("127.0.0.0/8") : List.of(),
                    add ? List.of(a.url(), extra.url(), b.url()) : List.of(a.url(), b.url()), null, null, null, null));
            if (add) {
                next.put("side", RouteConfig.of("udp://127.0.0.1:0", List.of(), List.of(other.url())));
            }
            return settings(next);
        };
        // one round first, so that what starts lazily on the first added route (event loops) is there when counting
        relay.apply(config.apply(0));
        relay.apply(config.apply(1));
        // and what this test starts lazily itself: the pool the stream is sent from, Awaitility's classes
        CompletableFuture.runAsync(() -> { }).get(10, TimeUnit.SECONDS);
        await().atMost(Duration.ofSeconds(10)).until(() -> relay.route("cam") != null);
        long fdsBefore = JvmCounts.fds();
        int threadsBefore = JvmCounts.threads();

        List<byte[]> all = Datagrams.fixed(30_000, 1316, 23);
        InetSocketAddress to = relay.route("cam").localAddress();
        AtomicBoolean stormOver = new AtomicBoolean();
        AtomicInteger applied = new AtomicInteger();
        CompletableFuture<Integer> flowing = CompletableFuture.supplyAsync(() -> {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(80);
            try (UdpSender sender = UdpSender.to(to)) {
                int i = 0;
                // about 2,000 a second until the storm is over; never more than 280 a reload ahead of the storm (a
                // storm slowed down by a loaded machine does not outlast the stream)
                for (; i + 20 <= all.size() && !stormOver.get(); i += 10) {
                    while (i + 10 > (applied.get() + 1) * 280 && !stormOver.get() && System.nanoTime() < deadline) {
                        LockSupport.parkNanos(1_000_000);
                    }
                    sender.sendPaced(all.subList(i, i + 10), 50, () -> Math.min(a.count(), b.count()));
                    LockSupport.parkNanos(5_000_000);
                }
                sender.sendPaced(all.subList(i, i + 10), 50, () -> Math.min(a.count(), b.count())); // and after
                return i + 10;
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        long start = System.nanoTime();
        int reloads = 0;
        for (; reloads < 100; reloads++) {
            relay.apply(config.apply(reloads));
            applied.incrementAndGet();
            long due = start + (reloads + 1) * 95_000_000L; // 100 in 9.5 s
            LockSupport.parkNanos(Math.max(0, due - System.nanoTime()));
        }
        long stormMs = (System.nanoTime() - start) / 1_000_000;
        assertThat(flowing.isDone()).as("the stream flowed through the whole storm").isFalse();
        stormOver.set(true);
        List<byte[]> sent = all.subList(0, flowing.get(90, TimeUnit.SECONDS));
        await().atMost(Duration.ofSeconds(10)).until(() -> Math.min(a.count(), b.count()) >= sent.size());
        assertExact(a, sent);
        assertExact(b, sent);
        assertThat(relay.routes()).extracting(Route::name).containsExactly("cam");
        assertThat(relay.route("cam").outputs()).extracting(RouteOutput::url).containsExactly(a.url(), b.url());
        // 50 routes and 50 outputs came and went: what they held is given back (a margin for the JVM's own)
        await().atMost(Duration.ofSeconds(10)).pollInSameThread() // no poll thread of its own to count
                .until(() -> JvmCounts.fds() <= fdsBefore + 4 && JvmCounts.threads() <= threadsBefore + 4);
        long fdsAfter = JvmCounts.fds();
        int threadsAfter = JvmCounts.threads();
        Figures.of("fault.relay.reload-storm").put("reloads", reloads).put("storm_ms", stormMs)
                .put("lost_kept_outputs", 2L * sent.size() - a.count() - b.count()).put("datagrams", sent.size())
                .put("fds_before", fdsBefore).put("fds_after", fdsAfter)
                .put("threads_before", threadsBefore).put("threads_after", threadsAfter)
                .record(getClass(),
                        "aStormOfAHundredReloadsInTenSecondsLosesNothingOnKeptOutputsAndLeaksNoThreadsOrFiles");
    }

    @Test
    void outputsAddedThroughTheApiOutliveARestartAndAStoppedRouteTakesNoOutputs() throws Exception {
        UdpReceiver a = use(UdpReceiver.open("127.0.0.1"));
        UdpReceiver api = use(UdpReceiver.open("127.0.0.1"));
        Relay relay = use(new Relay(settings(Map.of("cam", RouteConfig.of("udp://127.0.0.1:0", List.of(),
                List.of(a.url()))))).start());
        Route before = relay.route("cam");
        before.addOutput(api.url());
        String input = "udp://127.0.0.1:" + before.localAddress().getPort();
        relay.apply(settings(Map.of("cam", new RouteConfig(input, List.of(), List.of(a.url()), "4MiB", null, null,
                null))));
        Route after = relay.route("cam");
        assertThat(after).isNotSameAs(before);
        assertThat(after.outputs()).extracting(RouteOutput::url).containsExactly(a.url(), api.url());
        assertThat(after.outputs().get(1).fromConfig()).isFalse();
        assertThatThrownBy(() -> before.addOutput(api.url())).isInstanceOf(RelayException.class)
                .hasMessage("route cam has stopped");
        try (UdpSender s = UdpSender.to(after.localAddress())) {
            s.send(new byte[] {7});
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> api.count() == 1);
    }

    @Test
    void aRouteWhoseInputChangesIsRestarted() throws Exception {
        UdpReceiver a = use(UdpReceiver.open("127.0.0.1"));
        Relay relay = use(new Relay(settings(Map.of("cam", RouteConfig.of("udp://127.0.0.1:0", List.of(),
                List.of(a.url()))))).start());
        Route before = relay.route("cam");
        String summary = relay.apply(settings(Map.of("cam", RouteConfig.of("udp://[::1]:0", List.of(),
                List.of(a.url())))));
        assertThat(summary).isEqualTo("route cam restarted (input settings changed)");
        assertThat(relay.route("cam")).isNotSameAs(before);
        assertThat(relay.route("cam").localAddress().getAddress().getHostAddress()).isEqualTo("0:0:0:0:0:0:0:1");
        try (UdpSender s = UdpSender.to(relay.route("cam").localAddress())) {
            s.send(new byte[] {1, 2, 3});
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> a.count() == 1);
        assertThat(relay.apply(relay.settings())).isEqualTo("no change");
    }
}
