package io.streamtee.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.streamtee.relay.testing.Datagrams;
import io.streamtee.relay.testing.UdpReceiver;
import io.streamtee.relay.testing.UdpSender;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.channels.DatagramChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The real {@code streamtee} command in its own JVM, as a user or systemd runs it. */
@Timeout(90)
class RelayEndToEndTest {
    private static final Pattern STARTED = Pattern.compile("route (\\S+): udp://127\\.0\\.0\\.1:(\\d+) -> ");
    private final List<Process> processes = new ArrayList<>();

    @AfterEach
    void kill() {
        processes.forEach(Process::destroyForcibly);
    }

    @TempDir
    Path tmp;

    /** Starts {@code streamtee ARGS...}; {@code log} reads what it has written to stderr so far. */
    private Process start(Log log, String... args) throws IOException {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--enable-native-access=ALL-UNNAMED", "-cp", System.getProperty("java.class.path"),
                "io.streamtee.cli.Main"));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .redirectError(log.file.toFile()).start();
        processes.add(p);
        return p;
    }

    /** A command's stderr, kept in a file so that nothing is lost when it exits. */
    private record Log(Path file) {
        List<String> lines() {
            try {
                return Files.readAllLines(file);
            } catch (IOException e) {
                return List.of();
            }
        }
    }

    private Log newLog() {
        return new Log(tmp.resolve("stderr-" + processes.size() + ".txt"));
    }

    @Test
    void relaysExactlyAndStopsCleanlyOnSigterm() throws Exception {
        try (UdpReceiver a = UdpReceiver.open("127.0.0.1"); UdpReceiver b = UdpReceiver.open("127.0.0.1")) {
            Log log = newLog();
            Process relay = start(log, "relay", "--listen", "udp://127.0.0.1:0", "--to", a.url(), "--to",
                    "127.0.0.1:" + b.port(), "--name", "frontdoor", "--stats-interval", "0");
            int port = awaitPort(log);

            List<byte[]> sent = Datagrams.mixed(1000, 99);
            try (UdpSender sender = UdpSender.to(new InetSocketAddress("127.0.0.1", port))) {
                sender.sendPaced(sent, 100, () -> Math.min(a.count(), b.count()));
            }
            await().atMost(Duration.ofSeconds(20)).until(() -> Math.min(a.count(), b.count()) >= sent.size());
            for (UdpReceiver r : List.of(a, b)) {
                List<byte[]> got = r.datagrams();
                for (int i = 0; i < sent.size(); i++) {
                    assertThat(java.util.Arrays.equals(got.get(i), sent.get(i))).as("datagram %d", i).isTrue();
                }
            }

            relay.destroy(); // SIGTERM
            assertThat(relay.waitFor(20, TimeUnit.SECONDS)).isTrue();
            assertThat(relay.exitValue()).isZero();
            await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(log.lines())
                    .anySatisfy(l -> assertThat(l).contains("route frontdoor: in 1000 datagrams",
                            a.url() + " 1000 sent", "127.0.0.1:" + b.port() + " 1000 sent")));
        }
    }

    @Test
    void portInUseIsOneLineAndExitCode1() throws Exception {
        try (DatagramChannel taken = DatagramChannel.open()) {
            taken.bind(new InetSocketAddress("127.0.0.1", 0));
            int port = ((InetSocketAddress) taken.getLocalAddress()).getPort();
            Log log = newLog();
            Process relay = start(log, "relay", "--listen", "udp://127.0.0.1:" + port, "--to", "127.0.0.1:9");
            assertThat(relay.waitFor(30, TimeUnit.SECONDS)).isTrue();
            assertThat(relay.exitValue()).isEqualTo(1);
            assertThat(log.lines()).contains("streamtee relay: udp://127.0.0.1:" + port
                    + ": address already in use (is another relay or program listening on this port?)");
        }
    }

    @Test
    void badConfigNamesTheKeyAndExitCode2() throws Exception {
        Path config = tmp.resolve("streamtee.yml");
        Files.writeString(config, "routes:\n  cam:\n    input: udp://127.0.0.1:0\n    outputs: [127.0.0.1:9]\n    gso: maybe\n");
        Log log = newLog();
        Process relay = start(log, "relay", "--config", config.toString());
        assertThat(relay.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(relay.exitValue()).isEqualTo(2);
        assertThat(log.lines()).containsExactly("streamtee relay: " + config + ": routes.cam.gso: 'maybe' is not one of auto, on, off");
    }

    private static int awaitPort(Log log) {
        int[] port = new int[1];
        await().atMost(Duration.ofSeconds(30)).until(() -> {
            for (String line : log.lines()) {
                Matcher m = STARTED.matcher(line);
                if (m.find()) {
                    port[0] = Integer.parseInt(m.group(2));
                    return true;
                }
            }
            return false;
        });
        return port[0];
    }
}
