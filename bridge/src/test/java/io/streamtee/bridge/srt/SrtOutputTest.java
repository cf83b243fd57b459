package io.streamtee.bridge.srt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.streamtee.config.Endpoint;
import io.streamtee.relay.Relay;
import io.streamtee.relay.Route;
import io.streamtee.relay.config.ConfigLoader;
import io.streamtee.relay.config.RelayConfig;
import io.streamtee.relay.config.RouteConfig;
import io.streamtee.relay.http.ControlServer;
import io.streamtee.relay.http.RelayMetrics;
import io.streamtee.testing.FfmpegJudge;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * SRT output against Debian's ffmpeg on loopback: ffmpeg sends a clip over plain UDP to a relay route whose output is
 * {@code srt://...?mode=caller}; ffmpeg listening for SRT receives it, and its capture decodes to the source's frames.
 * The clip sent once arrives whole (closing the output does not cut its tail); the link's figures reach the API and
 * the metrics; two ends in rendezvous on loopback.
 */
@Timeout(90)
class SrtOutputTest {
    private static final String PASSPHRASE = "streamtee-secret-2";
    @TempDir
    static Path dir;
    private static Path clip;
    private static List<String> sourceFrames;

    @BeforeAll
    static void clip() throws Exception {
        SrtInputTest.assumeLibsrt();
        FfmpegJudge.assumeEncoder("libx264");
        assumeTrue(Arrays.stream(FfmpegJudge.check(FfmpegJudge.ffmpeg("-hide_banner", "-protocols")).split("\n"))
                .anyMatch(l -> l.strip().equals("srt")), "this ffmpeg has no srt protocol (built without libsrt)");
        clip = FfmpegJudge.encode(dir.resolve("clip.ts"), "testsrc2=size=320x240:rate=25", 4,
                "-c:v", "libx264", "-profile:v", "high", "-bf", "2", "-g", "25");
        sourceFrames = SrtInputTest.frameHashes(clip);
    }

    @Test
    void anSrtOutputDeliversTheSourcesFramesToAListeningFfmpeg() throws Exception {
        int port = SrtInputTest.freeUdpPort();
        Path captured = dir.resolve("captured.ts");
        Process receiver = FfmpegJudge.start(FfmpegJudge.ffmpeg("-v", "error", "-i", "srt://127.0.0.1:" + port
                + "?mode=listener&passphrase=" + PASSPHRASE, "-map", "0", "-c", "copy", "-f", "mpegts",
                captured.toString()));
        Process sender = null;
        try (Relay relay = new Relay(ConfigLoader.check(new RelayConfig(Map.of("cam", RouteConfig.of(
                "udp://127.0.0.1:0", List.of(), List.of("srt://127.0.0.1:" + port + "?mode=caller&passphrase="
                        + PASSPHRASE))), "0", null))).start()) {
            Route route = relay.routes().get(0);
            // connected before the stream starts: a capture that begins in the middle of a group of pictures decodes
            // the first group of every later loop differently (ffmpeg's remux of the capture), whatever the link
            await().atMost(Duration.ofSeconds(20)).until(() -> route.outputStats().get(0).counters()
                    .get("connects") == 1L);
            // the clip four times, as before
            sender = FfmpegJudge.start(FfmpegJudge.ffmpeg("-v", "error", "-re", "-stream_loop", "3", "-i",
                    clip.toString(), "-c", "copy", "-f", "mpegts", "udp://127.0.0.1:"
                            + route.localAddress().getPort() + "?pkt_size=1316"));
            assertThat(sender.waitFor(40, TimeUnit.SECONDS)).isTrue();
            long datagrams = route.stats().snapshot().datagrams();
            assertThat(datagrams).isGreaterThan(100);
            await().atMost(Duration.ofSeconds(10)).until(() -> route.outputStats().get(0).snapshot().datagrams() > 0);
        } finally {
            if (sender != null) {
                sender.destroyForcibly();
            }
        }
        // the relay closed: the caller went, the listening ffmpeg ends its capture
        if (!receiver.waitFor(20, TimeUnit.SECONDS)) {
            receiver.destroy();
            receiver.waitFor(10, TimeUnit.SECONDS);
        }
        assertThat(Files.size(captured)).isGreaterThan(0);
        List<String> frames = SrtInputTest.frameHashes(captured);
        assertThat(Collections.indexOfSubList(frames, sourceFrames)).as("the whole clip, frame for frame, in order")
                .isGreaterThanOrEqualTo(0);
    }

    @Test
    void closeDoesNotHangOnAListenerWithoutPeerNorOnACallerWithoutListener() throws Exception {
        for (String mode : List.of("listener", "caller")) {
            SrtOutput out = new SrtOutput("cam", Endpoint.parse("srt://127.0.0.1:" + SrtInputTest.freeUdpPort()
                    + "?mode=" + mode, Endpoint.Role.OUTPUT), 120_000).start();
            assertThat(out.offer(new byte[1316])).as("not connected: refused").isFalse();
            long start = System.nanoTime();
            out.close();
            assertThat(Duration.ofNanos(System.nanoTime() - start)).as(mode).isLessThan(Duration.ofSeconds(2));
            assertThat(out.counters()).as(mode).containsEntry("connects", 0L).containsEntry("messages", 0L);
        }
    }

    @Test
    void theClipSentOnceArrivesWholeClosingTheOutputDoesNotCutItsTailAndTheLinkIsInTheApiAndMetrics()
            throws Exception {
        int port = SrtInputTest.freeUdpPort();
        Path captured = dir.resolve("once.ts");
        Process receiver = FfmpegJudge.start(FfmpegJudge.ffmpeg("-v", "error", "-i", "srt://127.0.0.1:" + port
                + "?mode=listener&passphrase=" + PASSPHRASE, "-map", "0", "-c", "copy", "-f", "mpegts",
                captured.toString()));
        Process sender = null;
        try (Relay relay = new Relay(ConfigLoader.check(new RelayConfig(Map.of("cam", RouteConfig.of(
                "udp://127.0.0.1:0", List.of(), List.of("srt://127.0.0.1:" + port + "?mode=caller&passphrase="
                        + PASSPHRASE))), "0", null))).start()) {
            Route route = relay.routes().get(0);
            await().atMost(Duration.ofSeconds(20)).until(() -> route.outputStats().get(0).counters()
                    .get("connects") == 1L);
            sender = FfmpegJudge.start(FfmpegJudge.ffmpeg("-v", "error", "-re", "-i", clip.toString(), "-c", "copy",
                    "-f", "mpegts", "udp://127.0.0.1:" + route.localAddress().getPort() + "?pkt_size=1316"));
            assertThat(sender.waitFor(40, TimeUnit.SECONDS)).isTrue();
            await().atMost(Duration.ofSeconds(10)).until(() -> route.outputStats().get(0).counters().get("messages")
                    .equals(route.stats().snapshot().datagrams()));
            assertThat(route.outputStats().get(0).snapshot().dropped()).isZero();

            // the link's figures: in the API and in the metrics
            Map<String, Object> out = ((List<Map<String, Object>>) (List<?>) ControlServer.describe(route)
                    .get("outputs")).get(0);
            @SuppressWarnings("unchecked")
            Map<String, Long> counters = (Map<String, Long>) out.get("counters");
            @SuppressWarnings("unchecked")
            Map<String, Double> gauges = (Map<String, Double>) out.get("gauges");
            assertThat(counters.get("srt.packetsSentUnique")).isEqualTo(counters.get("messages"));
            assertThat(counters.get("srt.packetsSent")).isGreaterThanOrEqualTo(counters.get("messages"));
            assertThat(counters).containsEntry("srt.sendLoss", 0L).containsEntry("refused.passphrase", 0L);
            assertThat(gauges.get("srt.rttMillis")).isPositive();
            assertThat(gauges.get("srt.sendLatencyMillis")).isPositive();
            String scraped = new RelayMetrics(relay, () -> 0).scrape();
            assertThat(scraped).contains("streamtee_output_gauges{gauge=\"srt.rttMillis\"")
                    .contains("streamtee_output_events_total{event=\"srt.retransmitted\"")
                    .doesNotContain(PASSPHRASE);
        } finally {
            if (sender != null) {
                sender.destroyForcibly();
            }
        }
        if (!receiver.waitFor(20, TimeUnit.SECONDS)) {
            receiver.destroy();
            receiver.waitFor(10, TimeUnit.SECONDS);
        }
        assertThat(SrtInputTest.frameHashes(captured)).as("the clip, once, every frame").isEqualTo(sourceFrames);
    }

    /**
     * Whether a socket is bound to UDP {@code port} on 127.0.0.1 or any address, as /proc/net/udp lists them (read,
     * not probed by binding, which could take the port from under the process about to bind it).
     */
    private static boolean bound(int port) throws java.io.IOException {
        String hexPort = String.format(":%04X", port);
        return java.nio.file.Files.readAllLines(Path.of("/proc/net/udp")).stream().skip(1)
                .map(l -> l.trim().split("\\s+")[1])
                .anyMatch(local -> local.endsWith(hexPort)
                        && (local.startsWith("0100007F") || local.startsWith("00000000")));
    }

    @Test
    void withFivePercentLossOnTheWayOutTheReceiverStillGetsEveryFrame() throws Exception {
        int port = SrtInputTest.freeUdpPort();
        Path captured = dir.resolve("lossy.ts");
        Process receiver = FfmpegJudge.start(FfmpegJudge.ffmpeg("-v", "error", "-i", "srt://127.0.0.1:" + port
                + "?mode=listener&latency=1000000&passphrase=" + PASSPHRASE, "-map", "0", "-c", "copy", "-f", "mpegts",
                captured.toString()));
        // the proxy sends to ffmpeg's port at once: wait until ffmpeg listens there (a datagram to a port nobody has
        // bound yet comes back as ICMP port unreachable, which ends the proxy's pump)
        await().atMost(Duration.ofSeconds(20)).until(() -> bound(port));
        Process sender = null;
        try (LossyUdpProxy proxy = new LossyUdpProxy(port, 0.05, 13);
                Relay relay = new Relay(ConfigLoader.check(new RelayConfig(Map.of("cam", RouteConfig.of(
                        "udp://127.0.0.1:0", List.of(), List.of("srt://127.0.0.1:" + proxy.port()
                                + "?mode=caller&latency=1s&passphrase=" + PASSPHRASE))), "0", null))).start()) {
            Route route = relay.routes().get(0);
            await().atMost(Duration.ofSeconds(20)).until(() -> route.outputStats().get(0).counters()
                    .get("connects") == 1L);
            sender = FfmpegJudge.start(FfmpegJudge.ffmpeg("-v", "error", "-re", "-i", clip.toString(), "-c", "copy",
                    "-f", "mpegts", "udp://127.0.0.1:" + route.localAddress().getPort() + "?pkt_size=1316"));
            assertThat(sender.waitFor(40, TimeUnit.SECONDS)).isTrue();
            await().atMost(Duration.ofSeconds(10)).until(() -> route.outputStats().get(0).counters().get("messages")
                    .equals(route.stats().snapshot().datagrams()));
            Map<String, Long> counters = route.outputStats().get(0).counters();
            assertThat(proxy.dropped()).as("the path lost datagrams").isPositive();
            assertThat(counters.get("srt.retransmitted")).as("and SRT sent them again").isPositive();
            assertThat(counters.get("srt.sendDropped")).as("none too late").isZero();
        } finally {
            if (sender != null) {
                sender.destroyForcibly();
            }
        }
        if (!receiver.waitFor(20, TimeUnit.SECONDS)) {
            receiver.destroy();
            receiver.waitFor(10, TimeUnit.SECONDS);
        }
        assertThat(SrtInputTest.frameHashes(captured)).as("the clip, every frame, over a lossy path")
                .isEqualTo(sourceFrames);
    }

    @Test
    void twoEndsInRendezvousOnLoopbackCarryEveryDatagramInOrder() throws Exception {
        int a = SrtInputTest.freeUdpPort();
        int b = SrtInputTest.freeUdpPort();
        List<byte[]> got = new CopyOnWriteArrayList<>();
        try (SrtInput in = new SrtInput("cam", Endpoint.parse("srt://127.0.0.1:" + a + "?mode=rendezvous&passphrase="
                + PASSPHRASE, Endpoint.Role.INPUT), datagrams -> got.addAll(datagrams), 5_000, b).start();
                SrtOutput out = new SrtOutput("cam", Endpoint.parse("srt://127.0.0.1:" + b
                        + "?mode=rendezvous&passphrase=" + PASSPHRASE, Endpoint.Role.OUTPUT), 5_000, a).start()) {
            await().atMost(Duration.ofSeconds(20)).until(() -> out.phase().equals("connected"));
            List<byte[]> sent = new java.util.ArrayList<>();
            for (int i = 0; i < 200; i++) {
                byte[] d = new byte[SrtLink.PAYLOAD];
                java.util.Arrays.fill(d, (byte) i);
                d[0] = 0x47;
                sent.add(d);
                assertThat(out.offer(d)).isTrue();
                if (i % 50 == 49) {
                    int n = i + 1;
                    await().atMost(Duration.ofSeconds(10)).until(() -> got.size() == n);
                }
            }
            assertThat(got).containsExactlyElementsOf(sent);
            assertThat(in.counters()).containsEntry("connects", 1L).containsEntry("messages", 200L);
            assertThat(out.counters()).containsEntry("connects", 1L).containsEntry("messages", 200L);
            assertThat(in.gauges().get("srt.rttMillis")).isPositive();
        }
    }
}
