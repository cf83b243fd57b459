package io.streamtee.view;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.streamtee.testing.FfmpegJudge;
import io.streamtee.testing.RtspServer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code streamtee view --listen NAME=rtsp://...}: the viewer, started by its command, pulls a camera from a real RTSP
 * server (gst-rtsp-server, on loopback) through the bridge's plugged input and serves its live frames: a snapshot
 * JPEG, and the input's counters in {@code /metrics}.
 */
@Timeout(120)
class ViewRtspTest {
    @TempDir
    static Path dir;
    private static Path clip;
    private static Path script;

    @BeforeAll
    static void clip() throws Exception {
        FfmpegJudge.assumeEncoder("libx264");
        RtspServer.assumeInstalled();
        clip = FfmpegJudge.encode(dir.resolve("clip.ts"), "testsrc2=size=320x240:rate=25", 4,
                "-c:v", "libx264", "-profile:v", "high", "-bf", "2", "-g", "25");
        script = RtspServer.script(dir);
    }

    @Test
    void servesLiveFramesOfAnRtspCamera() throws Exception {
        try (RtspServer server = RtspServer.start(script, clip, 0, null)) {
            ViewCommand command = new ViewCommand();
            new CommandLine(command).parseArgs("--listen", "porch=rtsp://127.0.0.1:" + server.port() + "/stream",
                    "--http", "127.0.0.1:0");
            try (ViewCommand.Running running = command.start()) {
                CameraFeed porch = running.cameras().get(0);
                assertThat(porch.input().localAddress()).as("no socket of the viewer's own").isNull();
                await().atMost(Duration.ofSeconds(60)).until(() -> porch.hub().frames() >= 25);
                HttpClient http = HttpClient.newHttpClient();
                String base = "http://127.0.0.1:" + running.server().port();
                HttpResponse<byte[]> jpeg = http.send(HttpRequest.newBuilder(URI.create(base
                        + "/cameras/porch/snapshot.jpg")).build(), HttpResponse.BodyHandlers.ofByteArray());
                assertThat(jpeg.statusCode()).isEqualTo(200);
                assertThat(jpeg.headers().firstValue("content-type")).hasValue("image/jpeg");
                assertThat(jpeg.body()).startsWith((byte) 0xFF, (byte) 0xD8);
                String metrics = http.send(HttpRequest.newBuilder(URI.create(base + "/metrics")).build(),
                        HttpResponse.BodyHandlers.ofString()).body();
                assertThat(metrics).containsPattern(
                        "streamtee_view_input_events_total\\{camera=\"porch\",event=\"connects\"\\} [1-9]");
            }
        }
    }
}
