package io.streamtee.camera;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.streamtee.testing.UdpReceiver;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import io.streamtee.cli.Cli;
import picocli.CommandLine;

/** The command line: options become a config, bad ones a single line and exit code 2. */
class CameraCommandTest {

    @TempDir
    Path dir;

    private record Result(int exit, String err) {
    }

    private static Result run(String... args) {
        StringWriter err = new StringWriter();
        int exit = Cli.run(new CameraCommand(), new PrintWriter(new StringWriter(), true), new PrintWriter(err, true),
                args);
        return new Result(exit, err.toString());
    }

    private static void assertOneLineError(Result result, String expected) {
        assertThat(result.exit()).isEqualTo(2);
        assertThat(result.err()).isEqualTo("streamtee camera: " + expected + System.lineSeparator());
    }

    @Test
    void badSize() {
        assertOneLineError(run("--to", "127.0.0.1:5000", "--size", "1280x"),
                "--size '1280x' is not WIDTHxHEIGHT (e.g. 1280x720)");
        assertOneLineError(run("--to", "127.0.0.1:5000", "--size", "641x480"),
                "--size 641x480: width and height must be even, between 16x16 and 7680x4320");
    }

    @Test
    void unresolvableHost() {
        assertOneLineError(run("--to", "no-such-host.invalid:5000"),
                "--to: cannot resolve host 'no-such-host.invalid' in 'no-such-host.invalid:5000'");
    }

    @Test
    void badDestinations() {
        assertOneLineError(run("--to", "127.0.0.1"),
                "--to: bad URL '127.0.0.1': no port (expected host:port)");
        assertOneLineError(run("--to", "127.0.0.1:70000"), "--to: bad URL '127.0.0.1:70000': port 70000 is out of range 1-65535");
        assertOneLineError(run("--to", "tcp://127.0.0.1:5000"),
                "--to: bad URL 'tcp://127.0.0.1:5000': scheme 'tcp' is not supported for a camera (use udp://, rtp:// or host:port)");
        assertOneLineError(run("--to", "239.1.1.1:5000?ttl=300"),
                "--to: bad URL '239.1.1.1:5000?ttl=300': ttl 300 is out of range 0-255");
    }

    @Test
    void missingFile() {
        Path missing = dir.resolve("clip.ts");
        assertOneLineError(run("--to", "127.0.0.1:5000", "--file", missing.toString()),
                missing + ": no such file");
    }

    @Test
    void fileThatIsNotTs() throws Exception {
        Path text = Files.writeString(dir.resolve("clip.ts"), "not a transport stream\n".repeat(100));
        assertOneLineError(run("--to", "127.0.0.1:5000", "--file", text.toString()),
                text + ": not an MPEG-TS file (no 0x47 sync byte every 188 bytes)");
    }

    @Test
    void otherBadValues() {
        assertOneLineError(run("--to", "127.0.0.1:5000", "--bitrate", "fast"),
                "--bitrate: 'fast' is not a bit rate (examples: 4M, 800k, 2500000)");
        assertOneLineError(run("--to", "127.0.0.1:5000", "--jitter", "20"), "--jitter: '20' needs a unit (e.g. 20ms)");
        assertOneLineError(run("--to", "127.0.0.1:5000", "--loss", "2"), "--loss must be a fraction 0..1, got 2.0");
        assertOneLineError(run("--to", "127.0.0.1:5000", "--fps", "500"), "--fps must be 1..120, got 500");
        assertOneLineError(run("--to", "127.0.0.1:5000", "--visitor-every", "2s", "--visitor-for", "3s"),
                "--visitor-for (3.0 s) must not exceed visitor-every (2.0 s)");
        assertOneLineError(run("--to", "127.0.0.1:5000", "--file", "x.ts", "--pattern"),
                "--file and --pattern are exclusive: choose one");
    }

    @Test
    void badLightingValues() {
        assertOneLineError(run("--to", "127.0.0.1:5000", "--light-step-every", "soon"),
                "--light-step-every: 'soon' is not a duration (examples: 500ms, 10s, 5m, 2h, 7d)");
        assertOneLineError(run("--to", "127.0.0.1:5000", "--light-step-every", "10s", "--light-step", "0"),
                "--light-step must be -100..100 and not 0, got 0");
        assertOneLineError(run("--to", "127.0.0.1:5000", "--light-step", "101"),
                "--light-step must be -100..100 and not 0, got 101");
        assertOneLineError(run("--to", "127.0.0.1:5000", "--night-every", "2s", "--night-for", "3s"),
                "--night-for (3.0 s) must not exceed --night-every (2.0 s)");
        assertOneLineError(run("--to", "127.0.0.1:5000", "--night-every", "2s", "--night-for", "0"),
                "--night-for must be more than 0 with --night-every");
        assertOneLineError(run("--to", "127.0.0.1:5000", "--night-for", "x"),
                "--night-for: 'x' is not a duration (examples: 500ms, 10s, 5m, 2h, 7d)");
        assertOneLineError(run("--to", "127.0.0.1:5000", "--light-step-every", "10ms"),
                "--light-step-every (0.01 s) must be 0 or at least one frame (1/30 s)");
    }

    @Test
    void lightingOptionsBecomeAConfig() {
        CameraCommand command = new CameraCommand();
        new CommandLine(command).parseArgs("--to", "127.0.0.1:5000", "--light-step-every", "20s", "--light-step",
                "-30", "--night-every", "1m");
        CameraConfig.Pattern pattern = (CameraConfig.Pattern) command.config().source();
        assertThat(pattern.lights()).as("--night-for defaults to half of --night-every").isEqualTo(
                new CameraConfig.Lights(Duration.ofSeconds(20), -30, Duration.ofMinutes(1), Duration.ofSeconds(30)));
        CameraCommand none = new CameraCommand();
        new CommandLine(none).parseArgs("--to", "127.0.0.1:5000");
        assertThat(((CameraConfig.Pattern) none.config().source()).lights()).isEqualTo(CameraConfig.Lights.NONE);
    }

    @Test
    void optionsBecomeAConfig() {
        CameraCommand command = new CameraCommand();
        new CommandLine(command).parseArgs("--to", "rtp://[::1]:5004", "--size", "640x360", "--fps", "25",
                "--bitrate", "1.5M", "--visitor-every", "30s", "--visitor-for", "2.5", "--seconds", "12",
                "--loss", "0.01", "--jitter", "20ms", "--seed", "9");
        CameraConfig config = command.config();
        assertThat(config.to().rtp()).isTrue();
        assertThat(config.to().address().getPort()).isEqualTo(5004);
        assertThat(config.source()).isEqualTo(new CameraConfig.Pattern(640, 360, 25, 1_500_000, 50,
                Duration.ofSeconds(30), Duration.ofMillis(2500), 4));
        assertThat(config.duration()).isEqualTo(Duration.ofSeconds(12));
        assertThat(config.faults()).isEqualTo(new CameraConfig.Faults(0.01, Duration.ofMillis(20), false, 9));
    }

    @Test
    void runsAShortPatternCamera() throws Exception {
        try (UdpReceiver capture = UdpReceiver.open("127.0.0.1")) {
            Result result = run("--to", "127.0.0.1:" + capture.port(), "--size", "160x120", "--fps", "10",
                    "--bitrate", "200k", "--seconds", "1");
            assertThat(result.exit()).as(result.err()).isZero();
            await().atMost(Duration.ofSeconds(5)).until(() -> capture.count() > 0);
            TsAssertions.assertDatagramsOfSevenPackets(capture.timed(), 0);
        }
    }

    @Test
    void sigtermEndsTheStreamWithASummaryAndExitZero() throws Exception {
        try (UdpReceiver capture = UdpReceiver.open("127.0.0.1")) {
            Path log = dir.resolve("camera.log");
            Process p = new ProcessBuilder(java.util.List.of(
                    Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "--enable-native-access=ALL-UNNAMED", "-cp", System.getProperty("java.class.path"),
                    CameraCommand.class.getName(), "--to", "127.0.0.1:" + capture.port(), "--size", "160x120",
                    "--fps", "10", "--bitrate", "200k"))
                    .redirectErrorStream(true).redirectOutput(log.toFile()).start();
            try {
                await().atMost(Duration.ofSeconds(30)).until(() -> capture.count() > 20);
                p.destroy(); // SIGTERM
                assertThat(p.waitFor(20, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
                assertThat(p.exitValue()).as(Files.readString(log)).isZero();
                assertThat(Files.readString(log)).contains("camera stopped: sent ");
            } finally {
                p.destroyForcibly();
            }
        }
    }

    @Test
    void helpWorks() {
        StringWriter out = new StringWriter();
        int exit = new CommandLine(new CameraCommand()).setOut(new PrintWriter(out, true)).execute("--help");
        assertThat(exit).isZero();
        assertThat(out.toString()).contains("--visitor-every", "--jitter", "--rtp", "--file");
        assertThat(out.toString()).contains("--light-step-every", "--light-step", "--night-every", "--night-for");
    }
}
