package io.streamtee.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.streamtee.testing.FfmpegJudge;
import io.streamtee.testing.UdpReceiver;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** {@code streamtee demo} in its own JVM: simulated cameras -> relay -> each camera's services, every arrow a real socket. */
@Timeout(120)
class DemoEndToEndTest {
    @TempDir
    Path tmp;

    @Test
    void everyCameraIsRecordedAnalyzedAndListedOnTheWebServer() throws Exception {
        Path data = tmp.resolve("data");
        Path err = tmp.resolve("stderr-demo.txt");
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--enable-native-access=ALL-UNNAMED", "-cp", System.getProperty("java.class.path"),
                "io.streamtee.app.Main", "demo", "--cameras", "2", "--size", "320x240", "--fps", "25", "--bitrate",
                "500000", "--visitor-every", "4s", "--visitor-for", "2s", "--seconds", "8", "--segment", "2s",
                "--http", "127.0.0.1:0", "--data", data.toString()));
        Process demo = new ProcessBuilder(cmd).redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .redirectError(err.toFile()).start();
        try {
            // the banner names the page, the thing to open
            java.util.regex.Pattern banner = java.util.regex.Pattern.compile(
                    "demo running \\(Ctrl-C stops it\\): open (http://127\\.0\\.0\\.1:\\d+/) for 2 camera\\(s\\) live");
            String[] base = new String[1];
            await().atMost(Duration.ofSeconds(30)).until(() -> {
                java.util.regex.Matcher m = banner.matcher(Files.readString(err));
                return m.find() && (base[0] = m.group(1)) != null;
            });
            java.net.http.HttpResponse<String> cameras = java.net.http.HttpClient.newHttpClient().send(
                    java.net.http.HttpRequest.newBuilder(java.net.URI.create(base[0] + "api/cameras")).build(),
                    java.net.http.HttpResponse.BodyHandlers.ofString());
            assertThat(cameras.statusCode()).isEqualTo(200);
            assertThat(cameras.body()).contains("\"name\":\"front-door\"", "\"name\":\"driveway\"");
            assertThat(demo.waitFor(90, TimeUnit.SECONDS)).as("demo exits after --seconds").isTrue();
        } finally {
            demo.destroyForcibly();
        }
        assertThat(demo.exitValue()).as(Files.readString(err)).isZero();
        for (String camera : List.of("front-door", "driveway")) {
            assertThat(data.resolve(camera + "/index.db")).exists();
            try (var files = Files.walk(data.resolve(camera))) {
                assertThat(files.filter(f -> f.toString().endsWith(".ts")).count()).as(camera).isGreaterThan(1);
            }
        }
        // the first camera's visitor walks in at 4 s and out at 6 s: one motion event, started and ended (the
        // analyzer closes after the camera's last frame)
        List<String> lines = Files.readAllLines(data.resolve("front-door-events.jsonl"));
        assertThat(lines).as(Files.readString(err)).anySatisfy(l -> assertThat(l)
                .containsIgnoringCase("\"kind\":\"motion\"").containsIgnoringCase("\"phase\":\"start\""));
        assertThat(lines).anySatisfy(l -> assertThat(l)
                .containsIgnoringCase("\"kind\":\"motion\"").containsIgnoringCase("\"phase\":\"end\""));
    }

    @Test
    void everyConsumerGetsTheSameDecodableStream() throws Exception {
        try (UdpReceiver a = UdpReceiver.open("127.0.0.1"); UdpReceiver b = UdpReceiver.open("127.0.0.1")) {
            Path err = tmp.resolve("stderr.txt");
            List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "--enable-native-access=ALL-UNNAMED", "-cp", System.getProperty("java.class.path"),
                    "io.streamtee.app.Main", "demo", "--cameras", "1", "--to", a.url() + "," + b.url(),
                    "--size", "320x240", "--fps", "25", "--bitrate", "500000", "--seconds", "3", "--http", "127.0.0.1:0",
                    "--data", tmp.resolve("data").toString()));
            Process demo = new ProcessBuilder(cmd).redirectOutput(ProcessBuilder.Redirect.DISCARD)
                    .redirectError(err.toFile()).start();
            try {
                assertThat(demo.waitFor(90, TimeUnit.SECONDS)).as("demo exits after --seconds").isTrue();
            } finally {
                demo.destroyForcibly();
            }
            assertThat(demo.exitValue()).as(Files.readString(err)).isZero();
            await().atMost(Duration.ofSeconds(5)).until(() -> a.count() > 0 && a.count() == b.count());

            List<byte[]> got = a.datagrams();
            assertThat(got).allSatisfy(d -> {
                assertThat(d.length).isEqualTo(1316);
                for (int off = 0; off < d.length; off += 188) {
                    assertThat(d[off]).isEqualTo((byte) 0x47);
                }
            });
            List<byte[]> other = b.datagrams();
            for (int i = 0; i < got.size(); i++) {
                assertThat(java.util.Arrays.equals(got.get(i), other.get(i))).as("datagram %d identical", i).isTrue();
            }

            Path ts = tmp.resolve("capture.ts");
            try (var out = Files.newOutputStream(ts)) {
                for (byte[] d : got) {
                    out.write(d);
                }
            }
            FfmpegJudge.assumeInstalled();
            FfmpegJudge.Probe probe = FfmpegJudge.stream(ts); // fails unless ffprobe exits 0
            assertThat(probe.codec()).isEqualTo("h264");
            assertThat(probe.width()).isEqualTo(320);
            assertThat(probe.height()).isEqualTo(240);
            assertThat(probe.frames()).isBetween(74, 76); // 3 s at 25 fps, +-1 frame

            FfmpegJudge.Result decode = FfmpegJudge.decode(ts.toString());
            String errors = decode.output().strip();
            assertThat(decode.exit()).isZero();
            assertThat(errors).as("ffmpeg decode errors").isEmpty();
        }
    }
}
