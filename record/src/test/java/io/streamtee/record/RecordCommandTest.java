package io.streamtee.record;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.streamtee.cli.Cli;
import io.streamtee.playback.PlaybackCommand;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code streamtee record}: options, one-line errors, and SIGTERM in a real process. */
class RecordCommandTest {

    @TempDir
    Path dir;

    private record Run(int code, String err) {
    }

    private static Run run(String... args) {
        StringWriter err = new StringWriter();
        int code = Cli.run(new RecordCommand(), new PrintWriter(new StringWriter()), new PrintWriter(err), args);
        return new Run(code, err.toString());
    }

    @Test
    void defaultsAndUnits() {
        RecordCommand c = new RecordCommand();
        new CommandLine(c).parseArgs("--keep", "7d", "--max-size", "50GB");
        RecorderConfig config = c.config();
        assertThat(config.listen().url()).isEqualTo("udp://127.0.0.1:8101");
        assertThat(config.dir()).isEqualTo(Path.of("recordings"));
        assertThat(config.camera()).isEqualTo("camera");
        assertThat(config.segment()).isEqualTo(Duration.ofSeconds(10));
        assertThat(config.keep()).isEqualTo(Duration.ofDays(7));
        assertThat(config.maxBytes()).isEqualTo(50_000_000_000L);
    }

    @Test
    void badOptionsGiveOneLineAndExitTwo() {
        assertThat(run("--listen", "nowhere", "--dir", dir.toString()))
                .isEqualTo(new Run(2, "streamtee record: --listen: bad URL 'nowhere': no port (expected host:port)\n"));
        assertThat(run("--keep", "7x", "--dir", dir.toString()).err())
                .isEqualTo("streamtee record: --keep: '7x' is not a duration (examples: 500ms, 10s, 5m, 2h, 7d)\n");
        assertThat(run("--camera", "../etc", "--dir", dir.toString()).err()).startsWith("streamtee record: --camera:")
                .hasLineCount(1);
        assertThat(run("--listen", "tcp://127.0.0.1:9000", "--dir", dir.toString()).err())
                .startsWith("streamtee record: --listen:").hasLineCount(1);
        assertThat(run("--http", "localhost", "--dir", dir.toString()).err())
                .startsWith("streamtee record: --http:").hasLineCount(1);
        assertThat(run("--http", "0.0.0.0:0", "--dir", dir.toString()))
                .isEqualTo(new Run(2, "streamtee record: --http: 0.0.0.0:0 is not a loopback address: set"
                        + " STREAMTEE_API_TOKEN (16 characters or more) to require it, or listen on 127.0.0.1\n"));
    }

    @Test
    void aPlaybackPortInUseGivesOneLineAndExitOne() throws Exception {
        try (java.net.ServerSocket busy = new java.net.ServerSocket(0, 1,
                java.net.InetAddress.getByName("127.0.0.1"))) {
            Run r = run("--listen", "udp://127.0.0.1:0", "--dir", dir.toString(), "--http",
                    "127.0.0.1:" + busy.getLocalPort());
            assertThat(r.code()).isEqualTo(1);
            assertThat(r.err())
                    .startsWith("streamtee record: --http: cannot listen on 127.0.0.1:" + busy.getLocalPort())
                    .contains("address already in use").hasLineCount(1);
        }
    }

    @Test
    void aPortInUseGivesOneLineAndExitOne() {
        try (Recorder other = new Recorder(Recordings.config(dir.resolve("a"))).start()) {
            Run r = run("--listen", "udp://127.0.0.1:" + other.localAddress().getPort(), "--dir", dir.toString());
            assertThat(r.code()).isEqualTo(1);
            assertThat(r.err()).contains("address already in use").hasLineCount(1);
        }
    }

    @Test
    void sigtermClosesTheSegmentCleanlyAndExitsZero() throws Exception {
        Path out = dir.resolve("record.log");
        Process p = RecordProcess.builder(out, "--listen", "udp://127.0.0.1:0", "--dir", dir.toString(),
                "--segment", "1s").start();
        try {
            int udp = RecordProcess.awaitUdpPort(out);
            byte[] ts = new TestStream().seconds(3).frameBytes(500).bytes(); // about 100 kB: one burst fits SO_RCVBUF
            RecordProcess.send(udp, ts);
            Path cam = dir.resolve("camera");
            // two segments closed (1 s each, cut at the keyframes at 1 s and 2 s); the third is open
            await().atMost(Duration.ofSeconds(20)).until(() -> Recordings.rows(cam).size() == 3);
            p.destroy(); // SIGTERM
            assertThat(p.waitFor(20, TimeUnit.SECONDS)).isTrue();
            String log = Files.readString(out);
            assertThat(p.exitValue()).as(log).isZero();
            assertThat(log).contains("recorder stopped: 58 datagrams, 3 segments");
            List<SegmentIndex.Row> rows = Recordings.rows(cam);
            assertThat(rows).hasSize(3).allMatch(r -> r.status().equals("closed"));
            assertThat(Recordings.column(cam, "frames", Long.class)).containsExactly(25L, 25L, 25L);
            assertThat(Recordings.column(cam, "repaired", Integer.class)).containsOnly(0);
        } finally {
            p.destroyForcibly();
        }
    }

    @Test
    void playbackServesADirectoryAloneAndStopsOnSigterm() throws Exception {
        StringWriter err = new StringWriter();
        assertThat(Cli.run(new PlaybackCommand(), new PrintWriter(new StringWriter()), new PrintWriter(err), "--dir",
                dir.resolve("nothing").toString())).isEqualTo(2);
        assertThat(err.toString())
                .isEqualTo("streamtee playback: --dir: " + dir.resolve("nothing") + " is not a directory\n");

        String javaBin = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Path out = dir.resolve("playback.log");
        Process p = new ProcessBuilder(List.of(javaBin, "--enable-native-access=ALL-UNNAMED", "-cp",
                System.getProperty("java.class.path"), PlaybackCommand.class.getName(), "--dir", dir.toString(),
                "--http", "127.0.0.1:0")).redirectErrorStream(true).redirectOutput(out.toFile()).start();
        try {
            Pattern serving = Pattern.compile("playback: (http://127\\.0\\.0\\.1:\\d+/)");
            String url = await().atMost(Duration.ofSeconds(30)).until(() -> {
                Matcher m = serving.matcher(Files.readString(out));
                return m.find() ? m.group(1) : null;
            }, u -> u != null);
            java.net.http.HttpResponse<String> health = java.net.http.HttpClient.newHttpClient().send(
                    java.net.http.HttpRequest.newBuilder(java.net.URI.create(url + "healthz")).build(),
                    java.net.http.HttpResponse.BodyHandlers.ofString());
            assertThat(health.body()).contains("\"status\":\"ok\"", "\"cameras\":0");
            p.destroy(); // SIGTERM
            assertThat(p.waitFor(20, TimeUnit.SECONDS)).isTrue();
            assertThat(p.exitValue()).as(Files.readString(out)).isZero();
        } finally {
            p.destroyForcibly();
        }
    }

    @Test
    void afterSigkillTheNextStartRepairsAndIndexesTheOpenSegmentWithNothingLost() throws Exception {
        Path out = dir.resolve("record.log");
        Process p = RecordProcess.builder(out, "--listen", "udp://127.0.0.1:0", "--dir", dir.toString(),
                "--segment", "60s").start();
        Path cam = dir.resolve("camera");
        try {
            int udp = RecordProcess.awaitUdpPort(out);
            byte[] ts = new TestStream().seconds(3).frameBytes(500).bytes();
            RecordProcess.send(udp, ts);
            long expected = ts.length; // PAT+PMT of the segment replace the stream's own before the first keyframe
            await().atMost(Duration.ofSeconds(2)).until(() -> {
                List<String> files = Recordings.files(cam);
                return files.size() == 1 && Files.size(cam.resolve(files.get(0))) == expected;
            });
            p.destroyForcibly(); // SIGKILL: no chance to close the segment
            assertThat(p.waitFor(20, TimeUnit.SECONDS)).isTrue();
        } finally {
            p.destroyForcibly();
        }
        assertThat(Recordings.rows(cam)).singleElement().matches(r -> r.status().equals("open"));
        try (Recorder recorder = new Recorder(Recordings.config(dir)).start()) {
            assertThat(recorder.stats().repaired()).isEqualTo(1);
        }
        assertThat(Recordings.rows(cam)).singleElement().matches(r -> r.status().equals("closed"));
        assertThat(Recordings.column(cam, "frames", Long.class)).containsExactly(75L);
        assertThat(Recordings.column(cam, "duration_ms", Long.class)).containsExactly(3000L);
        assertThat(Recordings.column(cam, "repaired", Integer.class)).containsExactly(1);
    }
}
