package io.streamtee.bridge;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.streamtee.config.Endpoint;
import io.streamtee.relay.Relay;
import io.streamtee.relay.Route;
import io.streamtee.relay.config.ConfigLoader;
import io.streamtee.relay.config.RelayConfig;
import io.streamtee.relay.config.RouteConfig;
import io.streamtee.testing.FfmpegJudge;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * SRT output against Debian's ffmpeg on loopback: ffmpeg sends a clip over plain UDP to a relay route whose output is
 * {@code srt://...?mode=caller}; ffmpeg listening for SRT receives it, and its capture decodes to the source's frames.
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
            // the clip four times: the output connects while the first goes by; a later one arrives whole
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
}
