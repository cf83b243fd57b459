package io.streamtee.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.streamtee.testing.Datagrams;
import io.streamtee.testing.UdpReceiver;
import io.streamtee.testing.UdpSender;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
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
                "io.streamtee.app.Main"));
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
    void reloadsTheConfigOnChangeAndOnSighupWithoutLosingUnchangedOutputs() throws Exception {
        try (UdpReceiver a = UdpReceiver.open("127.0.0.1"); UdpReceiver late = UdpReceiver.open("127.0.0.1");
                UdpReceiver later = UdpReceiver.open("127.0.0.1")) {
            // Port 0 for the first start; the reloaded configs name the port the relay got.
            Path config = tmp.resolve("streamtee.yml");
            Files.writeString(config, route("udp://127.0.0.1:0", a.url()));
            Log log = newLog();
            Process relay = start(log, "relay", "--config", config.toString(), "--stats-interval", "0");
            int port = awaitPort(log);
            String input = "udp://127.0.0.1:" + port;
            List<byte[]> sent = Datagrams.fixed(3000, 1316, 5);
            try (UdpSender sender = UdpSender.to(new InetSocketAddress("127.0.0.1", port))) {
                sender.sendPaced(sent.subList(0, 1000), 100, a::count);

                // 1. the file changes: an output is added while the stream flows
                Files.writeString(config, route(input, a.url(), late.url()));
                await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(log.lines())
                        .anySatisfy(l -> assertThat(l).contains("config applied: route frontdoor: 1 outputs added")));
                sender.sendPaced(sent.subList(1000, 2000), 100, a::count);
                await().atMost(Duration.ofSeconds(10)).until(() -> late.count() >= 1000);

                // 2. SIGHUP re-reads the file (nothing changed), then another change swaps an output; a process
                // tree started under nohup ignores SIGHUP, and the relay says so instead
                org.junit.jupiter.api.Assumptions.assumeFalse(log.lines().stream()
                        .anyMatch(l -> l.contains("SIGHUP is ignored in this process")),
                        "SIGHUP is ignored in this process tree (started with nohup): the SIGHUP step cannot run");
                long applied = log.lines().stream().filter(l -> l.contains("config applied")).count();
                new ProcessBuilder("kill", "-HUP", Long.toString(relay.pid())).start().waitFor();
                await().atMost(Duration.ofSeconds(20)).until(() -> log.lines().stream()
                        .filter(l -> l.contains("config applied: no change")).count() > 0
                        && log.lines().stream().filter(l -> l.contains("config applied")).count() > applied);
                Files.writeString(config, route(input, a.url(), later.url()));
                await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(log.lines())
                        .anySatisfy(l -> assertThat(l).contains("1 outputs added, 1 removed")));
                sender.sendPaced(sent.subList(2000, 3000), 100, a::count);
            }
            await().atMost(Duration.ofSeconds(10)).until(() -> a.count() >= 3000 && later.count() >= 1000);
            List<byte[]> got = a.datagrams();
            for (int i = 0; i < sent.size(); i++) {
                assertThat(java.util.Arrays.equals(got.get(i), sent.get(i))).as("datagram %d at the unchanged output", i)
                        .isTrue();
            }
            // a config that does not load is reported and the relay runs on
            Files.writeString(config, "routes:\n  frontdoor:\n    input: " + input + "\n    outptus: []\n");
            await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(log.lines()).anySatisfy(l ->
                    assertThat(l).contains("config not applied, still running the previous one: " + config
                            + ": routes.frontdoor.outptus: unknown key")));
            assertThat(relay.isAlive()).isTrue();
        }
    }

    @Test
    void theControlApiAddsAndRemovesOutputsAndGuardsWithAToken() throws Exception {
        try (UdpReceiver a = UdpReceiver.open("127.0.0.1"); UdpReceiver added = UdpReceiver.open("127.0.0.1")) {
            Log log = newLog();
            String token = "e2e-token-0123456789";
            Process relay = start(log, "relay", "--listen", "udp://127.0.0.1:0", "--to", a.url(), "--name", "cam",
                    "--api", "127.0.0.1:0", "--api-token", token, "--stats-interval", "0");
            int port = awaitPort(log);
            int[] api = new int[1];
            await().atMost(Duration.ofSeconds(30)).until(() -> log.lines().stream().anyMatch(l -> {
                Matcher m = Pattern.compile("api: http://127\\.0\\.0\\.1:(\\d+)/").matcher(l);
                if (m.find()) {
                    api[0] = Integer.parseInt(m.group(1));
                    return true;
                }
                return false;
            }));
            java.net.http.HttpClient http = java.net.http.HttpClient.newHttpClient();
            String base = "http://127.0.0.1:" + api[0];
            var noToken = http.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(base + "/api/routes")).build(),
                    java.net.http.HttpResponse.BodyHandlers.ofString());
            assertThat(noToken.statusCode()).isEqualTo(401);

            var post = http.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(base + "/api/routes/cam/outputs"))
                    .header("Authorization", "Bearer " + token)
                    .POST(java.net.http.HttpRequest.BodyPublishers.ofString("{\"url\":\"" + added.url() + "\"}")).build(),
                    java.net.http.HttpResponse.BodyHandlers.ofString());
            assertThat(post.statusCode()).as(post.body()).isEqualTo(201);
            assertThat(post.body()).contains("\"id\":\"o2\"");

            List<byte[]> sent = Datagrams.fixed(500, 1316, 8);
            try (UdpSender sender = UdpSender.to(new InetSocketAddress("127.0.0.1", port))) {
                sender.sendPaced(sent, 100, () -> Math.min(a.count(), added.count()));
            }
            await().atMost(Duration.ofSeconds(10)).until(() -> added.count() >= 500);

            var delete = http.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(base + "/api/routes/cam/outputs/o2"))
                    .header("Authorization", "Bearer " + token).DELETE().build(),
                    java.net.http.HttpResponse.BodyHandlers.ofString());
            assertThat(delete.statusCode()).isEqualTo(204);
            var metrics = http.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(base + "/metrics"))
                    .header("Authorization", "Bearer " + token).build(), java.net.http.HttpResponse.BodyHandlers.ofString());
            assertThat(metrics.body()).contains("streamtee_route_received_datagrams_total{route=\"cam\"} 500.0")
                    .contains("streamtee_http_unauthorized_total 1.0");
            relay.destroy();
            assertThat(relay.waitFor(20, TimeUnit.SECONDS)).isTrue();
            assertThat(relay.exitValue()).isZero();
        }
    }

    private static String route(String input, String... outputs) {
        return "routes:\n  frontdoor:\n    input: " + input + "\n    outputs: [" + String.join(", ", outputs) + "]\n";
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

    /**
     * {@code relay --listen rtsp://...}: the application has the bridge module, so the route pulls the camera; one that
     * takes the connection and never answers is named in one line, the password masked, and stopping does not wait
     * for it.
     */
    @Test
    void anRtspInputComesFromTheBridgeAndItsPasswordNeverShows() throws Exception {
        List<Socket> accepted = new java.util.concurrent.CopyOnWriteArrayList<>();
        try (ServerSocket camera = new ServerSocket(); UdpReceiver out = UdpReceiver.open("127.0.0.1")) {
            camera.bind(new InetSocketAddress("127.0.0.1", 0));
            Thread.ofVirtual().start(() -> {
                try {
                    while (true) {
                        accepted.add(camera.accept());
                    }
                } catch (IOException e) {
                    // closed
                }
            });
            String url = "rtsp://admin:s3cret@127.0.0.1:" + camera.getLocalPort() + "/stream1";
            Log log = newLog();
            Process relay = start(log, "relay", "--listen", url, "--to", out.url(), "--stats-interval", "0");
            await().atMost(Duration.ofSeconds(30)).until(() -> log.lines().stream().anyMatch(l -> l.contains(
                    "input rtsp://admin:***@127.0.0.1:" + camera.getLocalPort() + "/stream1: the camera did not answer")));
            assertThat(accepted).isNotEmpty();
            relay.destroy(); // SIGTERM
            assertThat(relay.waitFor(20, TimeUnit.SECONDS)).isTrue();
            assertThat(relay.exitValue()).isZero();
            assertThat(log.lines()).noneMatch(l -> l.contains("s3cret"));
        } finally {
            for (Socket s : accepted) {
                s.close();
            }
        }
    }
}
