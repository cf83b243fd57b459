package io.streamtee.serve;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.streamtee.analyze.ClipLinks;
import io.streamtee.testing.FfmpegJudge;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The README's second set-up, the cloud side: a {@code serve} camera whose input is an SRT listener with its
 * passphrase from the environment ({@code ${SRT_PASSPHRASE}}), fed by Debian's ffmpeg calling over SRT. The camera is
 * recorded, and {@code /api/cameras/NAME} carries the link's figures (connects, libsrt's RTT and latency), which the
 * camera page shows; the passphrase shows nowhere in the API.
 */
@Timeout(120)
class ServeSrtCameraTest {
    private static final String PASSPHRASE = "serve-srt-passphrase-42";

    @TempDir
    Path dir;

    @Test
    void anSrtCameraIsRecordedAndItsLinkFiguresAreInTheApi() throws Exception {
        FfmpegJudge.assumeEncoder("libx264");
        assumeTrue(Arrays.stream(FfmpegJudge.check(FfmpegJudge.ffmpeg("-hide_banner", "-protocols")).split("\n"))
                .anyMatch(l -> l.strip().equals("srt")), "this ffmpeg has no srt protocol (built without libsrt)");
        Path clip = FfmpegJudge.encode(dir.resolve("clip.ts"), "testsrc2=size=320x240:rate=25", 4,
                "-c:v", "libx264", "-profile:v", "high", "-bf", "2", "-g", "25");
        int port;
        try (DatagramSocket s = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))) {
            port = s.getLocalPort(); // SRT is UDP: a port free just now
        }
        ServeConfig config = ServeYaml.parse("cloud.yml", "web: {listen: 127.0.0.1:0}\ndata: " + dir.resolve("data")
                + "\ncameras:\n  home:\n    input: srt://127.0.0.1:" + port
                + "?mode=listener&passphrase=${SRT_PASSPHRASE}&latency=300ms\n    record: {segment: 1s}\n",
                Map.of("SRT_PASSPHRASE", PASSPHRASE)::get);
        Serve serve = new Serve(config);
        try (ServeWeb web = new ServeWeb(serve, config.web()).start(); serve) {
            serve.start(ClipLinks.parse("web.listen", web.url()));
            Process ffmpeg = FfmpegJudge.start(FfmpegJudge.ffmpeg("-v", "error", "-re", "-stream_loop", "2", "-i",
                    clip.toString(), "-c", "copy", "-f", "mpegts", "srt://127.0.0.1:" + port
                            + "?mode=caller&latency=300000&pkt_size=1316&passphrase=" + PASSPHRASE));
            try {
                HttpClient http = HttpClient.newHttpClient();
                URI camera = URI.create(web.url()).resolve("/api/cameras/home");
                ObjectMapper json = new ObjectMapper();
                JsonNode[] last = new JsonNode[1];
                await().atMost(Duration.ofSeconds(60)).until(() -> {
                    HttpResponse<String> r = http.send(HttpRequest.newBuilder(camera).build(),
                            HttpResponse.BodyHandlers.ofString());
                    assertThat(r.body()).doesNotContain(PASSPHRASE);
                    last[0] = json.readTree(r.body());
                    JsonNode link = last[0].path("link");
                    return last[0].path("recording").path("segments").asLong() >= 2
                            && link.path("counters").path("connects").asLong() >= 1
                            && link.path("gauges").path("srt.receiveLatencyMillis").asDouble() >= 300;
                });
                assertThat(last[0].path("input").asText()).contains("passphrase=***");
                assertThat(last[0].path("link").path("gauges").has("srt.rttMillis")).isTrue();
                assertThat(last[0].path("link").path("counters").path("refused.passphrase").asLong()).isZero();
            } finally {
                ffmpeg.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        }
    }
}
