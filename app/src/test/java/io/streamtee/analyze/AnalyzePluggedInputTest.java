package io.streamtee.analyze;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.streamtee.analyze.http.AnalyzerMetrics;
import io.streamtee.testing.FfmpegJudge;
import io.streamtee.testing.RtspServer;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code streamtee analyze --listen rtsp://...} and {@code srt://...}: the analyzer, started by its command, takes a
 * plugged input from the bridge (a real RTSP server, gst-rtsp-server; Debian's ffmpeg sending over SRT) on loopback
 * and decodes its frames; the input's counters are in {@code /metrics}.
 */
@Timeout(120)
class AnalyzePluggedInputTest {
    @TempDir
    static Path dir;
    private static Path clip;

    @BeforeAll
    static void clip() throws Exception {
        FfmpegJudge.assumeEncoder("libx264");
        clip = FfmpegJudge.encode(dir.resolve("clip.ts"), "testsrc2=size=320x240:rate=25", 4,
                "-c:v", "libx264", "-profile:v", "high", "-bf", "2", "-g", "25");
    }

    private static Analyzer start(String url, String camera) {
        AnalyzeCommand command = new AnalyzeCommand();
        new CommandLine(command).parseArgs("--listen", url, "--camera", camera, "--events",
                dir.resolve(camera + ".jsonl").toString());
        return command.start();
    }

    @Test
    void analyzesAnRtspCamera() throws Exception {
        RtspServer.assumeInstalled();
        try (RtspServer server = RtspServer.start(RtspServer.script(dir), clip, 0, null);
                Analyzer analyzer = start("rtsp://127.0.0.1:" + server.port() + "/stream", "porch")) {
            assertThat(analyzer.localAddress()).as("no socket of the analyzer's own").isNull();
            await().atMost(Duration.ofSeconds(60)).until(() -> analyzer.stats().framesDecoded() >= 50);
            assertThat(analyzer.inputStats().input().get("connects")).isPositive();
            assertThat(new AnalyzerMetrics(analyzer, () -> 0).scrape())
                    .containsPattern("streamtee_analyze_input_events_total\\{camera=\"porch\",event=\"connects\"\\}"
                            + " [1-9]");
        }
    }

    @Test
    void analyzesAStreamSentOverSrt() throws Exception {
        assumeTrue(Arrays.stream(FfmpegJudge.check(FfmpegJudge.ffmpeg("-hide_banner", "-protocols")).split("\n"))
                .anyMatch(l -> l.strip().equals("srt")), "this ffmpeg has no srt protocol (built without libsrt)");
        int port;
        try (DatagramSocket s = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))) {
            port = s.getLocalPort(); // SRT is UDP: a port free just now
        }
        try (Analyzer analyzer = start("srt://127.0.0.1:" + port + "?mode=listener", "yard")) {
            Process ffmpeg = FfmpegJudge.start(FfmpegJudge.ffmpeg("-v", "error", "-re", "-stream_loop", "2", "-i",
                    clip.toString(), "-c", "copy", "-f", "mpegts",
                    "srt://127.0.0.1:" + port + "?mode=caller&pkt_size=1316"));
            try {
                await().atMost(Duration.ofSeconds(60)).until(() -> analyzer.stats().framesDecoded() >= 50);
                assertThat(analyzer.inputStats().accepted()).isPositive();
            } finally {
                ffmpeg.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        }
    }
}
