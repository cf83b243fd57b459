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

/** {@code streamtee demo} in its own JVM: camera -> relay -> consumers, every arrow a real socket. */
@Timeout(120)
class DemoEndToEndTest {
    @TempDir
    Path tmp;

    @Test
    void theRecorderRecordsTheFirstOutput() throws Exception {
        int port;
        try (java.nio.channels.DatagramChannel probe = java.nio.channels.DatagramChannel.open()) {
            probe.bind(new java.net.InetSocketAddress("127.0.0.1", 0)); // a port the OS says is free
            port = ((java.net.InetSocketAddress) probe.getLocalAddress()).getPort();
        }
        Path dir = tmp.resolve("recordings");
        Path err = tmp.resolve("stderr-record.txt");
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--enable-native-access=ALL-UNNAMED", "-cp", System.getProperty("java.class.path"),
                "io.streamtee.app.Main", "demo", "--listen", "udp://127.0.0.1:0", "--to", "udp://127.0.0.1:" + port,
                "--size", "320x240", "--fps", "25", "--bitrate", "500000", "--seconds", "6", "--http", "off",
                "--record", dir.toString(), "--playback", "127.0.0.1:0"));
        Process demo = new ProcessBuilder(cmd).redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .redirectError(err.toFile()).start();
        try {
            // the playback server answers while the demo records
            java.util.regex.Pattern url = java.util.regex.Pattern.compile("playback: (http://127\\.0\\.0\\.1:\\d+/)");
            String[] base = new String[1];
            org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(30)).until(() -> {
                java.util.regex.Matcher m = url.matcher(Files.readString(err));
                return m.find() && (base[0] = m.group(1)) != null;
            });
            java.net.http.HttpResponse<String> health = java.net.http.HttpClient.newHttpClient().send(
                    java.net.http.HttpRequest.newBuilder(java.net.URI.create(base[0] + "healthz")).build(),
                    java.net.http.HttpResponse.BodyHandlers.ofString());
            assertThat(health.statusCode()).isEqualTo(200);
            assertThat(demo.waitFor(90, TimeUnit.SECONDS)).isTrue();
        } finally {
            demo.destroyForcibly();
        }
        assertThat(demo.exitValue()).as(Files.readString(err)).isZero();
        assertThat(dir.resolve("camera/index.db")).exists();
        try (var files = Files.walk(dir)) {
            assertThat(files.filter(f -> f.toString().endsWith(".ts")).toList()).isNotEmpty();
        }
    }

    @Test
    void everyConsumerGetsTheSameDecodableStream() throws Exception {
        try (UdpReceiver a = UdpReceiver.open("127.0.0.1"); UdpReceiver b = UdpReceiver.open("127.0.0.1")) {
            Path err = tmp.resolve("stderr.txt");
            List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "--enable-native-access=ALL-UNNAMED", "-cp", System.getProperty("java.class.path"),
                    "io.streamtee.app.Main", "demo", "--listen", "udp://127.0.0.1:0", "--to", a.url() + "," + b.url(),
                    "--size", "320x240", "--fps", "25", "--bitrate", "500000", "--seconds", "3", "--http", "127.0.0.1:0",
                    "--record", "off", "--events", "off"));
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

    @Test
    void theViewerShowsTheThirdOutputLiveOnItsPage() throws Exception {
        int port;
        try (java.nio.channels.DatagramChannel probe = java.nio.channels.DatagramChannel.open()) {
            probe.bind(new java.net.InetSocketAddress("127.0.0.1", 0)); // a port the OS says is free
            port = ((java.net.InetSocketAddress) probe.getLocalAddress()).getPort();
        }
        try (UdpReceiver first = UdpReceiver.open("127.0.0.1"); UdpReceiver second = UdpReceiver.open("127.0.0.1")) {
            Path err = tmp.resolve("stderr-view.txt");
            String javaBin = Path.of(System.getProperty("java.home"), "bin", "java").toString();
            List<String> cmd = new ArrayList<>(List.of(javaBin,
                    "--enable-native-access=ALL-UNNAMED", "-cp", System.getProperty("java.class.path"),
                    "io.streamtee.app.Main", "demo", "--listen", "udp://127.0.0.1:0",
                    "--to", first.url() + "," + second.url() + ",udp://127.0.0.1:" + port, "--size", "320x240",
                    "--fps", "25", "--bitrate", "500000", "--seconds", "8", "--http", "127.0.0.1:0",
                    "--record", "off", "--events", "off", "--view-http", "127.0.0.1:0"));
            Process demo = new ProcessBuilder(cmd).redirectOutput(ProcessBuilder.Redirect.DISCARD)
                    .redirectError(err.toFile()).start();
            try {
                // the banner names the viewer's page first, the thing to open
                java.util.regex.Pattern banner = java.util.regex.Pattern.compile(
                        "demo running \\(Ctrl-C stops it\\): open (http://127\\.0\\.0\\.1:\\d+/) for the camera live;"
                                + " status page http://127\\.0\\.0\\.1:\\d+/");
                String[] base = new String[1];
                await().atMost(Duration.ofSeconds(30)).until(() -> {
                    java.util.regex.Matcher m = banner.matcher(Files.readString(err));
                    return m.find() && (base[0] = m.group(1)) != null;
                });
                assertThat(Files.readString(err)).contains("viewer: udp://127.0.0.1:" + port + " -> " + base[0]);
                java.net.http.HttpClient client = java.net.http.HttpClient.newHttpClient();
                String[] health = new String[1];
                await().atMost(Duration.ofSeconds(10)).until(() -> {
                    health[0] = client.send(java.net.http.HttpRequest.newBuilder(
                                    java.net.URI.create(base[0] + "healthz")).build(),
                            java.net.http.HttpResponse.BodyHandlers.ofString()).body();
                    java.util.regex.Matcher m = java.util.regex.Pattern.compile(
                            "\"frames\":(\\d+),\"cachedFrames\":(\\d+)").matcher(health[0]);
                    return m.find() && Long.parseLong(m.group(1)) >= 25 && Long.parseLong(m.group(2)) >= 1;
                });
                assertThat(health[0]).startsWith("{\"status\":\"ok\",\"camera\":\"camera\",");
                java.net.http.HttpResponse<String> page = client.send(java.net.http.HttpRequest.newBuilder(
                        java.net.URI.create(base[0])).build(), java.net.http.HttpResponse.BodyHandlers.ofString());
                assertThat(page.statusCode()).isEqualTo(200);
                assertThat(page.headers().firstValue("content-type")).hasValueSatisfying(t -> assertThat(t)
                        .startsWith("text/html"));
                assertThat(demo.waitFor(90, TimeUnit.SECONDS)).as("demo exits after --seconds").isTrue();
            } finally {
                demo.destroyForcibly();
            }
            assertThat(demo.exitValue()).as(Files.readString(err)).isZero();
        }
    }

    @Test
    void theAnalyzerWritesTheVisitorsMotionEventsFromTheSecondOutput() throws Exception {
        int port;
        try (java.nio.channels.DatagramChannel probe = java.nio.channels.DatagramChannel.open()) {
            probe.bind(new java.net.InetSocketAddress("127.0.0.1", 0)); // a port the OS says is free
            port = ((java.net.InetSocketAddress) probe.getLocalAddress()).getPort();
        }
        try (UdpReceiver recorderPort = UdpReceiver.open("127.0.0.1")) {
            Path events = tmp.resolve("events.jsonl");
            Path err = tmp.resolve("stderr-analyze.txt");
            List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "--enable-native-access=ALL-UNNAMED", "-cp", System.getProperty("java.class.path"),
                    "io.streamtee.app.Main", "demo", "--listen", "udp://127.0.0.1:0",
                    "--to", recorderPort.url() + ",udp://127.0.0.1:" + port, "--size", "320x240", "--fps", "25",
                    "--bitrate", "500000", "--visitor-every", "4s", "--visitor-for", "2s", "--seconds", "7",
                    "--http", "off", "--record", "off", "--events", events.toString(), "--events-http", "127.0.0.1:0"));
            Process demo = new ProcessBuilder(cmd).redirectOutput(ProcessBuilder.Redirect.DISCARD)
                    .redirectError(err.toFile()).start();
            try {
                // the analyzer's events page answers while the demo runs
                java.util.regex.Pattern url = java.util.regex.Pattern.compile("events (http://127\\.0\\.0\\.1:\\d+/)");
                String[] base = new String[1];
                await().atMost(Duration.ofSeconds(30)).until(() -> {
                    java.util.regex.Matcher m = url.matcher(Files.readString(err));
                    return m.find() && (base[0] = m.group(1)) != null;
                });
                java.net.http.HttpResponse<String> page = java.net.http.HttpClient.newHttpClient().send(
                        java.net.http.HttpRequest.newBuilder(java.net.URI.create(base[0] + "api/events")).build(),
                        java.net.http.HttpResponse.BodyHandlers.ofString());
                assertThat(page.statusCode()).isEqualTo(200);
                assertThat(demo.waitFor(90, TimeUnit.SECONDS)).as("demo exits after --seconds").isTrue();
            } finally {
                demo.destroyForcibly();
            }
            assertThat(demo.exitValue()).as(Files.readString(err)).isZero();
            // the visitor walks in at 4 s and out at 6 s: one motion event, started and ended (the analyzer closes
            // after the camera's last frame)
            List<String> lines = Files.readAllLines(events);
            assertThat(lines).as(Files.readString(err)).anySatisfy(l -> assertThat(l)
                    .containsIgnoringCase("\"kind\":\"motion\"").containsIgnoringCase("\"phase\":\"start\""));
            assertThat(lines).anySatisfy(l -> assertThat(l)
                    .containsIgnoringCase("\"kind\":\"motion\"").containsIgnoringCase("\"phase\":\"end\""));
        }
    }
}
